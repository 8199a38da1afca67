"""Batches computed in chunks of samples (engine/batch.py): the same gradients, values and
loss as the whole batch at once (to rounding), checked against finite differences; bit for
bit the same as the training kernel and, through the commands, between `trace`, `steps`
and `train`; and memory that follows one chunk. Chunks are made small by lowering
`network.CHUNK_BYTES`, so a small network stands in for a wide one. Headless: no Qt."""

import json
from itertools import pairwise

import numpy as np
import pytest

from bpstudio import cli
from bpstudio.engine import batch, network
from bpstudio.engine.network import Network, loss_value
from bpstudio.engine.training import Trainer, TrainingConfig, training_step

SIZES = [3, 6, 5, 4]
SAMPLES = 23  # chunks of 4 samples: five of 4, one of 3


def _case(
    output: str = "softmax", loss: str = "cross_entropy"
) -> tuple[Network, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    net = Network(
        SIZES,
        ["tanh", "sigmoid", output],
        [rng.normal(0, 0.9, size=(o, i)) for i, o in pairwise(SIZES)],
        [rng.normal(0, 0.5, size=o) for o in SIZES[1:]],
    )
    x = rng.normal(0, 1, size=(SAMPLES, SIZES[0]))
    y = (
        rng.dirichlet(np.ones(SIZES[-1]), size=SAMPLES)
        if output == "softmax"
        else rng.uniform(size=(SAMPLES, SIZES[-1]))
    )
    return net, x, y


@pytest.fixture
def chunks_of_4(monkeypatch):
    monkeypatch.setattr(network, "CHUNK_BYTES", 4 * 32 * sum(SIZES[1:]))
    assert [s.stop - s.start for s in network.chunks(Network(SIZES, ["linear"] * 3), SAMPLES)] == [
        4,
        4,
        4,
        4,
        4,
        3,
    ]


def test_chunk_size_of_the_widest_network_the_limits_allow():
    """2-1000-990-1 (994,981 parameters): 32 MB hold 526 samples' z, a, δ and ∂L/∂a."""
    net = Network([2, 1000, 990, 1], ["tanh", "tanh", "sigmoid"])
    assert network.chunk_size(net, 100_000) == 32 * 2**20 // (4 * 8 * 1991) == 526
    assert network.chunk_size(net, 100) == 100
    assert network.chunks(net, 1_000)[-1] == slice(526, 1_000)


@pytest.mark.parametrize(
    ("output", "loss"),
    [("softmax", "cross_entropy"), ("sigmoid", "bce"), ("linear", "mse"), ("sigmoid", "sse")],
)
def test_chunked_step_equals_the_whole_batch_and_finite_differences(output, loss, monkeypatch):
    net, x, y = _case(output, loss)
    config = TrainingConfig(loss=loss, learning_rate=0.5)
    whole = training_step(net, x, y, config)
    monkeypatch.setattr(network, "CHUNK_BYTES", 4 * 32 * sum(SIZES[1:]))
    chunked = training_step(net, x, y, config)
    assert len(chunked.values.parts) == 6
    assert chunked.loss == pytest.approx(whole.loss, rel=1e-13)
    for mine, theirs in zip(
        chunked.grad_w + chunked.grad_b, whole.grad_w + whole.grad_b, strict=True
    ):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)
    for i in range(net.depth):
        for p in (0, 5, 22):
            for mine, theirs in (
                (chunked.fwd.z[i][p], whole.fwd.z[i][p]),
                (chunked.fwd.a[i][p], whole.fwd.a[i][p]),
                (chunked.deltas[i][p], whole.deltas[i][p]),
            ):
                np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)
            assert chunked.deltas[i][p, 1] == chunked.deltas[i][p][1]
    # central differences of L, computed chunk by chunk too, for a weight of every layer
    h = 1e-6
    for i in range(net.depth):
        probe = net.copy()
        probe.w[i][1, 2] += h
        up = loss_value(probe, loss, x, y)
        probe.w[i][1, 2] -= 2 * h
        down = loss_value(probe, loss, x, y)
        assert chunked.grad_w[i][1, 2] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)


def test_reading_samples_keeps_only_a_few_chunks(chunks_of_4):
    net, x, y = _case()
    values = training_step(
        net, x, y, TrainingConfig(loss="cross_entropy", learning_rate=0.1)
    ).values
    rows = [values.a[0][p].copy() for p in range(SAMPLES)] + [values.z[1][3, 2]]
    assert len(values._cache) <= batch.CACHED_CHUNKS
    again = training_step(net, x, y, TrainingConfig(loss="cross_entropy", learning_rate=0.1)).values
    assert all(np.array_equal(again.a[0][p], rows[p]) for p in (22, 0, 11))
    with pytest.raises(IndexError, match="sample 23 of a batch of 23"):
        values.z[0][23]


def test_the_kernel_and_the_readable_path_agree_bit_for_bit(chunks_of_4):
    net, x, y = _case()
    config = TrainingConfig(loss="cross_entropy", learning_rate=0.3, momentum=0.5)
    trainer = Trainer(net.copy(), x, y, config)
    trainer.run(2)
    first = training_step(net, x, y, config)
    second = training_step(first.after, x, y, config, first.velocity_after)
    assert np.array_equal(trainer.net.params, second.after.params)
    assert np.array_equal(trainer.velocity, second.velocity_after)
    assert trainer.history.loss.values[1] == loss_value(first.after, "cross_entropy", x, y)


def _document(path) -> str:
    net, x, y = _case()
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "name": "chunked",
        "layers": [{"size": SIZES[0]}]
        + [
            {"size": o, "activation": act, "weights": w.tolist(), "biases": b.tolist()}
            for o, act, w, b in zip(SIZES[1:], net.activation_names, net.w, net.b, strict=True)
        ],
        "loss": "cross_entropy",
        "training": {"learning_rate": 0.4, "momentum": 0.0},
        "data": {"inputs": x.tolist(), "targets": y.tolist()},
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _run(capsys, *argv: str):
    assert cli.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_trace_steps_and_train_agree_on_a_chunked_batch(tmp_path, capsys, monkeypatch):
    path = _document(tmp_path / "chunked.bpnet")
    whole = _run(capsys, "trace", path)
    monkeypatch.setattr(network, "CHUNK_BYTES", 4 * 32 * sum(SIZES[1:]))
    trace = _run(capsys, "trace", path)
    assert [len(layer["z"]) for layer in trace["layers"]] == [SAMPLES] * 3
    flat = lambda t: np.array(  # noqa: E731
        [
            v
            for layer in t["layers"]
            for key in ("z", "a", "delta", "grad_weights")
            for row in layer[key]
            for v in row
        ]
    )
    np.testing.assert_allclose(flat(trace), flat(whole), rtol=1e-12, atol=1e-15)
    for step in _run(capsys, "steps", path, "--format", "json", "--sample", "21"):
        kind, layer, j, k, p = (
            step[key] for key in ("kind", "layer", "neuron", "source", "sample")
        )
        t = trace["layers"][(layer or 1) - 1]
        if kind in ("z", "a", "delta"):
            assert step["value"] == t[kind][p][j], step
        elif kind == "grad_w" and p is None:
            assert step["value"] == t["grad_weights"][j][k], step
        elif kind == "grad_b" and p is None:
            assert step["value"] == t["grad_biases"][j], step
    out = tmp_path / "trained.bpnet"
    assert cli.main(["train", path, "--epochs", "1", "--out", str(out)]) == 0
    trained = json.loads(out.read_text(encoding="utf-8"))
    for mine, theirs in zip(trained["layers"][1:], trace["network"]["layers"][1:], strict=True):
        assert mine["weights"] == theirs["weights"]
        assert mine["biases"] == theirs["biases"]
