"""Tests for the undoable edits (bpstudio.document.edits): exact revert, re-apply, events,
the rules they refuse by, and merging. Headless: no Qt."""

from __future__ import annotations

import numpy as np
import pytest
from edit_cases import Recorder, generated_221, network_231

from bpstudio.document import format as document_format
from bpstudio.document.edits import (
    AddDataRow,
    AddNeuron,
    EditError,
    InsertLayer,
    MacroEdit,
    RedrawWeights,
    RemoveDataRow,
    RemoveLayer,
    RemoveNeuron,
    ResetParameters,
    SetActivation,
    SetBias,
    SetData,
    SetDataCell,
    SetInfo,
    SetLoss,
    SetParameters,
    SetTrainBiases,
    SetTraining,
    SetWeight,
)
from bpstudio.document.model import History
from bpstudio.document.session import DocumentModel

STRUCTURE = ["structure_changed"]
STRUCTURE_AND_DATA = ["structure_changed", "data_changed"]

# (id, document maker, edit maker, the events one application emits, in order)
CASES = [
    ("weight", network_231, lambda: SetWeight(1, 2, 1, 0.25), ["value_changed"]),
    ("bias", network_231, lambda: SetBias(2, 0, 0.5), ["value_changed"]),
    ("activation", network_231, lambda: SetActivation(1, "relu"), ["layer_changed"]),
    ("train biases", network_231, lambda: SetTrainBiases(2, False), ["layer_changed"]),
    ("insert before output", network_231, lambda: InsertLayer(2), STRUCTURE),
    ("insert after input", network_231, lambda: InsertLayer(1, 4, "tanh"), STRUCTURE),
    ("remove layer", network_231, lambda: RemoveLayer(1), STRUCTURE),
    ("add input", network_231, lambda: AddNeuron(0), STRUCTURE_AND_DATA),
    ("add hidden neuron", network_231, lambda: AddNeuron(1), STRUCTURE),
    ("add output", network_231, lambda: AddNeuron(2), STRUCTURE_AND_DATA),
    ("remove input", network_231, lambda: RemoveNeuron(0, 0), STRUCTURE_AND_DATA),
    ("remove hidden neuron", network_231, lambda: RemoveNeuron(1, 1), STRUCTURE),
    ("loss", network_231, lambda: SetLoss("bce"), ["settings_changed"]),
    ("learning rate", network_231, lambda: SetTraining("learning_rate", 0.1), ["settings_changed"]),
    ("momentum", network_231, lambda: SetTraining("momentum", 0.9), ["settings_changed"]),
    ("batch size", network_231, lambda: SetTraining("batch_size", 2), ["settings_changed"]),
    ("shuffle", network_231, lambda: SetTraining("shuffle", True), ["settings_changed"]),
    ("seed", network_231, lambda: SetTraining("seed", 99), ["settings_changed"]),
    ("init", network_231, lambda: SetTraining("init", "he"), ["settings_changed"]),
    ("redraw", network_231, RedrawWeights, ["parameters_changed"]),
    ("name", network_231, lambda: SetInfo("name", "renamed"), ["settings_changed"]),
    ("description", network_231, lambda: SetInfo("description", "x"), ["settings_changed"]),
    ("generator", network_231, lambda: SetData.generated("circle", 8), ["data_changed"]),
    ("table", network_231, lambda: SetData.table([[1, 2]], [[3]]), ["data_changed"]),
    (
        "table that resizes the network",
        network_231,
        lambda: SetData.table([[1, 2, 3]], [[4, 5]], fit_network=True),
        STRUCTURE_AND_DATA,
    ),
    ("cell", network_231, lambda: SetDataCell("inputs", 2, 1, 0.5), ["data_changed"]),
    ("add row", network_231, lambda: AddDataRow([1, 2], [3]), ["data_changed"]),
    ("remove row", network_231, lambda: RemoveDataRow(1), ["data_changed"]),
    (
        "parameters and history",
        network_231,
        lambda: SetParameters(
            [np.zeros((3, 2)), np.ones((1, 3))], [np.zeros(3), np.ones(1)], History([0], [0.5])
        ),
        ["parameters_changed", "history_changed"],
    ),
    (
        "seed of generated data",
        generated_221,
        lambda: SetTraining("seed", 5),
        ["settings_changed", "data_changed"],
    ),
    (
        "cell of generated data",
        generated_221,
        lambda: SetDataCell("targets", 0, 0, 0.5),
        ["data_changed"],
    ),
    ("input of generated data", generated_221, lambda: AddNeuron(0), STRUCTURE_AND_DATA),
    ("row of generated data", generated_221, lambda: RemoveDataRow(0), ["data_changed"]),
    (
        "macro",
        network_231,
        lambda: MacroEdit("Two things", [AddNeuron(1), SetWeight(1, 3, 0, 2.0)]),
        ["structure_changed", "value_changed"],
    ),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize(("name", "make_doc", "make_edit", "events"), CASES, ids=IDS)
def test_revert_restores_the_document_exactly(name, make_doc, make_edit, events):
    """Every edit kind: apply changes the document (to a valid one), revert gives it back
    bit for bit, and applying again gives exactly the first result."""
    model = DocumentModel(make_doc())
    before = model.document.copy()
    edit = make_edit()
    assert model.apply(edit) is True
    after = model.document.copy()
    assert after != before
    document_format.dumps(after)  # raises if the edited document breaks a rule of the format
    model.revert(edit)
    assert model.document == before
    model.apply(edit)
    assert model.document == after


@pytest.mark.parametrize(("name", "make_doc", "make_edit", "events"), CASES, ids=IDS)
def test_each_real_change_is_notified_once(name, make_doc, make_edit, events):
    """Apply emits exactly the listed events, once each; revert emits the same ones."""
    model = DocumentModel(make_doc())
    recorder = Recorder(model)
    edit = make_edit()
    model.apply(edit)
    assert recorder.names() == events
    recorder.clear()
    model.revert(edit)
    assert sorted(recorder.names()) == sorted(events)


@pytest.mark.parametrize(
    "make_edit",
    [
        lambda: SetWeight(1, 0, 1, -0.2),
        lambda: SetBias(1, 2, 0.03),
        lambda: SetActivation(2, "sigmoid"),
        lambda: SetTrainBiases(1, True),
        lambda: SetLoss("sse"),
        lambda: SetTraining("learning_rate", 0.5),
        lambda: SetTraining("seed", 7),
        lambda: SetInfo("name", "xor by hand"),
        lambda: SetDataCell("targets", 1, 0, 1.0),
        lambda: SetData.table([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]),
        lambda: SetData.table(
            [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], fit_network=True
        ),
        ResetParameters,
    ],
)
def test_setting_a_value_to_what_it_is_emits_nothing(make_edit):
    """An edit that changes nothing emits no event, apply says False, and revert is silent."""
    model = DocumentModel(network_231())
    before = model.document.copy()
    recorder = Recorder(model)
    edit = make_edit()
    assert model.apply(edit) is False
    model.revert(edit)
    assert recorder.calls == []
    assert model.document == before


def test_value_changed_names_the_weight_and_the_bias():
    """value_changed carries (kind, layer, neuron, source); source is None for a bias."""
    model = DocumentModel(network_231())
    recorder = Recorder(model)
    model.apply(SetWeight(1, 2, 1, 0.25))
    model.apply(SetBias(2, 0, 0.5))
    assert recorder.calls == [
        ("value_changed", ("weight", 1, 2, 1)),
        ("value_changed", ("bias", 2, 0, None)),
    ]
    assert model.document.layers[1].weights[2, 1] == 0.25


def test_adding_a_hidden_neuron_keeps_the_weights_that_still_apply():
    """2-3-1 -> 2-4-1: the old 3x2 block into the layer and the old 1x3 block out of it stay
    exactly; the new row and column are finite, drawn within the xavier limit of the new
    shapes; the new bias is 0; the other biases stay."""
    old = network_231()
    model = DocumentModel(old)
    model.apply(AddNeuron(1))
    w1, b1 = model.document.layers[1].weights, model.document.layers[1].biases
    w2, b2 = model.document.layers[2].weights, model.document.layers[2].biases
    assert w1.shape == (4, 2) and w2.shape == (1, 4)
    assert np.array_equal(w1[:3], old.layers[1].weights)
    assert np.array_equal(w2[:, :3], old.layers[2].weights)
    assert b1.tolist() == [0.01, 0.02, 0.03, 0.0] and b2.tolist() == [-0.1]
    new_in, new_out = w1[3], w2[:, 3]
    assert np.all(np.isfinite(new_in)) and np.all(np.abs(new_in) <= np.sqrt(6 / (2 + 4)))
    assert np.all(np.isfinite(new_out)) and np.all(np.abs(new_out) <= np.sqrt(6 / (4 + 1)))
    assert np.any(new_in != 0) and np.any(new_out != 0)


def test_removing_a_hidden_neuron_removes_its_row_bias_and_outgoing_column():
    """2-3-1 without neuron 1 of layer 1: rows 0 and 2 of w1, biases 0 and 2, columns 0 and
    2 of w2, all exactly."""
    old = network_231()
    model = DocumentModel(old)
    model.apply(RemoveNeuron(1, 1))
    layers = model.document.layers
    assert np.array_equal(layers[1].weights, old.layers[1].weights[[0, 2]])
    assert layers[1].biases.tolist() == [0.01, 0.03]
    assert np.array_equal(layers[2].weights, old.layers[2].weights[:, [0, 2]])


def test_adding_an_input_adds_a_weight_column_a_label_and_a_zero_data_column():
    """2-3-1 -> 3-3-1: w1 keeps its 3x2 block; the data gains an input column of zeros and
    the labelled input layer a label "x3"."""
    old = network_231()
    model = DocumentModel(old)
    model.apply(AddNeuron(0))
    doc = model.document
    assert np.array_equal(doc.layers[1].weights[:, :2], old.layers[1].weights)
    assert np.all(np.abs(doc.layers[1].weights[:, 2]) <= np.sqrt(6 / (3 + 3)))
    assert np.array_equal(doc.data.inputs[:, :2], old.data.inputs)
    assert not doc.data.inputs[:, 2].any()
    assert doc.layers[0].labels == ["a", "b", "x3"]


def test_removing_an_output_removes_its_target_column():
    """A 2-3-2 network loses output 0: targets keep only column 1."""
    model = DocumentModel(network_231())
    model.apply(AddNeuron(2))
    model.apply(SetDataCell("targets", 0, 1, 0.75))
    model.apply(RemoveNeuron(2, 0))
    assert model.document.data.targets.tolist() == [[0.75], [0.0], [0.0], [0.0]]


def test_new_weights_are_the_same_for_the_same_edit_and_follow_the_seed():
    """The drawn weights depend only on the document (seed, init, layer, shape): two students
    making the same change get the same numbers; another seed gives others."""
    first, second, other = (DocumentModel(network_231()) for _ in range(3))
    other.apply(SetTraining("seed", 8))
    for model in (first, second, other):
        model.apply(InsertLayer(1))
    assert first.document == second.document
    assert not np.array_equal(first.document.layers[1].weights, other.document.layers[1].weights)


def test_adding_then_removing_a_neuron_gives_the_original_back():
    """Kept weights really are kept: add a neuron to each layer, remove it again, equal."""
    for layer in range(3):
        model = DocumentModel(network_231())
        original = model.document.copy()
        model.apply(AddNeuron(layer))
        model.apply(RemoveNeuron(layer, model.document.layers[layer].size - 1))
        assert model.document == original


def test_insert_and_remove_layer_rewire_the_neighbours():
    """Inserting hidden layer 1 of 2 neurons draws 2x2 weights into it and 3x2 out of it;
    removing it again draws new 3x2 weights from the input; biases of the next layer stay."""
    model = DocumentModel(network_231())
    model.apply(InsertLayer(1, size=2))
    doc = model.document
    assert doc.sizes == (2, 2, 3, 1)
    assert doc.layers[1].activation == "sigmoid" and not doc.layers[1].biases.any()
    assert doc.layers[2].weights.shape == (3, 2)
    assert doc.layers[2].biases.tolist() == [0.01, 0.02, 0.03]
    model.apply(RemoveLayer(1))
    assert model.document.sizes == (2, 3, 1)
    assert model.document.layers[1].biases.tolist() == [0.01, 0.02, 0.03]


def test_redraw_draws_what_a_file_without_weights_would_get():
    """RedrawWeights equals the network built from the document with weights removed; fixed
    biases (train_biases false) are kept, trainable ones become 0."""
    model = DocumentModel(network_231())
    model.apply(SetTrainBiases(2, False))
    model.apply(RedrawWeights())
    bare = model.document.copy()
    for layer in bare.layers[1:]:
        layer.weights = None
    net = bare.build_network()
    doc = model.document
    assert all(np.array_equal(x.weights, w) for x, w in zip(doc.layers[1:], net.w, strict=True))
    assert doc.layers[1].biases.tolist() == [0.0, 0.0, 0.0]
    assert doc.layers[2].biases.tolist() == [-0.1]


def test_reset_puts_back_the_opened_weights_and_is_refused_after_a_resize():
    """ResetParameters restores the parameters as opened; once sizes differ it is refused."""
    model = DocumentModel(network_231())
    model.apply(SetWeight(1, 0, 0, 5.0))
    model.apply(RedrawWeights())
    model.apply(ResetParameters())
    assert model.document == model.opened
    model.apply(AddNeuron(1))
    assert not model.can_reset()
    with pytest.raises(EditError, match=r"layers have changed since the file was opened"):
        model.apply(ResetParameters())


@pytest.mark.parametrize(
    ("make_edit", "message"),
    [
        (lambda: SetTraining("learning_rate", 0), "training.learning_rate must be greater than 0"),
        (lambda: SetTraining("momentum", 1.0), r"training.momentum must be in \[0, 1\)"),
        (lambda: SetTraining("batch_size", 0), "training.batch_size must be at least 1"),
        (lambda: SetTraining("init", "glorot"), "training.init must be one of"),
        (lambda: SetTraining("seed", 1.5), "training.seed must be an integer"),
        (lambda: SetWeight(1, 0, 0, float("nan")), r"layers\[1\].weights\[0\]\[0\] must be a fin"),
        (lambda: SetWeight(0, 0, 0, 1.0), r"layers\[0\] is the input layer: it has no weights"),
        (lambda: SetWeight(1, 3, 0, 1.0), r"layers\[1\].weights has no neuron 3"),
        (lambda: SetActivation(1, "softmax"), "which only the last layer may use"),
        (lambda: SetActivation(1, "sigmod"), 'did you mean "sigmoid"'),
        (lambda: SetLoss("cross_entropy"), "needs a softmax output layer"),
        (lambda: RemoveLayer(2), "is the output layer: only hidden layers can be removed"),
        (lambda: RemoveNeuron(2, 0), r"layers\[2\].size cannot go below 1"),
        (lambda: InsertLayer(0), "position 0 is not in 1 to 2"),
        (lambda: InsertLayer(1, size=2000), r"layers\[1\].size must be between 1 and 1,024"),
        (lambda: SetData.generated("xor", 10, noise=-1), "data.noise must be at least 0"),
        (lambda: SetData.table([[1, 2, 3]], [[1]]), r"data.inputs\[0\] has 3 numbers, expected 2"),
        (lambda: SetDataCell("inputs", 9, 0, 1.0), "data.inputs has no row 9"),
        (lambda: SetDataCell("inputs", 0, 1, np.inf), r"data.inputs\[0\]\[1\] must be a finite"),
        (lambda: SetInfo("name", "bad \udc00"), "name contains a lone surrogate"),
        (
            lambda: SetParameters([np.zeros((2, 2)), np.zeros((1, 3))], [np.zeros(3), [0.0]]),
            r"layers\[1\].weights has shape \(2, 2\), expected \(3, 2\)",
        ),
        (
            lambda: SetParameters([np.zeros((3, 2)), np.zeros((1, 3))], [np.zeros(3), [np.nan]]),
            r"layers\[2\].biases\[0\] must be a finite number, not NaN",
        ),
        (
            lambda: SetParameters(
                [np.zeros((3, 2)), np.zeros((1, 3))], [np.zeros(3), [0.0]], History([-1], [0.5])
            ),
            r"history.epoch\[0\] must be at least 0",
        ),
    ],
)
def test_forbidden_values_are_refused_naming_the_field_and_the_rule(make_edit, message):
    """Refused edits raise EditError (a ValueError) in the loader's words and change nothing."""
    model = DocumentModel(network_231())
    before = model.document.copy()
    recorder = Recorder(model)
    with pytest.raises(ValueError, match=message):
        model.apply(make_edit())
    assert model.document == before
    assert recorder.calls == []


def test_unknown_setting_names_are_programming_errors():
    """A training key or document field that does not exist fails when the edit is made."""
    with pytest.raises(ValueError, match="unknown training setting 'rate'"):
        SetTraining("rate", 0.1)
    with pytest.raises(ValueError, match="unknown document field 'title'"):
        SetInfo("title", "x")
    with pytest.raises(ValueError, match="unknown data table 'outputs'"):
        SetDataCell("outputs", 0, 0, 1.0)


def test_bce_targets_must_stay_between_0_and_1():
    """With the bce loss a target cell outside [0, 1] is refused at its row and column; and
    the loss cannot become bce while such a target exists."""
    model = DocumentModel(network_231())
    model.apply(SetLoss("bce"))
    with pytest.raises(EditError, match=r"data.targets\[3\]\[0\] must be between 0 and 1"):
        model.apply(SetDataCell("targets", 3, 0, 2.0))
    model.apply(SetLoss("sse"))
    model.apply(SetDataCell("targets", 3, 0, 2.0))
    with pytest.raises(EditError, match=r"data.targets\[3\]\[0\] must be between 0 and 1"):
        model.apply(SetLoss("bce"))


def test_a_generator_needs_two_inputs_and_one_output_unless_the_network_follows():
    """On a 3-3-1 network, xor data is refused; with fit_network the input layer shrinks."""
    model = DocumentModel(network_231())
    model.apply(AddNeuron(0))
    with pytest.raises(EditError, match='"xor" makes 2 inputs and 1 target'):
        model.apply(SetData.generated("xor", 10))
    model.apply(SetData.generated("xor", 10, fit_network=True))
    assert model.document.sizes == (2, 3, 1)


def test_a_failing_macro_is_rolled_back():
    """If a later edit of a MacroEdit is refused, the earlier ones are reverted silently
    enough that the document is exactly as before."""
    model = DocumentModel(network_231())
    before = model.document.copy()
    macro = MacroEdit("bad", [SetWeight(1, 0, 0, 2.0), AddNeuron(1), SetLoss("nope")])
    with pytest.raises(EditError, match="loss must be one of"):
        model.apply(macro)
    assert model.document == before


@pytest.mark.parametrize(
    ("edits", "final"),
    [
        ([SetWeight(1, 0, 0, v) for v in (0.5, 0.6, 0.7)], ("weight", 0.7)),
        ([SetBias(1, 0, v) for v in (1.0, 2.0)], ("bias", 2.0)),
        ([SetTraining("learning_rate", v) for v in (0.2, 0.25)], ("rate", 0.25)),
        ([SetDataCell("inputs", 0, 1, v) for v in (4.0, 4.5)], ("cell", 4.5)),
    ],
)
def test_successive_edits_of_one_value_merge_into_one_undo_step(edits, final):
    """As QUndoStack does: each edit is applied, then merged into the first. Reverting the
    merged edit gives the original back; applying it again gives the final value."""
    model = DocumentModel(network_231())
    original = model.document.copy()
    first = edits[0]
    model.apply(first)
    for edit in edits[1:]:
        assert edit.merge_id == first.merge_id >= 0
        model.apply(edit)
        assert first.merge(edit)
    end = model.document.copy()
    model.revert(first)
    assert model.document == original
    model.apply(first)
    assert model.document == end


def test_merging_generated_data_cell_edits_reverts_to_the_generator():
    """A cell edit that turned generated data into a table merges with the next edit of the
    same cell; reverting the merged edit brings the generator back."""
    model = DocumentModel(generated_221())
    original = model.document.copy()
    first, second = SetDataCell("inputs", 1, 0, 0.1), SetDataCell("inputs", 1, 0, 0.2)
    model.apply(first)
    model.apply(second)
    assert first.merge(second)
    assert model.document.data.inputs[1, 0] == 0.2
    model.revert(first)
    assert model.document == original


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (SetWeight(1, 0, 0, 0.5), SetWeight(1, 0, 1, 0.5)),
        (SetWeight(1, 0, 0, 0.5), SetBias(1, 0, 0.5)),
        (SetTraining("learning_rate", 0.2), SetTraining("momentum", 0.2)),
        (SetDataCell("inputs", 0, 1, 1.0), SetDataCell("targets", 0, 0, 1.0)),
        (SetInfo("name", "a"), SetInfo("description", "a")),
    ],
)
def test_edits_of_different_values_do_not_merge(first, second):
    """Only edits of the same value merge; `merge` says False and changes nothing."""
    value = getattr(first, "value", None)
    assert not first.merge(second)
    assert getattr(first, "value", None) == value


@pytest.mark.parametrize(
    ("make_doc", "edit", "text"),
    [
        (network_231, SetWeight(2, 0, 1, 0.25), "Set w⁽²⁾₂ to 0.25"),
        (network_231, SetWeight(1, 2, 1, -1.0), "Set w⁽¹⁾₃₂ to -1"),
        (network_231, SetBias(1, 0, 0.1), "Set b⁽¹⁾₁ to 0.1"),
        (network_231, AddNeuron(2), "Add a neuron to the output layer"),
        (network_231, RemoveNeuron(1, 0), "Remove neuron 1 of hidden layer 1"),
        (network_231, InsertLayer(2), "Add hidden layer 2 (3 neurons, sigmoid)"),
        (network_231, RemoveLayer(1), "Remove hidden layer 1"),
        (network_231, SetActivation(1, "tanh"), "Use tanh in hidden layer 1"),
        (network_231, SetTraining("learning_rate", 0.05), "Set the learning rate to 0.05"),
        (network_231, SetTraining("batch_size", None), "Train on the full batch"),
        (network_231, RedrawWeights(), "Re-draw the weights (xavier, seed 7)"),
        (network_231, SetDataCell("inputs", 0, 1, 2.0), "Set b of row 1 to 2"),
        (network_231, SetData.table([[1, 2]], [[1]], text="Import d.csv"), "Import d.csv"),
        (generated_221, SetDataCell("targets", 2, 0, 1.0), "Set y1 of row 3 to 1"),
        (generated_221, AddDataRow(), "Add data row 7"),
    ],
)
def test_undo_texts_use_the_article_notation_and_plain_words(make_doc, edit, text):
    """The undo history reads as the lessons write: w⁽ˡ⁾ⱼₖ, 1-based neurons and rows."""
    assert DocumentModel(make_doc()).describe(edit) == text
