"""TrainingSpeed: how many epochs a second a run trains, over about the last second, for the
status line while training runs. Qt-free; the clock is injected, so tests set the time.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 1.0  # the rate is taken over about this much of the recent past
FIRST_SECONDS = 0.25  # a rate over less than this would jump about: none is shown before


class TrainingSpeed:
    """Epochs a second between readings of the epoch counter. `start(epoch)` when a run
    begins, `reached(epoch)` as it goes; `rate()` is the epochs trained over the readings of
    the last `window` seconds (from the latest reading at or before its start), None until
    a run has gone on for `first` seconds."""

    def __init__(
        self,
        clock: Callable[[], float] = time.perf_counter,
        window: float = WINDOW_SECONDS,
        first: float = FIRST_SECONDS,
    ) -> None:
        self._clock, self._window, self._first = clock, window, first
        self._readings: deque[tuple[float, int]] = deque()

    def start(self, epoch: int) -> None:
        """A run begins at `epoch`: earlier readings are forgotten."""
        self._readings.clear()
        self._readings.append((self._clock(), epoch))

    def reached(self, epoch: int) -> None:
        """The run has trained up to `epoch` now."""
        now = self._clock()
        self._readings.append((now, epoch))
        readings = self._readings
        while len(readings) > 2 and readings[1][0] <= now - self._window:
            readings.popleft()

    def rate(self) -> float | None:
        """Epochs a second over about the last second; None before there is a fair figure."""
        if len(self._readings) < 2:
            return None
        (then, first), (now, last) = self._readings[0], self._readings[-1]
        if now - then < self._first:
            return None
        return (last - first) / (now - then)

    def text(self) -> str:
        """The rate for the status line, "1,234 epochs/s" or "2.5 epochs/s"; empty while
        there is none."""
        rate = self.rate()
        if rate is None:
            return ""
        return f"{rate:,.0f} epochs/s" if rate >= 10 else f"{rate:.1f} epochs/s"
