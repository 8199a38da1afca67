"""A network of a thousand neurons or more writes its neurons' symbols as plain Unicode text
(five times cheaper to make than rich text); smaller ones keep rich text. Either way the
symbol reads the same and fits in its circle, and every tooltip is made when asked."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QGraphicsTextItem

from bpstudio.document.edits import SetActivation, SetBias
from bpstudio.ui.canvas.scene import PLAIN_SYMBOLS_FROM


def opened(window, tmp_path, hidden: int):
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "layers": [
            {"size": 2},
            {"size": hidden, "activation": "tanh"},
            {"size": 1, "activation": "sigmoid"},
        ],
        "loss": "sse",
        "training": {"learning_rate": 0.1, "seed": 3},
        "data": {"inputs": [[0.5, -0.25]], "targets": [[1.0]]},
    }
    path = tmp_path / f"wide-{hidden}.bpnet"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert window.files.open_path(path)
    return window.canvas


@pytest.mark.parametrize(
    ("hidden", "kind"),
    [
        (PLAIN_SYMBOLS_FROM - 4, QGraphicsTextItem),
        (PLAIN_SYMBOLS_FROM - 3, QGraphicsSimpleTextItem),
    ],
)
def test_symbols_are_plain_text_from_a_thousand_neurons(quiet_main_window, tmp_path, hidden, kind):
    canvas = opened(quiet_main_window(), tmp_path, hidden)
    neuron = canvas.neurons[(1, 4)]
    assert type(neuron.label) is kind
    text = neuron.label.toPlainText() if kind is QGraphicsTextItem else neuron.label.text()
    assert text == ("a(2)5" if kind is QGraphicsTextItem else "a⁽²⁾₅")
    circle = neuron.sceneBoundingRect()
    assert circle.contains(neuron.label.sceneBoundingRect().center())
    assert neuron.label.sceneBoundingRect().width() <= circle.width()


def test_tooltips_are_made_from_the_document_when_asked(quiet_main_window, tmp_path):
    window = quiet_main_window()
    canvas = opened(window, tmp_path, PLAIN_SYMBOLS_FROM)
    assert canvas.neurons[(1, 7)].toolTip() == (
        "a⁽²⁾₈: neuron 8 of hidden layer 1 (tanh)\nbias b⁽¹⁾₈ = 0\nDouble-click to change it."
    )
    assert window.push(SetBias(1, 7, -1.25))
    assert "bias b⁽¹⁾₈ = -1.25\n" in canvas.neurons[(1, 7)].toolTip()
    assert canvas.biases[(1, 7)].toolTip().startswith("b⁽¹⁾₈ = -1.25\nbias of neuron 8")
    assert window.push(SetActivation(1, "sigmoid"))
    assert "(sigmoid)" in canvas.neurons[(1, 7)].toolTip()
