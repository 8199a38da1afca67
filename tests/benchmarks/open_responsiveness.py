"""How well the window answers while it reads the biggest documents the limits allow: the
longest gap between ticks of a 10 ms timer on the GUI thread, and the time until the
document is shown. Run by hand, never by pytest (no test_ prefix):

    python tests/benchmarks/open_responsiveness.py              # every document, 3 runs each
    python tests/benchmarks/open_responsiveness.py --only lists --runs 5
    python tests/benchmarks/open_responsiveness.py --only numbers --mode compare
    python tests/benchmarks/open_responsiveness.py --only numbers --mode restore --code ../main

Each run is a fresh child process (offscreen, 1280x800) that shows the window, lets it settle,
then reads the document one of three ways (--mode), and keeps ticking for --after seconds once
it is shown, so that work the window does after showing it (the lesson's first loss, the plots)
counts too:
  open     the way File ▸ Open does (`open_path_asking`); shown: the document is in the window;
  compare  Compare ▸ Add a Network File, trained for 1 epoch; shown: its curve is on the plot;
  restore  a recovery copy of it, left by a process that is gone, offered at start-up and
           restored; shown: the document is in the window.
--code names the checkout whose bpstudio the children import (this one by default), so that
one script measures the code before and after a change. The documents are those of
bounded_memory.py, written to a temporary folder. Printed: the median over the runs of the
longest gap, and of the time from the start to the document shown, with the worst run's gap
beside it.
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


def child(path: str, after_s: float, mode: str) -> dict:
    """In the child: reads `path` in a real MainWindow as `mode` says and measures the GUI
    thread."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    window = settled_window(app)
    gaps: list[float] = []
    last = [0.0]
    shown = [0.0]
    errors: list[str] = []

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    def on_shown(*_args) -> None:  # connected after the window's own slots: runs last
        if not shown[0]:
            shown[0] = time.perf_counter()
            QTimer.singleShot(int(after_s * 1000), app.quit)

    def on_failed(_title: str, text: str) -> None:
        errors.append(text)
        shown[0] = time.perf_counter()
        app.quit()

    window.show_error = on_failed
    begin = MODES[mode](window, Path(path), on_shown)
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(TIMER_MS)
    ticker.timeout.connect(tick)
    start = last[0] = time.perf_counter()
    ticker.start()
    QTimer.singleShot(0, begin)
    app.exec()
    ticker.stop()
    return {
        "longest_gap_ms": max(gaps, default=float("inf")),
        "shown_s": shown[0] - start if shown[0] else float("inf"),
        "opened": bool(shown[0]) and not errors,
        "errors": errors,
    }


def settled_window(app):
    """A MainWindow built as the app builds it, with its data and settings in a temporary
    folder, shown and left to settle."""
    from PySide6.QtCore import QSettings, QTimer

    from bpstudio.ui.assemble import build_window
    from bpstudio.ui.plots import configure_pyqtgraph

    configure_pyqtgraph()
    folder = tempfile.mkdtemp(prefix="bpstudio-open-")
    os.environ["BPSTUDIO_DATA_DIR"] = folder
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    window = build_window(settings)
    window.ask_unsaved_changes = lambda: "discard"
    window.resize(1280, 800)
    window.show()
    QTimer.singleShot(SETTLE_MS, app.quit)
    app.exec()
    return window


def open_file(window, path: Path, shown):
    window.file_actions.loader.loaded.connect(shown)
    return lambda: window.file_actions.open_path_asking(str(path))


def compare_file(window, path: Path, shown):
    compare = window.compare
    compare.ask_network_path = lambda: str(path)
    compare.ask_epochs = lambda default: 1
    compare.panel.changed.connect(shown)
    return compare.add_file


def restore_copy(window, path: Path, shown):
    """Writes a recovery copy of `path` (its header line, then the file as it is) under the
    pid of a process that has ended, as a crash would leave it."""
    from bpstudio.document.recovery import MARK, SUFFIX, VERSION

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    header = {MARK: VERSION, "original": str(path), "saved_at": time.time(), "name": None}
    folder = window.recovery.store.folder
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{ended.pid}-00ab{SUFFIX}"
    copy.write_bytes(json.dumps(header).encode() + b"\n" + path.read_bytes())
    window.ask_restore_recovery = lambda info: True
    window.files.replaced.append(shown)
    return window.recovery.offer_restore


MODES = {"open": open_file, "compare": compare_file, "restore": restore_copy}


def run_child(path: Path, args: argparse.Namespace) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(args.code).resolve()))
    argv = ["--child", str(path), "--after", str(args.after), "--mode", args.mode]
    out = subprocess.run(
        [sys.executable, __file__, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=args.timeout,
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
    parser.add_argument("--mode", choices=sorted(MODES), default="open")
    parser.add_argument("--code", default=str(ROOT), help="the checkout the children import")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.after, args.mode)))
        return
    sys.path.insert(0, str(HERE))
    from bounded_memory import written

    print(f"{'document':20} {'longest gap ms':>15} {'worst run':>10} {'shown s':>8}  runs")
    with tempfile.TemporaryDirectory(prefix="bpstudio-open-") as tmp:
        for name, doc in written(Path(tmp), args.only):
            results = [run_child(doc, args) for _ in range(args.runs)]
            if not all(r["opened"] for r in results):
                raise SystemExit(f"{name}: not opened: {results[0]['errors']}")
            gap = statistics.median(r["longest_gap_ms"] for r in results)
            worst = max(r["longest_gap_ms"] for r in results)
            shown = statistics.median(r["shown_s"] for r in results)
            print(f"{name:20} {gap:15.0f} {worst:10.0f} {shown:8.1f}  {len(results)}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
