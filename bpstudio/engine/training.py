"""Training: epochs of mini-batch SGD with momentum, the loss history and divergence
detection. Pure NumPy; no Qt, no threads, no timing: callers decide how many epochs to run.

Epoch e (1-based) takes its batches in file order, or, with shuffle, in the order of a
permutation drawn from the seed and e alone, so any epoch can be replayed on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bpstudio.engine import init, losses
from bpstudio.engine.network import ForwardPass, Network, Workspace, backward, forward


@dataclass(frozen=True)
class TrainingConfig:
    loss: str
    learning_rate: float
    momentum: float = 0.0
    batch_size: int | None = None  # None: the full batch
    shuffle: bool = False
    seed: int = 0


def sgd_update(
    net: Network, velocity: np.ndarray, config: TrainingConfig, scratch: np.ndarray | None = None
) -> None:
    """v = momentum * v - lr * g; p = p + v (with momentum 0: p = p - lr * g), for the
    trainable parameters only; `net.grads` must hold the batch gradients."""
    step = np.multiply(net.grads, config.learning_rate, out=scratch)
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
    forward pass, the deltas, the gradients and the network after the update."""

    x: np.ndarray
    y: np.ndarray
    before: Network
    after: Network
    fwd: ForwardPass
    deltas: list[np.ndarray]
    grad_w: list[np.ndarray]
    grad_b: list[np.ndarray]
    loss: float
    velocity_before: np.ndarray
    velocity_after: np.ndarray


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
        fwd = forward(after, x)
        loss = losses.get(config.loss).value(fwd.output, y)
        deltas = backward(after, fwd, y, config.loss)
        grad_w = [g.copy() for g in after.grad_w]
        grad_b = [g.copy() for g in after.grad_b]
        velocity_after = velocity_before.copy()
        sgd_update(after, velocity_after, config)
    return StepResult(
        x, y, net.copy(), after, fwd, deltas, grad_w, grad_b, loss, velocity_before, velocity_after
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


class GrowingArray:
    """An append-only float64 array of rows with amortised doubling, so a million epochs
    cost a handful of reallocations. `values` is a view of the filled part."""

    def __init__(self, width: int | None = None, capacity: int = 1024) -> None:
        shape = (capacity,) if width is None else (capacity, width)
        self._data = np.empty(shape)
        self._size = 0

    def append(self, row: float | np.ndarray) -> None:
        if self._size == len(self._data):
            grown = np.empty((2 * len(self._data),) + self._data.shape[1:])
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = row
        self._size += 1

    def truncate(self, size: int) -> None:
        self._size = min(self._size, size)

    @property
    def values(self) -> np.ndarray:
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size


@dataclass
class Divergence:
    epoch: int
    what: str  # "loss is inf", "parameter w[2][0][1] is nan"

    def message(self) -> str:
        return f"training diverged at epoch {self.epoch}: {self.what}; lower the learning rate"


@dataclass
class History:
    """Loss over the whole data set after each epoch (`epoch[0]` may be 0: before training),
    and optionally every parameter too, one row per epoch."""

    first_epoch: int = 0
    loss: GrowingArray = field(default_factory=GrowingArray)
    params: GrowingArray | None = None

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(self.first_epoch, self.first_epoch + len(self.loss))

    @property
    def last_epoch(self) -> int:
        return self.first_epoch + len(self.loss) - 1


class Trainer:
    """Trains `net` in place on `x` `(N, n_in)`, `y` `(N, n_out)`. `epoch` counts completed
    epochs; `velocity` is the momentum state (zeros for a fresh trainer, as the spec says
    for training resumed from a file)."""

    def __init__(
        self,
        net: Network,
        x: np.ndarray,
        y: np.ndarray,
        config: TrainingConfig,
        epoch: int = 0,
        record_parameters: bool = False,
    ) -> None:
        self.net = net
        self.x = np.ascontiguousarray(x, dtype=float)
        self.y = np.ascontiguousarray(y, dtype=float)
        self.config = config
        self.epoch = epoch
        self.velocity = np.zeros_like(net.params)
        self.loss = losses.get(config.loss)
        n = len(self.x)
        self.batch = n if config.batch_size is None else min(config.batch_size, n)
        self._workspaces = {self.batch: Workspace(net, self.batch)}
        if n % self.batch:
            self._workspaces[n % self.batch] = Workspace(net, n % self.batch)
        self._full = Workspace(net, n) if self.batch != n else self._workspaces[n]
        self._snapshot = np.empty_like(net.params)
        self._step = np.empty_like(net.params)
        self.history = History(first_epoch=epoch)
        if record_parameters:
            self.history.params = GrowingArray(net.parameter_count)
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
        return self.loss.value(forward(self.net, self.x, self._full).output, self.y)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One training step on a batch; returns L before the update."""
        ws = self._workspaces[len(x)]
        fwd = forward(self.net, x, ws)
        loss = self.loss.value(fwd.output, y)
        backward(self.net, fwd, y, self.config.loss, ws)
        self.apply_gradients()
        return loss

    def apply_gradients(self) -> None:
        sgd_update(self.net, self.velocity, self.config, self._step)

    def run(self, epochs: int) -> Divergence | None:
        """Trains up to `epochs` more epochs, recording history. Stops at the first epoch
        whose loss or parameters are not finite, keeping the state before it."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for _ in range(epochs):
                divergence = self._run_epoch()
                if divergence:
                    return divergence
        return None

    def _run_epoch(self) -> Divergence | None:
        velocity = self.begin_epoch()
        batches = self.batches(self.epoch + 1)
        if batches is None:
            self.step(self.x, self.y)
        else:
            for idx in batches:
                self.step(self.x[idx], self.y[idx])
        return self.end_epoch(velocity)

    def begin_epoch(self) -> np.ndarray:
        """Remembers the state before an epoch, for `end_epoch` to fall back on; returns the
        velocity to hand to it."""
        np.copyto(self._snapshot, self.net.params)
        return self.velocity.copy()

    def end_epoch(self, velocity_before: np.ndarray) -> Divergence | None:
        """Completes an epoch whose batches were applied to `net` (by `step` or by hand):
        records its loss, or on divergence restores the state before it."""
        epoch = self.epoch + 1
        loss = self.full_loss()
        divergence = self._check(epoch, loss)
        if divergence:
            np.copyto(self.net.params, self._snapshot)
            self.velocity = velocity_before
            return divergence
        self.epoch = epoch
        self._record(loss)
        return None

    def truncate(self, epoch: int) -> None:
        """Forgets the history after `epoch` (the parameters must be set to it by the caller)."""
        keep = epoch - self.history.first_epoch + 1
        self.history.loss.truncate(keep)
        if self.history.params is not None:
            self.history.params.truncate(keep)
        self.epoch = epoch

    def _check(self, epoch: int, loss: float) -> Divergence | None:
        if not np.isfinite(loss):
            return Divergence(epoch, f"loss is {loss}")
        bad = np.flatnonzero(~np.isfinite(self.net.params))
        if bad.size:
            return _bad_parameter(self.net, epoch, bad[0])
        return None

    def _record(self, loss: float) -> None:
        self.history.loss.append(loss)
        if self.history.params is not None:
            self.history.params.append(self.net.params)


class Timeline:
    """Any past epoch of a training run, exactly: a keyframe (parameters and velocity) every
    `every` epochs, and deterministic replay from the nearest keyframe in between. Memory is
    one keyframe per `every` epochs instead of one per epoch."""

    def __init__(self, every: int = 100) -> None:
        self.every = every
        self.keyframes: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def record(
        self, epoch: int, params: np.ndarray, velocity: np.ndarray, force: bool = False
    ) -> None:
        if force or epoch % self.every == 0 or not self.keyframes:
            self.keyframes[epoch] = (params.copy(), velocity.copy())

    def truncate(self, epoch: int) -> None:
        for e in [e for e in self.keyframes if e > epoch]:
            del self.keyframes[e]

    def state_at(self, epoch: int, trainer: Trainer) -> tuple[np.ndarray, np.ndarray]:
        """Parameters and velocity after `epoch`, replayed with a scratch trainer like
        `trainer` (same data and settings) from the nearest keyframe at or before it."""
        start = max(e for e in self.keyframes if e <= epoch)
        params, velocity = self.keyframes[start]
        net = trainer.net.copy()
        net.params[:] = params
        replay = Trainer(net, trainer.x, trainer.y, trainer.config, epoch=start)
        replay.velocity[:] = velocity
        replay.run(epoch - start)
        return net.params.copy(), replay.velocity.copy()
