"""Reliability properties of the document, checked by hypothesis on the bundled examples:
edits of every kind (extreme values included) undo to the original exactly, every edited
state survives save and load, and damaged files on disk give only DocumentError. Headless.

test_edit_sequences.py and test_format_properties.py check the same rules on small
hand-made documents and on text in memory; these go through real files and the examples.
"""

from __future__ import annotations

import inspect
import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.document import edits as edit_module
from bpstudio.document.edits import (
    AddDataRow,
    AddNeuron,
    Edit,
    EditError,
    HoldOut,
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
    SetNoise,
    SetParameters,
    SetTrainBiases,
    SetTraining,
    SetWeight,
)
from bpstudio.document.format import DocumentError, load, save
from bpstudio.document.model import Document
from bpstudio.document.session import DocumentModel
from bpstudio.resources import examples_dir

EXAMPLES = sorted(examples_dir().glob("*.bpnet"))
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# numbers a student might type, including ones that overflow or are not numbers at all
EXTREME = st.sampled_from([0.0, -0.0, 1e-308, 5e-324, 1e308, -1e308, float("inf"), float("nan")])
VALUES = st.one_of(st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5), EXTREME)
TEXTS = st.sampled_from(["", "x", "__import__('os').system('echo hi')", "../../etc/passwd"])
TEXTS = TEXTS | st.text(max_size=12)


def examples() -> st.SearchStrategy[Document]:
    return st.sampled_from(EXAMPLES).map(lambda path: DocumentModel(load(path)).document)


def _index(draw: st.DrawFn, count: int) -> int:
    """Mostly a valid index, one time in ten one past the end or negative (refused)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([count, -1]))
    return draw(st.integers(0, count - 1))


def _layer(draw: st.DrawFn, doc: Document, first: int = 0) -> tuple[int, int, int]:
    """A layer index from `first` (one time in ten an invalid one, or the input layer), its
    size and the size of the layer before."""
    sizes = doc.sizes
    if draw(st.integers(0, 9)) == 0:
        layer = draw(st.sampled_from([-1, 0, len(sizes)]))
    else:
        layer = draw(st.integers(first, len(sizes) - 1))
    size = sizes[layer] if 0 <= layer < len(sizes) else 1
    return layer, size, sizes[layer - 1] if 0 < layer < len(sizes) else 1


def _weight(draw, doc):
    layer, size, before = _layer(draw, doc, first=1)
    return SetWeight(layer, _index(draw, size), _index(draw, before), draw(VALUES))


def _bias(draw, doc):
    layer, size, _ = _layer(draw, doc, first=1)
    return SetBias(layer, _index(draw, size), draw(VALUES))


def _set_parameters(draw, doc):
    """All weights and biases scaled by one factor (overflowing ones are refused)."""
    factor = draw(st.floats(-3, 3) | st.sampled_from([1e300, float("nan")]))
    with np.errstate(over="ignore", invalid="ignore"):
        weights = [layer.weights * factor for layer in doc.layers[1:]]
        biases = [layer.biases * factor for layer in doc.layers[1:]]
    return SetParameters(weights, biases, text="Scale the parameters")


def _remove_neuron(draw, doc):
    layer, size, _ = _layer(draw, doc)
    return RemoveNeuron(layer, _index(draw, size))


def _generated(draw, doc):
    return SetData.generated(
        draw(st.sampled_from(["xor", "circle", "gauss", "spiral"])),
        draw(st.sampled_from([1, 7, 100_000, 100_001, 0])),
        draw(st.sampled_from([0.0, 0.3, -1.0])),
        fit_network=draw(st.booleans()),
    )


def _cell(draw, doc):
    table = draw(st.sampled_from(["inputs", "targets"]))
    return SetDataCell(table, _index(draw, len(doc.dataset()[0])), 0, draw(VALUES))


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "exp"]
TRAINING = st.one_of(
    st.tuples(st.just("learning_rate"), VALUES),
    st.tuples(st.just("momentum"), st.sampled_from([0.0, 0.9, 1.0, float("nan")])),
    st.tuples(st.just("batch_size"), st.sampled_from([None, 1, 2, 0, 10**20])),
    st.tuples(st.just("shuffle"), st.booleans()),
    st.tuples(st.just("seed"), st.sampled_from([0, 1, -7, 2**70])),
    st.tuples(st.just("init"), st.sampled_from(["xavier", "he", "uniform", "zeros"])),
)
# how to draw each kind of edit: (draw, document) -> edit
BUILDERS = {
    SetWeight: _weight,
    SetBias: _bias,
    SetParameters: _set_parameters,
    SetActivation: lambda d, doc: SetActivation(
        _layer(d, doc, first=1)[0], d(st.sampled_from(ACTIVATIONS))
    ),
    SetTrainBiases: lambda d, doc: SetTrainBiases(_layer(d, doc, first=1)[0], d(st.booleans())),
    InsertLayer: lambda d, doc: InsertLayer(
        _index(d, len(doc.sizes)), d(st.sampled_from([None, 1, 3, 1025]))
    ),
    RemoveLayer: lambda d, doc: RemoveLayer(_layer(d, doc, first=1)[0]),
    AddNeuron: lambda d, doc: AddNeuron(_layer(d, doc)[0]),
    RemoveNeuron: _remove_neuron,
    SetLoss: lambda d, doc: SetLoss(d(st.sampled_from(["sse", "mse", "bce", "cross_entropy"]))),
    SetTraining: lambda d, doc: SetTraining(*d(TRAINING)),
    RedrawWeights: lambda d, doc: RedrawWeights(),
    ResetParameters: lambda d, doc: ResetParameters(),
    SetData: lambda d, doc: (
        _generated(d, doc)
        if d(st.booleans())
        else SetData.table(
            np.full((2, doc.sizes[0]), d(VALUES)), np.zeros((2, doc.sizes[-1])), fit_network=True
        )
    ),
    SetDataCell: _cell,
    HoldOut: lambda d, doc: HoldOut(d(st.sampled_from([0, 20, 50, 99.5, 100, -1, float("nan")]))),
    SetNoise: lambda d, doc: SetNoise(
        doc.data, d(st.sampled_from([0.0, 0.25, -1.0, 1e308])), d(st.integers(0, 1))
    ),
    AddDataRow: lambda d, doc: AddDataRow(),
    RemoveDataRow: lambda d, doc: RemoveDataRow(_index(d, len(doc.dataset()[0]))),
    SetInfo: lambda d, doc: SetInfo(d(st.sampled_from(["name", "description"])), d(TEXTS)),
}


@st.composite
def edit_or_macro(draw: st.DrawFn, doc: Document) -> Edit:
    """An edit of any kind for `doc`, with values and indices that are sometimes refused;
    one time in five a MacroEdit of up to three."""
    kinds = sorted(BUILDERS, key=lambda cls: cls.__name__)
    parts = [
        BUILDERS[draw(st.sampled_from(kinds))](draw, doc) for _ in range(draw(st.integers(1, 3)))
    ]
    return MacroEdit("several", parts) if draw(st.integers(0, 4)) == 0 else parts[0]


def test_the_strategy_covers_every_kind_of_edit():
    """Every concrete edit class the document offers is drawn (a new kind of edit must be
    added to BUILDERS, or this fails)."""
    offered = {
        obj
        for obj in vars(edit_module).values()
        if inspect.isclass(obj) and issubclass(obj, Edit) and not inspect.isabstract(obj)
    }
    assert offered == set(BUILDERS) | {MacroEdit}


@PROPERTY
@given(start=examples(), data=st.data())
def test_edits_of_every_kind_undone_completely_give_back_the_original(start, data, tmp_path):
    """Up to 12 random edits of every kind on a bundled example (refused ones change nothing),
    each accepted state saved and loaded back equal, then all undone in reverse order: the
    document is the original again, exactly."""
    model = DocumentModel(start)
    original = model.document.copy()
    applied: list[Edit] = []
    for _ in range(data.draw(st.integers(1, 12), label="length")):
        before = model.document.copy()
        edit = data.draw(edit_or_macro(model.document), label="edit")
        try:
            model.apply(edit)
        except EditError:
            assert model.document == before
            continue
        applied.append(edit)
        save(model.document, tmp_path / "state.bpnet")
        assert load(tmp_path / "state.bpnet") == model.document
    for edit in reversed(applied):
        model.revert(edit)
    assert model.document == original


# --- damaged files on disk -----------------------------------------------------------------


def _other_type(value, rng: random.Random):
    """A JSON value of a different type than `value`."""
    choices = [None, True, 0, -1.5, "text", [], {}, [[1, 2]], {"size": 1}, 10**30]
    return rng.choice([c for c in choices if type(c) is not type(value)])


def _places(node, path=()):
    if isinstance(node, dict):
        for key, item in node.items():
            yield (*path, key)
            yield from _places(item, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node[:6]):
            yield (*path, i)
            yield from _places(item, (*path, i))


def _damage(obj, how: str, rng: random.Random):
    places = list(_places(obj))
    where = rng.choice(places)
    parent = obj
    for key in where[:-1]:
        parent = parent[key]
    if how == "delete":
        del parent[where[-1]]
    else:
        parent[where[-1]] = _other_type(parent[where[-1]], rng)


def _only_document_errors(path: Path) -> None:
    try:
        load(path)
    except DocumentError as err:
        assert str(err).startswith(str(path)) and "\n" not in str(err)


@PROPERTY
@given(
    source=st.sampled_from(EXAMPLES),
    how=st.sampled_from(["flip", "truncate", "delete", "retype"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_damaged_example_files_give_only_document_errors(source, how, seed, tmp_path):
    """An example file with flipped bytes, cut short, a key deleted or a value of the wrong
    type: loading it from disk either works or raises DocumentError naming the file."""
    rng = random.Random(seed)
    raw = bytearray(source.read_bytes())
    if how == "flip":
        for _ in range(rng.randint(1, 4)):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    elif how == "truncate":
        del raw[rng.randrange(len(raw)) :]
    else:
        obj = json.loads(raw)
        _damage(obj, how, rng)
        raw = bytearray(json.dumps(obj).encode())
    path = tmp_path / "damaged.bpnet"
    path.write_bytes(bytes(raw))
    _only_document_errors(path)


@PROPERTY
@given(raw=st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_random_files_give_only_document_errors(raw, tmp_path):
    path = tmp_path / "random.bpnet"
    path.write_bytes(raw)
    _only_document_errors(path)


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_survives_save_and_load(source, tmp_path):
    doc = load(source)
    save(doc, tmp_path / source.name)
    assert load(tmp_path / source.name) == doc
