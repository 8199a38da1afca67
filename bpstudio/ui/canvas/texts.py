"""The words the canvas shows: tooltips with exact values, layer headers and value labels,
in the article's notation. Pure Python on the document: no Qt."""

from __future__ import annotations

from bpstudio.document.edits.base import layer_name
from bpstudio.document.model import Document
from bpstudio.maths.formula import format_number
from bpstudio.maths.notation import Notation

EDIT_HINT = "Double-click to change it."


def _place(document: Document, layer: int) -> str:
    return layer_name(document, layer).removeprefix("the ")


def header(document: Document, layer: int) -> str:
    """'input layer', 'hidden layer 1 · tanh', 'output layer · sigmoid'."""
    name = _place(document, layer)
    return name if layer == 0 else f"{name} · {document.layers[layer].activation}"


def weight(document: Document, layer: int, j: int, k: int) -> float:
    weights = document.layers[layer].weights
    assert weights is not None  # DocumentModel completes every layer's parameters
    return float(weights[j, k])


def bias(document: Document, layer: int, j: int) -> float:
    biases = document.layers[layer].biases
    assert biases is not None
    return float(biases[j])


def weight_label(value: float) -> str:
    return format_number(value, 2)


def bias_label(value: float) -> str:
    return f"b = {format_number(value, 2)}"


def edge_tip(document: Document, layer: int, j: int, k: int) -> str:
    name = Notation(document.sizes).w(layer, j, k).text()
    return (
        f"{name} = {format_number(weight(document, layer, j, k))}\n"
        f"from neuron {k + 1} of {layer_name(document, layer - 1)} "
        f"into neuron {j + 1} of {layer_name(document, layer)}\n{EDIT_HINT}"
    )


def neuron_tip(document: Document, layer: int, j: int) -> str:
    symbol = Notation(document.sizes).a(layer, j).text()
    text = f"{symbol}: neuron {j + 1} of {layer_name(document, layer)}"
    if layer == 0:
        return text
    b = Notation(document.sizes).b(layer, j).text()
    activation = document.layers[layer].activation
    value = format_number(bias(document, layer, j))
    return f"{text} ({activation})\nbias {b} = {value}\n{EDIT_HINT}"


def bias_tip(document: Document, layer: int, j: int) -> str:
    b = Notation(document.sizes).b(layer, j).text()
    value = format_number(bias(document, layer, j))
    return f"{b} = {value}\nbias of neuron {j + 1} of {layer_name(document, layer)}\n{EDIT_HINT}"


def layer_tip(document: Document, layer: int) -> str:
    size = document.layers[layer].size
    neurons = "neuron" if size == 1 else "neurons"
    text = f"{_place(document, layer).capitalize()}: {size} {neurons}"
    if layer:
        text += f", {document.layers[layer].activation}"
    return text
