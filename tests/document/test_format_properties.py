"""Property tests of reading and writing `.bpnet` files: no input makes the reader raise
anything but DocumentError, and valid documents survive save and load. Headless: no Qt.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from document_examples import generator_example, spec_example
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bpstudio.document.format import DocumentError, _longer_than, dumps, load, loads, save
from bpstudio.document.model import DataSpec, Document, History, LayerSpec, TrainingSpec
from bpstudio.document.validate import MAX_EPOCH, TOP_KEYS

FILE = "net.bpnet"

PROPERTY = settings(max_examples=200, deadline=None)

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "sse", "mse", "bce"]
NAMES += ["cross_entropy", "xavier", "he", "uniform", "xor", "circle", "gauss", "spiral"]
NAMES += ["bpstudio.network", "size", "weights", "biases", "inputs", "targets", "history"]
EDGES = [0, 1, 2, -1, 1024, 1025, 100_000, 100_001, 0.5, -0.0, 1e308, 5e-324, 10**400]
TEXT = st.text(st.characters(codec="utf-8"), max_size=8)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
SCALARS = st.none() | st.booleans() | st.integers() | FINITE | TEXT | st.sampled_from(NAMES + EDGES)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(TEXT | st.sampled_from(NAMES), inner, max_size=4)
    ),
    max_leaves=12,
)


def places(node, out=None) -> list:
    """Every (container, key) pair of a JSON tree."""
    out = [] if out is None else out
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, item in list(items):
        out.append((node, key))
        places(item, out)
    return out


def mutate(obj: dict, data) -> None:
    """Replaces, deletes or inserts a random JSON value at a random place of `obj`."""
    container, key = data.draw(st.sampled_from([(None, None), *places(obj)]))
    target = obj if container is None else container[key]
    action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
    value = data.draw(JSON_VALUES)
    if action == "insert" and isinstance(target, dict):
        target[data.draw(TEXT | st.sampled_from(NAMES))] = value
    elif action == "insert" and isinstance(target, list):
        target.insert(data.draw(st.integers(0, len(target))), value)
    elif action == "delete" and container is not None:
        del container[key]
    elif container is not None:
        container[key] = value


@PROPERTY
@given(st.binary(max_size=200))
def test_random_bytes_only_ever_raise_document_error(raw):
    """Whatever the bytes, loads either returns a Document or raises DocumentError."""
    try:
        loads(raw, FILE)
    except DocumentError:
        pass


@PROPERTY
@given(st.sampled_from([spec_example, generator_example]), st.data())
def test_corrupted_document_text_only_ever_raises_document_error(base, data):
    """Byte-level damage to a valid file (cut, overwrite, insert) gives DocumentError or a
    document, never another exception."""
    raw = bytearray(json.dumps(base()).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.integers(0, len(raw)))
        end = data.draw(st.integers(start, min(len(raw), start + 8)))
        raw[start:end] = data.draw(st.binary(max_size=8))
    try:
        loads(bytes(raw), FILE)
    except DocumentError:
        pass


@PROPERTY
@given(st.sampled_from([spec_example, generator_example]), st.data())
def test_mutated_documents_load_or_raise_document_error(base, data):
    """Random values replaced, deleted or inserted anywhere: the result is a DocumentError,
    or a document that survives its own save/load round trip."""
    obj = base()
    for _ in range(data.draw(st.integers(1, 3))):
        mutate(obj, data)
    try:
        doc = loads(json.dumps(obj), FILE)
    except DocumentError as err:
        assert len(str(err).splitlines()) == 1
        return
    assert loads(dumps(doc)) == doc


@st.composite
def documents(draw) -> Document:
    """Valid documents of 2 to 4 layers with random optional parts."""
    generated = draw(st.booleans())
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    if generated:
        sizes[0], sizes[-1] = 2, 1
    names = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
    activations = [draw(st.sampled_from(names)) for _ in sizes[2:]]
    activations.append(draw(st.sampled_from([*names, "softmax"])))
    losses = ["sse", "mse", "bce"] + (["cross_entropy"] if activations[-1] == "softmax" else [])
    loss = draw(st.sampled_from(losses))
    labels = draw(st.none() | st.lists(TEXT, min_size=sizes[0], max_size=sizes[0]))
    layers = [LayerSpec(sizes[0], labels=labels)]
    for i, activation in enumerate(activations, start=1):
        shape = (sizes[i], sizes[i - 1])
        weights = draw(st.none() | arrays(np.float64, shape, elements=FINITE))
        biases = draw(st.none() | arrays(np.float64, sizes[i], elements=FINITE))
        layers.append(LayerSpec(sizes[i], activation, weights, biases, draw(st.booleans())))
    return Document(
        layers=layers,
        loss=loss,
        training=draw(trainings()),
        data=draw(generated_data() if generated else explicit_data(sizes, loss)),
        name=draw(st.none() | TEXT),
        description=draw(st.none() | TEXT),
        history=draw(st.none() | histories()),
        extra=draw(st.dictionaries(TEXT.filter(lambda k: k not in TOP_KEYS), JSON_VALUES)),
    )


def trainings():
    return st.builds(
        TrainingSpec,
        learning_rate=st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
        momentum=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
        batch_size=st.none() | st.integers(min_value=1),
        shuffle=st.booleans(),
        seed=st.integers(),
        init=st.sampled_from(["xavier", "he", "uniform"]),
    )


def generated_data():
    return st.builds(
        DataSpec,
        generator=st.sampled_from(["xor", "circle", "gauss", "spiral"]),
        samples=st.integers(1, 100_000),
        noise=st.floats(min_value=0.0, max_value=1e6),
        seed=st.none() | st.integers(),
    )


@st.composite
def explicit_data(draw, sizes, loss) -> DataSpec:
    rows = draw(st.integers(1, 4))
    unit = st.floats(min_value=0.0, max_value=1.0)
    targets = unit if loss in ("bce", "cross_entropy") else FINITE
    return DataSpec(
        inputs=draw(arrays(np.float64, (rows, sizes[0]), elements=FINITE)),
        targets=draw(arrays(np.float64, (rows, sizes[-1]), elements=targets)),
    )


@st.composite
def histories(draw) -> History:
    epochs = sorted(draw(st.sets(st.integers(0, MAX_EPOCH), max_size=5)))  # strictly rising
    losses = draw(st.lists(FINITE, min_size=len(epochs), max_size=len(epochs)))
    return History(epochs, losses)


@pytest.fixture(scope="module")
def save_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("saved")


@PROPERTY
@given(doc=documents())
def test_generated_documents_survive_save_and_load(doc, save_folder):
    """Any valid document saved and loaded again is equal, bit for bit, and re-saves to
    the same text."""
    path = save_folder / "doc.bpnet"
    save(doc, path)
    again = load(path)
    assert again == doc
    assert dumps(again) == path.read_text(encoding="utf-8")
    assert [p.name for p in save_folder.iterdir()] == ["doc.bpnet"]


@PROPERTY
@given(JSON_VALUES.filter(lambda v: isinstance(v, dict | list)), st.integers(0, 120))
def test_a_container_called_too_long_for_a_line_is_too_long(value, width):
    """The writer skips encoding a container it can tell is longer than the line (a long
    history): that verdict is a lower bound on the compact JSON's true length."""
    compact = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if _longer_than(value, width):
        assert len(compact) > width
