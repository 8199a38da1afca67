"""Any past epoch of a training run, exactly: keyframes and deterministic replay between
them (Timeline). Must not import Qt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from bpstudio.engine.training import Trainer, TrainingConfig


class Timeline:
    """Any past epoch of a training run, exactly: a keyframe (parameters and velocity) every
    `every` epochs, and deterministic replay from the nearest keyframe in between. Memory is
    one keyframe per `every` epochs instead of one per epoch.

    A keyframe recorded with a `config` is a break: the epochs after it were trained with
    those settings (a learning rate changed there, or the epoch before it mixed two rates),
    so no replay runs through it. Replays before the first break use the trainer's settings.
    """

    def __init__(self, every: int = 100) -> None:
        self.every = every
        self.keyframes: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.breaks: dict[int, TrainingConfig] = {}

    def record(
        self,
        epoch: int,
        params: np.ndarray,
        velocity: np.ndarray,
        force: bool = False,
        config: TrainingConfig | None = None,
    ) -> None:
        if config is not None:
            self.breaks[epoch] = config
        if force or config is not None or epoch % self.every == 0 or not self.keyframes:
            self.keyframes[epoch] = (params.copy(), velocity.copy())

    def truncate(self, epoch: int) -> None:
        for e in [e for e in self.keyframes if e > epoch]:
            del self.keyframes[e]
        for e in [e for e in self.breaks if e > epoch]:
            del self.breaks[e]

    def config_at(self, epoch: int, trainer: Trainer) -> TrainingConfig:
        """The settings the epochs after `epoch` are replayed with."""
        earlier = [e for e in self.breaks if e <= epoch]
        return self.breaks[max(earlier)] if earlier else trainer.config

    def next_break(self, epoch: int) -> int | None:
        """The first break after `epoch`, where a replay from `epoch` must stop."""
        later = [e for e in self.breaks if e > epoch]
        return min(later) if later else None

    def replayer(
        self, epoch: int, trainer: Trainer, record_parameters: bool | Sequence[int] = False
    ) -> Trainer:
        """A scratch trainer like `trainer` (same data) at the nearest keyframe at or before
        `epoch`, with the settings of that keyframe: run it on to replay up to `epoch`."""
        start = max(e for e in self.keyframes if e <= epoch)
        params, velocity = self.keyframes[start]
        net = trainer.net.copy()
        net.params[:] = params
        config = replace(self.config_at(start, trainer), stop_loss=None)  # replays run through
        replay = Trainer(
            net, trainer.x, trainer.y, config, start, record_parameters, record_flow=False
        )
        replay.velocity[:] = velocity
        return replay

    def state_at(self, epoch: int, trainer: Trainer) -> tuple[np.ndarray, np.ndarray]:
        """Parameters and velocity after `epoch`, replayed from the nearest keyframe at or
        before it (no break lies in between: a break is a keyframe)."""
        replay = self.replayer(epoch, trainer)
        replay.run(epoch - replay.epoch)
        return replay.net.params.copy(), replay.velocity.copy()
