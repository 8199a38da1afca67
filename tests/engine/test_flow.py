"""The gradient flow the Trainer records (History.grad_norm, History.delta_mean) against a
plain NumPy training loop written here: per layer, ||∂L/∂W|| (Frobenius) and the mean |δ| of
each epoch's last batch, whichever path trains (full batch, mini-batches, chunked kernels,
steps finished by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.engine import network
from bpstudio.engine.flow import step_flow
from bpstudio.engine.network import Network
from bpstudio.engine.training import Trainer, TrainingConfig, training_step

SIZES = (2, 3, 2)
RNG = np.random.default_rng(7)
X = RNG.normal(size=(6, 2))
Y = RNG.uniform(size=(6, 2))
W0 = [RNG.normal(size=(3, 2)), RNG.normal(size=(2, 3))]
B0 = [RNG.normal(size=3), RNG.normal(size=2)]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def plain_flow(epochs: int, batch: int, lr: float, momentum: float):
    """Tanh hidden layer, sigmoid output, SSE (L = ½ Σ (ŷ − y)²): the rows the record should
    hold, after epochs 1..epochs, from the last batch of each."""
    w = [m.copy() for m in W0]
    b = [v.copy() for v in B0]
    vw = [np.zeros_like(m) for m in w]
    vb = [np.zeros_like(v) for v in b]
    norms, means = [], []
    for _ in range(epochs):
        for start in range(0, len(X), batch):
            x, y = X[start : start + batch], Y[start : start + batch]
            h = np.tanh(x @ w[0].T + b[0])
            out = sigmoid(h @ w[1].T + b[1])
            d2 = (out - y) * out * (1 - out)
            d1 = (d2 @ w[1]) * (1 - h**2)
            gw, gb = [d1.T @ x, d2.T @ h], [d1.sum(0), d2.sum(0)]
            for i in range(2):
                vw[i] = momentum * vw[i] - lr * gw[i]
                vb[i] = momentum * vb[i] - lr * gb[i]
                w[i] += vw[i]
                b[i] += vb[i]
        norms.append([np.sqrt((g**2).sum()) for g in gw])
        means.append([np.abs(d1).mean(), np.abs(d2).mean()])
    return np.array(norms), np.array(means)


def trained(batch: int | None, momentum: float, epochs: int) -> Trainer:
    net = Network(SIZES, ("tanh", "sigmoid"), W0, B0)
    config = TrainingConfig(loss="sse", learning_rate=0.5, momentum=momentum, batch_size=batch)
    trainer = Trainer(net, X, Y, config)
    assert trainer.run(epochs) is None
    return trainer


@pytest.mark.parametrize(
    ("batch", "momentum"), [(None, 0.0), (None, 0.9), (4, 0.0), (4, 0.9), (3, 0.5)]
)
def test_recorded_flow_is_that_of_each_epochs_last_batch(batch, momentum):
    trainer = trained(batch, momentum, 5)
    norms, means = plain_flow(5, batch or len(X), 0.5, momentum)
    h = trainer.history
    assert np.isnan(h.grad_norm[0]).all() and np.isnan(h.delta_mean[0]).all()
    np.testing.assert_allclose(h.grad_norm[1:], norms, rtol=1e-12)
    np.testing.assert_allclose(h.delta_mean[1:], means, rtol=1e-12)


def test_chunked_kernels_record_the_same_flow(monkeypatch):
    """A full batch split into chunks (a tiny chunk bound): the hidden deltas are summed
    over the chunks."""
    whole = trained(None, 0.0, 3).history
    monkeypatch.setattr(network, "CHUNK_BYTES", 4 * 8 * 5 * 4)  # chunks of 4 and 2 samples
    assert len(network.chunks(Network(SIZES, ("tanh", "sigmoid")), 6)) == 2
    chunked = trained(None, 0.0, 3).history
    np.testing.assert_allclose(chunked.grad_norm[1:], whole.grad_norm[1:])
    np.testing.assert_allclose(chunked.delta_mean[1:], whole.delta_mean[1:])
    norms, means = plain_flow(3, 6, 0.5, 0.0)
    np.testing.assert_allclose(chunked.delta_mean[1:], means, rtol=1e-12)


def test_truncating_forgets_the_later_flow():
    trainer = trained(None, 0.0, 5)
    trainer.truncate(2)
    assert trainer.history.grad_norm.shape == trainer.history.delta_mean.shape == (3, 2)


@pytest.mark.parametrize(("batch", "momentum"), [(None, 0.0), (None, 0.9), (4, 0.0), (3, 0.5)])
def test_a_trainer_without_the_flow_trains_and_records_the_same_bits(batch, momentum):
    """`bpstudio train` leaves the flow out (runs.headless_trainer): nothing else changes."""
    net = Network(SIZES, ("tanh", "sigmoid"), W0, B0)
    config = TrainingConfig(loss="sse", learning_rate=0.5, momentum=momentum, batch_size=batch)
    plain = Trainer(net, X, Y, config, record_flow=False)
    assert plain.run(5) is None
    flowing = trained(batch, momentum, 5)
    assert plain.history.flow is None
    assert plain.history.grad_norm.shape == plain.history.delta_mean.shape == (6, 0)
    assert plain.history.loss.values.tobytes() == flowing.history.loss.values.tobytes()
    assert plain.net.params.tobytes() == flowing.net.params.tobytes()
    assert plain.velocity.tobytes() == flowing.velocity.tobytes()


@pytest.mark.parametrize(
    ("sizes", "samples"), [((1, 1), 1), ((3, 5, 4, 2), 7), ((2, 8, 8, 1), 100), ((4, 1, 6, 3), 70)]
)
def test_the_fast_path_records_the_flow_of_the_readable_step(sizes, samples):
    """Every layer's segment of the kernel's one summing call, at any depth, against
    flow.step_flow of the readable training step."""
    rng = np.random.default_rng(len(sizes) + samples)
    x, y = rng.normal(size=(samples, sizes[0])), rng.uniform(size=(samples, sizes[-1]))
    net = Network(sizes, ("tanh",) * (len(sizes) - 2) + ("sigmoid",))
    net.params[:] = rng.normal(size=net.parameter_count)
    config = TrainingConfig(loss="sse", learning_rate=0.1)
    step = training_step(net, x, y, config)
    trainer = Trainer(net, x, y, config)
    assert trainer.run(1) is None
    np.testing.assert_allclose(
        trainer.history.flow.values[1], step_flow(step.grad_w, step.values), rtol=1e-12
    )
