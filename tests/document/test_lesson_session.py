"""The lesson session (document/lesson_session.py): what each kind of edit takes from the
walk, checked against training computed apart from the walk and against updates worked out
by hand in the test. Headless: no Qt."""

from __future__ import annotations

import numpy as np
import pytest
from edit_cases import Recorder, network_231
from test_edits import CASES, IDS

from bpstudio.document.edits import SetInfo, SetTraining, SetWeight
from bpstudio.document.edits.settings import INFO_KEYS
from bpstudio.document.format import load
from bpstudio.document.lesson_session import (
    INVALIDATES,
    Invalidation,
    LessonSession,
    invalidation,
)
from bpstudio.document.session import DocumentModel
from bpstudio.document.validate import TRAINING_KEYS
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir


def xor(momentum: float = 0.0) -> DocumentModel:
    """XOR in batches of 2 (two training steps an epoch)."""
    doc = load(examples_dir() / "xor.bpnet")
    doc.training.batch_size = 2
    doc.training.momentum = momentum
    return DocumentModel(doc)


def session_of(model: DocumentModel, seen: list | None = None) -> LessonSession:
    """A session whose undo stack applies each edit at once; `seen` collects what each
    change invalidated."""
    return LessonSession(model, model.apply, invalidated=([] if seen is None else seen).append)


def trained(model: DocumentModel, epochs: int) -> np.ndarray:
    """The parameters after `epochs` of the opened document, by the engine's Trainer alone."""
    doc = model.opened
    net = doc.build_network()
    x, y = doc.dataset()
    Trainer(net, x, y, doc.training_config()).run(epochs)
    return net.params


def test_the_table_names_every_kind_of_change_the_document_announces():
    """Every notification of DocumentEvents, and settings_changed by each of its keys, has a
    row; the table has no other rows."""
    model = DocumentModel(network_231())
    names = set(model.events.signals()) - {"settings_changed"}
    keys = {*INFO_KEYS, *TRAINING_KEYS, "loss"}
    assert set(INVALIDATES) == names | keys


@pytest.mark.parametrize(("name", "make_doc", "make_edit", "_events"), CASES, ids=IDS)
def test_every_edit_announces_only_kinds_the_table_knows(name, make_doc, make_edit, _events):
    """Applying and reverting each kind of edit emits nothing the table lacks."""
    model = DocumentModel(make_doc())
    recorder = Recorder(model)
    edit = make_edit()
    model.apply(edit)
    model.revert(edit)
    assert recorder.calls
    for event, args in recorder.calls:
        assert isinstance(invalidation(event, *args), Invalidation)


@pytest.mark.parametrize("edit", [SetInfo("name", "XOR renamed"), SetInfo("description", "new")])
def test_renaming_mid_epoch_keeps_the_batch_and_the_velocity(edit):
    """The bug of issue 16: after the first of XOR's two batches, with momentum, a rename (or
    a new description) keeps the walk; the next step trains batch 1 with the kept velocity,
    so the epoch ends on exactly what the Trainer computes for one epoch."""
    model, seen = xor(momentum=0.9), []
    session = session_of(model, seen)
    walk = session.walk
    assert session.move(walk.finish_step) is None
    assert (walk.epoch, walk.batch) == (0, 1)
    velocity = walk.trainer.velocity.copy()
    assert np.any(velocity)
    model.apply(edit)
    assert session.walk is walk and seen == []
    assert (walk.epoch, walk.batch, walk.index) == (0, 1, 0)
    assert np.array_equal(walk.trainer.velocity, velocity)
    session.move(walk.finish_step)
    assert (walk.epoch, walk.batch) == (1, 0)
    expected = trained(model, 1)
    assert np.array_equal(walk.net.params, expected)
    assert np.array_equal(model.document.build_network().params, expected)


def _update_and_gradient(walk, index: int) -> tuple[float, float, float]:
    """The update step at `index`: its value, the parameter before it, and its gradient as
    the combine step of the same parameter shows it."""
    step = walk.sequence[index]
    kind = "grad_w" if step.kind == "update_w" else "grad_b"
    grads = {s.key: s.value for s in walk.sequence if s.phase == "combine"}
    return step.value, step.old, grads[(kind, step.layer, step.neuron, step.source, None)]


def test_a_new_learning_rate_mid_batch_updates_the_rest_with_the_new_rate():
    """Halfway through batch 0's updates the rate goes from 1 to 0.25: the update shown keeps
    w - 1 g, the next one is w - 0.25 g, and finishing the step applies each as shown."""
    model, seen = xor(), []
    session = session_of(model, seen)
    walk = session.walk
    first = walk.sequence.phase_starts()[-1]
    assert walk.sequence[first].phase == "update"
    walk.jump(first + 1)
    shown = walk.sequence.steps[: first + 1]
    model.apply(SetTraining("learning_rate", 0.25))
    assert seen == [Invalidation.STEPS] and session.walk is walk
    assert (walk.epoch, walk.batch, walk.index) == (0, 0, first + 1)
    assert walk.sequence.steps[: first + 1] == shown
    new, old, g = _update_and_gradient(walk, first)
    assert new == pytest.approx(old - 1.0 * g, abs=1e-15)
    new, old, g = _update_and_gradient(walk, first + 1)
    assert new == pytest.approx(old - 0.25 * g, abs=1e-15)
    shown_updates = walk.sequence.network_before(len(walk.sequence)).params
    session.move(walk.finish_step)
    assert (walk.epoch, walk.batch) == (0, 1)
    assert np.array_equal(walk.net.params, shown_updates)


def test_a_new_momentum_at_a_batch_start_uses_the_kept_velocity():
    """At batch 1 the momentum goes from 0.9 to 0.5: its update is w + (0.5 v - 1 g) with the
    velocity batch 0 left, parameter by parameter."""
    model = xor(momentum=0.9)
    session = session_of(model)
    walk = session.walk
    session.move(walk.finish_step)
    velocity, before = walk.trainer.velocity.copy(), walk.net.params.copy()
    model.apply(SetTraining("momentum", 0.5))
    assert (walk.epoch, walk.batch) == (0, 1) and np.array_equal(walk.trainer.velocity, velocity)
    result = walk.sequence.result
    g = result.after.copy()  # the gradients, laid out as the parameters
    for layer, (grad_w, grad_b) in enumerate(zip(result.grad_w, result.grad_b, strict=True)):
        g.w[layer][:], g.b[layer][:] = grad_w, grad_b
    session.move(walk.finish_step)
    expected = before + (0.5 * velocity - 1.0 * g.params)
    assert np.allclose(walk.net.params, expected, rtol=0, atol=1e-15)


def test_changing_a_weight_starts_a_new_walk_from_the_document():
    """A weight edit mid-epoch: a new walk at the document's epoch, batch 0, zero velocity,
    on the document's parameters; training is stopped first."""
    model, seen, stops = xor(momentum=0.9), [], []
    session = LessonSession(
        model, model.apply, before_reset=lambda: stops.append(1), invalidated=seen.append
    )
    old = session.walk
    session.move(old.finish_step)
    model.apply(SetWeight(1, 0, 0, 0.125))
    walk = session.walk
    assert walk is not old and seen == [Invalidation.WALK] and stops == [1]
    assert (walk.epoch, walk.batch, walk.index) == (0, 0, 0) and not session.started
    assert not np.any(walk.trainer.velocity)
    assert np.array_equal(walk.net.params, model.document.build_network().params)
    assert walk.net.w[0][0, 0] == 0.125


def test_training_into_the_document_is_not_taken_for_an_edit():
    """The session's own edit (the trained parameters and history) keeps the walk."""
    model, seen = xor(), []
    session = session_of(model, seen)
    walk = session.walk
    session.move(walk.run_epoch)
    assert session.walk is walk and seen == []
    assert model.document.history is not None and model.document.history.epoch == [0, 1]
