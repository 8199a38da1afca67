"""Edits of the network's shape: add or remove a hidden layer, add or remove a neuron. Weights
that still apply are kept; only new connections are drawn. Must not import Qt.

New weights come from `fresh_weights`: the document's init scheme, from a stream fixed by
the seed, the layer and the matrix shape, so the same edit always draws the same numbers
(every student who makes the same change sees the same network).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from bpstudio.document.edits import rules
from bpstudio.document.edits.base import Swap, index, layer_index, layer_name
from bpstudio.document.edits.rules import EditError
from bpstudio.document.model import DataSpec, Document, LayerSpec
from bpstudio.engine.init import STREAM_WEIGHTS, init_weights, rng

EDIT_DRAWS = 0xED17  # sets the edits' weight streams apart from init_layer_weights' stream
DEFAULT_ACTIVATION = "sigmoid"


def fresh_weights(document: Document, layer: int, rows: int, cols: int) -> np.ndarray:
    """A `(rows, cols)` weight matrix for layer `layer`, drawn by `training.init` from the
    stream of (training.seed, layer, rows, cols)."""
    gen = rng(document.training.seed, STREAM_WEIGHTS, EDIT_DRAWS, layer, rows, cols)
    return init_weights(document.training.init, rows, cols, gen)


def resized_layers(
    document: Document, layer: int, keep: Sequence[int], added: int
) -> list[LayerSpec]:
    """The layers after layer `layer` keeps its neurons `keep`, in that order, and gains
    `added` new neurons at the end. The weights and biases of kept neurons and connections
    stay exactly; new weights are drawn by `fresh_weights` for the whole new shape (so they
    follow the init's range for it), new biases are 0."""
    layers = list(document.layers)
    kept = np.asarray(keep, dtype=int)
    size = len(kept) + added
    old = layers[layer]
    new = replace(old, size=size, labels=_labels(document, layer, kept, added))
    if layer > 0:
        assert old.weights is not None and old.biases is not None  # completed documents
        new.weights = fresh_weights(document, layer, size, layers[layer - 1].size)
        new.weights[: len(kept)] = old.weights[kept]
        new.biases = np.concatenate([old.biases[kept], np.zeros(added)])
    layers[layer] = new
    if layer + 1 < len(layers):
        after = layers[layer + 1]
        assert after.weights is not None and after.biases is not None
        weights = fresh_weights(document, layer + 1, after.size, size)
        weights[:, : len(kept)] = after.weights[:, kept]
        layers[layer + 1] = replace(after, weights=weights, biases=after.biases.copy())
    return layers


def _labels(document: Document, layer: int, kept: np.ndarray, added: int) -> list[str] | None:
    labels = document.layers[layer].labels
    if labels is None:
        return None
    output = layer == len(document.layers) - 1
    prefix = "x" if layer == 0 else "y" if output else "h"
    return [labels[i] for i in kept] + [f"{prefix}{len(kept) + n + 1}" for n in range(added)]


def resized_data(document: Document, layer: int, keep: Sequence[int], added: int) -> DataSpec:
    """The data after the input or output layer keeps neurons `keep` and gains `added`: the
    inputs or targets, and those of the test set, keep those columns and gain columns of
    zeros (generated data becomes a table first). For a hidden layer, the document's data
    itself."""
    last = len(document.layers) - 1
    if layer not in (0, last):
        return document.data
    column = 0 if layer == 0 else 1

    def resized(pair: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
        parts = list(pair)
        table = parts[column]
        zeros = np.zeros((len(table), added))
        parts[column] = np.hstack([table[:, np.asarray(keep, dtype=int)], zeros])
        return parts

    x, y = resized(document.dataset())
    test = document.test_set()
    test_x, test_y = (None, None) if test is None else resized(test)
    return DataSpec(inputs=x, targets=y, test_inputs=test_x, test_targets=test_y)


class AddNeuron(Swap):
    """Adds a neuron at the end of layer `layer`, with new weights in and out of it. On the
    input (output) layer the data gains an input (target) column of zeros."""

    def __init__(self, layer: int) -> None:
        self.layer = operator.index(layer)

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        layer = layer_index(document, self.layer)
        keep = range(document.layers[layer].size)
        layers = resized_layers(document, layer, keep, 1)
        rules.sizes(layers)
        return layers, resized_data(document, layer, keep, 1)

    def describe(self, document: Document) -> str:
        return f"Add a neuron to {layer_name(document, self.layer)}"


class RemoveNeuron(Swap):
    """Removes neuron `neuron` of layer `layer`: its row of weights and its bias, and its
    column in the next layer's weights. On the input (output) layer the data loses that
    input (target) column. A layer keeps at least one neuron."""

    def __init__(self, layer: int, neuron: int) -> None:
        self.layer, self.neuron = operator.index(layer), operator.index(neuron)

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        layer = layer_index(document, self.layer)
        size = document.layers[layer].size
        neuron = index(self.neuron, f"layers[{layer}]", size, "neuron")
        if size == 1:
            raise EditError(
                f"layers[{layer}].size", "cannot go below 1: a layer keeps at least one neuron"
            )
        keep = [i for i in range(size) if i != neuron]
        return resized_layers(document, layer, keep, 0), resized_data(document, layer, keep, 0)

    def describe(self, document: Document) -> str:
        return f"Remove neuron {self.neuron + 1} of {layer_name(document, self.layer)}"


class InsertLayer(Swap):
    """Inserts a hidden layer at index `position` (1 to the output layer's index): between
    layers position - 1 and position. `size` defaults to the size of the layer before it,
    `activation` to that of a neighbouring hidden layer, else sigmoid. Its weights, and the
    next layer's (all new connections), are drawn; its biases are 0."""

    def __init__(
        self, position: int, size: int | None = None, activation: str | None = None
    ) -> None:
        self.position = operator.index(position)
        self.size, self.activation = size, activation

    def _shape(self, document: Document) -> tuple[int, str]:
        layers, p = document.layers, self.position
        if not 1 <= p <= len(layers) - 1:
            raise EditError(
                "layers",
                f"get a new layer only between the input and the output layer: "
                f"position {p} is not in 1 to {len(layers) - 1}",
            )
        size = layers[p - 1].size if self.size is None else self.size
        if self.activation is not None:
            return size, self.activation
        hidden = [i for i in (p - 1, p) if 1 <= i < len(layers) - 1]
        return size, str(layers[hidden[0]].activation) if hidden else DEFAULT_ACTIVATION

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        size, activation = self._shape(document)
        layers, p = document.layers, self.position
        new = LayerSpec(rules.plain(size), activation)
        after = layers[p]
        assert after.biases is not None  # completed documents
        rules.sizes([*layers[:p], new, *layers[p:]])
        new.weights = fresh_weights(document, p, new.size, layers[p - 1].size)
        new.biases = np.zeros(new.size)
        weights = fresh_weights(document, p + 1, after.size, new.size)
        after = replace(after, weights=weights, biases=after.biases.copy())
        result = [*layers[:p], new, after, *layers[p + 1 :]]
        rules.activation(result, p, activation, document.loss)
        return result, document.data

    def describe(self, document: Document) -> str:
        size, activation = self._shape(document)
        neurons = "neuron" if size == 1 else "neurons"
        return f"Add hidden layer {self.position} ({size} {neurons}, {activation})"


class RemoveLayer(Swap):
    """Removes hidden layer `layer` (the input and output layers stay, so a network keeps at
    least 2 layers); the layers on either side are connected by newly drawn weights."""

    def __init__(self, layer: int) -> None:
        self.layer = operator.index(layer)

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        layers = document.layers
        rule = "only hidden layers can be removed"
        layer = layer_index(document, self.layer, 1, len(layers) - 2, rule)
        after = layers[layer + 1]
        assert after.biases is not None  # completed documents
        weights = fresh_weights(document, layer, after.size, layers[layer - 1].size)
        after = replace(after, weights=weights, biases=after.biases.copy())
        return [*layers[:layer], after, *layers[layer + 2 :]], document.data

    def describe(self, document: Document) -> str:
        return f"Remove {layer_name(document, self.layer)}"
