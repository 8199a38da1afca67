"""Walkthrough: where a student is in training a document — epoch, batch and micro-step —
and every move the lesson offers: step forward and back by neuron, layer or phase, finish a
training step, run epochs, go home, and scrub the timeline. Must not import Qt.

The micro-steps come from maths.steps; whole epochs from the engine's Trainer. A training
step finished by hand and one run by the Trainer are the same arithmetic, so the timeline
stays exact whichever way an epoch was reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bpstudio.document.model import Document
from bpstudio.document.parameter_history import ParameterHistory
from bpstudio.document.validate import SCORE_KEYS
from bpstudio.engine.flow import step_flow
from bpstudio.engine.network import Network
from bpstudio.engine.timeline import Timeline
from bpstudio.engine.training import (
    Divergence,
    StepResult,
    Trainer,
    TrainingConfig,
    step_divergence,
    training_step,
)
from bpstudio.maths import steps
from bpstudio.maths.report import PHASE_TITLES
from bpstudio.maths.steps import MAX_STEPS, Step, StepSequence

GRANULARITIES = ("neuron", "layer", "phase")
ALL_SAMPLES_UP_TO = 4  # larger batches walk one chosen sample, then combine
# A step sequence walks at most this many forward, loss and backward steps of chosen samples
# (0.3 to 0.6 s to build): choosing "all" of a big batch walks the first samples that fit.
MAX_WALKED_STEPS = 5_000
MAX_PAST_STEPS = 500  # training steps that "back" can undo one by one


@dataclass
class _Past:
    """The state at the start of a finished training step, to step back into it."""

    epoch: int
    batch: int
    params: np.ndarray
    velocity: np.ndarray
    epoch_velocity: np.ndarray | None
    history_length: int


class Walkthrough:
    """Training state of one document. `index` is the micro-step about to be shown: steps
    0..index-1 are done; `index == len(sequence)` means every update of the training step
    is done and the next move starts the next batch."""

    def __init__(self, doc: Document, timeline_every: int = 100) -> None:
        self.config = doc.training_config()
        self.x, self.y = doc.dataset()
        start = doc.next_epoch() - 1
        self.trainer = Trainer(
            doc.build_network(), self.x, self.y, self.config, epoch=start, test=doc.test_set()
        )
        self.start_epoch = start
        self.initial = self.trainer.net.copy()
        self.timeline = Timeline(timeline_every)
        self.timeline.record(start, self.net.params, self.trainer.velocity, config=self.config)
        self.parameters = ParameterHistory(self.trainer, self.timeline)
        self._earlier = _earlier_history(doc, start)
        self._earlier_scores = _earlier_scores(doc, self._earlier)
        self.granularity = "neuron"
        self.batch = 0
        self.index = 0
        self.samples: list[int] | None = None  # None: automatic choice
        self.divergence: Divergence | None = None
        self._sequence: StepSequence | None = None
        self._result: StepResult | None = None
        self._epoch_velocity: np.ndarray | None = None
        self._past: list[_Past] = []
        self._mixed = False  # this epoch's steps so far used other settings than the rest will

    # state -----------------------------------------------------------------------------
    @property
    def net(self) -> Network:
        """The network at the start of the current training step."""
        return self.trainer.net

    @property
    def epoch(self) -> int:
        """Completed epochs."""
        return self.trainer.epoch

    @property
    def last_epoch(self) -> int:
        return self.trainer.history.last_epoch

    def batches(self) -> list[np.ndarray]:
        found = self.trainer.batches(self.epoch + 1)
        return [np.arange(len(self.x))] if found is None else found

    @property
    def result(self) -> StepResult:
        """The current training step, computed (finishing it needs no step sequence)."""
        if self._result is None:
            idx = self.batches()[self.batch]
            self._result = training_step(
                self.net, self.x[idx], self.y[idx], self.config, self.trainer.velocity
            )
        return self._result

    @property
    def sequence(self) -> StepSequence:
        if self._sequence is None:
            if not self.steppable():
                raise ValueError(f"{self.expected_length():,} steps: more than {MAX_STEPS:,}")
            size = len(self.batches()[self.batch])
            self._sequence = steps.build(self.result, self.config, self.chosen_samples(size))
        return self._sequence

    def steppable(self) -> bool:
        """Whether the current training step can be walked micro-step by micro-step: its
        sequence has at most MAX_STEPS steps (whole epochs and training steps always run)."""
        return self.expected_length() <= MAX_STEPS

    def chosen_samples(self, batch_size: int) -> list[int] | None:
        """The samples of a batch of `batch_size` the step sequence walks (None: all)."""
        fit = self.samples_that_fit()
        if self.samples is not None:
            return ([s for s in self.samples if s < batch_size] or [0])[:fit]
        return None if batch_size <= min(ALL_SAMPLES_UP_TO, fit) else [0]

    def samples_that_fit(self) -> int:
        """How many samples a step sequence walks at most (MAX_WALKED_STEPS)."""
        per_sample = steps.length(self.net, 2, [0]) - steps.length(self.net, 2, [])
        return max(1, MAX_WALKED_STEPS // per_sample)

    def expected_length(self) -> int:
        """The number of steps `sequence` has or will have, without building it."""
        size = len(self.batches()[self.batch])
        return steps.length(self.net, size, self.chosen_samples(size))

    def set_samples(self, samples: list[int] | None) -> None:
        """Which samples of the batch to walk (None: all of a small batch, else the first);
        stays at the same phase."""
        self.samples = samples
        self._rebuild(same_step=True)

    @property
    def current(self) -> Step | None:
        seq = self.sequence
        return seq[self.index] if self.index < len(seq) else None

    def displayed_network(self) -> Network:
        """The parameters as they stand at this point of the walk (updates so far applied)."""
        return self.sequence.network_before(self.index)

    def known_values(self) -> dict[tuple, float]:
        return self.sequence.known_before(self.index)

    def position_text(self) -> str:
        """E.g. `Epoch 0 · Backward pass · δ⁽²⁾₁ · step 9 of 16`."""
        seq, parts = self.sequence, [f"Epoch {self.epoch}"]
        count = len(self.batches())
        if count > 1:
            parts.append(f"batch {self.batch + 1} of {count}")
        step = self.current
        if step is None:
            parts.append(f"training step done · step {len(seq)} of {len(seq)}")
        else:
            parts += [
                PHASE_TITLES[step.phase],
                step.symbol.text(),
                f"step {self.index + 1} of {len(seq)}",
            ]
        return " · ".join(parts)

    # moves within a training step --------------------------------------------------------
    def _group_key(self, step: Step) -> tuple:
        if self.granularity == "phase":
            return (step.phase,)
        if self.granularity == "layer":
            return (step.phase, step.sample, step.layer)
        return (step.index,)

    def next(self) -> bool:
        """Shows the next micro-step (or the rest of this layer or phase, by granularity).
        At the end of a training step, starts the next one. False when nothing moved."""
        seq = self.sequence
        if self.index >= len(seq):
            return self.finish_step()
        key = self._group_key(seq[self.index])
        self.index += 1
        while self.index < len(seq) and self._group_key(seq[self.index]) == key:
            self.index += 1
        return True

    def prev(self) -> bool:
        """Takes back the last micro-step (or layer, or phase); at the start of a training
        step, goes back to the end of the one before. False when nothing moved."""
        if self.index == 0:
            return self._back_into_previous_step()
        seq = self.sequence
        key = self._group_key(seq[self.index - 1])
        self.index -= 1
        while self.index > 0 and self._group_key(seq[self.index - 1]) == key:
            self.index -= 1
        return True

    def next_phase(self) -> bool:
        seq = self.sequence
        later = [i for i in seq.phase_starts() if i > self.index]
        if later:
            self.index = later[0]
            return True
        if self.index < len(seq):
            self.index = len(seq)
            return True
        return self.finish_step()

    def prev_phase(self) -> bool:
        earlier = [i for i in self.sequence.phase_starts() if i < self.index]
        if earlier:
            self.index = earlier[-1]
            return True
        return self._back_into_previous_step()

    def jump(self, index: int) -> None:
        self.index = max(0, min(index, len(self.sequence)))

    # moves across training steps -----------------------------------------------------------
    def finish_step(self) -> bool:
        """Applies this training step's update and moves to the start of the next one (the
        next batch, or the next epoch). False if it diverged (the state is kept)."""
        if self.divergence:
            return False
        result = self.result
        divergence = step_divergence(result, self.epoch + 1)
        if divergence:
            self.divergence = divergence
            return False
        self._remember_past()
        if self.batch == 0:
            self._epoch_velocity = self.trainer.begin_epoch()
        self.net.params[:] = result.after.params
        self.trainer.velocity[:] = result.velocity_after
        if self.batch + 1 < len(self.batches()):
            self.batch += 1
        else:
            self._end_epoch()
        self._rebuild(index=0)
        return True

    def _end_epoch(self) -> None:
        replayable = not self._mixed and self._replays_with_config()
        flow = step_flow(self.result.grad_w, self.result.values)  # of the epoch's last batch
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.divergence = self.trainer.end_epoch(self._epoch_velocity, flow)
        self.batch = 0
        if not self.divergence:
            self._keyframe(is_break=not replayable)
            self._mixed = False

    def _keyframe(self, is_break: bool = False) -> None:
        """Records the state after the current epoch in the timeline (a break: with the
        current settings, which replays of the epochs before must not use)."""
        config = self.config if is_break else None
        self.timeline.record(self.epoch, self.net.params, self.trainer.velocity, config=config)

    def _replays_with_config(self) -> bool:
        """Whether the timeline replays the epoch after this one with the current settings."""
        return self.timeline.config_at(self.epoch, self.trainer) == self.config

    def retune(self, config: TrainingConfig) -> None:
        """Goes on with `config`, which changes only the learning rate or the momentum (the
        batches stay): the epoch, batch, velocity and the steps shown so far are kept, and
        the steps from `index` on use `config`. An epoch trained partly with the old
        settings becomes a break of the timeline, so no replay runs through it."""
        self.trainer.retune(config)
        self.config = config
        self._mixed = self._mixed or (self.batch, self.index) != (0, 0)
        shown, self._sequence, self._result = self._sequence, None, None
        if shown is not None:
            self._sequence = _splice(shown, self.sequence, self.index)
            self._result = self._sequence.result  # what finishing the step applies

    def _remember_past(self) -> None:
        self._past.append(
            _Past(
                self.epoch,
                self.batch,
                self.net.params.copy(),
                self.trainer.velocity.copy(),
                None if self._epoch_velocity is None else self._epoch_velocity.copy(),
                len(self.trainer.history.loss),
            )
        )
        del self._past[:-MAX_PAST_STEPS]

    def _back_into_previous_step(self) -> bool:
        if not self._past:
            return False
        past = self._past.pop()
        self._mixed = self._mixed or past.epoch != self.epoch  # an epoch done again, maybe
        self.trainer.truncate(past.epoch)
        self.timeline.truncate(past.epoch)
        self.parameters.truncate(past.epoch)
        self.net.params[:] = past.params
        self.trainer.velocity[:] = past.velocity
        self._epoch_velocity = past.epoch_velocity
        self.batch = past.batch
        self.divergence = None
        self._rebuild()
        self.index = len(self.sequence)
        return True

    def run_epoch(self) -> Divergence | None:
        """Finishes the current epoch (from wherever the walk is)."""
        start = self.epoch
        while self.epoch == start and not self.divergence:
            self.finish_step()
        return self.divergence

    def train(self, epochs: int) -> Divergence | None:
        """Runs whole epochs with the fast path (from the start of an epoch: a walk in the
        middle of one finishes it first). Back-steps cannot undo these; the timeline can."""
        if self.batch or self.index:
            if self.run_epoch() or epochs <= 1 or self.trainer.reached_stop_loss:
                return self.divergence
            epochs -= 1
        if not self._replays_with_config():
            self._keyframe(is_break=True)
        every = self.timeline.every
        while epochs > 0:  # in runs that end on a keyframe epoch, or before
            chunk = min(epochs, every - self.epoch % every)
            self.divergence = self.trainer.run(chunk)
            if self.divergence or self.trainer.reached_stop_loss:
                break
            self._keyframe()
            epochs -= chunk
        self._past.clear()
        self._rebuild(index=0)
        return self.divergence

    def home(self) -> None:
        """Back to the weights the walk started from, forgetting the history made since."""
        self.scrub(self.start_epoch)
        self.truncate_future()

    def scrub(self, epoch: int) -> None:
        """Shows the state after `epoch` (any recorded epoch), exactly; the later history is
        kept until `truncate_future`."""
        epoch = max(self.trainer.history.first_epoch, min(epoch, self.last_epoch))
        params, velocity = self.timeline.state_at(epoch, self.trainer)
        self.net.params[:] = params
        self.trainer.velocity[:] = velocity
        self.trainer.epoch = epoch
        self.batch = 0
        self.divergence = None
        self._mixed = False
        self._past.clear()
        self._rebuild(index=0)

    def has_future(self) -> bool:
        """Whether epochs after the current one are recorded (the timeline was scrubbed back)."""
        return self.last_epoch > self.epoch

    def truncate_future(self) -> None:
        """Discards the history after the current epoch, so training can continue from it."""
        self.trainer.truncate(self.epoch)
        self.timeline.truncate(self.epoch)
        self.parameters.truncate(self.epoch)

    def loss_history(self) -> tuple[np.ndarray, np.ndarray]:
        """Epochs and losses recorded since this walk began (the epochs `parameter_history`
        covers too)."""
        h = self.trainer.history
        return h.epochs, h.loss.values

    def full_test_loss_history(self) -> np.ndarray | None:
        """The test loss beside each epoch of `full_loss_history` (NaN where the document's
        saved history has none), or None without a test set."""
        test = self.trainer.history.test_loss
        if test is None:
            return None
        earlier = self._earlier_scores["test_loss"]
        if earlier is None:  # the saved history has no test loss: a gap
            earlier = np.full(len(self.full_loss_history()[0]) - len(test), np.nan)
        return np.concatenate([earlier, test.values])

    def full_scores(self) -> dict[str, list[float]]:
        """The test loss and accuracies beside each epoch of `full_loss_history`: those this
        walk records and the document's saved history has for its earlier epochs too."""
        h, scores = self.trainer.history, {}
        for key, earlier in self._earlier_scores.items():
            row = getattr(h, key)
            if row is not None and earlier is not None:
                scores[key] = np.concatenate([earlier, row.values]).tolist()
        return scores

    def scores_text(self) -> str:
        """The accuracy, test loss and test accuracy after the shown epoch where they are
        recorded, e.g. `accuracy 95.0% · test loss 0.123 · test accuracy 90.0%`, else ''."""
        h = self.trainer.history
        i, parts = self.epoch - h.first_epoch, []
        rows = [("accuracy", h.accuracy, "{:.1%}"), ("test loss", h.test_loss, "{:.6g}")]
        rows.append(("test accuracy", h.test_accuracy, "{:.1%}"))
        for name, row, form in rows:
            if row is not None and 0 <= i < len(row):
                parts.append(f"{name} {form.format(float(row.values[i]))}")
        return " · ".join(parts)

    def full_loss_history(self) -> tuple[np.ndarray, np.ndarray]:
        """The document's saved loss history before this walk began (a trained file, or
        training before an edit), then `loss_history()`: every epoch with a known loss."""
        epochs, losses = self.loss_history()
        if self._earlier is None:
            return epochs, losses
        return np.concatenate([self._earlier[0], epochs]), np.concatenate(
            [self._earlier[1], losses]
        )

    def parameter_history(
        self, indices: Sequence[int], first: int | None = None, last: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Epochs `first..last` (default: every epoch since the walk began) and the values of
        the parameters `indices` (into `net.params`) after each, `(epochs, len(indices))`.
        Parameters chosen with `parameters.track` are read from the record, the others
        replayed from the timeline, bit for bit as `bpstudio train` computes them."""
        return self.parameters.values(indices, first, last)

    def _rebuild(self, index: int | None = None, same_step: bool = False) -> None:
        """Forgets the step sequence (and, unless `same_step`, the training step) for the
        next use to rebuild; moves to `index`, or to the start of the phase it was in."""
        phase = None if index is not None or self._sequence is None else self.current
        self._sequence = None
        if not same_step:
            self._result = None
        if index is not None:
            self.index = index
        elif phase is not None:
            starts = [
                i for i in self.sequence.phase_starts() if self.sequence[i].phase == phase.phase
            ]
            self.index = starts[0] if starts else 0
        elif self.index:
            self.index = min(self.index, len(self.sequence))


def _earlier_history(doc: Document, start: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The document's saved loss history before epoch `start` (the walk records from there)."""
    h = doc.history
    if h is None or not h.epoch or h.epoch[0] >= start:
        return None
    keep = [i for i, e in enumerate(h.epoch) if e < start]
    return np.array([h.epoch[i] for i in keep]), np.array([h.loss[i] for i in keep], dtype=float)


def _earlier_scores(
    doc: Document, earlier: tuple[np.ndarray, np.ndarray] | None
) -> dict[str, np.ndarray | None]:
    """Each saved score (`test_loss`, `accuracy`, `test_accuracy`) of the epochs of `earlier`
    (`_earlier_history`); None for one the document's history lacks."""
    count = 0 if earlier is None else len(earlier[0])
    scores: dict[str, np.ndarray | None] = {}
    for key in SCORE_KEYS:
        values = None if doc.history is None else getattr(doc.history, key)
        if not count:
            scores[key] = np.empty(0)
        else:
            scores[key] = None if values is None else np.array(values[:count], dtype=float)
    return scores


def _splice(shown: StepSequence, rest: StepSequence, index: int) -> StepSequence:
    """The steps of `shown` before `index`, then those of `rest`: the same training step
    built again with another learning rate or momentum. The updates already shown keep their
    values, and so does the network and velocity after the step: each parameter is updated
    once, by the rate in force when its update step is shown."""
    done = [s for s in shown.steps[:index] if s.kind in ("update_w", "update_b")]
    if not done:
        return rest
    result = rest.result
    after, velocity = result.after.copy(), result.velocity_after.copy()
    for step in done:
        p = steps.parameter_index(result.before, step.layer, step.neuron, step.source)
        after.params[p] = shown.result.after.params[p]
        velocity[p] = shown.result.velocity_after[p]
    mixed = replace(result, after=after, velocity_after=velocity)
    return StepSequence(mixed, [*shown.steps[:index], *rest.steps[index:]])
