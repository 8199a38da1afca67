"""Edits of the network's numbers: one weight or bias, or all of them at once (re-draw, reset
to the opened file's, the result of training). Must not import Qt.
"""

from __future__ import annotations

import operator
from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from bpstudio.document.edits import rules
from bpstudio.document.edits.base import Edit, index, layer_index
from bpstudio.document.edits.rules import EditError
from bpstudio.document.model import Document, History
from bpstudio.engine.init import init_layer_weights
from bpstudio.maths.formula import format_number
from bpstudio.maths.notation import Notation

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel

NO_PARAMETERS = "it has no weights or biases"


class _SetParameter(Edit):
    """Sets one entry of a layer's weights or biases, in place."""

    kind: str  # the `kind` of value_changed
    source: int | None
    _old: float

    def __init__(self, layer: int, neuron: int, source: int | None, value: float) -> None:
        self.layer, self.neuron = operator.index(layer), operator.index(neuron)
        self.source = None if source is None else operator.index(source)
        self.value = value

    @abstractmethod
    def _locate(self, document: Document) -> tuple[np.ndarray, tuple[int, ...], str]:
        """The array, the index in it and the JSON path of the entry; EditError if absent."""

    def apply(self, model: DocumentModel) -> None:
        array, at, place = self._locate(model.document)
        new = rules.number(self.value, place)
        self._old = float(array[at])
        self._put(model, new)

    def revert(self, model: DocumentModel) -> None:
        self._put(model, self._old)

    def _put(self, model: DocumentModel, value: float) -> None:
        array, at, _ = self._locate(model.document)
        if array[at] != value:
            array[at] = value
            model.events.value_changed.emit(self.kind, self.layer, self.neuron, self.source)

    def merge(self, other: Edit) -> bool:
        same = (self.layer, self.neuron, self.source)
        if type(other) is not type(self) or (other.layer, other.neuron, other.source) != same:
            return False
        self.value = other.value
        return True


class SetWeight(_SetParameter):
    """Sets w[layer][neuron][source], the weight from neuron `source` of layer `layer - 1`
    into neuron `neuron` of layer `layer` (document indices, 0-based neurons)."""

    merge_id = 1
    kind = "weight"
    source: int

    def __init__(self, layer: int, neuron: int, source: int, value: float) -> None:
        super().__init__(layer, neuron, source, value)

    def _locate(self, document: Document) -> tuple[np.ndarray, tuple[int, ...], str]:
        layer = layer_index(document, self.layer, 1, rule=NO_PARAMETERS)
        weights = document.layers[layer].weights
        assert weights is not None  # DocumentModel completes every layer's parameters
        place = f"layers[{layer}].weights"
        j = index(self.neuron, place, weights.shape[0], "neuron")
        k = index(self.source, f"{place}[{j}]", weights.shape[1], "source neuron")
        return weights, (j, k), f"{place}[{j}][{k}]"

    def describe(self, document: Document) -> str:
        symbol = Notation(document.sizes).w(self.layer, self.neuron, self.source)
        return f"Set {symbol.text()} to {format_number(self.value)}"


class SetBias(_SetParameter):
    """Sets b[layer][neuron], the bias of neuron `neuron` of layer `layer`."""

    merge_id = 2
    kind = "bias"

    def __init__(self, layer: int, neuron: int, value: float) -> None:
        super().__init__(layer, neuron, None, value)

    def _locate(self, document: Document) -> tuple[np.ndarray, tuple[int, ...], str]:
        layer = layer_index(document, self.layer, 1, rule=NO_PARAMETERS)
        biases = document.layers[layer].biases
        assert biases is not None  # DocumentModel completes every layer's parameters
        place = f"layers[{layer}].biases"
        j = index(self.neuron, place, biases.shape[0], "neuron")
        return biases, (j,), f"{place}[{j}]"

    def describe(self, document: Document) -> str:
        symbol = Notation(document.sizes).b(self.layer, self.neuron)
        return f"Set {symbol.text()} to {format_number(self.value)}"


class _ReplaceParameters(Edit):
    """Replaces every layer's weights and biases with new arrays (and maybe the history);
    reverting puts the old arrays back."""

    _old: tuple[list[Any], list[Any], History | None]

    @abstractmethod
    def _new(self, model: DocumentModel) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """New arrays for layers 1, 2, ..., never shared with anything; or EditError."""

    def _new_history(self, document: Document) -> History | None:
        return document.history

    def apply(self, model: DocumentModel) -> None:
        doc = model.document
        weights, biases = self._new(model)
        history = self._new_history(doc)
        hidden = doc.layers[1:]
        self._old = ([x.weights for x in hidden], [x.biases for x in hidden], doc.history)
        _put_parameters(model, weights, biases, history)

    def revert(self, model: DocumentModel) -> None:
        _put_parameters(model, *self._old)


def _put_parameters(
    model: DocumentModel, weights: list[Any], biases: list[Any], history: History | None
) -> None:
    doc = model.document
    hidden = doc.layers[1:]
    changed = not all(
        np.array_equal(x.weights, w) and np.array_equal(x.biases, b)
        for x, w, b in zip(hidden, weights, biases, strict=True)
    )
    for layer, w, b in zip(hidden, weights, biases, strict=True):
        layer.weights, layer.biases = w, b
    new_history = history != doc.history
    doc.history = history
    if changed:
        model.events.parameters_changed.emit()
    if new_history:
        model.events.history_changed.emit()


class SetParameters(_ReplaceParameters):
    """Sets all weights and biases (e.g. after training), and the history if one is given.
    `weights[i]` and `biases[i]` are for layer i + 1, in the document's shapes."""

    def __init__(
        self,
        weights: Sequence[Any],
        biases: Sequence[Any],
        history: History | None = None,
        text: str = "Set the weights and biases",
    ) -> None:
        self.weights = [np.array(w, dtype=float) for w in weights]
        self.biases = [np.array(b, dtype=float) for b in biases]
        self.history = history
        self.text = text

    def _new(self, model: DocumentModel) -> tuple[list[np.ndarray], list[np.ndarray]]:
        hidden = model.document.layers[1:]
        if (len(self.weights), len(self.biases)) != (len(hidden), len(hidden)):
            raise EditError("layers", f"need weights and biases for {len(hidden)} layers")
        weights, biases = [], []
        for i, (layer, w, b) in enumerate(zip(hidden, self.weights, self.biases, strict=True)):
            place = f"layers[{i + 1}]"
            shape = (layer.size, model.document.layers[i].size)
            weights.append(rules.matrix(w, shape, f"{place}.weights"))
            biases.append(rules.matrix(b, (layer.size,), f"{place}.biases"))
        return weights, biases

    def _new_history(self, document: Document) -> History | None:
        if self.history is None:
            return document.history
        return rules.history(self.history)

    def describe(self, document: Document) -> str:
        return self.text


class RedrawWeights(_ReplaceParameters):
    """Draws all weights afresh by the document's init scheme and seed, as for a file without
    weights; trainable biases become 0, fixed ones (train_biases false) are kept."""

    def _new(self, model: DocumentModel) -> tuple[list[np.ndarray], list[np.ndarray]]:
        doc = model.document
        weights = init_layer_weights(doc.training.init, doc.training.seed, doc.sizes)
        biases = [
            np.zeros(layer.size) if layer.train_biases else np.array(layer.biases, dtype=float)
            for layer in doc.layers[1:]
        ]
        return weights, biases

    def describe(self, document: Document) -> str:
        training = document.training
        return f"Re-draw the weights ({training.init}, seed {training.seed})"


class ResetParameters(_ReplaceParameters):
    """Puts back the weights and biases of the document as opened. Refused when the layer
    sizes have changed since (see DocumentModel.can_reset)."""

    def _new(self, model: DocumentModel) -> tuple[list[np.ndarray], list[np.ndarray]]:
        now, then = model.document.sizes, model.opened.sizes
        if now != then:
            raise EditError(
                "layers",
                f"have changed since the file was opened ({_shape(then)}, now {_shape(now)}), "
                "so its weights no longer fit",
            )
        hidden = model.opened.layers[1:]
        return (
            [np.array(x.weights, dtype=float) for x in hidden],
            [np.array(x.biases, dtype=float) for x in hidden],
        )

    def describe(self, document: Document) -> str:
        return "Reset the weights and biases to the opened file's"


def _shape(sizes: tuple[int, ...]) -> str:
    return "-".join(map(str, sizes))
