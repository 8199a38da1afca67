"""Tests for reading, validating and writing `.bpnet` files (bpstudio.document.format).

Headless: no Qt. The rule table follows sections 1 and 5 of the network format spec.
"""

import copy
import json
import os
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from document_examples import generator_example, spec_example

from bpstudio.document import format as fmt
from bpstudio.document.format import DocumentError, dumps, from_dict, load, loads, save, to_dict
from bpstudio.document.model import History
from bpstudio.resources import examples_dir

FILE = "net.bpnet"


def read(obj: dict) -> object:
    return loads(json.dumps(obj), FILE)


def error_of(obj_or_text) -> DocumentError:
    text = obj_or_text if isinstance(obj_or_text, str | bytes) else json.dumps(obj_or_text)
    with pytest.raises(DocumentError) as info:
        loads(text, FILE)
    return info.value


# --- the valid examples -----------------------------------------------------------------


def test_spec_example_loads_with_its_values():
    """The spec's own example is valid and every value arrives in the model."""
    doc = read(spec_example())
    assert doc.name == "Two neurons in series"
    assert doc.sizes == (1, 1, 1) and doc.layers[0].labels == ["x"]
    assert doc.layers[1].activation == "sigmoid"
    assert doc.layers[1].weights.tolist() == [[0.3]] and doc.layers[2].biases.tolist() == [0.4]
    assert doc.loss == "sse" and doc.training.learning_rate == 0.1
    assert doc.training.batch_size is None and doc.training.init == "xavier"
    assert doc.data.inputs.tolist() == [[0.5]] and doc.data.targets.tolist() == [[1.5]]


def test_optional_keys_take_their_defaults():
    """Absent optional keys: momentum 0, full batch, no shuffle, seed 0, xavier, biases
    trainable, weights and biases absent (None)."""
    obj = spec_example()
    obj["training"] = {"learning_rate": 0.5}
    obj["layers"][1] = {"size": 1, "activation": "relu"}
    del obj["name"], obj["description"]
    doc = read(obj)
    t = doc.training
    assert (t.momentum, t.batch_size, t.shuffle, t.seed, t.init) == (0.0, None, False, 0, "xavier")
    assert doc.layers[1].weights is None and doc.layers[1].biases is None
    assert doc.layers[1].train_biases is True and doc.name is None and doc.history is None


def test_generator_document_loads():
    doc = read(generator_example())
    assert (doc.data.generator, doc.data.samples, doc.data.noise, doc.data.seed) == (
        "xor",
        20,
        0.1,
        3,
    )
    assert doc.layers[2].train_biases is False
    assert doc.history == History([0, 1], [0.7, 0.6])


def test_integers_are_accepted_where_numbers_are_expected():
    """JSON has one number type: 1 is as good as 1.0 for a weight or a rate."""
    obj = spec_example()
    obj["layers"][1]["weights"] = [[1]]
    obj["training"]["learning_rate"] = 2
    doc = read(obj)
    assert doc.layers[1].weights.dtype == np.float64 and doc.training.learning_rate == 2.0


# --- one test per rule: (mutation, place, problem) -----------------------------------------


def setter(path: str, value):
    """A mutation that sets the value at a dotted path (list indices as numbers)."""

    def mutate(obj):
        *parents, last = path.split(".")
        for part in parents:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        obj[int(last) if last.isdigit() else last] = value

    return mutate


def deleter(path: str):
    def mutate(obj):
        *parents, last = path.split(".")
        for part in parents:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        del obj[int(last) if last.isdigit() else last]

    return mutate


def with_generator(**data):
    """A mutation that switches to a 2-2-1 network on generated data."""

    def mutate(obj):
        obj.update(generator_example())
        obj["data"] = data

    return mutate


RULES = [
    # format and version
    (deleter("format"), "format", "is missing"),
    (setter("format", "bpstudio.net"), "format", 'must be "bpstudio.network"'),
    (deleter("version"), "version", "is missing"),
    (setter("version", 3), "version", "written by a newer bpstudio"),
    (setter("version", True), "version", "must be an integer, not true"),
    (setter("version", 1.0), "version", "must be an integer, not 1.0"),
    (setter("version", "1"), "version", "must be an integer"),
    (setter("version", 0), "version", "must be 1 to 2, not 0"),
    (setter("name", 3), "name", "must be a string"),
    (setter("description", None), "description", "must be a string, not null"),
    # layers
    (deleter("layers"), "layers", "is missing"),
    (setter("layers", {}), "layers", "must be a list"),
    (setter("layers", [{"size": 1}]), "layers", "at least 2 layers"),
    (setter("layers.1", [1]), "layers[1]", "must be an object"),
    (deleter("layers.1.size"), "layers[1].size", "is missing"),
    (setter("layers.1.size", 0), "layers[1].size", "must be between 1 and 1,024"),
    (setter("layers.0.size", 1025), "layers[0].size", "must be between 1 and 1,024"),
    (setter("layers.1.size", 1.5), "layers[1].size", "must be an integer"),
    (setter("layers.1.size", True), "layers[1].size", "must be an integer, not true"),
    (setter("layers.1.wieghts", [[1]]), "layers[1]", 'unknown key "wieghts"'),
    (setter("layers.0.activation", "relu"), "layers[0]", 'input layer: it takes only "size"'),
    (setter("layers.0.weights", [[1]]), "layers[0]", 'not "weights"'),
    (setter("layers.0.train_biases", True), "layers[0]", "input layer"),
    (deleter("layers.1.activation"), "layers[1].activation", "is missing"),
    (setter("layers.1.activation", "sigmod"), "layers[1].activation", "must be one of"),
    (setter("layers.1.activation", None), "layers[1].activation", "not null"),
    (setter("layers.1.activation", "softmax"), "layers[1].activation", "only the last layer"),
    (setter("layers.2.weights", [[1], [2], [3]]), "layers[2].weights", "has 3 rows, expected 1"),
    (setter("layers.2.weights", [[1, 2]]), "layers[2].weights[0]", "has 2 columns, expected 1"),
    (setter("layers.1.weights", 0.3), "layers[1].weights", "must be a list"),
    (setter("layers.1.weights", [0.3]), "layers[1].weights[0]", "must be a list"),
    (setter("layers.1.weights", [["0.3"]]), "layers[1].weights[0][0]", "must be a number"),
    (setter("layers.1.weights", [[True]]), "layers[1].weights[0][0]", "not true"),
    (setter("layers.1.weights", [[None]]), "layers[1].weights[0][0]", "not null"),
    (setter("layers.1.weights", [[10**400]]), "layers[1].weights[0][0]", "too large"),
    (setter("layers.1.biases", [1, 2]), "layers[1].biases", "has 2 numbers, expected 1"),
    (setter("layers.1.biases", ["x"]), "layers[1].biases[0]", "must be a number"),
    (setter("layers.1.biases", 0.1), "layers[1].biases", "must be a list"),
    (setter("layers.1.train_biases", "no"), "layers[1].train_biases", "true or false"),
    (setter("layers.1.train_biases", 0), "layers[1].train_biases", "true or false"),
    (setter("layers.0.labels", ["x", "y"]), "layers[0].labels", "has 2 labels, expected 1"),
    (setter("layers.2.labels", [1]), "layers[2].labels[0]", "must be a string"),
    (setter("layers.2.labels", "y"), "layers[2].labels", "must be a list"),
    # loss
    (deleter("loss"), "loss", "is missing"),
    (setter("loss", "l2"), "loss", "must be one of sse, mse, bce, cross_entropy"),
    (setter("loss", "cross_entropy"), "loss", "needs a softmax output layer"),
    # training
    (deleter("training"), "training", "is missing"),
    (setter("training", []), "training", "must be an object"),
    (setter("training.lr", 0.1), "training", 'unknown key "lr"'),
    (deleter("training.learning_rate"), "training.learning_rate", "is missing"),
    (setter("training.learning_rate", 0), "training.learning_rate", "greater than 0, not 0"),
    (setter("training.learning_rate", -0.1), "training.learning_rate", "greater than 0"),
    (setter("training.learning_rate", "0.1"), "training.learning_rate", "must be a number"),
    (setter("training.learning_rate", True), "training.learning_rate", "must be a number"),
    (setter("training.momentum", 1), "training.momentum", "must be in [0, 1)"),
    (setter("training.momentum", -0.5), "training.momentum", "must be in [0, 1)"),
    (setter("training.batch_size", 0), "training.batch_size", "at least 1"),
    (setter("training.batch_size", 2.0), "training.batch_size", "must be an integer"),
    (setter("training.shuffle", 1), "training.shuffle", "true or false"),
    (setter("training.seed", 1.5), "training.seed", "must be an integer"),
    (setter("training.seed", None), "training.seed", "not null"),
    (setter("training.init", "glorot"), "training.init", "must be one of xavier, he, uniform"),
    (setter("training.weight_decay", -0.1), "training.weight_decay", "at least 0, not -0.1"),
    (setter("training.weight_decay", "0.1"), "training.weight_decay", "must be a number"),
    (setter("training.weight_decay", None), "training.weight_decay", "not null"),
    (setter("training.stop_loss", "low"), "training.stop_loss", "must be a number"),
    (setter("training.stop_loss", True), "training.stop_loss", "must be a number, not true"),
    # data: explicit
    (deleter("data"), "data", "is missing"),
    (setter("data", [[0.5]]), "data", "must be an object"),
    (setter("data", {}), "data", 'needs either "inputs" and "targets" or a "generator"'),
    (setter("data.input", [[1]]), "data", 'unknown key "input" (did you mean "inputs"?)'),
    (setter("data.generator", "xor"), "data", "mixes"),
    (deleter("data.inputs"), "data.inputs", "is missing"),
    (deleter("data.targets"), "data.targets", "is missing"),
    (setter("data.inputs", []), "data.inputs", "has 0 rows; 1 to 100,000 are allowed"),
    (setter("data.inputs", [[0.5]] * 100_001), "data.inputs", "has 100,001 rows"),
    (setter("data.inputs", {"0": 1}), "data.inputs", "must be a list"),
    (setter("data.inputs", [0.5]), "data.inputs[0]", "must be a list"),
    (setter("data.inputs", [[0.5, 1]]), "data.inputs[0]", "has 2 numbers, expected 1"),
    (setter("data.inputs", [[0.5], ["a"]]), "data.inputs[1][0]", "must be a number"),
    (setter("data.targets", [[1], [1]]), "data.targets", "has 2 rows, expected 1"),
    (setter("data.targets", [[1, 0]]), "data.targets[0]", "has 2 numbers, expected 1"),
    (setter("loss", "bce"), "data.targets[0][0]", "between 0 and 1 for the bce loss"),
    # data: a test set beside inline data (version 2)
    (setter("data.test", [[0.5]]), "data.test", "must be an object"),
    (setter("data.test", {"inputs": [[0.5]]}), "data.test.targets", "is missing"),
    (setter("data.test", {"targets": [[1.0]]}), "data.test.inputs", "is missing"),
    (setter("data.test", {"inputs": [], "targets": []}), "data.test.inputs", "has 0 rows"),
    (setter("data.test", {"inputs": [[1]], "target": [[1]]}), "data.test", 'unknown key "target"'),
    (setter("data.test", {"inputs": [[1, 2]], "targets": [[1]]}), "data.test.inputs[0]", "has 2"),
    (
        setter("data.test", {"inputs": [[1]], "targets": [["1"]]}),
        "data.test.targets[0][0]",
        "number",
    ),
    (setter("data.test_samples", 5), "data", 'mixes "inputs" with "test_samples"'),
    # data: generated
    (with_generator(generator="moons", samples=10), "data.generator", "must be one of"),
    (with_generator(samples=10), "data.generator", "is missing"),
    (with_generator(generator="xor"), "data.samples", "is missing"),
    (with_generator(generator="xor", samples=0), "data.samples", "between 1 and 100,000"),
    (with_generator(generator="xor", samples=100_001), "data.samples", "between 1 and 100,000"),
    (with_generator(generator="xor", samples=5.0), "data.samples", "must be an integer"),
    (with_generator(generator="xor", samples=5, noise=-1), "data.noise", "at least 0"),
    (with_generator(generator="xor", samples=5, noise="0"), "data.noise", "must be a number"),
    (with_generator(generator="xor", samples=5, seed=0.5), "data.seed", "must be an integer"),
    (setter("data", {"generator": "xor", "samples": 9}), "data.generator", "2 inputs and 1 target"),
    (with_generator(generator="xor", samples=5, test_samples=0), "data.test_samples", "1 and 100"),
    (with_generator(generator="xor", samples=5, test_samples=2.5), "data.test_samples", "integer"),
    (with_generator(generator="xor", samples=5, test={}), "data", 'mixes "test" with "generator"'),
    # history
    (setter("history", []), "history", "must be an object"),
    (setter("history", {"epoch": [0]}), "history.loss", "is missing"),
    (setter("history", {"loss": [0.1]}), "history.epoch", "is missing"),
    (setter("history", {"epoch": [], "loss": [], "acc": []}), "history", 'unknown key "acc"'),
    (setter("history", {"epoch": [0, 1], "loss": [0.1]}), "history.loss", "expected 2"),
    (setter("history", {"epoch": [-1], "loss": [0.1]}), "history.epoch[0]", "at least 0"),
    (setter("history", {"epoch": [0.5], "loss": [0.1]}), "history.epoch[0]", "an integer"),
    (setter("history", {"epoch": [0, 4, -2], "loss": [1, 1, 1]}), "history.epoch[2]", "not -2"),
    (setter("history", {"epoch": [0, True], "loss": [1, 1]}), "history.epoch[1]", "not true"),
    (setter("history", {"epoch": [0], "loss": ["a"]}), "history.loss[0]", "must be a number"),
    (
        setter("history", {"epoch": [0, 1], "loss": [1, 1], "accuracy": [1]}),
        "history.accuracy",
        "expected 2",
    ),
    (
        setter("history", {"epoch": [0], "loss": [1], "test_loss": ["a"]}),
        "history.test_loss[0]",
        "number",
    ),
    (
        setter("history", {"epoch": [0], "loss": [1], "test_accuracy": 1}),
        "history.test_accuracy",
        "a list",
    ),
    # size limit
    (
        setter("layers", [{"size": 1000}, {"size": 1000, "activation": "relu"}, {"size": 1}]),
        "layers",
        "1,002,001 parameters; at most 1,000,000",
    ),
]


@pytest.mark.parametrize(("mutate", "place", "problem"), RULES)
def test_each_rule_names_the_exact_place_and_problem(mutate, place, problem):
    """Every rule of spec sections 1 and 5 is enforced, with a message of the form
    `file: place problem` on one line."""
    obj = spec_example()
    mutate(obj)
    err = error_of(obj)
    assert err.file == FILE
    assert err.place == place, str(err)
    assert problem in err.problem, str(err)
    assert str(err) == f"{FILE}: {place} {err.problem}"
    assert len(str(err).splitlines()) == 1


def test_spec_message_example_is_reproduced_word_for_word():
    """The spec's example message: `spiral.bpnet: layers[2].weights has 3 rows, expected 4`."""
    obj = spec_example()
    obj["layers"][2]["size"] = 4
    obj["layers"][2]["weights"] = [[0.2]] * 3
    with pytest.raises(DocumentError) as info:
        loads(json.dumps(obj), "spiral.bpnet")
    assert str(info.value).startswith("spiral.bpnet: layers[2].weights has 3 rows, expected 4")


def test_one_million_parameters_is_still_allowed():
    """The limit is "more than 1,000,000": exactly that many loads (no weights given)."""
    obj = spec_example()
    obj["layers"] = [
        {"size": 999},
        {"size": 999, "activation": "relu"},
        {"size": 1, "activation": "linear"},
    ]
    obj["data"] = {"inputs": [[0.0] * 999], "targets": [[0.0]]}
    assert read(obj).parameter_count == 999 * 999 + 999 + 999 + 1 == 1_000_000


# --- JSON-level problems ------------------------------------------------------------------


def example_text(**replace: str) -> str:
    """The spec example as text, with `"key": value` pairs replaced textually."""
    text = json.dumps(spec_example())
    for key, value in replace.items():
        text = text.replace(f'"{key}": {json.dumps(spec_example_value(key))}', f'"{key}": {value}')
    return text


def spec_example_value(key: str):
    return {"learning_rate": 0.1, "weights": [[0.3]], "inputs": [[0.5]], "targets": [[1.5]]}[key]


@pytest.mark.parametrize(
    ("replace", "place", "problem"),
    [
        ({"learning_rate": "NaN"}, "training.learning_rate", "not NaN"),
        ({"weights": "[[Infinity]]"}, "layers[1].weights[0][0]", "not Infinity"),
        ({"inputs": "[[-Infinity]]"}, "data.inputs[0][0]", "not -Infinity"),
        ({"targets": "[[1e999]]"}, "data.targets[0][0]", "not Infinity"),
        ({"learning_rate": "1" * 5000}, "training.learning_rate", "5,000 digits"),
    ],
)
def test_non_finite_numbers_are_rejected_at_their_place(replace, place, problem):
    """NaN, Infinity, -Infinity (which Python's json accepts) and overflowing numbers are
    invalid everywhere and named at their place."""
    text = example_text(**replace)
    assert text != json.dumps(spec_example())
    err = error_of(text)
    assert (err.place, problem in err.problem) == (place, True), str(err)


def test_non_finite_numbers_in_unknown_top_level_keys_are_rejected_too():
    """Unknown keys are kept on re-save, so they must be valid JSON as well."""
    text = json.dumps(spec_example())[:-1] + ', "future": {"values": [1, NaN]}}'
    err = error_of(text)
    assert err.place == "future.values[1]" and "NaN" in err.problem


def test_duplicate_keys_are_rejected():
    """A repeated key is an error rather than silently taking the last value."""
    text = json.dumps(spec_example()).replace(
        '"size": 1, "activation"', '"size": 1, "size": 2, "activation"', 1
    )
    err = error_of(text)
    assert err.place == "layers[1]" and 'key "size" more than once' in err.problem


def test_unprintable_characters_in_keys_are_escaped_to_keep_messages_on_one_line():
    obj = spec_example()
    obj["training"]["a\u2028b\nc"] = 1
    err = error_of(obj)
    assert len(str(err).splitlines()) == 1 and "a\\u2028b\\nc" in err.problem


def test_lone_surrogates_are_rejected():
    """Text that is not valid Unicode could never be written back as UTF-8."""
    text = json.dumps(spec_example()).replace("Two neurons", "Two \\ud800 neurons")
    assert error_of(text).place == "name"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is not valid JSON (Expecting value at line 1, column 1)"),
        ('{"format": ', "is not valid JSON"),
        ("[1, 2]", "the document must be a JSON object, not a list"),
        ('"bpstudio"', "the document must be a JSON object"),
        ("null", "the document must be a JSON object, not null"),
        (b"\xff\xfe{}", "is not UTF-8 text (byte 0xff at offset 0)"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_non_documents_raise_document_error_without_a_place(text, problem):
    """Garbage, wrong top-level types, bad encodings and absurd nesting are all DocumentError
    (never RecursionError or UnicodeDecodeError)."""
    err = error_of(text)
    assert err.place == "" and problem in err.problem
    assert str(err) == f"{FILE}: {err.problem}"


def test_deep_nesting_within_the_parser_limit_is_still_refused():
    """Nesting the parser accepts but no document needs is refused before anything recurses."""
    obj = spec_example()
    deep: list = []
    for _ in range(200):
        deep = [deep]
    obj["future"] = deep
    err = error_of(obj)
    assert err.place.startswith("future[0]") and "nested" in err.problem


def test_a_byte_order_mark_is_accepted():
    """Editors on Windows may add a UTF-8 BOM; it is not an error."""
    text = "\ufeff" + json.dumps(spec_example())
    assert loads(text.encode("utf-8"), FILE).name == "Two neurons in series"


def test_utf8_text_in_labels_round_trips():
    obj = spec_example()
    obj["layers"][0]["labels"] = ["größe ∑"]
    doc = read(obj)
    assert loads(dumps(doc).encode("utf-8")).layers[0].labels == ["größe ∑"]


def test_document_error_pickles_and_keeps_its_parts():
    err = DocumentError("a.bpnet", "loss", "is missing")
    again = pickle.loads(pickle.dumps(err))
    assert (again.file, again.place, again.problem, str(again)) == (
        "a.bpnet",
        "loss",
        "is missing",
        "a.bpnet: loss is missing",
    )


def test_from_dict_validates_python_objects_too():
    """from_dict applies the same rules to a dict built in code, including NaN floats."""
    obj = spec_example()
    obj["layers"][1]["weights"] = [[float("nan")]]
    with pytest.raises(DocumentError, match=r"layers\[1\]\.weights\[0\]\[0\] must be a finite"):
        from_dict(obj, FILE)
    assert from_dict(spec_example(), FILE) == read(spec_example())


# --- files ----------------------------------------------------------------------------------


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "spec.bpnet"
    path.write_text(json.dumps(spec_example()), encoding="utf-8")
    assert load(path) == read(spec_example())


def test_missing_file_is_a_document_error_naming_it(tmp_path):
    path = tmp_path / "nope.bpnet"
    with pytest.raises(DocumentError) as info:
        load(path)
    assert info.value.file == str(path) and str(info.value).startswith(f"{path}: cannot read")


def test_a_folder_is_a_document_error(tmp_path):
    with pytest.raises(DocumentError, match="cannot read the file"):
        load(tmp_path)


def test_errors_inside_a_file_name_the_file(tmp_path):
    path = tmp_path / "bad.bpnet"
    path.write_text('{"format": "bpstudio.network", "version": 7}', encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: version is 7: the file was written by a newer")


def test_files_over_50_mb_are_refused_before_reading(tmp_path, monkeypatch):
    """The size is checked from the file system: the file is never opened or parsed."""
    path = tmp_path / "huge.bpnet"
    with open(path, "wb") as f:
        f.truncate(fmt.MAX_FILE_BYTES + 1)  # sparse: costs no disk space

    def no_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(fmt, "open", no_open, raising=False)
    with pytest.raises(DocumentError, match="larger than 50 MB are refused"):
        load(path)


def test_text_over_50_mb_is_refused_by_loads():
    with pytest.raises(DocumentError, match="larger than 50 MB"):
        loads(b" " * (fmt.MAX_FILE_BYTES + 1), FILE)


# --- writing --------------------------------------------------------------------------------


def test_save_then_load_gives_an_equal_document(tmp_path):
    """A save/load round trip loses nothing: arrays, history, labels, unknown keys."""
    obj = generator_example()
    obj["future"] = {"a": [1, 2.5, None, True, "x"]}
    doc = read(obj)
    doc.layers[1].weights = np.array([[0.1 + 0.2, 1e-300], [5e-324, -0.0]])
    path = tmp_path / "round.bpnet"
    save(doc, path)
    again = load(path)
    assert again == doc
    assert np.array_equal(again.layers[1].weights, doc.layers[1].weights)
    assert np.signbit(again.layers[1].weights[1, 1])


def test_dumps_is_stable_and_matches_the_spec_layout():
    """Written text is deterministic, ends with a newline and keeps the spec's key order
    with number rows and short objects on one line."""
    text = dumps(read(spec_example()))
    assert dumps(loads(text)) == text and text.endswith("}\n")
    assert list(json.loads(text)) == list(spec_example())
    assert '    {"size": 1, "activation": "sigmoid", "weights": [[0.3]], "biases": [0.1]},' in text


def test_long_data_is_written_one_row_per_line():
    obj = spec_example()
    obj["data"] = {"inputs": [[i / 7] for i in range(50)], "targets": [[1.0]] * 50}
    text = dumps(read(obj))
    assert "\n      [0.14285714285714285],\n" in text


def test_unknown_top_level_keys_are_kept_in_order_and_re_saved(tmp_path):
    """A file from a newer bpstudio keeps its extra keys through load and save."""
    obj = spec_example()
    obj["zeta"] = 1
    obj["alpha"] = {"nested": [1, 2]}
    doc = read(obj)
    assert list(doc.extra) == ["zeta", "alpha"]
    path = tmp_path / "extra.bpnet"
    save(doc, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert list(saved)[-2:] == ["zeta", "alpha"] and saved["alpha"] == {"nested": [1, 2]}


def test_history_is_kept_on_re_save():
    doc = read(generator_example())
    assert to_dict(doc)["history"] == {"epoch": [0, 1], "loss": [0.7, 0.6]}


def test_dumps_refuses_an_invalid_document():
    """What save writes can always be loaded again: an invalid model is refused."""
    doc = read(spec_example())
    doc.layers[2].weights = np.zeros((2, 1))
    with pytest.raises(DocumentError, match=r"<document>: layers\[2\]\.weights has 2 rows"):
        dumps(doc)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_failed_replace_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    """If the final rename fails, the old file is untouched and the temp file is removed."""
    path = tmp_path / "keep.bpnet"
    path.write_text("original", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(DocumentError) as info:
        save(read(spec_example()), path)
    assert str(info.value) == (
        f"{path}: cannot write the file (No space left on device: the disk is full)"
    )
    assert path.read_text(encoding="utf-8") == "original"
    assert leftovers(tmp_path) == ["keep.bpnet"]


def test_failed_write_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "keep.bpnet"
    path.write_text("original", encoding="utf-8")

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(DocumentError, match="Input/output error"):
        save(read(spec_example()), path)
    assert path.read_text(encoding="utf-8") == "original"
    assert leftovers(tmp_path) == ["keep.bpnet"]


def test_unserialisable_document_touches_no_file(tmp_path):
    """An extra value that is not JSON fails before any file is created."""
    doc = read(spec_example())
    doc.extra["bad"] = {1, 2}
    with pytest.raises(DocumentError, match="bad"):
        save(doc, tmp_path / "new.bpnet")
    assert leftovers(tmp_path) == []


def test_saving_into_a_missing_folder_is_a_document_error(tmp_path):
    with pytest.raises(DocumentError, match="cannot write the file"):
        save(read(spec_example()), tmp_path / "no" / "such.bpnet")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_saved_files_get_normal_permissions_not_the_temp_files_private_ones(tmp_path):
    """mkstemp makes 0600 files; a saved document is readable like any other file."""
    path = tmp_path / "shared.bpnet"
    save(read(spec_example()), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    save(read(spec_example()), path)
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_saving_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.bpnet"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.bpnet"
    link.symlink_to(target)
    save(read(spec_example()), link)
    assert link.is_symlink() and load(target) == read(spec_example())


def test_to_dict_of_a_loaded_document_is_the_original_dict():
    obj = spec_example()
    assert to_dict(read(copy.deepcopy(obj))) == obj


def test_a_huge_unknown_value_is_written_on_one_compact_line_and_reads_back():
    """Millions of small items under an unknown key were written one per line, a Python
    string each (gigabytes for a 49 MB file); such a value is now one compact line."""
    import json as json_

    from bpstudio.document.format import COMPACT_FROM, dumps, loads
    from bpstudio.resources import examples_dir

    obj = json_.loads((examples_dir() / "xor.bpnet").read_text())
    obj["junk"] = [[]] * (COMPACT_FROM // 3)
    obj["note"] = {"small": [1, 2]}
    text = dumps(loads(json_.dumps(obj)))
    junk_line = next(line for line in text.splitlines() if line.startswith('  "junk"'))
    assert junk_line == '  "junk": [' + ",".join(["[]"] * (COMPACT_FROM // 3)) + "],"
    assert '  "note": {"small": [1, 2]}' in text.splitlines()
    assert loads(text).extra == {"junk": obj["junk"], "note": obj["note"]}


def test_large_inline_data_is_checked_and_written_a_slice_of_rows_at_a_time(monkeypatch):
    """Above LARGE_DATA numbers, dumps checks the data a slice of rows at a time and writes
    it row by row from its arrays (24 million numbers took 800 MB as one nested list): the
    same text as the whole document at once, and a bad value named at its row in the data."""
    doc = load(examples_dir() / "xor.bpnet")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(3000, 2)), rng.uniform(size=(3000, 1))
    data = replace(doc.data, inputs=x, targets=y, generator=None, samples=None)
    big = replace(doc, data=data)
    whole = dumps(big)
    monkeypatch.setattr(fmt, "LARGE_DATA", 100)  # slices of 33 rows
    assert dumps(big) == whole
    assert loads(whole).data.inputs.tolist() == x.tolist()
    x[1500, 1] = np.nan
    with pytest.raises(DocumentError, match=r"data\.inputs\[1500\]\[1\] must be a finite number"):
        dumps(big)
    y[2999, 0] = 2.0
    x[1500, 1] = 0.0
    big.loss = "bce"
    with pytest.raises(DocumentError, match=r"data\.targets\[2999\]\[0\] must be between 0 and 1"):
        dumps(big)
