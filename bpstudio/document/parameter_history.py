"""Parameter histories of a training run: which parameters are recorded after every epoch,
the filling-in of a newly chosen parameter's earlier epochs by replaying them from the
timeline's keyframes (training is deterministic, so the replay is exact), and any
parameter's values over any recorded epochs. Must not import Qt.

Recording every parameter after every epoch would cost 8 bytes x parameters x epochs (840 MB
for the spiral's 105 parameters over a million epochs); recording only the chosen ones and
replaying the rest on demand keeps memory proportional to what is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bpstudio.engine.timeline import Timeline
from bpstudio.engine.training import Trainer


@dataclass
class _Fill:
    """Epochs `cursor..end` of the recorded `columns` are still NaN and wait for a replay."""

    columns: np.ndarray
    cursor: int
    end: int


class ParameterHistory:
    """The parameter columns `trainer` records, and replays from `timeline` for the rest."""

    def __init__(self, trainer: Trainer, timeline: Timeline) -> None:
        self.trainer = trainer
        self.timeline = timeline
        self._fills: list[_Fill] = []

    @property
    def tracked(self) -> np.ndarray:
        """The recorded parameter indices, ascending."""
        return self.trainer.history.columns

    def track(self, indices: Iterable[int]) -> None:
        """Records exactly `indices` from now on. Columns recorded before keep their values;
        the earlier epochs of new ones wait for `fill` (see `pending`)."""
        before = set(self.tracked.tolist())
        self.trainer.track(indices)
        now = self.tracked
        for fill in self._fills:
            fill.columns = fill.columns[np.isin(fill.columns, now)]
        self._fills = [f for f in self._fills if f.columns.size]
        new = now[~np.isin(now, list(before))]
        h = self.trainer.history
        if new.size:
            self._fills.append(_Fill(new, h.first_epoch, h.last_epoch))

    def pending_columns(self) -> set[int]:
        """Recorded parameters whose earlier epochs still wait for `fill`."""
        return {int(c) for f in self._fills for c in f.columns}

    def recorded(self, indices: Sequence[int]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The recorded epochs and, per index (each must be tracked), a view of its column:
        no copy, for plotting live; rows still pending are NaN."""
        h = self.trainer.history
        if h.params is None or not np.isin(indices, self.tracked).all():
            raise ValueError(f"not all of {list(indices)} are recorded; track them first")
        positions = np.searchsorted(self.tracked, indices)
        table = h.params.values
        return h.epochs, [table[:, p] for p in positions]

    def pending(self) -> int:
        """Epochs still to replay before every recorded column is complete."""
        return sum(f.end - f.cursor + 1 for f in self._fills)

    def fill(self, max_epochs: int) -> int:
        """Replays up to `max_epochs` epochs of the oldest incomplete columns into the
        record; returns the epochs still pending."""
        if not self._fills:
            return 0
        fill = self._fills[0]
        stop = min(fill.end, fill.cursor + max(1, max_epochs) - 1)
        values = self.replay(fill.columns, fill.cursor, stop)
        h = self.trainer.history
        assert h.params is not None
        rows = slice(fill.cursor - h.first_epoch, stop - h.first_epoch + 1)
        h.params.values[rows, np.searchsorted(self.tracked, fill.columns)] = values
        fill.cursor = stop + 1
        if fill.cursor > fill.end:
            self._fills.pop(0)
        return self.pending()

    def truncate(self, epoch: int) -> None:
        """Forgets pending replays after `epoch` (the history was cut there)."""
        for fill in self._fills:
            fill.end = min(fill.end, epoch)
        self._fills = [f for f in self._fills if f.cursor <= f.end]

    def values(
        self, indices: Sequence[int], first: int | None = None, last: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Epochs `first..last` (default: all recorded) and the values of the parameters
        `indices` after each, `(epochs, len(indices))`: recorded columns are read, the others
        replayed."""
        h = self.trainer.history
        first = h.first_epoch if first is None else int(first)
        last = h.last_epoch if last is None else int(last)
        if not h.first_epoch <= first <= last <= h.last_epoch:
            raise ValueError(
                f"epochs {first}..{last} are outside the recorded {h.first_epoch}..{h.last_epoch}"
            )
        indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        epochs = np.arange(first, last + 1)
        out = np.empty((epochs.size, indices.size))
        known = np.array([self._complete(i, first, last) for i in indices], dtype=bool)
        if known.any():
            assert h.params is not None
            rows = slice(first - h.first_epoch, last - h.first_epoch + 1)
            out[:, known] = h.params.values[rows][:, np.searchsorted(self.tracked, indices[known])]
        if not known.all():
            out[:, ~known] = self.replay(indices[~known], first, last)
        return epochs, out

    def _complete(self, index: int, first: int, last: int) -> bool:
        """Whether the record holds parameter `index` for every epoch `first..last`."""
        if index not in self.tracked:
            return False
        return not any(
            index in f.columns and f.cursor <= last and first <= f.end for f in self._fills
        )

    def replay(self, indices: np.ndarray, first: int, last: int) -> np.ndarray:
        """The values of parameters `indices` after epochs `first..last`, `(epochs, indices)`,
        replayed from the nearest keyframe at or before `first`, bit for bit as trained; a
        replay stops before each break of the timeline and goes on from it."""
        pieces = []
        while first <= last:
            after = self.timeline.next_break(first)
            stop = last if after is None else min(last, after - 1)
            replay = self.timeline.replayer(first, self.trainer, record_parameters=indices)
            start = replay.epoch
            replay.run(stop - start)
            assert replay.history.params is not None
            table = replay.history.params.values[first - start :]
            pieces.append(table[:, np.searchsorted(replay.history.columns, indices)])
            first = stop + 1
        return np.concatenate(pieces)
