"""What the plots take from a lesson: the network as the current step shows it, the z of a
layer's neurons for the sample being walked (and which of them the step has computed so
far), and the names and places of parameters in the lesson's notation. Pure Python on the
walkthrough and the document: no Qt."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from bpstudio.document.edits.base import layer_name
from bpstudio.document.model import Document
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.engine.network import Network, forward
from bpstudio.maths.notation import Notation


def shown_network(walk: Walkthrough, live: bool) -> Network:
    """The parameters as the current step shows them (updates so far applied); while
    training runs (`live`) or before the step sequence is built, the network as it is."""
    return walk.net if live else walk.displayed_network()


@dataclass(frozen=True)
class LayerMarkers:
    z: np.ndarray  # one per neuron of the layer
    computed: np.ndarray  # bool: the step sequence has shown this z already
    labels: list[str]  # z's symbol per neuron, e.g. z⁽²⁾₁
    note: str  # what the markers show, for the panel's caption


def layer_markers(walk: Walkthrough, layer: int, live: bool, built: bool) -> LayerMarkers:
    """The z of document layer `layer` (from 1) for the sample this step walks. `live`:
    training is running (markers follow it, all shown); `built`: the step sequence exists
    (else nothing of this step is computed yet)."""
    idx = walk.batches()[walk.batch]
    note = Notation(walk.net.sizes)
    labels = [note.z(layer, j).text() for j in range(walk.net.sizes[layer])]
    if live or not built:
        p = (walk.chosen_samples(len(idx)) or [0])[0]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # huge weights
            z = forward(walk.net, walk.x[idx[p : p + 1]]).z[layer - 1][0]
        done = np.full(z.size, live)
        tail = "live while training" if live else "○ not computed yet (press Next)"
        return LayerMarkers(z, done, labels, f"z {_which(p, idx)}: {tail}")
    seq = walk.sequence
    p = _sample_walked(walk)
    z = seq.result.fwd.z[layer - 1][p]
    tag = p if len(idx) > 1 else None
    known = walk.known_values()
    done = np.array([("z", layer, j, None, tag) in known for j in range(z.size)], dtype=bool)
    text = f"z {_which(p, idx)}: ● computed in this step, ○ not yet"
    return LayerMarkers(z.copy(), done, labels, text)


def _which(p: int, idx: np.ndarray) -> str:
    return "of the sample" if len(idx) == 1 else f"of sample {p + 1} of {len(idx)}"


def _sample_walked(walk: Walkthrough) -> int:
    """The batch sample the step is at: the next step's, else the last shown step's, else
    the first chosen one."""
    seq, i = walk.sequence, walk.index
    if i < len(seq) and seq[i].sample is not None:
        return seq[i].sample
    for step in reversed(seq.steps[:i]):
        if step.sample is not None:
            return step.sample
    return (walk.chosen_samples(len(seq.result.x)) or [0])[0]


# parameters -------------------------------------------------------------------------------
def _offsets(sizes: tuple[int, ...]) -> list[int]:
    """Index in `Network.params` of each document layer's first weight (index 0: layer 1)."""
    offsets, at = [], 0
    for rows, cols in zip(sizes[1:], sizes[:-1], strict=True):
        offsets.append(at)
        at += rows * cols + rows
    return offsets


def weight_index(sizes: tuple[int, ...], layer: int, j: int, k: int) -> int:
    return _offsets(sizes)[layer - 1] + j * sizes[layer - 1] + k


def bias_index(sizes: tuple[int, ...], layer: int, j: int) -> int:
    return _offsets(sizes)[layer - 1] + sizes[layer] * sizes[layer - 1] + j


def neuron_parameters(sizes: tuple[int, ...], layer: int, j: int, limit: int) -> list[int]:
    """Neuron j's bias and incoming weights (at most `limit` in all, the bias first)."""
    weights = [weight_index(sizes, layer, j, k) for k in range(sizes[layer - 1])]
    return ([bias_index(sizes, layer, j)] + weights)[:limit]


class ParameterNames:
    """Names (the lesson's notation), tooltips and places of a network's parameters, in
    `Network.params` order, computed on demand (a network may have a million)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.sizes = doc.sizes
        self.note = Notation(doc.sizes)
        self.offsets = _offsets(doc.sizes)
        self.count = sum(r * c + r for r, c in zip(self.sizes[1:], self.sizes[:-1], strict=True))

    def __len__(self) -> int:
        return self.count

    def place(self, i: int) -> tuple[str, int, int, int | None]:
        """("w", layer, j, k) or ("b", layer, j, None) of parameter i."""
        layer = bisect.bisect_right(self.offsets, i)
        rows, cols = self.sizes[layer], self.sizes[layer - 1]
        local = i - self.offsets[layer - 1]
        if local < rows * cols:
            return "w", layer, local // cols, local % cols
        return "b", layer, local - rows * cols, None

    def index(self, place: tuple[str, int, int, int | None]) -> int | None:
        """The index of the parameter at `place`, or None if this network has none there."""
        kind, layer, j, k = place
        if not 1 <= layer < len(self.sizes) or not 0 <= j < self.sizes[layer]:
            return None
        if kind == "b":
            return bias_index(self.sizes, layer, j)
        if k is None or not 0 <= k < self.sizes[layer - 1]:
            return None
        return weight_index(self.sizes, layer, j, k)

    def name(self, i: int) -> str:
        kind, layer, j, k = self.place(i)
        symbol = self.note.b(layer, j) if k is None else self.note.w(layer, j, k)
        return symbol.text()

    def tip(self, i: int) -> str:
        kind, layer, j, k = self.place(i)
        into = layer_name(self.doc, layer)
        if k is None:
            return f"{self.name(i)}: bias of neuron {j + 1} of {into}"
        before = layer_name(self.doc, layer - 1)
        return (
            f"{self.name(i)}: weight from neuron {k + 1} of {before} into neuron {j + 1} of {into}"
        )
