"""Training: epochs of mini-batch SGD with momentum, the loss history and divergence
detection. Pure NumPy; no Qt, no threads, no timing: callers decide how many epochs to run.

Epoch e (1-based) takes its batches in file order, or, with shuffle, in the order of a
permutation drawn from the seed and e alone, so any epoch can be replayed on its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

import numpy as np

from bpstudio.engine import init, losses, metrics
from bpstudio.engine.batch import BatchValues
from bpstudio.engine.growing import GrowingArray
from bpstudio.engine.kernel import Calls, Kernel
from bpstudio.engine.network import ForwardPass, Network


@dataclass(frozen=True, kw_only=True)
class TrainingConfig:
    """The settings of a training run, built by keyword: the document's `TrainingSpec` less
    `init`, plus the loss."""

    loss: str
    learning_rate: float
    momentum: float = 0.0
    batch_size: int | None = None  # None: the full batch
    shuffle: bool = False
    seed: int = 0
    weight_decay: float = 0.0  # λ: the weights' gradient becomes dL/dw + λ·w
    stop_loss: float | None = None  # training stops after an epoch whose loss is at or below


def sgd_update(
    net: Network, velocity: np.ndarray, config: TrainingConfig, scratch: np.ndarray | None = None
) -> None:
    """v = momentum * v - lr * g; p = p + v (with momentum 0: p = p - lr * g), for the
    trainable parameters only; `net.grads` must hold the batch gradients dL/dp. With weight
    decay λ, g = dL/dw + λ·w for each weight (biases keep g = dL/db), as PyTorch's
    `SGD(weight_decay=λ)` on the weights; `net.grads` keeps dL/dp."""
    grads = net.grads
    if config.weight_decay:
        grads = np.add(net.grads, np.multiply(net.params, net.decay_rates(config.weight_decay)))
    step = np.multiply(grads, config.learning_rate, out=scratch)
    step *= net.trainable
    if config.momentum:
        velocity *= config.momentum
        velocity -= step
        velocity *= net.trainable  # a velocity carried in must not move a fixed bias
        net.params += velocity
    else:
        net.params -= step


@dataclass
class StepResult:
    """Everything one training step on one batch computed: the inputs of the step, the
    forward pass and the deltas (`values`, by sample), the gradients and the network after
    the update."""

    x: np.ndarray
    y: np.ndarray
    before: Network
    after: Network
    values: BatchValues
    grad_w: list[np.ndarray]
    grad_b: list[np.ndarray]
    loss: float
    velocity_before: np.ndarray
    velocity_after: np.ndarray

    @property
    def fwd(self) -> ForwardPass:
        return self.values.fwd

    @property
    def deltas(self) -> list:
        return self.values.deltas


def training_step(
    net: Network,
    x: np.ndarray,
    y: np.ndarray,
    config: TrainingConfig,
    velocity: np.ndarray | None = None,
) -> StepResult:
    """One training step on the batch `x`, `y`, leaving `net` untouched. The same arithmetic
    as `Trainer.step`, so `trace`, the step sequence and training agree bit for bit."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    after = net.copy()
    velocity_before = np.zeros_like(net.params) if velocity is None else velocity.copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values = BatchValues(after, x, y, config.loss)
        loss = values.loss()
        grad_w = [g.copy() for g in after.grad_w]
        grad_b = [g.copy() for g in after.grad_b]
        velocity_after = velocity_before.copy()
        sgd_update(after, velocity_after, config)
    return StepResult(
        x, y, net.copy(), after, values, grad_w, grad_b, loss, velocity_before, velocity_after
    )


def step_divergence(result: StepResult, epoch: int) -> Divergence | None:
    """The divergence of a single training step, if its loss or new parameters are not
    finite."""
    if not np.isfinite(result.loss):
        return Divergence(epoch, f"loss is {result.loss}")
    bad = np.flatnonzero(~np.isfinite(result.after.params))
    return _bad_parameter(result.after, epoch, bad[0]) if bad.size else None


def _bad_parameter(net: Network, epoch: int, index: int) -> Divergence:
    name = net.parameter_names()[index]
    return Divergence(epoch, f"parameter {name} is {net.params[index]}")


def first_batch(n: int, config: TrainingConfig, epoch: int = 1) -> np.ndarray:
    """Sample indices of the first batch of `epoch` for a data set of `n` samples."""
    size = n if config.batch_size is None else min(config.batch_size, n)
    if config.shuffle:
        return init.rng(config.seed, init.STREAM_SHUFFLE, epoch).permutation(n)[:size]
    return np.arange(size)


@dataclass
class Divergence:
    epoch: int
    what: str  # "loss is inf", "parameter w[2][0][1] is nan"

    def message(self) -> str:
        return f"training diverged at epoch {self.epoch}: {self.what}; lower the learning rate"


@dataclass
class History:
    """Loss over the whole data set after each epoch (`epoch[0]` may be 0: before training),
    and optionally chosen parameters too: `params` has one row per epoch and one column per
    entry of `columns` (indices into `Network.params`). With a test set, `test_loss` is L
    over it; for a classifier, `accuracy` and `test_accuracy` are the fractions of samples
    classified right (metrics.py); each has a row per epoch, or is None. `flow` holds the
    gradient flow (engine/flow.py) of each epoch's last batch, the gradient of its last
    update: NaN where no update was made (the epoch training starts from); `grad_norm` and
    `delta_mean` read it, one row per epoch and one column per non-input layer."""

    first_epoch: int = 0
    loss: GrowingArray = field(default_factory=GrowingArray)
    params: GrowingArray | None = None
    columns: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    test_loss: GrowingArray | None = None
    accuracy: GrowingArray | None = None
    test_accuracy: GrowingArray | None = None

    def scores(self) -> list[GrowingArray]:
        """The recorded per-epoch scores besides the loss: test loss and accuracies."""
        rows = (self.test_loss, self.accuracy, self.test_accuracy)
        return [row for row in rows if row is not None]

    flow: GrowingArray | None = None

    @property
    def grad_norm(self) -> np.ndarray:
        """||∂L/∂W|| (Frobenius) of each layer, `(epochs, depth)`."""
        return self._flow_part(0)

    @property
    def delta_mean(self) -> np.ndarray:
        """The mean |δ| of each layer, `(epochs, depth)`."""
        return self._flow_part(1)

    def _flow_part(self, half: int) -> np.ndarray:
        if self.flow is None:
            return np.full((len(self.loss), 0), np.nan)
        values = self.flow.values
        depth = values.shape[1] // 2
        return values[:, half * depth : (half + 1) * depth]

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(self.first_epoch, self.first_epoch + len(self.loss))

    @property
    def last_epoch(self) -> int:
        return self.first_epoch + len(self.loss) - 1


class Trainer:
    """Trains `net` in place on `x` `(N, n_in)`, `y` `(N, n_out)`. `epoch` counts completed
    epochs; `velocity` is the momentum state (zeros for a fresh trainer, as the spec says
    for training resumed from a file), changed in place only: the kernels hold it. `test`,
    a held-out `(x, y)`, is never trained on: its loss is recorded after each epoch.
    `record_flow` False leaves out the gradient flow (`History.flow` None): only the window
    shows it, and it costs a small network's epoch up to a fifth of its time."""

    def __init__(
        self,
        net: Network,
        x: np.ndarray,
        y: np.ndarray,
        config: TrainingConfig,
        epoch: int = 0,
        record_parameters: bool | Sequence[int] = False,
        test: tuple[np.ndarray, np.ndarray] | None = None,
        record_flow: bool = True,
    ) -> None:
        self.net = net
        self.x = np.ascontiguousarray(x, dtype=float)
        self.y = np.ascontiguousarray(y, dtype=float)
        self.test = None if test is None else tuple(np.ascontiguousarray(t, float) for t in test)
        # whether the loss last recorded is at or below `stop_loss` (`run` stops there)
        self.reached_stop_loss = False
        self.config = config
        self.epoch = epoch
        self.velocity = np.zeros_like(net.params)
        self.loss = losses.get(config.loss)
        n = len(self.x)
        self.batch = n if config.batch_size is None else min(config.batch_size, n)
        self._snapshot = np.empty_like(net.params)
        self._velocity_before = np.empty_like(net.params)
        self._fast: _FastPath | None = None
        self.history = History(first_epoch=epoch)
        if record_flow:
            self.history.flow = GrowingArray(2 * net.depth)
        classifier = metrics.is_classifier(net.activation_names[-1], config.loss)
        if self.test is not None:
            self.history.test_loss = GrowingArray()
        if classifier:
            self.history.accuracy = GrowingArray()
        if classifier and self.test is not None:
            self.history.test_accuracy = GrowingArray()
        # the targets' classes, of the data and the test set, for the accuracies
        targets = (self.y, self.test[1] if self.test is not None else self.y[:0])
        self._classes = tuple(metrics.classes(t) for t in targets)
        if record_parameters is True:
            self.track(range(net.parameter_count))
        elif record_parameters is not False:
            self.track(record_parameters)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._record(self.full_loss())

    def batches(self, epoch: int) -> list[np.ndarray] | None:
        """Sample indices of each batch of `epoch`; None for one full batch in file order."""
        n = len(self.x)
        if self.batch == n and not self.config.shuffle:
            return None
        order = (
            init.rng(self.config.seed, init.STREAM_SHUFFLE, epoch).permutation(n)
            if self.config.shuffle
            else np.arange(n)
        )  # as in first_batch
        return [order[i : i + self.batch] for i in range(0, n, self.batch)]

    def full_loss(self) -> float:
        """L over the whole data set with the current parameters."""
        full = self._kernels().full
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for call in full.forward:
                call()
            return full.loss()

    def run(self, epochs: int) -> Divergence | None:
        """Trains up to `epochs` more epochs, recording history. Stops at the first epoch
        whose loss or parameters are not finite, keeping the state before it, or after the
        first epoch whose loss is at or below `config.stop_loss` (`reached_stop_loss`)."""
        self.reached_stop_loss = False
        if epochs <= 0:
            return None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.batch == len(self.x) and not self.config.shuffle:  # batches() is None
                return self._run_full_batch(epochs)
            return self._run_batches(epochs)

    def _kernels(self) -> _FastPath:
        if self._fast is None:
            self._fast = _FastPath(self)
        return self._fast

    def _run_full_batch(self, epochs: int) -> Divergence | None:
        """One batch, the whole data set in file order: the forward pass of epoch e + 1 is
        the full-data forward pass after epoch e, so each epoch's loss is recorded from the
        next epoch's pass, one epoch late, and only the last epoch needs a pass of its own."""
        fast = self._kernels()
        forward_pass, train, save, loss = (
            fast.full.forward,
            fast.full.train,
            fast.save,
            fast.full.loss,
        )
        for i in range(epochs):
            for call in forward_pass:
                call()
            if i and (divergence := self._settle(loss(), fast.full)):
                return divergence
            if i and self.reached_stop_loss:
                return None
            for call in save:
                call()
            for call in train:
                call()
        return self._settle(self.full_loss(), fast.full)

    def _run_batches(self, epochs: int) -> Divergence | None:
        """Mini-batches, or a shuffled full batch: each batch is copied into the buffers of
        the kernel of its size, and the loss needs a full-data forward pass per epoch."""
        fast = self._kernels()
        n, size = len(self.x), self.batch
        for _ in range(epochs):
            for call in fast.save:
                call()
            x, y = fast.ordered(self.epoch + 1)
            for start in range(0, n, size):
                kernel = fast.batch if start + size <= n else fast.rest
                np.copyto(kernel.x, x[start : start + size])
                np.copyto(kernel.y, y[start : start + size])
                for call in kernel.forward:
                    call()
                for call in kernel.train:
                    call()
            if divergence := self._settle(self.full_loss(), fast.rest):  # the last batch's
                return divergence
            if self.reached_stop_loss:
                return None
        return None

    def _settle(self, loss: float, last: Kernel) -> Divergence | None:
        """Completes the epoch the fast path just trained, `last` the kernel of its last
        batch: records its loss `loss` and gradient flow, or on
        divergence restores the state that `_FastPath.save` kept. A finite sum of the
        parameters proves them all finite; only when it is not are they checked one by one."""
        epoch = self.epoch + 1
        if not (math.isfinite(loss) and math.isfinite(self._kernels().params_sum())):
            divergence = self._check(epoch, loss)
            if divergence:
                np.copyto(self.net.params, self._snapshot)
                if self.config.momentum:  # else `save` did not keep it: it never changes
                    np.copyto(self.velocity, self._velocity_before)
                return divergence
        self.epoch = epoch
        self._record(loss, last.flow() if self.history.flow is not None else None)
        return None

    def begin_epoch(self) -> np.ndarray:
        """Remembers the state before an epoch, for `end_epoch` to fall back on; returns the
        velocity to hand to it."""
        np.copyto(self._snapshot, self.net.params)
        return self.velocity.copy()

    def end_epoch(
        self, velocity_before: np.ndarray, flow: np.ndarray | None = None
    ) -> Divergence | None:
        """Completes an epoch whose batches were applied to `net` by hand (the walkthrough's
        finished steps): records its loss and the gradient flow `flow` of its last batch
        (engine/flow.py), or on divergence restores the state before it."""
        epoch = self.epoch + 1
        loss = self.full_loss()
        divergence = self._check(epoch, loss)
        if divergence:
            np.copyto(self.net.params, self._snapshot)
            np.copyto(self.velocity, velocity_before)
            return divergence
        self.epoch = epoch
        self._record(loss, flow)
        return None

    def retune(self, config: TrainingConfig) -> None:
        """Trains on with `config`, which may differ from the current settings in the learning
        rate, the momentum, the weight decay and the stop loss only (the batches and the loss
        stay); the epoch, velocity and history are kept. ValueError for any other change."""
        old = self.config
        rates = ("learning_rate", "momentum", "weight_decay", "stop_loss")
        if replace(config, **{key: getattr(old, key) for key in rates}) != old:
            raise ValueError(
                "only the learning rate, momentum, weight decay and stop loss change during "
                "training"
            )
        self.config = config
        self._fast = None  # the kernels hold the old rate and momentum

    def truncate(self, epoch: int) -> None:
        """Forgets the history after `epoch` (the parameters must be set to it by the caller)."""
        keep = epoch - self.history.first_epoch + 1
        self.history.loss.truncate(keep)
        for row in (*self.history.scores(), self.history.flow, self.history.params):
            if row is not None:
                row.truncate(keep)
        self.epoch = epoch

    def _check(self, epoch: int, loss: float) -> Divergence | None:
        if not np.isfinite(loss):
            return Divergence(epoch, f"loss is {loss}")
        bad = np.flatnonzero(~np.isfinite(self.net.params))
        if bad.size:
            return _bad_parameter(self.net, epoch, bad[0])
        return None

    def track(self, columns: Iterable[int]) -> None:
        """Records the parameters `columns` (indices into `net.params`) after every epoch
        from now on. Columns recorded before keep their rows; a new column's earlier rows
        are NaN until the caller fills them (`Walkthrough` replays them)."""
        h = self.history
        columns = np.asarray(sorted(set(columns)), dtype=np.intp)
        if columns.size and (columns[0] < 0 or columns[-1] >= self.net.parameter_count):
            raise ValueError(f"parameter index out of range 0..{self.net.parameter_count - 1}")
        rows = len(h.loss)
        table = GrowingArray(columns.size, capacity=max(1024, rows))
        table.fill(rows, np.nan)
        if h.params is not None and rows:
            old, new = np.isin(h.columns, columns), np.isin(columns, h.columns)
            table.values[:, new] = h.params.values[:, old]
        h.columns = columns
        h.params = table if columns.size else None

    def _record(self, loss: float, flow: np.ndarray | None = None) -> None:
        """Appends the epoch's loss, scores, gradient flow `flow` (NaN: no update made) and
        tracked parameters; the full-data kernel's output must be that of the current
        parameters."""
        h = self.history
        h.loss.append(loss)
        if h.flow is not None:
            h.flow.append(np.nan if flow is None else flow)
        stop = self.config.stop_loss
        self.reached_stop_loss = stop is not None and loss <= stop
        fast = self._kernels()
        if h.accuracy is not None:
            h.accuracy.append(metrics.agreement(fast.full.output, self._classes[0]))
        if self.test is not None:
            test = fast.test
            for call in test.forward:
                call()
            h.test_loss.append(test.loss())
            if h.test_accuracy is not None:
                h.test_accuracy.append(metrics.agreement(test.output, self._classes[1]))
        if self.history.params is not None:
            self.history.params.append(self.net.params[self.history.columns])


class _FastPath:
    """The kernels of a trainer, built on its first use: `full` on the whole data set in
    file order, `batch` and `rest` on buffers of the batch size and of the last, smaller
    batch; `save` keeps the parameters and velocity before an epoch for `_settle`."""

    def __init__(self, trainer: Trainer) -> None:
        net, config, t = trainer.net, trainer.config, trainer
        step = np.empty_like(net.params)

        def kernel(x: np.ndarray, y: np.ndarray) -> Kernel:
            rates = (config.learning_rate, config.momentum, config.weight_decay)
            return Kernel(net, x, y, config.loss, rates, t.velocity, step)

        self.full = kernel(t.x, t.y)
        self._kernel = kernel
        self.save: Calls = [partial(np.copyto, t._snapshot, net.params)]
        if config.momentum:  # without momentum the velocity never changes
            self.save.append(partial(np.copyto, t._velocity_before, t.velocity))
        self.params_sum = partial(np.add.reduce, net.params)
        self._trainer = trainer
        self._shuffled = (np.empty_like(t.x), np.empty_like(t.y)) if config.shuffle else None

    @cached_property
    def batch(self) -> Kernel:
        """On buffers of the batch size; built when mini-batches first run (a full batch in
        file order never needs it, nor `rest`: each would be another copy of the data)."""
        return self._buffered(self._trainer.batch)

    @cached_property
    def test(self) -> Kernel:
        """On the test set; only its forward pass is ever run."""
        x, y = self._trainer.test
        return self._kernel(x, y)

    @cached_property
    def rest(self) -> Kernel:
        """On buffers of the last batch of an epoch, smaller when the batch size does not
        divide the data."""
        t = self._trainer
        rest = len(t.x) % t.batch
        return self._buffered(rest) if rest else self.batch

    def _buffered(self, size: int) -> Kernel:
        t = self._trainer
        return self._kernel(np.empty((size,) + t.x.shape[1:]), np.empty((size,) + t.y.shape[1:]))

    def ordered(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """The data set in the sample order of `epoch`."""
        t = self._trainer
        if self._shuffled is None:
            return t.x, t.y
        order = init.rng(t.config.seed, init.STREAM_SHUFFLE, epoch).permutation(len(t.x))
        x, y = self._shuffled
        np.take(t.x, order, axis=0, out=x)  # as in first_batch and batches
        np.take(t.y, order, axis=0, out=y)
        return x, y
