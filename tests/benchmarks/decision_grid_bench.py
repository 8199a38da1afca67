"""Time of the decision plot's grid (a forward pass of 100 x 100 points, drawn) for networks
from small to the widest the limits allow. Run by hand; pytest never collects it. Prints
medians in seconds, each beside the same grid in blocks as small as the work threshold
alone gives (one point per block for a million weights), measured in the same run.

    python tests/benchmarks/decision_grid_bench.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's bpstudio

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpstudio.engine.network import Network  # noqa: E402
from bpstudio.ui.plots import decision_panel  # noqa: E402

SIZES = ((2, 4, 1), (2, 8, 8, 1), (2, 64, 64, 1), (2, 200, 200, 1), (2, 1000, 990, 1))


def network(sizes: tuple[int, ...], rng: np.random.Generator) -> Network:
    weights = [rng.normal(0, 0.1, (b, a)) for a, b in zip(sizes, sizes[1:], strict=False)]
    biases = [np.zeros(b) for b in sizes[1:]]
    return Network(sizes, ["sigmoid"] * (len(sizes) - 1), weights, biases)


def median_time(net: Network, x: np.ndarray, y: np.ndarray, repeats: int) -> float:
    """A panel of its own each time: its buffers are sized by the block in force."""
    panel = decision_panel.DecisionBoundaryPanel()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        panel.show_network(net, x, y, ("x₁", "x₂", "ŷ"))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 2))
    y = (x[:, :1] > 0).astype(float)
    blocks = decision_panel.MIN_BLOCK_ROWS
    print(f"{'network':<16} {'rows/block':>10} {'grid (s)':>9} {'1 row min (s)':>14} {'ratio':>6}")
    for sizes in SIZES:
        net = network(sizes, rng)
        now = median_time(net, x, y, args.repeats)
        decision_panel.MIN_BLOCK_ROWS = 1
        before = median_time(net, x, y, args.repeats)
        decision_panel.MIN_BLOCK_ROWS = blocks
        rows = decision_panel.block_rows(sizes)
        name = "-".join(map(str, sizes))
        print(f"{name:<16} {rows:>10} {now:>9.4f} {before:>14.4f} {before / now:>6.1f}")


if __name__ == "__main__":
    main()
