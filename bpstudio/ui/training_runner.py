"""TrainingRunner: continuous training in short timer slices on the GUI thread, so the window
keeps answering input at full speed, and pausing takes effect at once. Views are told at
most about 30 times a second. Qt only for the timers; the work is the walkthrough's."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from bpstudio.document.walkthrough import Walkthrough

SLICE_SECONDS = 0.012  # work per timer tick: leaves the event loop free most of each frame
FRAME_MS = 33  # views refresh at most ~30 times a second
SPEEDS = {
    "1 epoch/s": 1,
    "10 epochs/s": 10,
    "100 epochs/s": 100,
    "1,000 epochs/s": 1000,
    "As fast as possible": 0,
}


class TrainingRunner(QObject):
    """Runs epochs while `running`; emits `progressed` (coalesced) and `stopped(divergence)`."""

    progressed = Signal()
    stopped = Signal(object)  # Divergence or None

    def __init__(self, walk: Walkthrough, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.walk = walk
        self.epochs_per_second = 0  # 0: as fast as possible
        self._tick = QTimer(self)
        self._tick.setInterval(0)
        self._tick.timeout.connect(self._on_tick)
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)
        self._chunk = 1
        self._due = 0.0
        self._last = 0.0
        self._dirty = False

    @property
    def running(self) -> bool:
        return self._tick.isActive()

    def start(self) -> None:
        if self.running:
            return
        self._last = time.perf_counter()
        self._due = 0.0
        self._tick.setInterval(0 if not self.epochs_per_second else 10)
        self._tick.start()
        self._frame.start()

    def pause(self) -> None:
        if not self.running:
            return
        self._tick.stop()
        self._frame.stop()
        self.progressed.emit()
        self.stopped.emit(None)

    def _on_tick(self) -> None:
        epochs = self._epochs_due()
        if epochs <= 0:
            return
        started = time.perf_counter()
        divergence = self.walk.train(epochs)
        elapsed = time.perf_counter() - started
        if not self.epochs_per_second:  # grow or shrink the chunk to fill one slice
            rate = epochs / max(elapsed, 1e-6)
            self._chunk = max(1, min(int(rate * SLICE_SECONDS), 100_000))
        self._dirty = True
        if divergence:
            self._tick.stop()
            self._frame.stop()
            self.progressed.emit()
            self.stopped.emit(divergence)

    def _epochs_due(self) -> int:
        if not self.epochs_per_second:
            return self._chunk
        now = time.perf_counter()
        self._due += (now - self._last) * self.epochs_per_second
        self._last = now
        epochs = int(self._due)
        self._due -= epochs
        return epochs

    def _on_frame(self) -> None:
        if self._dirty:
            self._dirty = False
            self.progressed.emit()
