"""Sections of the benchmark suite measured in child processes: live training in the window,
start-up, the loss panel with a million points, and memory over a million epochs. Run
through run.py; pytest never collects it (no test_ prefix). The parent never imports Qt.

    python tests/benchmarks/process_bench.py memory EPOCHS    (the memory child)
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXAMPLES = ROOT / "resources" / "examples"
MB = 1024 * 1024


def child(*args: str, timeout: float = 600) -> dict:
    """Runs `python *args` from the checkout; the JSON its last line prints."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def gui_section(quick: bool, row) -> None:
    seconds, repeats = (3.0, 1) if quick else (5.0, 3)
    runs = [child(str(HERE / "gui_child.py"), "live", str(seconds)) for _ in range(repeats)]
    epochs = statistics.median(r["epochs_per_s"] for r in runs)
    frames = statistics.median(r["frames_per_s"] for r in runs)
    late = statistics.median(r["worst_late_ms"] for r in runs)
    what = f"live GUI, spiral example, {len(runs[0]['docks'])} docks shown"
    row(
        f"{what}: epochs/s",
        f"{epochs:,.0f}",
        "≥ 2,000",
        f"{epochs / 2000:.2f}× target",
        epochs >= 2000,
    )
    row(
        f"{what}: frames drawn/s",
        f"{frames:.1f}",
        "≥ 25",
        f"{frames / 25:.2f}× target",
        frames >= 25,
    )
    row(
        f"{what}: worst lateness of a 10 ms timer",
        f"{late:.1f} ms",
        "≤ 50 ms",
        f"{late / 50:.2f}× limit",
        late <= 50,
    )
    median = statistics.median(r["median_late_ms"] for r in runs)
    row(f"{what}: median lateness of a 10 ms timer", f"{median:.1f} ms")
    pause = statistics.median(r["pause_ms"] for r in runs)
    row(f"{what}: Pause after the run (document edit, step overlay)", f"{pause:.0f} ms")


def startup_section(quick: bool, row) -> None:
    """Whole-process wall time, bpstudio and the bare window in turns, both as installed:
    with compiled bytecode (pip compiles it at install time; here the first round writes it
    into a scratch PYTHONPYCACHEPREFIX, and warms the file cache)."""
    repeats = 3 if quick else 9
    with tempfile.TemporaryDirectory(prefix="bpstudio-bench-") as folder:
        shot = os.path.join(folder, "shot.png")
        commands = {
            "bpstudio": ["-m", "bpstudio", str(EXAMPLES / "spiral.bpnet"), "--screenshot", shot],
            "bare": [str(HERE / "gui_child.py"), "bare", shot],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        written: dict[str, list[float]] = {name: [] for name in commands}
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "pycache")
        for _ in range(repeats + 1):  # the first round only writes bytecode, warms caches
            for name, args in commands.items():
                started = time.time()  # the wall clock, to compare with the file's mtime
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, *args],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                times[name].append(time.perf_counter() - start)
                written[name].append(os.path.getmtime(shot) - started)
    app, bare = (statistics.median(times[n][1:]) for n in ("bpstudio", "bare"))
    row("start-up: bare PySide6 + pyqtgraph window, screenshot", f"{bare * 1000:.0f} ms")
    row(
        "start-up: bpstudio spiral.bpnet --screenshot",
        f"{app * 1000:.0f} ms",
        "≤ 1.5× bare window",
        f"{app / bare:.2f}× bare",
        app / bare <= 1.5,
    )
    app, bare = (statistics.median(written[n][1:]) for n in ("bpstudio", "bare"))
    row("start-up: bare window, until its screenshot is written", f"{bare * 1000:.0f} ms")
    row(
        "start-up: bpstudio, until its screenshot is written",
        f"{app * 1000:.0f} ms",
        ratio=f"{app / bare:.2f}× bare",
    )


def plots_section(quick: bool, row) -> None:
    """plots_bench.py's timings (each a change, then a synchronous repaint and the events it
    queued), each against the 30 ms limit."""
    result = child(str(HERE / "plots_bench.py"), "--json")
    what = f"plots: loss panel with 1,000,000 points ({result['plot']} px)"
    for name, ms in result["median_ms"].items():
        row(f"{what}: {name}", f"{ms:.1f} ms", "< 30 ms", f"{ms / 30:.2f}× limit", ms < 30)


def memory_section(quick: bool, row) -> None:
    epochs = 100_000 if quick else 1_000_000
    result = child(__file__, "memory", str(epochs), timeout=1200)
    growth = result["rss_growth_mb"]
    row(
        f"memory: peak RSS growth, {epochs:,} epochs of XOR, history and timeline on",
        f"{growth:.1f} MB",
        "< 150 MB",
        f"{growth / 150:.2f}× limit",
        growth < 150,
    )


def memory_child(epochs: int) -> dict:
    """Trains the XOR example through the lesson's Walkthrough (loss history and timeline
    keyframes, as the window does) in the window's way: chunks of about 12 ms."""
    from bpstudio.document.format import load
    from bpstudio.document.walkthrough import Walkthrough

    walk = Walkthrough(load(EXAMPLES / "xor.bpnet"))
    walk.train(1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    while walk.epoch < epochs:
        if walk.train(min(5000, epochs - walk.epoch)):
            raise RuntimeError("XOR diverged")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "rss_growth_mb": (after - before) / MB,
        "epochs": walk.epoch,
        "keyframes": len(walk.timeline.keyframes),
    }


if __name__ == "__main__":
    if sys.argv[1] == "memory":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(memory_child(int(sys.argv[2]))))
