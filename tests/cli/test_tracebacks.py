"""Documents that used to end in a Python traceback: a forward pass that overflows while the
loss stays finite (JSON null, spec sections 3 and 6), history epochs out of order or out of
range, and generator noise that makes non-finite data. Headless: no Qt."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bpstudio.document.format import DocumentError, loads
from bpstudio.document.validate import MAX_EPOCH

# z = 1e308 * 2 + 1e308 overflows to inf; tanh(inf) = 1 and the loss stays finite.
OVERFLOW = {
    "format": "bpstudio.network",
    "version": 1,
    "layers": [
        {"size": 1},
        {"size": 1, "activation": "tanh", "weights": [[1e308]], "biases": [1e308]},
        {"size": 1, "activation": "linear", "weights": [[0.5]], "biases": [0.0]},
    ],
    "loss": "sse",
    "training": {"learning_rate": 0.1},
    "data": {"inputs": [[2.0]], "targets": [[0.0]]},
}
XOR_DATA = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
SMALL = {
    "format": "bpstudio.network",
    "version": 1,
    "layers": [{"size": 2}, {"size": 1, "activation": "sigmoid"}],
    "loss": "sse",
    "training": {"learning_rate": 0.5},
    "data": XOR_DATA,
}


def _write(tmp_path, obj, name="doc.bpnet"):
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_trace_writes_an_overflowed_forward_value_as_null(tmp_path, run_cli):
    """Hand calculation: z = inf (null), a = tanh(inf) = 1, output 0.5, L = 0.5 * 0.25."""
    result = run_cli("trace", _write(tmp_path, OVERFLOW))
    assert result.code == 0, result
    out = result.json
    assert out["loss"] == 0.125
    assert out["layers"][0]["z"] == [[None]] and out["layers"][0]["a"] == [[1.0]]
    assert out["layers"][1]["z"] == [[0.5]]
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout


def test_steps_json_writes_an_overflowed_value_as_null(tmp_path, run_cli):
    result = run_cli("steps", _write(tmp_path, OVERFLOW), "--format", "json")
    assert result.code == 0, result
    steps = result.json
    z = next(s for s in steps if s["kind"] == "z" and s["layer"] == 1)
    a = next(s for s in steps if s["kind"] == "a" and s["layer"] == 1)
    assert z["value"] is None and a["value"] == 1.0
    assert next(s for s in steps if s["kind"] == "loss")["value"] == 0.125


@pytest.mark.parametrize(
    "epochs, place, problem",
    [
        ([0, 2**63], "history.epoch[1]", "epochs go up to 1,000,000,000"),
        ([0, 2**64 + 5, 3], "history.epoch[1]", "epochs go up to"),
        ([0, MAX_EPOCH + 1], "history.epoch[1]", "epochs go up to"),
        ([0, 2, 2], "history.epoch[2]", "strictly increasing"),
        ([0, 5, 3], "history.epoch[2]", "is 3, not after the epoch before it (5)"),
        ([0, -1], "history.epoch[1]", "at least 0"),
        ([0, 1.5], "history.epoch[1]", "integer"),
    ],
)
def test_history_epochs_must_rise_strictly_within_range(tmp_path, run_cli, epochs, place, problem):
    """train --history with an epoch of 2**63 crashed with OverflowError after --out was
    written; now the document is refused before anything happens."""
    doc = {**SMALL, "history": {"epoch": epochs, "loss": [0.25] * len(epochs)}}
    path = _write(tmp_path, doc)
    out = tmp_path / "out.bpnet"
    result = run_cli("train", path, "--epochs", 1, "--out", out, "--history", tmp_path / "h.csv")
    assert result.code == 2, result
    [line] = result.stderr.splitlines()
    assert f"{path}: {place} " in line and problem in line, line
    assert not out.exists() and not (tmp_path / "h.csv").exists()


def test_history_epochs_at_the_limit_load():
    doc = loads(json.dumps({**SMALL, "history": {"epoch": [0, MAX_EPOCH], "loss": [1.0, 0.5]}}))
    assert doc.next_epoch() == MAX_EPOCH + 1


def test_training_past_the_last_epoch_is_refused(tmp_path, run_cli):
    doc = {**SMALL, "history": {"epoch": [MAX_EPOCH - 1], "loss": [0.25]}}
    result = run_cli("train", _write(tmp_path, doc), "--epochs", 2)
    assert result.code == 2 and "--epochs 2: " in result.stderr and "1,000,000,000" in result.stderr


@pytest.mark.parametrize("command", [["trace"], ["steps"], ["train", "--epochs", "1"]])
def test_noise_that_overflows_the_data_is_refused_naming_the_setting(tmp_path, run_cli, command):
    doc = {**SMALL, "data": {"generator": "circle", "samples": 200, "noise": 1e308, "seed": 1}}
    path = _write(tmp_path, doc)
    result = run_cli(command[0], path, *command[1:])
    assert result.code == 2, result
    [line] = result.stderr.splitlines()
    assert f"{path}: data.noise is 1e+308: " in line and "overflow" in line, line
    assert "RuntimeWarning" not in result.stderr


def test_large_but_harmless_noise_is_kept():
    """Noise of 1e300 still gives finite points (|N(0,1)| stays far below 1e8)."""
    doc = loads(json.dumps({**SMALL, "data": {"generator": "xor", "samples": 50, "noise": 1e300}}))
    x, _ = doc.dataset()
    assert np.isfinite(x).all() and math.isclose(doc.data.noise, 1e300)


def test_the_window_refuses_the_same_noise_edit():
    from bpstudio.document.edits import rules
    from bpstudio.document.edits.rules import EditError
    from bpstudio.document.model import DataSpec

    doc = loads(json.dumps(SMALL))
    with pytest.raises(EditError, match="data.noise is 1e\\+308"):
        rules.data_set(doc.layers, doc.loss, DataSpec(generator="gauss", samples=10, noise=1e308))
    with pytest.raises(DocumentError):
        loads(json.dumps({**SMALL, "data": {"generator": "gauss", "samples": 9, "noise": 1e308}}))


def test_steps_refuses_a_huge_worked_solution_in_one_line_with_its_step_count(tmp_path, run_cli):
    """The issue's 2-1000-990-1 network with one sample ran past 60 s and 3 GB. By hand: 1,991
    neurons and 992,990 weights give 2 * 1,991 forward steps, 1 loss, 1,991 deltas + 992,990
    weight + 1,991 bias gradients, then 992,990 + 1,991 updates: 1,995,936 steps."""
    doc = {
        **SMALL,
        "layers": [
            {"size": 2},
            {"size": 1000, "activation": "tanh"},
            {"size": 990, "activation": "tanh"},
            {"size": 1, "activation": "sigmoid"},
        ],
        "data": {"generator": "circle", "samples": 1},
    }
    path = _write(tmp_path, doc)
    result = run_cli("steps", path)
    assert result.code == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert f"{path}: the worked solution would have 1,995,936 steps" in line
    assert "at most 100,000" in line
