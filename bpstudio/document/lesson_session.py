"""LessonSession: the step-through lesson on one open document. It owns the Walkthrough, keeps
it and the document in step both ways (training goes into the document as undoable edits;
an edit of the document invalidates only what INVALIDATES says) and words the way back from
diverged training. Must not import Qt: the window's LessonController presents it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial

from bpstudio.document.divergence import remedy
from bpstudio.document.edits import Edit, SetParameters
from bpstudio.document.model import History
from bpstudio.document.session import DocumentModel
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.engine.training import Divergence
from bpstudio.maths.formula import format_number

# The step sequence is built on the first move, not after every edit, above either of these
# (see LessonSession.ready): micro-steps (building ~15,000 take a second), and samples x
# parameters of the batch's forward and backward pass (10 million take 0.1 to 0.2 s).
BUILD_ON_DEMAND_ABOVE = 5_000
BATCH_ON_DEMAND_ABOVE = 1_000_000


class Invalidation(Enum):
    """What a change of the document takes from the lesson."""

    NOTHING = "nothing"  # the walk goes on: position, epoch, batch and velocity stay
    STEPS = "steps"  # the steps from the current position on are built with the new settings
    WALK = "walk"  # a new walk from the document: the arithmetic or the batches changed


# Every kind of change the document announces: `settings_changed` by its key, each other
# notification of DocumentEvents by its name. tests/document/test_lesson_session.py checks
# that every kind is here.
INVALIDATES: dict[str, Invalidation] = {
    "name": Invalidation.NOTHING,
    "description": Invalidation.NOTHING,
    "init": Invalidation.NOTHING,  # the weights are in the document; re-drawing them is an edit
    "path_changed": Invalidation.NOTHING,
    "learning_rate": Invalidation.STEPS,
    "momentum": Invalidation.STEPS,
    "weight_decay": Invalidation.STEPS,  # the update steps' gradient gains λ·w
    "stop_loss": Invalidation.STEPS,
    "loss": Invalidation.WALK,
    "batch_size": Invalidation.WALK,
    "shuffle": Invalidation.WALK,
    "seed": Invalidation.WALK,  # the shuffled order of the batches
    "structure_changed": Invalidation.WALK,
    "value_changed": Invalidation.WALK,
    "parameters_changed": Invalidation.WALK,
    "layer_changed": Invalidation.WALK,  # an activation, or whether biases train
    "data_changed": Invalidation.WALK,
    "history_changed": Invalidation.WALK,  # the epoch the walk counts from
    "document_replaced": Invalidation.WALK,
}


def invalidation(event: str, *args: object) -> Invalidation:
    """What the notification `event` with `args` invalidates."""
    kind = args[0] if event == "settings_changed" else event
    return INVALIDATES[str(kind)]


@dataclass(frozen=True)
class DivergenceOffer:
    """What to tell the student when training diverged: `edit` is the way back to offer
    (a question), or None when there is none (an error message)."""

    title: str
    text: str
    edit: Edit | None


def _nothing(*_args: object) -> None:
    pass


class LessonSession:
    """`walk` is the lesson's Walkthrough; after a WALK invalidation it is a new object.
    `push` puts an edit on the undo stack (and applies it). `before_reset` runs before a new
    walk replaces the current one (the window stops training there, which writes it into the
    document); `invalidated(what)` runs after a change of the walk."""

    def __init__(
        self,
        model: DocumentModel,
        push: Callable[[Edit], object],
        before_reset: Callable[[], None] = _nothing,
        invalidated: Callable[[Invalidation], None] = _nothing,
    ) -> None:
        self.model = model
        self.walk = Walkthrough(model.document)
        self.started = False  # a move was made since the walk began
        self._push = push
        self._before_reset = before_reset
        self._invalidated = invalidated
        self._syncing = False
        self._prepared: Walkthrough | None = None
        for name, signal in model.events.signals().items():
            signal.connect(partial(self._on_event, name))

    # the document -> the walk ---------------------------------------------------------------
    def _on_event(self, event: str, *args: object) -> None:
        what = invalidation(event, *args)
        if self._syncing or what is Invalidation.NOTHING:
            return
        if what is Invalidation.STEPS:
            self.walk.retune(self.model.document.training_config())
        else:
            self._before_reset()
            granularity = self.walk.granularity
            walk, self._prepared = self._prepared, None
            if walk is None or event != "document_replaced":
                walk = Walkthrough(self.model.document)
            self.walk = walk
            self.walk.granularity = granularity
            self.started = False
        self._invalidated(what)

    def prepare(self, walk: Walkthrough) -> None:
        """`walk` was made beforehand (on a worker thread: its first loss over every sample
        can take seconds) from the document that replaces the current one next: the walk of
        that `document_replaced` is this one, with the same values as one made then."""
        self._prepared = walk

    # the walk -> the document ---------------------------------------------------------------
    def move(self, move: Callable[[], object]) -> Divergence | None:
        """Makes `move` (a move of the walk) and writes a finished training step into the
        document. Returns the divergence to report: a new one, or one the move could not get
        past (not again on every step back), else None."""
        walk = self.walk
        before, had, index = (walk.epoch, walk.batch), walk.divergence, walk.index
        self.started = True
        move()
        if (walk.epoch, walk.batch) != before:
            self.sync()
        diverged = walk.divergence
        stuck = (walk.epoch, walk.batch, walk.index) == (*before, index)
        return diverged if diverged and (diverged is not had or stuck) else None

    def advance(self, steps: int) -> None:
        """Moves `steps` micro-steps forward without writing the document (for screenshots)."""
        for _ in range(steps):
            self.started = True
            self.walk.next()

    def sync(self) -> None:
        """Writes the trained parameters and the loss history into the document, as one
        undoable edit (undo goes back to the epoch before)."""
        walk, document = self.walk, self.model.document
        epochs, losses = walk.full_loss_history()  # more training appends (spec §1)
        scores = walk.full_scores() if document.version == 2 else {}  # version 1 stays 1
        history = History(epochs.astype(int).tolist(), losses.astype(float).tolist(), **scores)
        if len(epochs) == 1 and document.history is None:
            history = None
        edit = SetParameters(
            [w.copy() for w in walk.net.w],
            [b.copy() for b in walk.net.b],
            history,
            text=f"Train to epoch {walk.epoch}",
        )
        self._syncing = True
        try:
            self._push(edit)
        finally:
            self._syncing = False

    # building on demand ---------------------------------------------------------------------
    def ready(self) -> bool:
        """Whether the step sequence is built. For a big network (10x32: 19,873 micro-steps,
        1.3 s) or a big batch (100,000 samples: a forward and backward pass of them all)
        it waits for the first move instead of running after every edit of the document.
        A big batch walks one sample (Walkthrough.chosen_samples), so that move is quick.
        A training step of more than `steps.MAX_STEPS` micro-steps is never walked."""
        if not self.walk.steppable():
            return False
        if self.started:
            return True
        length = self.walk.expected_length()
        batch_work = self.batch_size() * self.walk.net.parameter_count
        return length <= BUILD_ON_DEMAND_ABOVE and batch_work <= BATCH_ON_DEMAND_ABOVE

    def batch_size(self) -> int:
        """The number of samples in the current batch."""
        return len(self.walk.batches()[self.walk.batch])

    # divergence -----------------------------------------------------------------------------
    def divergence_offer(self, divergence: Divergence) -> DivergenceOffer:
        """The way back (once the training so far is in the document): the last finite
        epoch with a lower learning rate, as one undoable edit; or why there is none."""
        document = self.model.document
        fix = remedy(self.walk, document.history is not None, document.version == 2)
        said = f"Training diverged at epoch {divergence.epoch}: {divergence.what}"
        if fix is None:
            return DivergenceOffer(
                "Training cannot go on",
                f"{said}, and the loss is not finite at epoch {self.walk.epoch} either: a "
                "weight, an input or a target is too large. Change the weights or scale the "
                "data.",
                None,
            )
        question = (
            f"{said}.\n\nReturn to epoch {fix.epoch}, the last one whose values were all "
            f"finite, and lower the learning rate to {format_number(fix.learning_rate)}?"
        )
        return DivergenceOffer("Training diverged", question, fix.edit)
