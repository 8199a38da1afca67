"""Repaint times of the loss panel with a million epochs. Run by hand, or by run.py's plots
section (with --json); pytest never collects it (its name has no test_ prefix). Prints
medians in milliseconds, wall clock and CPU.

    python tests/benchmarks/plots_bench.py [--epochs 1000000] [--size 800x300] [--json]

A LossPanel of its own, offscreen, gets a noisy loss curve of `epochs` points (a decay with
mini-batch noise and spikes, so pyqtgraph's min/max reduction has real work). Each timing is
one change followed by a synchronous repaint of the plot and the events that follow it,
until the event queue is empty:
- live training: the history grows by 1,000 epochs (set_history) and the view fits it;
- a range change over the whole run (pan by 1%), linear and log scale;
- a range change zoomed in to 10,000 epochs (about 0.5 ms of data per pixel column);
- the hover readout at one mouse position (crosshair and text);
- `plot.grab()`, a full render into a pixmap, as the exports do.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's bpstudio

import numpy as np  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpstudio.ui.plots import configure_pyqtgraph  # noqa: E402
from bpstudio.ui.plots.loss_panel import LossPanel  # noqa: E402

REPEATS = 21


class Series:
    """Timings of one kind of change: wall clock, the main thread's CPU time, and the part
    spent in the plot's paintEvent (as the plot itself measures it)."""

    def __init__(self, name: str, plot) -> None:
        self.name, self.plot, self.wall, self.cpu, self.paint = name, plot, [], [], []

    def time(self, action: Callable[[], object]) -> None:
        self.plot.take_painting()
        start, cpu = time.perf_counter(), time.thread_time()
        action()
        self.cpu.append((time.thread_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - start) * 1000)
        self.paint.append(self.plot.take_painting() * 1000)

    def __str__(self) -> str:
        wall = statistics.median(self.wall)
        return (
            f"{self.name:42s} {wall:6.1f} ms (min {min(self.wall):5.1f}, max "
            f"{max(self.wall):5.1f})  cpu {statistics.median(self.cpu):5.1f}  "
            f"painting {statistics.median(self.paint):5.1f} ms  n={len(self.wall)}"
        )


def noisy_loss(epochs: int, seed: int = 0) -> np.ndarray:
    """A loss that falls from about 0.7, with multiplicative noise and rare spikes."""
    rng = np.random.default_rng(seed)
    e = np.arange(epochs)
    loss = 0.7 * np.exp(-e / (epochs / 8)) + 0.01
    loss *= 1 + 0.3 * rng.standard_normal(epochs).clip(-3, 3) / 3
    spikes = rng.random(epochs) < 1e-4
    loss[spikes] *= 5
    return loss


def measure(panel: LossPanel, app: QApplication, epochs_count: int) -> list[Series]:
    """Every series of timings of the docstring, on `panel` (shown, empty)."""
    vb = panel.plot.getPlotItem().getViewBox()
    epochs, loss = np.arange(epochs_count + 1), noisy_loss(epochs_count + 1)

    def repaint() -> None:  # now, and whatever repaint the change queued
        panel.plot.viewport().repaint()
        app.processEvents()

    results = []
    live = Series("live: +1,000 epochs, view fits them, repaint", panel.plot)
    for i in range(REPEATS):
        n = epochs_count + 1 - 1000 * (REPEATS - i)
        live.time(lambda n=n: (panel.set_history(epochs[:n], loss[:n]), repaint()))
    results.append(live)
    panel.set_history(epochs, loss)
    repaint()
    for log in (False, True):
        panel.set_log(log)
        panel.fit()
        repaint()
        whole = Series(f"range change, whole run, {'log' if log else 'linear'}", panel.plot)
        for i in range(REPEATS):
            y = vb.viewRange()[1]
            shift = epochs_count * 0.01 * (1 if i % 2 else -1)
            whole.time(
                lambda s=shift, y=y: (
                    vb.setRange(xRange=(s, epochs_count + s), yRange=y, padding=0),
                    repaint(),
                )
            )
        results.append(whole)
    panel.set_log(False)
    zoom = Series("range change, zoomed to 10,000 epochs", panel.plot)
    for i in range(REPEATS):
        start = (i * 37_000) % max(1, epochs_count - 10_000)
        zoom.time(lambda s=start: (vb.setXRange(s, s + 10_000, padding=0), repaint()))
    results.append(zoom)
    panel.fit()
    repaint()
    hover = Series("hover readout at a mouse position, repaint", panel.plot)
    box = vb.sceneBoundingRect()
    for i in range(REPEATS):
        at = QPointF(box.left() + box.width() * (i + 0.5) / REPEATS, box.center().y())
        hover.time(lambda p=at: (panel.readout_at(p), repaint()))
    results.append(hover)
    grab = Series("plot.grab() (full render to a pixmap)", panel.plot)
    for _ in range(REPEATS):
        grab.time(panel.plot.grab)
    results.append(grab)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1_000_000)
    parser.add_argument("--size", default="800x300", help="panel size, WIDTHxHEIGHT")
    parser.add_argument("--json", action="store_true", help="one JSON object: median wall ms")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    app = QApplication.instance() or QApplication([])
    configure_pyqtgraph()
    panel = LossPanel()
    panel.resize(width, height)
    panel.show()
    app.processEvents()
    results = measure(panel, app, args.epochs)
    plot = f"{panel.plot.width()}x{panel.plot.height()}"
    if args.json:
        medians = {series.name: statistics.median(series.wall) for series in results}
        print(json.dumps({"points": args.epochs + 1, "plot": plot, "median_ms": medians}))
    else:
        print(f"{args.epochs + 1:,} points; plot {plot} px; PySide6 offscreen, antialiased")
        for series in results:
            print(series)
    panel.close()


if __name__ == "__main__":
    main()
