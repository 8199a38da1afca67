"""`bpstudio train FILE --epochs N` (spec section 4): the last line, `--out` and `--history`
agree, the input is never changed, resumed training continues the epochs, shuffled runs are
reproducible, and divergence stops with exit status 3. Headless: no Qt.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from bpstudio.document.format import load

EPOCHS = 40


def _final_loss(stdout: str) -> float:
    last = stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("final loss: "), stdout
    return float(last.removeprefix("final loss: "))


def _csv(path: Path, columns: str = "epoch,loss") -> tuple[list[int], list[float]]:
    """The epochs and losses of a history CSV whose header is `columns`."""
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    assert header == columns
    epochs, losses = zip(*(row.split(",")[:2] for row in rows), strict=True)
    return [int(e) for e in epochs], [float(v) for v in losses]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, run_cli, examples):
    """xor.bpnet (copied) trained for EPOCHS with --out and --history, then OUT trained on."""
    folder = tmp_path_factory.mktemp("train")
    source = shutil.copy(examples / "xor.bpnet", folder / "xor.bpnet")
    before = Path(source).read_bytes()
    first = run_cli(
        "train",
        source,
        "--epochs",
        EPOCHS,
        "--out",
        folder / "out.bpnet",
        "--history",
        folder / "out.csv",
    )
    more = run_cli(
        "train",
        folder / "out.bpnet",
        "--epochs",
        7,
        "--out",
        folder / "more.bpnet",
        "--history",
        folder / "more.csv",
    )
    return {
        "folder": folder,
        "source": Path(source),
        "before": before,
        "first": first,
        "more": more,
    }


def test_train_prints_the_final_loss_of_the_written_history(trained):
    """The last line is `final loss: X`, X being the --out document's last history loss."""
    first, folder = trained["first"], trained["folder"]
    assert (first.code, first.stderr) == (0, "")
    out = json.loads((folder / "out.bpnet").read_text(encoding="utf-8"))
    assert _final_loss(first.stdout) == out["history"]["loss"][-1]
    assert out["history"]["epoch"] == list(range(EPOCHS + 1))
    assert out["history"]["loss"][-1] < out["history"]["loss"][0]


def test_history_csv_has_one_row_per_epoch_equal_to_out(trained):
    """--history writes `epoch,loss` and rows for epochs 0..N, the exact losses of --out."""
    folder = trained["folder"]
    epochs, losses = _csv(folder / "out.csv")
    assert epochs == list(range(EPOCHS + 1))
    history = load(folder / "out.bpnet").history
    assert history is not None
    assert (epochs, losses) == (history.epoch, history.loss)


def test_out_is_a_valid_document_and_the_input_is_unchanged(trained):
    """The input file keeps its bytes; --out loads, holds trained weights, keeps everything else."""
    folder, source = trained["folder"], trained["source"]
    assert source.read_bytes() == trained["before"]
    original, out = load(source), load(folder / "out.bpnet")
    assert original.history is None
    assert (out.name, out.description, out.loss) == (
        original.name,
        original.description,
        original.loss,
    )
    assert (out.sizes, out.training, out.data) == (original.sizes, original.training, original.data)
    assert all(layer.weights is not None for layer in out.layers[1:])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["xor.bpnet", "out.bpnet", "out.csv", "more.bpnet", "more.csv"]
    )


def test_training_a_trained_file_continues_the_epochs(trained):
    """Training OUT again appends epochs N+1.. to its history, keeping the earlier entries."""
    more, folder = trained["more"], trained["folder"]
    assert (more.code, more.stderr) == (0, "")
    first = load(folder / "out.bpnet").history
    again = load(folder / "more.bpnet").history
    assert first is not None and again is not None
    assert again.epoch == list(range(EPOCHS + 8))
    assert again.loss[: EPOCHS + 1] == first.loss
    assert _csv(folder / "more.csv") == (again.epoch, again.loss)
    assert _final_loss(more.stdout) == again.loss[-1]


def test_resumed_shuffled_training_equals_one_longer_run(tmp_path, run_cli, examples):
    """Without momentum, 3 + 2 shuffled mini-batch epochs equal 5 at once: epochs resume at 4."""
    doc = json.loads((examples / "circle.bpnet").read_text(encoding="utf-8"))
    doc["training"]["momentum"] = 0.0  # velocity is not saved, so only then can they agree
    doc["data"]["samples"] = 60
    source = tmp_path / "circle.bpnet"
    source.write_text(json.dumps(doc), encoding="utf-8")
    runs = [
        ("train", source, "--epochs", 5, "--out", tmp_path / "whole.bpnet"),
        ("train", source, "--epochs", 3, "--out", tmp_path / "part.bpnet"),
        ("train", tmp_path / "part.bpnet", "--epochs", 2, "--out", tmp_path / "rest.bpnet"),
    ]
    results = [run_cli(*args) for args in runs]
    assert [r.code for r in results] == [0, 0, 0]
    whole, rest = load(tmp_path / "whole.bpnet"), load(tmp_path / "rest.bpnet")
    assert rest.history == whole.history
    assert [layer.weights.tolist() for layer in rest.layers[1:]] == [
        layer.weights.tolist() for layer in whole.layers[1:]
    ]
    assert results[0].stdout == results[2].stdout


def test_shuffled_mini_batch_training_is_deterministic(tmp_path, run_cli, examples):
    """Two runs with mini-batches, shuffle and momentum print and write identical bytes."""
    outputs = []
    for run in ("a", "b"):
        result = run_cli(
            "train",
            examples / "circle.bpnet",
            "--epochs",
            15,
            "--out",
            tmp_path / f"{run}.bpnet",
            "--history",
            tmp_path / f"{run}.csv",
        )
        assert (result.code, result.stderr) == (0, "")
        outputs.append(
            (
                result.stdout,
                (tmp_path / f"{run}.bpnet").read_bytes(),
                (tmp_path / f"{run}.csv").read_bytes(),
            )
        )
    assert outputs[0] == outputs[1]


def _divergence_epoch(w: float, b: float, x: float, y: float, rate: float) -> int:
    """The first epoch after which plain gradient descent on L = (w x + b - y)^2 / 2 has a
    loss or parameter that is not finite, by hand."""
    for epoch in range(1, 10_000):
        error = w * x + b - y
        w, b = w - rate * error * x, b - rate * error
        error = w * x + b - y
        loss = 0.5 * (error * error)
        if not all(map(math.isfinite, (loss, w, b))):
            return epoch
    raise AssertionError("does not diverge")


def test_divergence_exits_3_naming_the_epoch_and_keeps_the_last_finite_state(tmp_path, run_cli):
    """A too large learning rate stops at the diverging epoch: exit 3, one message naming it,
    and --out / --history hold the epochs before it, all finite."""
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "layers": [
            {"size": 1},
            {"size": 1, "activation": "linear", "weights": [[0.5]], "biases": [0.0]},
        ],
        "loss": "sse",
        "training": {"learning_rate": 5},
        "data": {"inputs": [[10]], "targets": [[1]]},
    }
    source = tmp_path / "linear.bpnet"
    source.write_text(json.dumps(doc), encoding="utf-8")
    expected = _divergence_epoch(0.5, 0.0, 10.0, 1.0, 5.0)
    result = run_cli(
        "train",
        source,
        "--epochs",
        1000,
        "--out",
        tmp_path / "out.bpnet",
        "--history",
        tmp_path / "out.csv",
    )
    assert result.code == 3
    [line] = result.stderr.splitlines()
    assert f"training diverged at epoch {expected}" in line
    assert "final loss" not in result.stdout
    out = load(tmp_path / "out.bpnet")
    assert out.history is not None and out.history.epoch == list(range(expected))
    assert all(map(math.isfinite, out.history.loss))
    assert math.isfinite(out.layers[1].weights[0, 0]) and math.isfinite(out.layers[1].biases[0])
    assert _csv(tmp_path / "out.csv") == (out.history.epoch, out.history.loss)


def test_unknown_top_level_keys_survive_training(tmp_path, run_cli, examples):
    """A key a newer bpstudio wrote at the top level is not an error and is kept in --out."""
    doc = json.loads((examples / "seed-1-one-neuron.bpnet").read_text(encoding="utf-8"))
    doc["x_lesson"] = {"chapter": 3, "notes": ["keep", None, 1.5]}
    doc["zz_flag"] = True
    source = tmp_path / "extra.bpnet"
    source.write_text(json.dumps(doc), encoding="utf-8")
    result = run_cli("train", source, "--epochs", 2, "--out", tmp_path / "out.bpnet")
    assert (result.code, result.stderr) == (0, "")
    out = json.loads((tmp_path / "out.bpnet").read_text(encoding="utf-8"))
    assert out["x_lesson"] == doc["x_lesson"]
    assert out["zz_flag"] is True


def test_infinite_loss_before_training_is_divergence_at_epoch_0(tmp_path, run_cli):
    """An output that overflows has L = inf before any step: exit 3 naming epoch 0 on one line,
    and no --out or --history (a history holding inf is not a valid document)."""
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "layers": [
            {"size": 1},
            {"size": 1, "activation": "linear", "weights": [[1e200]], "biases": [0.0]},
        ],
        "loss": "sse",
        "training": {"learning_rate": 0.1},
        "data": {"inputs": [[1e200]], "targets": [[0.0]]},  # z = 1e400 is inf in float64
    }
    source = tmp_path / "overflow.bpnet"
    source.write_text(json.dumps(doc), encoding="utf-8")
    result = run_cli(
        "train",
        source,
        "--epochs",
        5,
        "--out",
        tmp_path / "out.bpnet",
        "--history",
        tmp_path / "out.csv",
    )
    assert result.code == 3
    [line] = result.stderr.splitlines()
    assert "training diverged at epoch 0" in line and str(source) in line
    assert result.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["overflow.bpnet"]


# Each bundled example, epochs to train, and the fraction of its initial loss it must reach.
EXAMPLES_LEARN = [
    ("seed-1-one-neuron", 100, 0.8),
    ("seed-2-two-neurons", 100, 0.8),
    ("seed-3-hidden-layer", 100, 0.8),
    ("xor", 400, 0.1),
    ("circle", 30, 0.2),
    ("spiral", 1500, 0.2),
    ("gauss", 50, 0.2),
    ("three-classes", 50, 0.1),
    ("digits", 3, 0.1),
    ("learning-rate", 50, 1e-6),
    # the lesson on vanishing gradients: its sigmoid network is meant to stall near ln 2
    ("vanishing-sigmoid", 300, 0.95),
    ("vanishing-tanh", 300, 0.01),
]


def test_every_bundled_example_is_listed_here(examples):
    """A new example in resources/examples must be added to EXAMPLES_LEARN."""
    assert sorted(p.stem for p in examples.glob("*.bpnet")) == sorted(e[0] for e in EXAMPLES_LEARN)


@pytest.mark.parametrize("name, epochs, fraction", EXAMPLES_LEARN)
def test_bundled_example_learns(tmp_path, run_cli, examples, name, epochs, fraction):
    """Each bundled example trains without diverging and lowers its loss visibly."""
    result = run_cli(
        "train", examples / f"{name}.bpnet", "--epochs", epochs, "--history", tmp_path / "h.csv"
    )
    assert (result.code, result.stderr) == (0, "")
    scores = ",test_loss,accuracy,test_accuracy" if name == "digits" else ""  # version 2
    epoch, loss = _csv(tmp_path / "h.csv", "epoch,loss" + scores)
    assert epoch == list(range(epochs + 1))
    assert _final_loss(result.stdout) == loss[-1] < fraction * loss[0]


@pytest.mark.parametrize("command", ["trace", "steps"])
def test_a_first_step_that_overflows_exits_3_without_printing_infinity(tmp_path, run_cli, command):
    """trace and steps never print NaN/Infinity as JSON: a step whose loss overflows is a
    divergence at epoch 1, exit 3, one line, nothing on stdout."""
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "layers": [{"size": 1}, {"size": 1, "activation": "linear", "weights": [[1e200]]}],
        "loss": "sse",
        "training": {"learning_rate": 0.1},
        "data": {"inputs": [[1e200]], "targets": [[0.0]]},
    }
    source = tmp_path / "overflow.bpnet"
    source.write_text(json.dumps(doc), encoding="utf-8")
    result = run_cli(command, source, *(["--format", "json"] if command == "steps" else []))
    assert result.code == 3
    [line] = result.stderr.splitlines()
    assert "training diverged at epoch 1: loss is inf" in line and str(source) in line
    assert result.stdout == ""


@pytest.mark.parametrize("option", ["--out", "--history"])
def test_train_refuses_to_write_over_its_input(tmp_path, run_cli, examples, option):
    """The input file is never changed: naming it as an output is bad input (exit 2)."""
    source = tmp_path / "xor.bpnet"
    source.write_bytes((examples / "xor.bpnet").read_bytes())
    before = source.read_bytes()
    result = run_cli("train", source, "--epochs", 1, option, source)
    assert result.code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("bpstudio: error: ") and "is the input file" in line
    assert source.read_bytes() == before
