"""TrainingRunner: continuous training in short timer slices on the GUI thread, so the window
keeps answering input at full speed, and pausing takes effect at once. Views are told at
most about 30 times a second. Qt only for the timers; the work is the walkthrough's.

How "As fast as possible" shares the thread with painting:
- a slice trains for SLICE_SECONDS of wall-clock time, in pieces of about a third of that,
  so it ends near its deadline even when the machine slows down mid-slice;
- when something else held the thread since the last slice (a panel refreshed, the window
  painted), the next tick lets one turn of the event loop pass first, so waiting timers and
  input never queue behind two pieces of work in a row;
- the cyclic garbage collector ignores the objects that existed before Run was pressed
  (gc.freeze) until training stops: a full collection of the window's objects takes tens of
  milliseconds, a frozen heap makes it scan only what training allocated since.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer, Signal

from bpstudio.document.training_speed import TrainingSpeed
from bpstudio.document.walkthrough import Walkthrough

SLICE_SECONDS = 0.008  # training per timer tick: leaves the event loop free most of each frame
PIECES = 3  # a slice trains in about this many pieces, checking the clock between them
BUSY_SECONDS = 0.003  # the thread was busy elsewhere this long: let the event loop turn once
MAX_PIECE = 100_000  # epochs
FRAME_MS = 33  # views refresh at most ~30 times a second
SPEEDS = {
    "1 epoch/s": 1,
    "3 epochs/s": 3,
    "10 epochs/s": 10,
    "100 epochs/s": 100,
    "1,000 epochs/s": 1000,
    "As fast as possible": 0,
}
# Run's first speed: a class sees each epoch's loss and weights change, one at a time (the
# views refresh 20 to 30 times a second, so none is skipped), and a minute shows ~200 epochs.
DEFAULT_SPEED = 3


class TrainingRunner(QObject):
    """Runs epochs while `running`, up to `until` (an epoch) when one is given; emits
    `progressed` (coalesced) and `stopped(divergence)`. `speed` reads the epochs a second
    of the run under way, as of its last `progressed`."""

    progressed = Signal()
    stopped = Signal(object)  # Divergence or None

    def __init__(self, walk: Walkthrough, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.walk = walk
        self.epochs_per_second = 0  # 0: as fast as possible
        self.until: int | None = None  # the epoch a "train N epochs" run stops at
        self._rate = 0  # epochs a second of the run under way (0: as fast as possible)
        self._tick = QTimer(self)
        self._tick.setInterval(0)
        self._tick.timeout.connect(self._on_tick)
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)
        self._piece = 1  # epochs per piece of a slice, from the speed measured last
        self._due = 0.0
        self._last = 0.0
        self._ended = 0.0  # when the last slice ended
        self._dirty = False
        self.speed = TrainingSpeed()

    @property
    def running(self) -> bool:
        return self._tick.isActive()

    def start(self, until: int | None = None) -> None:
        """Trains at `epochs_per_second` until paused; or, with `until`, as fast as possible
        until epoch `until` (or a pause)."""
        if self.running:
            return
        self.until = until
        self._rate = 0 if until is not None else self.epochs_per_second
        self._last = self._ended = time.perf_counter()
        self._due = 0.0
        self.speed.start(self.walk.epoch)
        self._tick.setInterval(0 if not self._rate else 10)
        gc.freeze()
        self._tick.start()
        self._frame.start()

    def pause(self) -> None:
        if not self.running:
            return
        self._halt()
        self.progressed.emit()
        self.stopped.emit(None)

    def _halt(self) -> None:
        self._tick.stop()
        self._frame.stop()
        gc.unfreeze()

    def left(self) -> int | None:
        """Epochs still to train before `until` (None: no end)."""
        return None if self.until is None else max(0, self.until - self.walk.epoch)

    def _on_tick(self) -> None:
        if self._rate:
            epochs = self._epochs_due()
            if epochs <= 0:
                return
            divergence = self.walk.train(self._capped(epochs))
        else:
            started = time.perf_counter()
            if started - self._ended > BUSY_SECONDS:  # others had the thread: they go first
                self._ended = started
                return
            divergence = self._train_slice(started + SLICE_SECONDS)
            self._ended = time.perf_counter()
        self._dirty = True
        if divergence or self.left() == 0 or self.walk.trainer.reached_stop_loss:
            self._halt()
            self.progressed.emit()
            self.stopped.emit(divergence)

    def _capped(self, epochs: int) -> int:
        left = self.left()
        return epochs if left is None else min(epochs, left)

    def _train_slice(self, deadline: float):
        """Trains in pieces until `deadline` (perf_counter seconds) or a divergence."""
        now = time.perf_counter()
        while True:
            piece = self._capped(self._piece)
            divergence = self.walk.train(piece)
            before, now = now, time.perf_counter()
            rate = piece / max(now - before, 1e-6)  # epochs a second
            self._piece = max(1, min(int(rate * SLICE_SECONDS / PIECES), MAX_PIECE))
            if divergence or self.left() == 0 or self.walk.trainer.reached_stop_loss:
                return divergence
            if now + self._piece / rate > deadline:
                return divergence

    def _epochs_due(self) -> int:
        now = time.perf_counter()
        self._due += (now - self._last) * self._rate
        self._last = now
        epochs = int(self._due)
        self._due -= epochs
        return epochs

    def _on_frame(self) -> None:
        if self._dirty:
            self._dirty = False
            self.speed.reached(self.walk.epoch)
            self.progressed.emit()
