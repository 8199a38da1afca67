"""Frame times of the network canvas on a big network. Run by hand; pytest never collects it
(its name has no test_ prefix). Prints medians in milliseconds, wall clock and CPU.

    python tests/benchmarks/canvas_bench.py [--layers 10] [--size 32] [--window]

On a network of `layers` layers of `size` neurons with random weights, in a 1280x720 canvas
of its own (with --window: in the whole 1280x800 main window, whose other views also follow
every edit), it measures:
- opening: building every item and fitting the view, then the first paint;
- a repaint after each Ctrl+wheel zoom step (5 in, 5 out, ...), from the fitted view and
  from zoom 1.5, and the one full repaint once the zoom has settled;
- a repaint after scrolling (panning) and after setting one weight (SetWeight restyles one
  layer pair's edges), with the zoom settled;
- the full redraw after a structure edit (AddNeuron, and its undo).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's bpstudio

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpstudio.document.edits import AddNeuron, Edit, SetWeight  # noqa: E402
from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec  # noqa: E402
from bpstudio.document.session import DocumentModel  # noqa: E402
from bpstudio.ui.canvas.network_canvas import NetworkCanvas  # noqa: E402
from bpstudio.ui.undo import EditCommand  # noqa: E402

REPEATS = 30


def big_document(layers: int, size: int, seed: int = 1) -> Document:
    """`layers` layers of `size` tanh neurons with N(0, 0.3) weights, N(0, 0.1) biases."""
    rng = np.random.default_rng(seed)
    specs = [LayerSpec(size)] + [
        LayerSpec(size, "tanh", rng.normal(0, 0.3, (size, size)), rng.normal(0, 0.1, size))
        for _ in range(layers - 1)
    ]
    data = DataSpec(inputs=np.zeros((1, size)), targets=np.zeros((1, size)))
    return Document(specs, "sse", TrainingSpec(0.1), data, name="benchmark")


class Series:
    """Timings of one kind of call: wall clock, and the main thread's CPU time (on a busy
    machine the wall clock also counts waiting for a core)."""

    def __init__(self, name: str) -> None:
        self.name, self.wall, self.cpu = name, [], []

    def time(self, action: Callable[[], object]) -> None:
        start, cpu = time.perf_counter(), time.thread_time()
        action()
        self.cpu.append((time.thread_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - start) * 1000)

    def __str__(self) -> str:
        wall = statistics.median(self.wall)
        return (
            f"{self.name:38s} {wall:7.1f} ms (min {min(self.wall):6.1f}, max "
            f"{max(self.wall):6.1f})  cpu {statistics.median(self.cpu):6.1f} ms  n={len(self.wall)}"
        )


def zoom_series(canvas: NetworkCanvas, name: str, start: float | None) -> list[Series]:
    """REPEATS repaints after a zoom step from the fitted view (or from zoom `start`, at the
    middle of the network); then REPEATS // 3 repaints once the zoom has settled."""
    canvas.fit()
    if start is not None:
        canvas.resetTransform()
        canvas.zoom(start)
        canvas.centerOn(canvas.scene().sceneRect().center())
    canvas._on_zoom_settled()
    repaint = canvas.viewport().repaint
    steps, settled = Series(f"repaint after a zoom step, {name}"), Series(f"settled, {name}")
    for i in range(REPEATS):
        (canvas.zoom_in if (i // 5) % 2 == 0 else canvas.zoom_out)()
        steps.time(repaint)
    for _ in range(REPEATS // 3):
        canvas.net_scene.set_smooth(False, canvas.transform().m11())
        canvas._on_zoom_settled()  # what the settle timer does 150 ms after the last step
        settled.time(repaint)
    return [steps, settled]


def edit_series(canvas: NetworkCanvas, push, undo, layers: int, size: int) -> list[Series]:
    """Repaints after panning and after setting one weight of a middle layer (zoom
    settled), and the full redraw after adding a neuron to it and after the undo."""
    middle = max(1, (layers - 1) // 2)
    repaint = canvas.viewport().repaint
    canvas.fit()
    canvas.zoom_in()
    canvas._on_zoom_settled()
    bar, pans = canvas.horizontalScrollBar(), Series("repaint after panning 20 px")
    for i in range(REPEATS):
        bar.setValue(bar.value() + (20 if i % 2 else -20))
        pans.time(repaint)
    canvas.fit()
    values = Series("set one weight (SetWeight) + repaint")
    for i in range(REPEATS):
        edit = SetWeight(middle, i % size, (i * 7) % size, 0.01 * (i - 15))
        values.time(lambda e=edit: (push(e), repaint()))
    structure = Series("structure edit or its undo + repaint")
    for _ in range(REPEATS // 3):
        structure.time(lambda: (push(AddNeuron(middle)), repaint()))
        structure.time(lambda: (undo(), repaint()))
    return [pans, values, structure]


def make_canvas(args: argparse.Namespace):
    """(canvas, push, undo) of a main window, or of a canvas with its own undo stack."""
    if args.window:
        from bpstudio.ui.assemble import build_window

        scratch = tempfile.mkdtemp(prefix="bpstudio-bench-")  # default window state
        window = build_window(QSettings(f"{scratch}/settings.ini", QSettings.Format.IniFormat))
        window.ask_unsaved_changes = lambda: "discard"
        window.show_error = lambda title, text: sys.exit(f"refused: {text}")  # never a dialog
        window.resize(1280, 800)
        window.show()
        return window, window.canvas, window.push, window.undo_stack.undo, window.files.replace
    model = DocumentModel(big_document(2, 1))
    stack = QUndoStack()

    def push(edit: Edit) -> bool:
        stack.push(EditCommand(model, edit))
        return True

    canvas = NetworkCanvas(model, push)
    canvas.resize(1280, 720)
    canvas.show()
    canvas.stack = stack  # kept alive with the canvas
    return canvas, canvas, push, stack.undo, lambda doc, path: model.replace(doc, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--window", action="store_true", help="the whole main window")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    top, canvas, push, undo, replace = make_canvas(args)
    app.processEvents()
    doc = big_document(args.layers, args.size)
    repaint = canvas.viewport().repaint
    opened = Series("open (build + fit) and first paint")
    opened.time(lambda: (replace(doc, None), canvas.fit(), repaint()))
    results = [opened]
    for name, start in (("fitted", None), ("zoomed in from 1.5", 1.5)):
        results += zoom_series(canvas, name, start)
    results += edit_series(canvas, push, undo, args.layers, args.size)
    edges = sum(a * b for a, b in zip(doc.sizes, doc.sizes[1:], strict=False))
    viewport = canvas.viewport()
    print(
        f"{'x'.join(map(str, doc.sizes))} network, {edges} edges; viewport "
        f"{viewport.width()}x{viewport.height()}; {'main window' if args.window else 'canvas'}"
    )
    for series in results:
        print(series)
    top.close()


if __name__ == "__main__":
    main()
