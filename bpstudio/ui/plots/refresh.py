"""Coalesced refreshes: many requests (every training frame, every step) become at most one
call per interval, the last request always honoured. A refresh whose update and repaint take
long spaces the next ones out, so one panel never takes more than about a tenth of the GUI
thread, and training keeps the rest. Panels sharing `Turns` refresh one at a time, so two
refreshes and their repaints never pile up in one turn of the event loop. Qt and pyqtgraph
only."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer

SHARE = 0.1  # at most this share of the time goes into one panel's updates and repaints
GAP = 0.008  # seconds at least between two panels' refreshes (room for the first one's repaint)


class PlotWidget(pg.PlotWidget):
    """A pyqtgraph PlotWidget that adds up how long its repaints take."""

    painting = 0.0  # seconds spent in paintEvent since the last `take_painting`

    def paintEvent(self, event) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.painting += time.perf_counter() - started

    def take_painting(self) -> float:
        """The repaint time since the last call (a refresh may cause more than one)."""
        spent, self.painting = self.painting, 0.0
        return spent


class Turns:
    """Shared by the coalescers of one window: after a refresh, the next one (of any panel)
    waits at least as long as that refresh and its repaint took, and GAP."""

    def __init__(self) -> None:
        self.free_at = 0.0  # perf_counter time before which no other refresh starts


class Coalescer(QObject):
    """Calls `refresh` at most every `interval_ms` (longer if refreshing and repainting
    `plot` is slow), and only while `visible()` says the view can be seen; a hidden view is
    refreshed when it shows. With `turns`, it waits for its turn among the others."""

    def __init__(
        self,
        refresh: Callable[[], None],
        interval_ms: int,
        visible: Callable[[], bool],
        plot: PlotWidget,
        parent: QObject | None = None,
        turns: Turns | None = None,
    ) -> None:
        super().__init__(parent)
        self._plot = plot
        self._turns = turns
        self._refresh = refresh
        self._interval = interval_ms / 1000
        self._visible = visible
        self._next = 0.0  # perf_counter time before which no refresh runs
        self._dirty = False
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._run)

    def request(self) -> None:
        """Asks for a refresh soon."""
        self._dirty = True
        if not self._visible() or self._timer.isActive():
            return
        wait = max(0.0, self._next - time.perf_counter())
        self._timer.start(int(wait * 1000))

    def shown(self) -> None:
        """The view became visible: catch up on what it missed."""
        if self._dirty:
            self.request()

    def flush(self) -> None:
        """Refreshes now if a refresh is due, visible or not (for screenshots and exports)."""
        if self._dirty:
            self._timer.stop()
            self._run(force=True)

    def _run(self, force: bool = False) -> None:
        if not (force or self._visible()):
            return
        if not force and self._turns is not None:
            wait = self._turns.free_at - time.perf_counter()
            if wait > 0:  # another panel refreshed just now: its repaint goes first
                self._timer.start(math.ceil(wait * 1000))
                return
        self._dirty = False
        started = time.perf_counter()
        self._refresh()
        ended = time.perf_counter()
        # the repaints the last refresh caused stand in for the ones this one will cause
        took = ended - started + self._plot.take_painting()
        self._next = ended + max(self._interval, took / SHARE - took)
        if self._turns is not None:
            self._turns.free_at = ended + max(GAP, took)
