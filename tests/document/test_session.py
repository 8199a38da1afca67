"""Tests for DocumentModel (bpstudio.document.session): opening, replacing, saving, the
opened document, and the apply/revert/check door the undo stack uses. Headless."""

from __future__ import annotations

import numpy as np
import pytest
from edit_cases import Recorder, generated_221, network_231

from bpstudio.document import format as document_format
from bpstudio.document.edits import AddNeuron, EditError, MacroEdit, SetLoss, SetWeight
from bpstudio.document.format import DocumentError
from bpstudio.document.session import DocumentModel


def test_absent_parameters_are_completed_as_the_network_would_build_them():
    """A document without weights opens with the weights build_network draws and zero
    biases, so each can be edited; the caller's document is not changed."""
    doc = generated_221()
    model = DocumentModel(doc)
    net = doc.build_network()
    for layer, w, b in zip(model.document.layers[1:], net.w, net.b, strict=True):
        assert np.array_equal(layer.weights, w) and np.array_equal(layer.biases, b)
    assert doc.layers[1].weights is None


def test_the_model_owns_copies_of_the_document_and_of_the_opened_state():
    """Edits change neither the caller's document nor `opened`."""
    doc = network_231()
    model = DocumentModel(doc)
    model.apply(SetWeight(1, 0, 0, 9.0))
    assert doc.layers[1].weights[0, 0] == 0.1
    assert model.opened.layers[1].weights[0, 0] == 0.1
    assert model.document.layers[1].weights[0, 0] == 9.0


def test_check_refuses_without_changing_or_notifying():
    """check() raises what apply would raise; on success nothing changes and no event fires,
    for a simple edit and for a macro."""
    model = DocumentModel(network_231())
    before = model.document.copy()
    recorder = Recorder(model)
    with pytest.raises(EditError, match="needs a softmax output layer"):
        model.check(SetLoss("cross_entropy"))
    model.check(MacroEdit("two", [AddNeuron(1), SetWeight(1, 3, 0, 1.0)]))
    assert model.document == before
    assert recorder.calls == []


def test_apply_tells_whether_the_document_changed():
    """apply returns True for a real change and False for setting a value to itself."""
    model = DocumentModel(network_231())
    assert model.apply(SetWeight(1, 0, 0, 0.5)) is True
    assert model.apply(SetWeight(1, 0, 0, 0.5)) is False


def test_open_replaces_the_document_and_notifies(tmp_path):
    """open() loads a file, makes it the current and the opened document, and emits
    document_replaced and path_changed(path)."""
    path = tmp_path / "net.bpnet"
    document_format.save(generated_221(), path)
    model = DocumentModel(network_231())
    recorder = Recorder(model)
    model.open(path)
    assert model.document.sizes == (2, 2, 1)
    assert model.opened == model.document
    assert model.path == str(path)
    assert recorder.calls == [("document_replaced", ()), ("path_changed", (str(path),))]


def test_a_file_that_cannot_be_opened_changes_nothing(tmp_path):
    """open() of a bad file raises the loader's DocumentError and keeps the document."""
    model = DocumentModel(network_231(), "kept.bpnet")
    before = model.document.copy()
    (tmp_path / "bad.bpnet").write_text("{", encoding="utf-8")
    with pytest.raises(DocumentError, match="bad.bpnet: is not valid JSON"):
        model.open(tmp_path / "bad.bpnet")
    assert model.document == before and model.path == "kept.bpnet"


def test_save_writes_the_document_and_remembers_the_path(tmp_path):
    """save(path) writes what loads back equal, announces the new path once; save() reuses
    it; a new document without a path cannot be saved without one."""
    model = DocumentModel(network_231())
    recorder = Recorder(model)
    with pytest.raises(ValueError, match="no file yet"):
        model.save()
    path = tmp_path / "out.bpnet"
    model.save(path)
    assert recorder.calls == [("path_changed", (str(path),))]
    model.apply(SetWeight(1, 0, 0, 0.5))
    recorder.clear()
    model.save()
    assert recorder.calls == []
    assert document_format.load(path) == model.document


def test_saving_does_not_move_the_opened_state():
    """`opened` stays the document as opened, so reset goes back to the start of the lesson."""
    model = DocumentModel(network_231())
    model.apply(SetWeight(1, 0, 0, 0.5))
    assert model.opened == network_231()


def test_can_reset_follows_the_layer_sizes():
    """can_reset is False while the sizes differ from the opened ones, True again after."""
    model = DocumentModel(network_231())
    edit = AddNeuron(1)
    model.apply(edit)
    assert not model.can_reset()
    model.revert(edit)
    assert model.can_reset()


def test_describe_uses_the_current_document():
    """The undo text comes from the model's document (here: a 2-3-1 network's notation)."""
    assert DocumentModel(network_231()).describe(SetWeight(2, 0, 2, 1.5)) == "Set w⁽²⁾₃ to 1.5"
