"""Reference training runs shared by tests: parameters after every epoch computed the plain
way (one epoch at a time, copying the vector), and a document that diverges within a few
epochs. Headless: imports no Qt."""

from __future__ import annotations

import json

import numpy as np

from bpstudio.document.format import load
from bpstudio.engine.training import Trainer

# One linear neuron, x = 10, learning rate 5: every step overshoots further until overflow.
DIVERGING = {
    "format": "bpstudio.network",
    "version": 1,
    "layers": [
        {"size": 1},
        {"size": 1, "activation": "linear", "weights": [[1.0]], "biases": [0.0]},
    ],
    "loss": "sse",
    "training": {"learning_rate": 5},
    "data": {"inputs": [[10.0]], "targets": [[1.0]]},
}


def write_diverging(folder):
    """Writes DIVERGING as `diverge.bpnet` into `folder` and returns its path."""
    path = folder / "diverge.bpnet"
    path.write_text(json.dumps(DIVERGING))
    return path


def params_by_epoch(path, epochs: int) -> np.ndarray:
    """Every parameter after epochs 0..epochs, `(epochs + 1, parameters)`."""
    doc = load(path)
    net = doc.build_network()
    x, y = doc.dataset()
    trainer = Trainer(net, x, y, doc.training_config())
    rows = [net.params.copy()]
    for _ in range(epochs):
        assert trainer.run(1) is None
        rows.append(net.params.copy())
    return np.array(rows)
