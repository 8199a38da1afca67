"""Landscape section of the benchmark suite: `bpstudio landscape`'s default 41 x 41 grid on the
two-spirals example (2-8-8-1, 500 samples), against the plain way of computing it measured in
the same run: 1,681 calls of `network.loss_value` on a copy with the two parameters set. Run
through run.py (`--only landscape`); pytest never collects it. Must not import Qt.

Three pairs of parameters, from the most work to the least: both in the first layer (every
layer after it differs at every grid point), one in the first layer and one in the output
layer, and both in the output layer (the hidden layers are computed once).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from bpstudio.document.format import load
from bpstudio.engine.landscape import landscape
from bpstudio.engine.network import loss_value
from bpstudio.resources import examples_dir

GRID = 41
TARGET_S = 0.5
PAIRS = (
    ("both in layer 1", ("w[1][0][0]", "b[1][0]")),
    ("layers 1 and 3", ("w[1][0][0]", "w[3][0][0]")),
    ("both in layer 3", ("w[3][0][0]", "b[3][0]")),
)


def plain(net, loss: str, x, y, names: tuple[str, str], axes) -> np.ndarray:
    """The grid the plain way: one `loss_value` per point."""
    first, second = (net.parameter_names().index(n) for n in names)
    work = net.copy()
    out = np.empty((len(axes[1]), len(axes[0])))
    for i, v2 in enumerate(axes[1]):
        for j, v1 in enumerate(axes[0]):
            work.params[first], work.params[second] = v1, v2
            out[i, j] = loss_value(work, loss, x, y)
    return out


def section(quick: bool, row) -> None:
    """Adds the landscape rows through `row(figure, median, target, ratio, met)`; the two
    ways take turns in each repeat, and their grids must agree to 1e-12."""
    repeats = 3 if quick else 11
    doc = load(examples_dir() / "spiral.bpnet")
    net = doc.build_network()
    x, y = doc.dataset()
    for label, names in PAIRS:
        times: dict[str, list[float]] = {"landscape": [], "plain": []}
        for _ in range(repeats):
            start = time.perf_counter()
            found = landscape(net, doc.loss, x, y, names, 1.0, GRID)
            times["landscape"].append(time.perf_counter() - start)
            start = time.perf_counter()
            reference = plain(net, doc.loss, x, y, names, (found.x, found.y))
            times["plain"].append(time.perf_counter() - start)
            np.testing.assert_allclose(found.loss, reference, rtol=1e-12, atol=1e-12)
        fast, slow = (statistics.median(times[k]) for k in ("landscape", "plain"))
        figure = f"landscape: spiral 41x41, {label} ({', '.join(names)})"
        row(
            figure,
            f"{fast * 1000:.0f} ms",
            f"< {TARGET_S:g} s",
            f"{slow / fast:.1f}× faster than plain",
            fast < TARGET_S,
        )
        row(f"{figure}, plain: 1,681 loss_value calls", f"{slow * 1000:.0f} ms")
