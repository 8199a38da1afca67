"""The way back from diverged training (document/divergence.py): one undoable edit to the last
finite epoch with a tenth of the learning rate, checked against training written out by hand
in the test. Headless: no Qt."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.document.divergence import remedy
from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec
from bpstudio.document.session import DocumentModel
from bpstudio.document.walkthrough import Walkthrough

X, Y = [1.0, 2.0], [1.0, 2.0]


def exploding(batch_size: int | None = None) -> Document:
    """z = w x + b, sse, learning rate 10: every epoch multiplies the error by about -67."""
    return Document(
        layers=[LayerSpec(1), LayerSpec(1, "linear", np.array([[0.5]]), np.array([0.0]))],
        loss="sse",
        training=TrainingSpec(learning_rate=10.0, batch_size=batch_size),
        data=DataSpec(inputs=np.array([X]).T, targets=np.array([Y]).T),
    )


def by_hand(epochs: int) -> tuple[float, float]:
    """Full-batch gradient descent on w and b, as the spec defines sse's step."""
    w, b = 0.5, 0.0
    for _ in range(epochs):
        errors = [w * x + b - y for x, y in zip(X, Y, strict=True)]
        grad_w = sum(e * x for e, x in zip(errors, X, strict=True))
        w, b = w - 10.0 * grad_w, b - 10.0 * sum(errors)
    return w, b


def test_the_remedy_returns_to_the_last_finite_epoch_with_a_tenth_of_the_rate():
    walk = Walkthrough(exploding())
    with np.errstate(over="raise", invalid="raise"):  # nothing may escape the engine
        divergence = walk.train(10_000)
    assert divergence is not None and walk.epoch == divergence.epoch - 1
    fix = remedy(walk, had_history=False)
    assert (fix.epoch, fix.learning_rate) == (divergence.epoch - 1, 1.0)
    assert fix.edit.describe(exploding()) == (
        f"Return to epoch {fix.epoch} and lower the learning rate to 1"
    )
    model = DocumentModel(exploding())
    original = model.document.copy()
    model.apply(fix.edit)
    doc = model.document
    w, b = by_hand(fix.epoch)
    assert doc.layers[1].weights[0, 0] == pytest.approx(w, rel=1e-9)
    assert doc.layers[1].biases[0] == pytest.approx(b, rel=1e-9)
    assert np.isfinite(doc.layers[1].weights).all()
    assert doc.training.learning_rate == 1.0
    assert doc.history.epoch == list(range(fix.epoch + 1))
    model.revert(fix.edit)
    assert model.document == original


def test_a_walk_stopped_inside_an_epoch_returns_to_that_epochs_start():
    """Stepping batch by batch (batch size 1) until a step diverges: the remedy goes back to
    the start of the last finished epoch, not to the middle of the one that failed."""
    walk = Walkthrough(exploding(batch_size=1))
    while walk.finish_step():
        pass
    assert walk.divergence is not None
    fix = remedy(walk, had_history=True)
    model = DocumentModel(exploding(batch_size=1))
    model.apply(fix.edit)
    w, b = 0.5, 0.0
    for _ in range(fix.epoch):
        for x, y in zip(X, Y, strict=True):
            error = w * x + b - y
            w, b = w - 10.0 * error * x, b - 10.0 * error
    assert model.document.layers[1].weights[0, 0] == pytest.approx(w, rel=1e-9)
    assert model.document.layers[1].biases[0] == pytest.approx(b, rel=1e-9)
    assert model.document.history.epoch[-1] == fix.epoch


def test_the_remedy_of_a_version_2_document_keeps_its_test_loss_to_that_epoch():
    """With a test set (version 2), the history it returns to keeps the test loss of each
    epoch kept, which is L over the test set by hand with that epoch's w and b."""
    doc = exploding()
    doc.data.test_inputs, doc.data.test_targets = np.array([[3.0]]), np.array([[1.0]])
    walk = Walkthrough(doc)
    divergence = walk.train(10_000)
    fix = remedy(walk, had_history=False, scores=True)
    model = DocumentModel(doc.copy())
    model.apply(fix.edit)
    h = model.document.history
    assert h.epoch == list(range(divergence.epoch)) and h.accuracy is None
    for epoch, test_loss in zip(h.epoch, h.test_loss, strict=True):
        w, b = by_hand(epoch)
        assert test_loss == pytest.approx(0.5 * (w * 3.0 + b - 1.0) ** 2, rel=1e-9)
