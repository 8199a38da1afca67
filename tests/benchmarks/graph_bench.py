"""Stepping through the computational graph tab of a neuron with many inputs. Run by hand;
pytest never collects it (its name has no test_ prefix). Prints medians in milliseconds.

    python tests/benchmarks/graph_bench.py [--inputs 400] [--presses 20]

A one-neuron network of `inputs` inputs (its graph: a product, a weight and an input per
input) opens in a 1280x800 main window with the graph tab in front; Next is pressed through
the forward pass, each press timed with its paint (the whole window's work: the canvas's
step overlay follows too). In turns, the same press as before the graph tab updated in
place: the graph built afresh and the scene rebuilt whole at every step, so both figures
come from the same run on the same machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's bpstudio

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec  # noqa: E402


def wide_neuron(inputs: int, seed: int = 1) -> Document:
    rng = np.random.default_rng(seed)
    layers = [LayerSpec(inputs), LayerSpec(1, "sigmoid", rng.normal(0, 0.05, (1, inputs)))]
    data = DataSpec(inputs=rng.uniform(0, 1, (1, inputs)), targets=np.array([[1.0]]))
    return Document(layers, "sse", TrainingSpec(0.1), data, name="benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=400)
    parser.add_argument("--presses", type=int, default=20)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from bpstudio.ui.assemble import build_window

    scratch = tempfile.mkdtemp(prefix="bpstudio-bench-")
    window = build_window(QSettings(f"{scratch}/settings.ini", QSettings.Format.IniFormat))
    window.ask_unsaved_changes = lambda: "discard"
    window.resize(1280, 800)
    window.show()
    window.files.replace(wide_neuron(args.inputs), None)
    window.views.setCurrentWidget(window.graph_view)
    app.processEvents()
    view = window.graph_view
    scene = view.graph_scene
    incremental = scene.draw
    times: dict[str, list[float]] = {"rebuilt whole (before)": [], "updated in place": []}
    for i in range(args.presses):
        way = list(times)[i % 2]
        scene.draw = scene.rebuild if i % 2 == 0 else incremental
        if i % 2 == 0:
            view.graph = None  # built afresh
        start = time.perf_counter()
        window.lesson.actions["next"].trigger()
        window.graph_view.viewport().repaint()
        times[way].append((time.perf_counter() - start) * 1000)
    items = len(scene.items())
    print(f"Next on a neuron of {args.inputs} inputs, graph tab in front ({items} items):")
    for way, values in times.items():
        print(f"  {way:24s} median {statistics.median(values):8.1f} ms  n={len(values)}")
    window.hide()
    window.deleteLater()


if __name__ == "__main__":
    main()
