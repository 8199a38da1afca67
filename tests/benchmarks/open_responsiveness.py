"""How well the window answers while it opens the biggest documents the limits allow: the
longest gap between ticks of a 10 ms timer on the GUI thread, and the time until the
document is shown. Run by hand, never by pytest (no test_ prefix):

    python tests/benchmarks/open_responsiveness.py              # every document, 3 runs each
    python tests/benchmarks/open_responsiveness.py --only lists --runs 5

Each run is a fresh child process (offscreen, 1280x800) that shows the window, lets it settle,
then opens the document the way File ▸ Open does (`open_path_asking`) and keeps ticking for
--after seconds once it is shown, so that work the window does after showing it (the lesson's
first loss, the plots) counts too. The documents are those of bounded_memory.py, written to a
temporary folder. Printed: the median over the runs of the longest gap, and of the time from
the open to the document shown, with the worst run's gap beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TIMER_MS = 10
SETTLE_MS = 500


def child(path: str, after_s: float) -> dict:
    """In the child: opens `path` in a real MainWindow and measures the GUI thread."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.assemble import build_window
    from bpstudio.ui.plots import configure_pyqtgraph

    app = QApplication(sys.argv[:1])
    configure_pyqtgraph()
    folder = tempfile.mkdtemp(prefix="bpstudio-open-")
    os.environ["BPSTUDIO_DATA_DIR"] = folder
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    window = build_window(settings)
    errors: list[str] = []
    window.show_error = lambda title, text: errors.append(text)
    window.ask_unsaved_changes = lambda: "discard"
    window.resize(1280, 800)
    window.show()
    QTimer.singleShot(SETTLE_MS, app.quit)
    app.exec()

    gaps: list[float] = []
    last = [0.0]
    shown = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    def on_shown(_loaded=None) -> None:  # connected after the window's own slot: runs last
        shown[0] = time.perf_counter()
        QTimer.singleShot(int(after_s * 1000), app.quit)

    def on_failed(_text: str) -> None:
        shown[0] = time.perf_counter()
        app.quit()

    window.file_actions.loader.loaded.connect(on_shown)
    window.file_actions.loader.failed.connect(on_failed)
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(TIMER_MS)
    ticker.timeout.connect(tick)
    start = last[0] = time.perf_counter()
    ticker.start()
    QTimer.singleShot(0, lambda: window.file_actions.open_path_asking(path))
    app.exec()
    ticker.stop()
    return {
        "longest_gap_ms": max(gaps, default=float("inf")),
        "shown_s": shown[0] - start if shown[0] else float("inf"),
        "opened": window.path is not None and window.path.name == Path(path).name,
        "errors": errors,
    }


def run_child(path: Path, after_s: float, timeout: float) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--after", str(after_s)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise SystemExit(f"{path.name}: the child failed\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="documents whose name holds this text")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--after", type=float, default=2.0, help="seconds ticked after shown")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.after)))
        return
    sys.path.insert(0, str(HERE))
    from bounded_memory import written

    print(f"{'document':20} {'longest gap ms':>15} {'worst run':>10} {'shown s':>8}  runs")
    with tempfile.TemporaryDirectory(prefix="bpstudio-open-") as tmp:
        for name, doc in written(Path(tmp), args.only):
            results = [run_child(doc, args.after, args.timeout) for _ in range(args.runs)]
            if not all(r["opened"] for r in results):
                raise SystemExit(f"{name}: not opened: {results[0]['errors']}")
            gap = statistics.median(r["longest_gap_ms"] for r in results)
            worst = max(r["longest_gap_ms"] for r in results)
            shown = statistics.median(r["shown_s"] for r in results)
            print(f"{name:20} {gap:15.0f} {worst:10.0f} {shown:8.1f}  {len(results)}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
