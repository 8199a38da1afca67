"""How fast the lesson's training moves in the real window (offscreen, 1280x800), on XOR:

    python tests/benchmarks/lesson_pace.py

- Run at the speed a new user gets: the epoch reached after 1.5 s, and the epochs a second
  it kept; then the same with "As fast as possible" (the default before), the baseline;
- Train N Epochs, for N = 3,000 and 100,000: the wall-clock time to the last epoch, and the
  longest wait of a 10 ms timer meanwhile (how long the window could not answer).
Prints one JSON object. Not a test (no test_ prefix): the figures depend on the machine.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the checkout's bpstudio

XOR = ROOT / "resources" / "examples" / "xor.bpnet"
RUN_SECONDS = 1.5


def wait(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()


def main() -> dict:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.assemble import build_window
    from bpstudio.ui.plots import configure_pyqtgraph

    app = QApplication(sys.argv[:1])
    configure_pyqtgraph()
    folder = tempfile.mkdtemp(prefix="bpstudio-bench-")
    window = build_window(QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    window.ask_yes_no = lambda title, text: True
    assert window.files.open_path(XOR)
    wait(app, 0.5)
    lesson = window.lesson
    figures = {"default speed": lesson.speed_box.currentText()}
    started = time.perf_counter()
    lesson.toggle_run()
    wait(app, RUN_SECONDS)
    lesson.toggle_run()
    figures["run epoch after 1.5 s"] = lesson.walk.epoch
    figures["run epochs per second"] = round(lesson.walk.epoch / (time.perf_counter() - started), 2)
    window.undo_stack.undo()
    lesson.run_controls.set_speed(0)  # the baseline: Run as fast as possible, as before
    lesson.toggle_run()
    wait(app, RUN_SECONDS)
    lesson.toggle_run()
    figures["as fast as possible: epoch after 1.5 s"] = lesson.walk.epoch
    for epochs in (3_000, 100_000):
        window.undo_stack.undo()
        late: list[float] = []
        last = [time.perf_counter()]

        def tick(late=late, last=last) -> None:
            now = time.perf_counter()
            late.append(now - last[0] - 0.010)
            last[0] = now

        timer = QTimer(interval=10)
        timer.timeout.connect(tick)
        timer.start()
        start_epoch = lesson.walk.epoch
        started = time.perf_counter()
        lesson.train_epochs(epochs)
        while lesson.runner.running:
            app.processEvents()
        took = time.perf_counter() - started
        timer.stop()
        assert lesson.walk.epoch == start_epoch + epochs
        figures[f"train {epochs} epochs, s"] = round(took, 3)
        figures[f"train {epochs} epochs, longest timer wait ms"] = round(max(late) * 1000, 1)
    window.undo_stack.clear()
    window.close()
    return figures


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
