"""Bad input (spec sections 1 and 5): every rule a document can break, unreadable files and bad
arguments each give exit status 2 and one `bpstudio: error:` line naming the file, the exact
place and the problem, and write nothing. The many cases run the command line's `main()` in
this process (`run_main`); a few run the real command in a subprocess (`run_cli`, slow).
Headless: no Qt.
"""

from __future__ import annotations

import copy
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# A small valid 2-3-1 document: each case breaks one rule of it.
BASE: dict[str, Any] = {
    "format": "bpstudio.network",
    "version": 1,
    "name": "base",
    "layers": [
        {"size": 2, "labels": ["x1", "x2"]},
        {
            "size": 3,
            "activation": "tanh",
            "weights": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]],
            "biases": [0.0, 0.1, -0.1],
        },
        {"size": 1, "activation": "sigmoid", "weights": [[0.2, -0.3, 0.4]], "biases": [0.05]},
    ],
    "loss": "sse",
    "training": {
        "learning_rate": 0.5,
        "momentum": 0.0,
        "batch_size": None,
        "shuffle": False,
        "seed": 0,
        "init": "xavier",
    },
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
}
ONE_ROW = {"inputs": [[0.5]], "targets": [[1.0]]}


def deep_layers(count: int) -> list[dict[str, Any]]:
    """`count` layers of one neuron, input and output included."""
    return [{"size": 1}] + [{"size": 1, "activation": "tanh"}] * (count - 1)


GENERATED = {"generator": "circle", "samples": 50, "noise": 0.1, "seed": 3}
MARK = "__REPLACED__"  # a string written into the JSON, then replaced by raw text


@dataclass(frozen=True)
class Case:
    """A bad document: `content` makes its bytes at a path; `place` and `problem` must both be
    in the message (`place` '' for the file as a whole)."""

    id: str
    content: Callable[[Path], None]
    place: str
    problem: str


def edited(edit: Callable[[dict], Any], raw: str | None = None) -> Callable[[Path], None]:
    """Writes BASE after `edit(doc)`; with `raw`, the string MARK in it becomes that text."""

    def write(path: Path) -> None:
        doc = copy.deepcopy(BASE)
        edit(doc)
        text = json.dumps(doc, indent=1)  # NaN and infinities as Python writes them
        path.write_text(text.replace(f'"{MARK}"', raw) if raw else text, encoding="utf-8")

    return write


def data_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def setter(where: str, key: str | int, value: Any) -> Callable[[dict], None]:
    """An edit setting doc[...][key] = value, the container named by a path like `layers.2`."""

    def edit(doc: dict) -> None:
        node: Any = doc
        for part in where.split(".") if where else []:
            node = node[int(part)] if part.isdigit() else node[part]
        node[key] = value

    return edit


def deleter(where: str, key: str) -> Callable[[dict], None]:
    def edit(doc: dict) -> None:
        node: Any = doc
        for part in where.split(".") if where else []:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[key]

    return edit


def both(*edits: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(doc: dict) -> None:
        for e in edits:
            e(doc)

    return edit


def sparse_file(size: int) -> Callable[[Path], None]:
    """A file of `size` bytes that takes no disk space (the size is checked before reading)."""

    def write(path: Path) -> None:
        with open(path, "wb") as f:
            f.truncate(size)

    return write


W2 = "layers.2.weights"
TOO_MANY_SAMPLES = {"inputs": [[0.0, 0.0]] * 100_001, "targets": [[0.0]] * 100_001}
# 1024 * 1024 + 1024 + 1024 + 1 = 1,050,625 parameters, weights to be drawn
HUGE_LAYERS = [
    {"size": 1024},
    {"size": 1024, "activation": "tanh"},
    {"size": 1, "activation": "sigmoid"},
]
HUGE_DATA = {"inputs": [[0.0] * 1024], "targets": [[1.0]]}

# One row per rule: (id, file content, place, problem). A table reads best one row per line.
# fmt: off
CASES = [
    # the file as a whole
    Case("not-json", data_bytes(b'{"format": "bpstudio.network", "version": 1,'), "",
         "is not valid JSON"),
    Case("empty-file", data_bytes(b""), "", "is not valid JSON"),
    Case("random-bytes", data_bytes(random.Random(7).randbytes(400)), "", "is not UTF-8"),
    Case("invalid-utf8", data_bytes(b'{"format": "bpstudio.network", "name": "caf\xe9"}'), "",
         "is not UTF-8 text (byte 0xe9"),
    Case("top-level-list", data_bytes(b"[1, 2, 3]"), "", "must be a JSON object"),
    Case("top-level-string", data_bytes(b'"bpstudio.network"'), "", "must be a JSON object"),
    # format and version
    Case("format-missing", edited(deleter("", "format")), "format", "is missing"),
    Case("format-wrong", edited(setter("", "format", "bpstudio.net")), "format",
         '"bpstudio.network"'),
    Case("version-missing", edited(deleter("", "version")), "version", "is missing"),
    Case("version-3", edited(setter("", "version", 3)), "version", "written by a newer bpstudio"),
    Case("version-string", edited(setter("", "version", "1")), "version", "must be an integer"),
    Case("version-0", edited(setter("", "version", 0)), "version", "must be 1 to 2, not 0"),
    Case("name-not-string", edited(setter("", "name", 5)), "name", "must be a string"),
    # layers
    Case("layers-missing", edited(deleter("", "layers")), "layers", "is missing"),
    Case("one-layer", edited(lambda d: d.update(layers=d["layers"][:1])), "layers",
         "at least 2 layers"),
    Case("size-missing", edited(deleter("layers.1", "size")), "layers[1].size", "is missing"),
    Case("size-0", edited(setter("layers.1", "size", 0)), "layers[1].size", "not 0"),
    Case("size-1025", edited(setter("layers.1", "size", 1025)), "layers[1].size", "not 1025"),
    Case("size-1.5", edited(setter("layers.1", "size", 1.5)), "layers[1].size",
         "must be an integer, not 1.5"),
    Case("size-true", edited(setter("layers.0", "size", True)), "layers[0].size",
         "must be an integer, not true"),
    Case("activation-unknown", edited(setter("layers.1", "activation", "swish")),
         "layers[1].activation", '"swish"'),
    Case("activation-missing", edited(deleter("layers.2", "activation")),
         "layers[2].activation", "is missing"),
    Case("softmax-not-last", edited(setter("layers.1", "activation", "softmax")),
         "layers[1].activation", "only the last layer"),
    Case("input-activation", edited(setter("layers.0", "activation", "tanh")), "layers[0]",
         '"activation"'),
    Case("input-weights", edited(setter("layers.0", "weights", [[1.0, 1.0]])), "layers[0]",
         '"weights"'),
    Case("weights-rows", edited(setter("layers.2", "weights", [[0.2, -0.3, 0.4]] * 2)),
         "layers[2].weights", "has 2 rows, expected 1"),
    Case("weights-cols", edited(setter("layers.2", "weights", [[0.2, -0.3]])),
         "layers[2].weights[0]", "has 2 columns, expected 3"),
    Case("weights-not-list", edited(setter("layers.2", "weights", 0.2)), "layers[2].weights",
         "must be a list"),
    Case("weights-string", edited(setter(f"{W2}.0", 1, "0.3")), "layers[2].weights[0][1]",
         'must be a number, not "0.3"'),
    Case("weights-null", edited(setter(f"{W2}.0", 2, None)), "layers[2].weights[0][2]",
         "must be a number, not null"),
    Case("weights-nan", edited(setter(f"{W2}.0", 0, float("nan"))), "layers[2].weights[0][0]",
         "NaN"),
    Case("weights-infinity", edited(setter(f"{W2}.0", 1, float("inf"))),
         "layers[2].weights[0][1]", "Infinity"),
    Case("weights-minus-infinity", edited(setter("layers.1.weights.2", 0, float("-inf"))),
         "layers[1].weights[2][0]", "-Infinity"),
    Case("weights-1e400", edited(setter(f"{W2}.0", 2, MARK), raw="1e400"),
         "layers[2].weights[0][2]", "finite number"),
    Case("biases-length", edited(setter("layers.1", "biases", [0.0, 0.0])), "layers[1].biases",
         "has 2 numbers, expected 3"),
    Case("biases-nan", edited(setter("layers.1.biases", 1, float("nan"))),
         "layers[1].biases[1]", "NaN"),
    Case("train-biases-not-bool", edited(setter("layers.1", "train_biases", "no")),
         "layers[1].train_biases", "must be true or false"),
    Case("labels-count", edited(setter("layers.0", "labels", ["x1"])), "layers[0].labels",
         "has 1 labels, expected 2"),
    Case("labels-not-strings", edited(setter("layers.2", "labels", [7])), "layers[2].labels[0]",
         "must be a string"),
    Case("layer-unknown-key", edited(setter("layers.2", "wieghts", [[0.0, 0.0, 0.0]])),
         "layers[2]", '"wieghts"'),
    Case("layer-not-object", edited(setter("layers", 1, [3, "tanh"])), "layers[1]",
         "must be an object"),
    Case("too-many-parameters", edited(lambda d: d.update(layers=HUGE_LAYERS, data=HUGE_DATA)),
         "layers", "1,000,000"),
    Case("too-many-layers", edited(lambda d: d.update(layers=deep_layers(101), data=ONE_ROW)),
         "layers", "hold 101 layers; at most 100 are allowed"),
    Case("half-a-million-layers",
         edited(lambda d: d.update(layers=deep_layers(499_998), data=ONE_ROW)),
         "layers", "hold 499,998 layers; at most 100"),
    # loss
    Case("loss-missing", edited(deleter("", "loss")), "loss", "is missing"),
    Case("loss-unknown", edited(setter("", "loss", "hinge")), "loss", '"hinge"'),
    Case("cross-entropy-without-softmax", edited(setter("", "loss", "cross_entropy")), "loss",
         "softmax"),
    Case("bce-target-outside-0-1",
         edited(both(setter("", "loss", "bce"), setter("data.targets", 1, [2.0]))),
         "data.targets[1][0]", "between 0 and 1"),
    # training
    Case("training-missing", edited(deleter("", "training")), "training", "is missing"),
    Case("training-unknown-key", edited(setter("training", "learningrate", 0.1)), "training",
         '"learningrate"'),
    Case("learning-rate-missing", edited(deleter("training", "learning_rate")),
         "training.learning_rate", "is missing"),
    Case("learning-rate-0", edited(setter("training", "learning_rate", 0)),
         "training.learning_rate", "greater than 0"),
    Case("learning-rate-negative", edited(setter("training", "learning_rate", -0.1)),
         "training.learning_rate", "greater than 0"),
    Case("learning-rate-string", edited(setter("training", "learning_rate", "0.1")),
         "training.learning_rate", "must be a number"),
    Case("learning-rate-infinity", edited(setter("training", "learning_rate", float("inf"))),
         "training.learning_rate", "Infinity"),
    Case("momentum-1", edited(setter("training", "momentum", 1)), "training.momentum",
         "[0, 1)"),
    Case("momentum-negative", edited(setter("training", "momentum", -0.1)),
         "training.momentum", "[0, 1)"),
    Case("batch-size-0", edited(setter("training", "batch_size", 0)), "training.batch_size",
         "at least 1"),
    Case("batch-size-1.5", edited(setter("training", "batch_size", 1.5)),
         "training.batch_size", "must be an integer"),
    Case("shuffle-yes", edited(setter("training", "shuffle", "yes")), "training.shuffle",
         "must be true or false"),
    Case("seed-1.5", edited(setter("training", "seed", 1.5)), "training.seed",
         "must be an integer"),
    Case("init-unknown", edited(setter("training", "init", "glorot")), "training.init",
         '"glorot"'),
    # data
    Case("data-missing", edited(deleter("", "data")), "data", "is missing"),
    Case("data-empty", edited(setter("", "data", {})), "data", '"generator"'),
    Case("data-unknown-key", edited(setter("data", "weights", [1])), "data", '"weights"'),
    Case("targets-missing", edited(deleter("data", "targets")), "data.targets", "is missing"),
    Case("rows-mismatch", edited(lambda d: d["data"]["targets"].pop()), "data.targets",
         "has 3 rows, expected 4"),
    Case("inputs-width", edited(setter("data.inputs", 1, [0])), "data.inputs[1]",
         "has 1 numbers, expected 2"),
    Case("targets-width", edited(setter("data.targets", 2, [1, 0])), "data.targets[2]",
         "has 2 numbers, expected 1"),
    Case("inputs-nan", edited(setter("data.inputs.3", 0, float("nan"))), "data.inputs[3][0]",
         "NaN"),
    Case("no-samples", edited(setter("", "data", {"inputs": [], "targets": []})), "data.inputs",
         "has 0 rows"),
    Case("too-many-samples", edited(setter("", "data", TOO_MANY_SAMPLES)), "data.inputs",
         "has 100,001 rows"),
    Case("data-mixed", edited(setter("data", "generator", "xor")), "data", '"generator"'),
    Case("generator-unknown", edited(setter("", "data", {**GENERATED, "generator": "moons"})),
         "data.generator", '"moons"'),
    Case("generator-samples-0", edited(setter("", "data", {**GENERATED, "samples": 0})),
         "data.samples", "not 0"),
    Case("generator-samples-100001",
         edited(setter("", "data", {**GENERATED, "samples": 100_001})), "data.samples",
         "not 100001"),
    Case("generator-samples-missing",
         edited(setter("", "data", {"generator": "xor", "noise": 0.0})), "data.samples",
         "is missing"),
    Case("generator-noise-negative", edited(setter("", "data", {**GENERATED, "noise": -0.1})),
         "data.noise", "at least 0"),
    Case("generator-seed-1.5", edited(setter("", "data", {**GENERATED, "seed": 1.5})),
         "data.seed", "must be an integer"),
    Case("generator-3-inputs",
         edited(lambda d: d.update(layers=[{"size": 3}, {"size": 1, "activation": "sigmoid"}],
                                   data=GENERATED)),
         "data.generator", "2 inputs"),
    Case("generator-2-outputs",
         edited(lambda d: d.update(layers=[{"size": 2}, {"size": 2, "activation": "sigmoid"}],
                                   data=GENERATED)),
         "data.generator", "2 outputs"),
    # history, written by training
    Case("history-length", edited(setter("", "history", {"epoch": [0, 1], "loss": [0.5]})),
         "history.loss", "has 1 entries, expected 2"),
    # the file itself
    Case("larger-than-50-mb", sparse_file(50_000_001), "", "50 MB"),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_document_is_one_error_line_and_writes_nothing(tmp_path, run_main, case):
    """An invalid document: exit 2, one `bpstudio: error:` line naming file, place, problem;
    no --out, no --history, no temporary file."""
    _train_refuses_bad_document(tmp_path, run_main, case)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["not-json", "weights-nan", "larger-than-50-mb"])
def test_the_command_refuses_a_bad_document_as_main_does(tmp_path, run_cli, name):
    """The real command, in a process of its own, answers a bad document as `main()` does."""
    _train_refuses_bad_document(tmp_path, run_cli, next(c for c in CASES if c.id == name))


def _train_refuses_bad_document(tmp_path, run, case) -> None:
    path = tmp_path / "bad.bpnet"
    case.content(path)
    result = run(
        "train",
        path,
        "--epochs",
        1,
        "--out",
        tmp_path / "out.bpnet",
        "--history",
        tmp_path / "out.csv",
    )
    _assert_refused(result, f"{path}: {case.place} " if case.place else f"{path}: ", case.problem)
    assert sorted(os.listdir(tmp_path)) == ["bad.bpnet"]


def _assert_refused(result, where: str, problem: str) -> str:
    """Exit status 2, nothing on stdout, and one error line holding `where` and `problem`."""
    assert result.code == 2, result
    assert result.stdout == ""
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    line = result.stderr.rstrip("\n")
    assert line.startswith("bpstudio: error: "), line
    assert where in line, line
    assert problem in line.split(where, 1)[1], line
    return line


@pytest.mark.slow
def test_missing_file_is_named(tmp_path, run_cli):
    """A file that does not exist: exit 2, one line naming it, nothing written."""
    path = tmp_path / "absent.bpnet"
    result = run_cli(
        "train",
        path,
        "--epochs",
        1,
        "--out",
        tmp_path / "out.bpnet",
        "--history",
        tmp_path / "out.csv",
    )
    _assert_refused(result, f"{path}: ", "No such file")
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_folder_instead_of_a_file_is_named(tmp_path, run_cli):
    """A folder given as the document: exit 2, one line naming it, nothing written."""
    folder = tmp_path / "net.bpnet"
    folder.mkdir()
    result = run_cli(
        "train",
        folder,
        "--epochs",
        1,
        "--out",
        tmp_path / "out.bpnet",
        "--history",
        tmp_path / "out.csv",
    )
    _assert_refused(result, f"{folder}: ", "cannot read")
    assert os.listdir(tmp_path) == ["net.bpnet"]


# (id, arguments after `train FILE`, text the message must hold); OUT and CSV are placeholders
BAD_ARGUMENTS = [
    ("epochs-missing", ["--out", "OUT", "--history", "CSV"], "--epochs"),
    ("epochs-not-a-number", ["--epochs", "ten", "--out", "OUT"], "--epochs"),
    ("epochs-float", ["--epochs", "1.5", "--out", "OUT"], "--epochs"),
    ("epochs-negative", ["--epochs", "-1", "--out", "OUT", "--history", "CSV"], "--epochs"),
    (
        "unknown-option",
        ["--epochs", "1", "--out", "OUT", "--learning-rate", "0.1"],
        "--learning-rate",
    ),
    (
        "out-into-missing-folder",
        ["--epochs", "1", "--out", "missing/out.bpnet", "--history", "CSV"],
        "--out",
    ),
    (
        "history-into-missing-folder",
        ["--epochs", "1", "--out", "OUT", "--history", "missing/h.csv"],
        "--history",
    ),
]


@pytest.fixture(scope="module")
def good_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.bpnet"
    path.write_text(json.dumps(BASE), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args, option", [case[1:] for case in BAD_ARGUMENTS], ids=[case[0] for case in BAD_ARGUMENTS]
)
def test_bad_arguments_are_one_error_line_and_write_nothing(
    tmp_path, run_main, good_file, args, option
):
    """Bad command-line arguments: exit 2, one `bpstudio: error:` line naming the option, and
    no output file, even for the arguments that were fine."""
    places = {"OUT": str(tmp_path / "out.bpnet"), "CSV": str(tmp_path / "out.csv")}
    args = [places.get(a, str(tmp_path / a) if a.startswith("missing/") else a) for a in args]
    before = good_file.read_bytes()
    result = run_main("train", good_file, *args)
    _assert_refused(result, "bpstudio: error: ", option)
    assert os.listdir(tmp_path) == []
    assert good_file.read_bytes() == before
    assert os.listdir(good_file.parent) == ["good.bpnet"]


TRACEBACK_CASES = [
    "not-json",
    "invalid-utf8",
    "version-3",
    "weights-nan",
    "layer-unknown-key",
    "generator-3-inputs",
    "too-many-parameters",
    "too-many-layers",
    "larger-than-50-mb",
]


@pytest.mark.parametrize("command", ["trace", "steps"])
@pytest.mark.parametrize("name", TRACEBACK_CASES)
def test_trace_and_steps_refuse_bad_documents_without_a_traceback(
    tmp_path, run_main, command, name
):
    """trace and steps answer a bad document like train: exit 2, one line, no traceback."""
    case = next(c for c in CASES if c.id == name)
    path = tmp_path / "bad.bpnet"
    case.content(path)
    result = run_main(command, path)
    _assert_refused(result, f"{path}: {case.place} " if case.place else f"{path}: ", case.problem)


@pytest.mark.parametrize(
    "args, option",
    [
        (["trace"], "file"),
        (["steps", "FILE", "--format", "docx"], "--format"),
        (["steps", "FILE", "--sample", "first"], "--sample"),
        (["trace", "FILE", "--epochs", "3"], "--epochs"),
        (["train", "FILE", "--epochs", "2", "--out", "TMP"], "--out"),
    ],
    ids=[
        "trace-without-file",
        "steps-bad-format",
        "steps-bad-sample",
        "trace-unknown-option",
        "train-out-is-a-folder",
    ],
)
def test_other_bad_arguments_are_one_line_without_traceback(
    tmp_path, run_main, good_file, args, option
):
    """Bad arguments to any command: exit 2 and one `bpstudio: error:` line naming the option."""
    args = [{"FILE": str(good_file), "TMP": str(tmp_path)}.get(a, a) for a in args]
    result = run_main(*args)
    _assert_refused(result, "bpstudio: error: ", option)
    assert os.listdir(tmp_path) == []
