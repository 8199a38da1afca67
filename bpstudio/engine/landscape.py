"""The loss landscape: L over the whole data set as one batch, as a function of two parameters
on a grid around their current values, every other parameter held. Pure NumPy; no Qt.

The grid is evaluated many points at a time. The layers before the first one holding either
parameter are the same for every point, so they are computed once; from there on each point
is one slice of a stack `(M, N, n)`, M points of N samples. Stacks are kept below
CHUNK_BYTES each, so memory stays bounded whatever the grid. Where even one point's
activations would pass that bound, every point is the plain `network.loss_value` instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpstudio.engine import losses
from bpstudio.engine.network import Network, loss_value

MAX_GRID = 401  # points a side: 160,801 losses
CHUNK_BYTES = 16 * 2**20  # one stacked array of activations; a few are alive at once
NAME = re.compile(r"^\s*([wb])\[(\d+)\]\[(\d+)\](?:\[(\d+)\])?\s*$")


class LandscapeError(ValueError):
    """An argument the landscape cannot use, named by `argument` ("params", "span" or
    "grid"); the message says why, on one line."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class Place:
    """Where a parameter sits: non-input layer `layer` (0-based, document layer - 1), the
    neuron it feeds, and the neuron of the layer before (`None` for a bias)."""

    layer: int
    neuron: int
    source: int | None


@dataclass(frozen=True)
class Landscape:
    """`loss[i, j]`, `(G, G)`, is L with the first parameter at `x[j]` and the second at
    `y[i]`; `current` holds their values in the network."""

    params: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    loss: np.ndarray
    current: tuple[float, float]


def parameter_index(net: Network, name: str) -> int:
    """The index into `net.params` of `w[l][j][k]` or `b[l][j]` (as `parameter_names`
    writes them); LandscapeError saying what is wrong with `name` otherwise."""
    found = NAME.match(name)
    if not found or (found.group(1) == "w") != (found.group(4) is not None):
        raise LandscapeError(
            "params",
            f"{name}: write a weight as w[l][j][k] and a bias as b[l][j] "
            "(document layer l from 1, neurons j and k from 0)",
        )
    kind, layer, j = found.group(1), int(found.group(2)), int(found.group(3))
    if not 1 <= layer <= net.depth:
        raise LandscapeError("params", f"{name}: the network has layers 1 to {net.depth}")
    rows, cols = net.w[layer - 1].shape
    if j >= rows:
        raise LandscapeError("params", f"{name}: layer {layer} has neurons 0 to {rows - 1}")
    offset = sum(r * c + r for r, c in (w.shape for w in net.w[: layer - 1]))
    if kind == "b":
        return offset + rows * cols + j
    k = int(found.group(4))
    if k >= cols:
        raise LandscapeError("params", f"{name}: layer {layer - 1} has neurons 0 to {cols - 1}")
    return offset + j * cols + k


def locate(net: Network, index: int) -> Place:
    """Where `net.params[index]` sits."""
    offset = index
    for layer, w in enumerate(net.w):
        rows, cols = w.shape
        if offset < rows * cols:
            return Place(layer, offset // cols, offset % cols)
        if offset < rows * cols + rows:
            return Place(layer, offset - rows * cols, None)
        offset -= rows * cols + rows
    raise IndexError(f"parameter {index}: the network has {net.parameter_count}")


def axis(value: float, span: float, grid: int) -> np.ndarray:
    """`grid` evenly spaced values from `value - span` to `value + span` (inf or NaN where
    that passes the largest float)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.linspace(value - span, value + span, grid)


def landscape(
    net: Network,
    loss_name: str,
    x: np.ndarray,
    y: np.ndarray,
    names: tuple[str, str],
    span: float = 1.0,
    grid: int = 41,
) -> Landscape:
    """The landscape of `net` on the data `x` `(N, sizes[0])`, `y` `(N, sizes[-1])` over the
    parameters `names`, each `span` either side of its value on `grid` points (`params` of
    the result holds their names as `parameter_names` writes them). LandscapeError for a bad
    name, the same parameter twice, or a grid or span `check_grid` refuses or that reaches
    beyond the largest float."""
    check_grid(span, grid)
    first, second = (parameter_index(net, name) for name in names)
    if first == second:
        raise LandscapeError("params", "names the same parameter twice; name two")
    current = (float(net.params[first]), float(net.params[second]))
    xs, ys = (axis(v, span, grid) for v in current)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise LandscapeError("span", f"reaches beyond the largest number from {current}")
    loss = grid_losses(net, loss_name, x, y, (first, second), (xs, ys))
    return Landscape((_name(net, first), _name(net, second)), xs, ys, loss, current)


def check_grid(span: float, grid: int) -> None:
    """LandscapeError unless `grid` is 2 to MAX_GRID points and `span` finite and above 0."""
    if not 2 <= grid <= MAX_GRID:
        raise LandscapeError("grid", f"must be 2 to {MAX_GRID} points a side")
    if not (math.isfinite(span) and span > 0):
        raise LandscapeError("span", "must be a finite number above 0")


def _name(net: Network, index: int) -> str:
    place = locate(net, index)
    if place.source is None:
        return f"b[{place.layer + 1}][{place.neuron}]"
    return f"w[{place.layer + 1}][{place.neuron}][{place.source}]"


def grid_losses(
    net: Network,
    loss_name: str,
    x: np.ndarray,
    y: np.ndarray,
    indices: tuple[int, int],
    axes: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """L `(len(axes[1]), len(axes[0]))`: at `[i, j]`, L with `net.params[indices[0]]` at
    `axes[0][j]` and `net.params[indices[1]]` at `axes[1][i]`. Overflow gives inf or NaN,
    silently. `net` is unchanged."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    per_point = len(x) * max(net.sizes) * 8
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if per_point > CHUNK_BYTES:
            return _one_by_one(net, loss_name, x, y, indices, axes)
        places = [locate(net, i) for i in indices]
        early = 0 if places[0].layer <= places[1].layer else 1
        out = _product(net, losses.get(loss_name).value, x, y, places, axes, early, per_point)
        return out if early == 0 else out.T


def _product(
    net: Network,
    value: Callable[[np.ndarray, np.ndarray], float],
    x: np.ndarray,
    y: np.ndarray,
    places: list[Place],
    axes: tuple[np.ndarray, np.ndarray],
    early: int,
    per_point: int,
) -> np.ndarray:
    """L `(len(axes[late]), len(axes[early]))` over the grid, where parameter `early` sits in
    a layer no later than the other's. Its layers up to the other's depend on its value
    alone: they are computed once per value of its axis, not once per grid point."""
    late = 1 - early
    stop = places[late].layer
    a = x
    for i in range(places[early].layer):
        a = net.activations[i](_z(net, i, a))
    chunk = max(1, CHUNK_BYTES // per_point)
    out = np.empty((len(axes[late]), len(axes[early])))
    for e in range(0, len(axes[early]), chunk):
        early_values = axes[early][e : e + chunk]
        width = len(early_values)
        a_early = _stacked(
            net, a, places[early].layer, stop, [places[early]], early_values[:, None]
        )
        rows = max(1, chunk // width)
        for s in range(0, len(axes[late]), rows):
            late_values = axes[late][s : s + rows]
            points = np.empty((len(late_values) * width, 2))
            points[:, early] = np.tile(early_values, len(late_values))
            points[:, late] = np.repeat(late_values, width)
            stack = a_early if a_early.ndim == 2 else np.tile(a_early, (len(late_values), 1, 1))
            outputs = _stacked(net, stack, stop, net.depth, places, points)
            losses_here = [value(y_hat, y) for y_hat in outputs]
            out[s : s + len(late_values), e : e + width] = np.reshape(losses_here, (-1, width))
    return out


def _one_by_one(
    net: Network,
    loss_name: str,
    x: np.ndarray,
    y: np.ndarray,
    indices: tuple[int, int],
    axes: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    work = net.copy()
    out = np.empty((len(axes[1]), len(axes[0])))
    for i, second in enumerate(axes[1]):
        for j, first in enumerate(axes[0]):
            work.params[list(indices)] = first, second
            out[i, j] = loss_value(work, loss_name, x, y)
    return out


def _z(net: Network, i: int, a: np.ndarray) -> np.ndarray:
    """z of non-input layer `i + 1` for `a` `(N, sizes[i])` or `(M, N, sizes[i])`. A stack
    is multiplied as M products of N rows: as one product of M * N rows, BLAS took 15 times
    longer (a tall, narrow product is its worst case)."""
    z = np.matmul(a, net.w[i].T)
    z += net.b[i]
    return z


def _stacked(
    net: Network, a: np.ndarray, start: int, stop: int, places: list[Place], points: np.ndarray
) -> np.ndarray:
    """The activations of layer `stop` `(M, N, sizes[stop])` for the M `points` `(M, P)`, the
    values of the parameters at `places`, from those before layer `start`: `a`, shared
    `(N, sizes[start])` or one per point `(M, N, sizes[start])`. `a` itself if `stop` is
    `start`."""
    for i in range(start, stop):
        z = _z(net, i, a)
        columns = _changed_columns(net, i, a, places, points)
        act = net.activations[i]
        if not columns:
            a = act(z)
        elif act.elementwise:  # only the changed neurons' activations differ between points
            a = act(z)
            a = np.repeat(a[np.newaxis], len(points), axis=0) if a.ndim == 2 else a
            for j, column in columns.items():
                a[..., j] = act(column)
        else:
            z = np.repeat(z[np.newaxis], len(points), axis=0) if z.ndim == 2 else z
            for j, column in columns.items():
                z[..., j] = column
            a = act(z)
    return a


def _changed_columns(
    net: Network, i: int, a: np.ndarray, places: list[Place], points: np.ndarray
) -> dict[int, np.ndarray]:
    """z `(M, N)` of each neuron of layer `i` that one of the parameters feeds, with the
    weights and bias of each point, from `a` `(N, n)` or `(M, N, n)`."""
    columns = {}
    for j in sorted({p.neuron for p in places if p.layer == i}):
        rows = np.repeat(net.w[i][j][np.newaxis], len(points), axis=0)  # (M, n)
        bias = np.full(len(points), net.b[i][j])
        for n, place in enumerate(places):
            if (place.layer, place.neuron) != (i, j):
                continue
            if place.source is None:
                bias = points[:, n]
            else:
                rows[:, place.source] = points[:, n]
        if a.ndim == 2:
            column = np.matmul(a, rows.T).T
        else:
            column = np.matmul(a, rows[..., np.newaxis])[..., 0]
        columns[j] = column + bias[:, np.newaxis]
    return columns
