"""Documents and event recorders for the edit tests. Headless: no Qt.

Not a test module: test_edits.py, test_edit_sequences.py and test_session.py import it.
"""

from __future__ import annotations

import numpy as np

from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec
from bpstudio.document.session import DocumentModel

EVENT_NAMES = (
    "structure_changed",
    "value_changed",
    "parameters_changed",
    "layer_changed",
    "settings_changed",
    "data_changed",
    "history_changed",
    "document_replaced",
    "path_changed",
)


def network_231() -> Document:
    """A 2-3-1 sigmoid network with every weight and bias given, input labels, 4 rows of
    xor-like data and the sse loss."""
    return Document(
        layers=[
            LayerSpec(2, labels=["a", "b"]),
            LayerSpec(
                3,
                "sigmoid",
                np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]),
                np.array([0.01, 0.02, 0.03]),
            ),
            LayerSpec(1, "sigmoid", np.array([[0.7, -0.8, 0.9]]), np.array([-0.1])),
        ],
        loss="sse",
        training=TrainingSpec(learning_rate=0.5, seed=7),
        data=DataSpec(
            inputs=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            targets=np.array([[0.0], [1.0], [1.0], [0.0]]),
        ),
        name="xor by hand",
    )


def generated_221() -> Document:
    """A 2-2-1 network without weights (drawn on opening) on 6 samples of generated xor."""
    return Document(
        layers=[LayerSpec(2), LayerSpec(2, "tanh"), LayerSpec(1, "sigmoid")],
        loss="bce",
        training=TrainingSpec(learning_rate=0.3, seed=3),
        data=DataSpec(generator="xor", samples=6, noise=0.1),
    )


class Recorder:
    """Records every notification of a model as (name, args), in order."""

    def __init__(self, model: DocumentModel) -> None:
        self.calls: list[tuple[str, tuple]] = []
        for name in EVENT_NAMES:
            getattr(model.events, name).connect(self._slot(name))

    def _slot(self, name: str):
        return lambda *args: self.calls.append((name, args))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def clear(self) -> None:
        self.calls.clear()
