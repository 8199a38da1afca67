"""Long runs: memory and speed over a million epochs headless and 100,000 in the window. Run by
hand; pytest never collects it (no test_ prefix). Prints one JSON object per part.

    python tests/benchmarks/long_runs.py cli [EPOCHS]     `bpstudio train xor --epochs N`
    python tests/benchmarks/long_runs.py engine [EPOCHS]  the same training in slices
    python tests/benchmarks/long_runs.py gui [EPOCHS]     Run in the real window, then pause
    python tests/benchmarks/long_runs.py recovery         recovery copies of big documents

`cli` runs the real command in a child process and reports its peak memory (max RSS) and
time. `engine` trains xor in this process in ten equal slices and reports epochs/s and RSS
after each, so the first and last tenth can be compared. `gui` opens xor in the offscreen
main window, presses Run at "As fast as possible" and samples epochs/s and RSS five times
a second until EPOCHS, then pauses (which writes the whole history into the document, then,
half a second later, a recovery copy on the worker thread) and reports how long each took,
the copy counted from the pause. `recovery` times writing
a copy of a 1,000,000 parameter network, of 100,000 samples and of a 300,000 epoch history on
a worker thread, and how long the main thread waited meanwhile (its worst gap between 1 ms
sleeps: how long the window would freeze). RSS is read from /proc (Linux).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the checkout's bpstudio
XOR = ROOT / "resources" / "examples" / "xor.bpnet"


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def cli(epochs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bpstudio", "train", str(XOR), "--epochs", str(epochs)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    last = result.stdout.strip().splitlines()[-1]
    return {"part": "cli", "epochs": epochs, "seconds": round(seconds, 1),
            "epochs_per_s": round(epochs / seconds), "peak_rss_mb": round(peak, 1),
            "output": last}  # fmt: skip


def engine(epochs: int) -> dict:
    from bpstudio.document.format import load

    doc = load(XOR)
    from bpstudio.engine.training import Trainer

    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, doc.training_config())
    start_rss, slices = rss_mb(), []
    for _ in range(10):
        started = time.perf_counter()
        trainer.run(epochs // 10)
        slices.append((epochs // 10 / (time.perf_counter() - started), rss_mb()))
    return {"part": "engine", "epochs": epochs, "rss_start_mb": round(start_rss, 1),
            "epochs_per_s_by_tenth": [round(r) for r, _ in slices],
            "rss_by_tenth_mb": [round(m, 1) for _, m in slices],
            "last_over_first_speed": round(slices[-1][0] / slices[0][0], 3)}  # fmt: skip


def gui(epochs: int) -> dict:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    folder = tempfile.mkdtemp(prefix="bpstudio-long-")
    os.environ["BPSTUDIO_DATA_DIR"] = folder
    qt_app = QApplication([])
    from bpstudio.ui.assemble import build_window

    window = build_window(QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    assert window.files.open_path(XOR)
    qt_app.processEvents()
    lesson = window.lesson
    lesson.speed_box.setCurrentIndex(lesson.speed_box.count() - 1)
    start_rss, samples, last = rss_mb(), [], [time.perf_counter(), lesson.walk.epoch]

    def sample() -> None:
        now, epoch = time.perf_counter(), lesson.walk.epoch
        samples.append((epoch, (epoch - last[1]) / (now - last[0]), rss_mb()))
        last[:] = [now, epoch]
        if epoch >= epochs:
            loop.quit()  # not app.quit(): that closes the window

    loop = QEventLoop()
    timer = QTimer(interval=200, timeout=sample)
    timer.start()
    lesson.toggle_run()
    started = time.perf_counter()
    loop.exec()
    trained = time.perf_counter() - started
    timer.stop()
    paused = time.perf_counter()
    lesson.toggle_run()  # pausing syncs the history into the document: one undoable edit
    pause_s = time.perf_counter() - paused
    late = lateness_until(window.recovery.written)  # the copy is written on the worker
    recovery_s = time.perf_counter() - paused - pause_s
    tenth = max(1, len(samples) // 10)
    first = sum(r for _, r, _ in samples[:tenth]) / tenth
    final = sum(r for _, r, _ in samples[-tenth:]) / tenth
    copy_mb = sum(p.stat().st_size for p in Path(folder, "recovery").glob("*")) / 1e6
    return {"part": "gui", "epochs": lesson.walk.epoch, "seconds": round(trained, 1),
            "rss_start_mb": round(start_rss, 1), "rss_end_mb": round(samples[-1][2], 1),
            "rss_max_mb": round(max(m for _, _, m in samples), 1),
            "epochs_per_s_first_tenth": round(first), "epochs_per_s_last_tenth": round(final),
            "pause_s": round(pause_s, 2), "recovery_copy_s": round(recovery_s, 2),
            "recovery_copy_mb": round(copy_mb, 1), "timer_late_during_copy_ms": round(late),
            "history_rows": len(window.document.history.epoch),
            "recovery_error": window.recovery.last_error}  # fmt: skip


def lateness_until(signal) -> float:
    """Runs the event loop until `signal`, with a 10 ms repeating timer; returns how late (ms)
    the latest tick came: how long the window could not answer."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, last, worst = QEventLoop(), [time.perf_counter()], [0.0]

    def tick() -> None:
        now = time.perf_counter()
        worst[0] = max(worst[0], (now - last[0]) * 1000 - 10)
        last[0] = now

    timer = QTimer(interval=10, timeout=tick)
    timer.start()
    signal.connect(loop.quit)
    loop.exec()
    timer.stop()
    return worst[0]


def recovery() -> dict:
    import threading

    import numpy as np

    from bpstudio.document.format import load
    from bpstudio.document.model import DataSpec, Document, History, LayerSpec, TrainingSpec
    from bpstudio.document.recovery import RecoveryStore
    from bpstudio.document.session import complete

    rng = np.random.default_rng(0)
    tiny = DataSpec(inputs=np.zeros((2, 1)), targets=np.zeros((2, 1)))
    wide = [LayerSpec(1), LayerSpec(996, "tanh"), LayerSpec(1000, "tanh"), LayerSpec(1, "sigmoid")]
    big_net = complete(Document(wide, "sse", TrainingSpec(0.1), tiny))
    samples = DataSpec(inputs=rng.normal(size=(100_000, 3)), targets=rng.random((100_000, 2)))
    small = [LayerSpec(3), LayerSpec(8, "tanh"), LayerSpec(2, "sigmoid")]
    big_data = complete(Document(small, "mse", TrainingSpec(0.1), samples))
    long_run = load(ROOT / "resources" / "examples" / "xor.bpnet")
    long_run.history = History(list(range(300_000)), (rng.random(300_000) * 0.3).tolist())
    out = {"part": "recovery"}
    store = RecoveryStore(tempfile.mkdtemp(prefix="bpstudio-rec-"))
    docs = (("1M_parameters", big_net), ("100k_samples", big_data), ("300k_epochs", long_run))
    for name, doc in docs:
        started = time.perf_counter()
        copy = doc.copy()
        copied = time.perf_counter() - started
        # written on a worker thread, as the window does; this thread stands in for the GUI
        # thread and notes its longest wait for Python's lock between 1 ms sleeps
        writer = threading.Thread(target=store.write, args=(copy, None, None))
        writer.start()
        worst, last = 0.0, time.perf_counter()
        while writer.is_alive():
            time.sleep(0.001)
            now = time.perf_counter()
            worst, last = max(worst, now - last), now
        writer.join()
        out[name] = {"copy_s": round(copied, 3),
                     "write_s": round(time.perf_counter() - started - copied, 2),
                     "worst_gui_gap_ms": round(worst * 1000, 1),
                     "mb": round(store.file.stat().st_size / 1e6, 1)}  # fmt: skip
    return out


def main() -> None:
    part = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    runs = {"cli": lambda: cli(epochs or 1_000_000), "engine": lambda: engine(epochs or 1_000_000),
            "gui": lambda: gui(epochs or 100_000), "recovery": recovery}  # fmt: skip
    print(json.dumps(runs[part]()))


if __name__ == "__main__":
    main()
