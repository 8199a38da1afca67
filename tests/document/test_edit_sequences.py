"""Property tests for the undoable edits: any sequence of edits (values, structure, settings,
data), reverted in reverse order, gives back the original document exactly. Headless."""

from __future__ import annotations

import functools

import numpy as np
from edit_cases import generated_221, network_231
from hypothesis import given, settings
from hypothesis import strategies as st

from bpstudio.document import format as document_format
from bpstudio.document.edits import (
    AddDataRow,
    AddNeuron,
    Edit,
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
    SetTrainBiases,
    SetTraining,
    SetWeight,
)
from bpstudio.document.model import Document
from bpstudio.document.session import DocumentModel

values = st.floats(-3, 3) | st.sampled_from([0.0, 1.0, 0.5, float("nan")])
activations = st.sampled_from(["sigmoid", "tanh", "relu", "linear", "softmax", "bogus"])
training = st.one_of(
    st.tuples(st.just("learning_rate"), st.sampled_from([0.1, 0.5, 0.0, -1.0])),
    st.tuples(st.just("momentum"), st.sampled_from([0.0, 0.5, 1.0])),
    st.tuples(st.just("batch_size"), st.sampled_from([None, 1, 3, 0])),
    st.tuples(st.just("shuffle"), st.booleans()),
    st.tuples(st.just("seed"), st.integers(-5, 5)),
    st.tuples(st.just("init"), st.sampled_from(["xavier", "he", "uniform", "nope"])),
)


def below(count: int) -> st.SearchStrategy[int]:
    """An index in range(count) (out-of-range indices have their own tests)."""
    return st.integers(0, count - 1)


@st.composite
def tables(draw: st.DrawFn) -> SetData:
    rows, n_in, n_out = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    cells = st.floats(0, 1)
    inputs = draw(
        st.lists(st.lists(cells, min_size=n_in, max_size=n_in), min_size=rows, max_size=rows)
    )
    targets = draw(
        st.lists(st.lists(cells, min_size=n_out, max_size=n_out), min_size=rows, max_size=rows)
    )
    return SetData.table(inputs, targets, fit_network=draw(st.booleans()))


@st.composite
def parameter_edits(draw: st.DrawFn, sizes: tuple[int, ...]) -> SetWeight | SetBias:
    """A weight or bias edit (of layer 0, which has none, in one case out of len(sizes))."""
    layer = draw(st.integers(0, len(sizes) - 1))
    size, before = sizes[layer], sizes[layer - 1]
    if draw(st.booleans()):
        return SetWeight(layer, draw(below(size)), draw(below(before)), draw(values))
    return SetBias(layer, draw(below(size)), draw(values))


@st.composite
def data_edits(draw: st.DrawFn, sizes: tuple[int, ...], rows: int) -> SetDataCell | RemoveDataRow:
    if draw(st.booleans()):
        return RemoveDataRow(draw(below(rows)))
    table = draw(st.sampled_from(["inputs", "targets"]))
    width = sizes[0] if table == "inputs" else sizes[-1]
    return SetDataCell(table, draw(below(rows)), draw(below(width)), draw(values))


@functools.cache
def edits_for(sizes: tuple[int, ...], rows: int) -> st.SearchStrategy[Edit]:
    """Edits of every kind for a document of layer `sizes` and `rows` rows of data, with
    indices in range but some forbidden values, so that most are applied and some refused.
    Cached: building strategies anew for every step would dominate the run time."""
    layers = below(len(sizes))
    return st.one_of(
        parameter_edits(sizes),
        st.builds(SetActivation, layers, activations),
        st.builds(SetTrainBiases, layers, st.booleans()),
        st.builds(InsertLayer, layers, st.sampled_from([None, 1, 2, 3]), activations | st.none()),
        st.builds(RemoveLayer, layers),
        st.builds(AddNeuron, layers),
        layers.flatmap(lambda i: st.builds(RemoveNeuron, st.just(i), below(sizes[i]))),
        st.builds(SetLoss, st.sampled_from(["sse", "mse", "bce", "cross_entropy"])),
        training.map(lambda kv: SetTraining(*kv)),
        st.builds(RedrawWeights),
        st.builds(ResetParameters),
        st.builds(
            SetData.generated,
            st.sampled_from(["xor", "circle", "gauss", "spiral"]),
            st.integers(1, 12),
            st.sampled_from([0.0, 0.2]),
            st.none() | st.integers(0, 3),
            fit_network=st.booleans(),
        ),
        tables(),
        data_edits(sizes, rows),
        st.builds(AddDataRow),
        st.builds(SetInfo, st.sampled_from(["name", "description"]), st.none() | st.text()),
    )


@functools.cache
def edits_or_macros(sizes: tuple[int, ...], rows: int) -> st.SearchStrategy[Edit]:
    """An edit as above, or a macro of up to three (later ones may no longer fit)."""
    macros = st.lists(edits_for(sizes, rows), min_size=1, max_size=3).map(
        lambda parts: MacroEdit("macro", parts)
    )
    return edits_for(sizes, rows) | macros


def next_edit(data: st.DataObject, doc: Document) -> Edit:
    rows = doc.data.samples if doc.data.generator else len(doc.data.inputs)
    return data.draw(edits_or_macros(doc.sizes, rows), label="edit")


@settings(max_examples=100, deadline=None)
@given(make_doc=st.sampled_from([network_231, generated_221]), data=st.data())
def test_any_edit_sequence_reverted_in_reverse_gives_the_original(make_doc, data):
    """Apply a random sequence of edits (refused ones must change nothing; accepted ones must
    leave a document the format accepts), then revert the accepted ones in reverse order:
    every intermediate state, and the original, come back exactly."""
    model = DocumentModel(make_doc())
    states = [model.document.copy()]
    applied = []
    for _ in range(data.draw(st.integers(0, 10), label="length")):
        edit = next_edit(data, model.document)
        try:
            model.apply(edit)
        except EditError:
            assert model.document == states[-1]
            continue
        document_format.dumps(model.document)
        applied.append(edit)
        states.append(model.document.copy())
    for edit in reversed(applied):
        states.pop()
        model.revert(edit)
        assert model.document == states[-1]
    assert model.document == states[0]


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_reapplying_reverted_edits_gives_the_same_documents(data):
    """Undo everything, then redo everything: each redo gives exactly the state its first
    application gave (new weights and data are the same numbers again)."""
    model = DocumentModel(network_231())
    applied, states = [], []
    for _ in range(data.draw(st.integers(0, 8), label="length")):
        edit = next_edit(data, model.document)
        try:
            model.apply(edit)
        except EditError:
            continue
        applied.append(edit)
        states.append(model.document.copy())
    for edit in reversed(applied):
        model.revert(edit)
    for edit, state in zip(applied, states, strict=True):
        model.apply(edit)
        assert model.document == state
        assert all(np.all(np.isfinite(layer.weights)) for layer in model.document.layers[1:])
