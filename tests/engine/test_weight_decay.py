"""Weight decay (spec section 7): training against PyTorch's `SGD(weight_decay=λ)` on the
weights (a stored fixture, and live where torch is installed) and against a NumPy loop
written here; the biases are never decayed and the reported gradients stay dL/dw.
Headless: no Qt."""

import json
from pathlib import Path

import numpy as np
import pytest
from make_torch_reference import CASES, FIXTURE, make_case, reference

from bpstudio.engine.network import Network
from bpstudio.engine.training import Trainer, TrainingConfig, training_step

TORCH_CASES = json.loads(Path(FIXTURE).read_text(encoding="utf-8"))["cases"]


def bpstudio_run(case: dict) -> tuple[np.ndarray, np.ndarray]:
    """bpstudio's parameters and loss after each epoch of `case`, epoch 0 first."""
    net = Network(case["sizes"], case["activations"], case["weights"], case["biases"])
    config = TrainingConfig(
        loss=case["loss"],
        learning_rate=case["learning_rate"],
        momentum=case["momentum"],
        batch_size=case["batch_size"],
        weight_decay=case["weight_decay"],
    )
    trainer = Trainer(net, case["inputs"], case["targets"], config, record_parameters=True)
    assert trainer.run(case["epochs"]) is None
    return trainer.history.params.values, trainer.history.loss.values


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_with_weight_decay_equals_the_stored_pytorch_run(name):
    """Several epochs of mini-batches in file order, with momentum: every parameter after
    every epoch within 1e-9 of torch.optim.SGD with weight decay on the weights only."""
    case = TORCH_CASES[name]
    assert case["weight_decay"] > 0 and case["epochs"] >= 5
    params, loss = bpstudio_run(case)
    np.testing.assert_allclose(params, case["params"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(loss, case["loss_history"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_with_weight_decay_equals_pytorch_run_live(name):
    pytest.importorskip("torch")
    case = make_case(name)
    torch_params, torch_loss = reference(case)
    params, loss = bpstudio_run(case)
    np.testing.assert_allclose(params, torch_params, rtol=0, atol=1e-9)
    np.testing.assert_allclose(loss, torch_loss, rtol=0, atol=1e-9)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_run(w1, b1, w2, b2, x, y, lr, mu, decay, batch, epochs):
    """A tanh hidden layer and a sigmoid output with mse, trained by hand: per batch
    g_w = dL/dw + λ w, g_b = dL/db, v = μ v - lr g, p = p + v. Returns the parameters."""
    params = [w1.copy(), b1.copy(), w2.copy(), b2.copy()]
    velocity = [np.zeros_like(p) for p in params]
    for _ in range(epochs):
        for start in range(0, len(x), batch):
            xb, yb = x[start : start + batch], y[start : start + batch]
            w1, b1, w2, b2 = params
            h = np.tanh(xb @ w1.T + b1)
            out = sigmoid(h @ w2.T + b2)
            d_out = 2.0 * (out - yb) / yb.size * out * (1.0 - out)
            d_h = (d_out @ w2) * (1.0 - h**2)
            grads = [d_h.T @ xb + decay * w1, d_h.sum(0), d_out.T @ h + decay * w2, d_out.sum(0)]
            for p, v, g in zip(params, velocity, grads, strict=True):
                v *= mu
                v -= lr * g
                p += v
    return params


def test_training_with_weight_decay_equals_a_hand_written_numpy_loop():
    gen = np.random.default_rng(20)
    w1, b1 = gen.normal(size=(4, 3)), gen.normal(size=4)
    w2, b2 = gen.normal(size=(2, 4)), gen.normal(size=2)
    x, y = gen.normal(size=(11, 3)), gen.uniform(size=(11, 2))
    expected = numpy_run(w1, b1, w2, b2, x, y, 0.4, 0.7, 0.05, 4, 9)
    net = Network((3, 4, 2), ("tanh", "sigmoid"), [w1, w2], [b1, b2])
    config = TrainingConfig(
        loss="mse", learning_rate=0.4, momentum=0.7, batch_size=4, weight_decay=0.05
    )
    Trainer(net, x, y, config).run(9)
    for got, want in zip([net.w[0], net.b[0], net.w[1], net.b[1]], expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_weight_decay_never_moves_a_bias_and_the_gradients_stay_dl_dw():
    """With a zero data gradient (a linear output already on its targets) only the weights
    shrink, by the factor 1 - lr λ; `grad_w` and `grad_b` stay dL/dw = 0."""
    net = Network((1, 1), ("linear",), [np.array([[2.0]])], [np.array([0.5])])
    x = np.array([[1.0], [3.0]])
    y = x * 2.0 + 0.5
    config = TrainingConfig(loss="sse", learning_rate=0.1, weight_decay=0.25)
    result = training_step(net, x, y, config)
    assert result.grad_w[0][0, 0] == 0.0 and result.grad_b[0][0] == 0.0
    assert result.after.w[0][0, 0] == pytest.approx(2.0 * (1 - 0.1 * 0.25), abs=1e-15)
    assert result.after.b[0][0] == 0.5
