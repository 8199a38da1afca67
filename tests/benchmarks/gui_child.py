"""Child process of the benchmark suite for the figures that need Qt; prints one JSON object.
Run by run.py (never by pytest: no test_ prefix):

    python tests/benchmarks/gui_child.py live SECONDS    live training in the real window
    python tests/benchmarks/gui_child.py profile SECONDS the same under cProfile (to stderr)
    python tests/benchmarks/gui_child.py bare OUT.png    the bare PySide6 + pyqtgraph window

`live` opens resources/examples/spiral.bpnet in the real MainWindow (offscreen, 1280x800),
shows every dock side by side (none hidden behind a tab), chooses "As fast as possible",
lets the window settle for half a second and presses the lesson's Run. While it trains it
counts the frames drawn (update requests of the window in which the canvas or a dock's view
painted) and the lateness of a 10 ms repeating timer. Then it times the pause on its own.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the checkout's bpstudio

TIMER_MS = 10
SETTLE_MS = 500  # the window is shown and idle this long before Run is pressed


def bare(out: str) -> dict:
    """What every pyqtgraph application pays: Qt, pyqtgraph, a main window with one plot,
    shown and grabbed into a PNG, the same way `bpstudio --screenshot` grabs its window."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(pg.PlotWidget())
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    window.grab().save(out)
    return {}


def _window():
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.assemble import build_window

    app = QApplication(sys.argv[:1])
    folder = tempfile.mkdtemp(prefix="bpstudio-bench-")
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    window = build_window(settings)
    window.show_error = lambda title, text: print(f"error: {title}: {text}", file=sys.stderr)
    window.ask_unsaved_changes = lambda: "discard"  # never asks
    return app, window


def _show_every_dock(window) -> list:
    """Every QDockWidget visible, docked side by side (right and bottom areas)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget

    docks = window.findChildren(QDockWidget)
    areas = (Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)
    for i, dock in enumerate(docks):
        dock.setFloating(False)
        window.addDockWidget(areas[i % 2], dock)  # re-adding takes it out of its tab group
        dock.show()
    return docks


def _views(window, docks) -> list:
    """The canvas's viewport and the viewport of every scroll area (plots, tables, text)
    inside the docks."""
    from PySide6.QtWidgets import QAbstractScrollArea

    views = [window.canvas.viewport()]
    for dock in docks:
        views += [area.viewport() for area in dock.findChildren(QAbstractScrollArea)]
    return views


def _frame_counter(window, views):
    """An event filter: `frames` counts the window's update requests in which at least one
    of `views` painted."""
    from PySide6.QtCore import QEvent, QObject

    watched = set(views)

    class Counter(QObject):
        frames = 0
        pending = False

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
            kind = event.type()
            if kind == QEvent.Type.UpdateRequest and obj is window:
                self.pending = True
            elif kind == QEvent.Type.Paint and self.pending and obj in watched:
                self.pending = False
                self.frames += 1
            return False

    return Counter()


def live(seconds: float, begin=lambda: None, end=lambda: None) -> dict:
    """Trains for `seconds`, then stops measuring and leaves the event loop with `exit`
    (`quit` would close the window, which pauses training first: that pause is timed on its
    own, as `pause_ms`, not mixed into the lateness of the run). `begin` and `end` are
    called as the measured run starts and ends."""
    from PySide6.QtCore import Qt, QTimer

    app, window = _window()
    if not window.files.open_path(ROOT / "resources" / "examples" / "spiral.bpnet"):
        raise SystemExit("cannot open the spiral example")
    window.resize(1280, 800)
    window.show()
    docks = _show_every_dock(window)
    lesson = window.lesson
    lesson.speed_box.setCurrentIndex(lesson.speed_box.findText("As fast as possible"))
    QTimer.singleShot(SETTLE_MS, lambda: app.exit(0))  # shown, laid out, painted and idle
    app.exec()
    counter = _frame_counter(window, _views(window, docks))
    app.installEventFilter(counter)
    late, last = [], [0.0]
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(TIMER_MS)

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000 - TIMER_MS))
        last[0] = now

    ticker.timeout.connect(tick)
    epoch0, frames0 = lesson.walk.epoch, counter.frames
    result: dict = {}

    def finish() -> None:
        end()
        ticker.stop()
        elapsed = time.perf_counter() - start
        result["epochs_per_s"] = (lesson.walk.epoch - epoch0) / elapsed
        result["frames_per_s"] = (counter.frames - frames0) / elapsed
        result["still_running"] = lesson.runner.running
        app.exit(0)

    begin()
    start = last[0] = time.perf_counter()
    ticker.start()
    lesson.actions["run"].trigger()
    QTimer.singleShot(int(seconds * 1000), finish)
    app.exec()
    app.removeEventFilter(counter)
    paused = time.perf_counter()
    lesson.actions["run"].trigger()
    app.processEvents()
    return {
        **result,
        "worst_late_ms": max(late, default=float("inf")),
        "median_late_ms": statistics.median(late) if late else float("inf"),
        "pause_ms": (time.perf_counter() - paused) * 1000,
        "docks": [d.windowTitle() for d in docks],
    }


def profile(seconds: float) -> dict:
    """`live` under cProfile, with the garbage collector's pauses timed: prints where the GUI
    thread's time went (the 30 costliest functions, cumulative) to stderr."""
    import cProfile
    import gc
    import pstats

    pauses: list[float] = []
    started = [0.0]

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif started[0]:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(on_gc)
    profiler = cProfile.Profile()
    result = live(seconds, profiler.enable, profiler.disable)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return {**result, "gc_pauses": len(pauses), "worst_gc_ms": max(pauses, default=0.0)}


def main() -> int:
    mode = sys.argv[1]
    if mode in ("live", "profile"):
        result = (live if mode == "live" else profile)(float(sys.argv[2]))
    else:
        result = bare(sys.argv[2])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
