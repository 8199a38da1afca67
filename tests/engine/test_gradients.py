"""Backprop's gradients against finite differences of the loss, for every valid activation and
loss pair, and a check of the gradient checker itself. Headless: no Qt."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_nets import VALID_PAIRS, random_case

from bpstudio.engine import gradcheck
from bpstudio.engine.network import Network, backward, forward

REL, ABS = 1e-6, 1e-9

GRID = [
    pytest.param(seed, output, loss, hidden, batch, id=f"{output}-{loss}-h{hidden}-n{batch}")
    for seed, ((output, loss), hidden, batch) in enumerate(
        itertools.product(VALID_PAIRS, (1, 2, 3), (1, 6))
    )
]


@pytest.mark.parametrize(("seed", "output", "loss", "hidden", "batch"), GRID)
def test_backprop_gradients_agree_with_finite_differences(seed, output, loss, hidden, batch):
    """dL/dW and dL/db of the batch loss, every parameter, to rel 1e-6 (abs 1e-9 when tiny)."""
    assert_gradients_agree(1000 + seed, output, loss, hidden, batch)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    pair=st.sampled_from(VALID_PAIRS),
    hidden=st.integers(1, 3),
    batch=st.integers(1, 9),
)
def test_backprop_gradients_agree_with_finite_differences_on_drawn_networks(
    seed, pair, hidden, batch
):
    """The same property on networks and batch sizes drawn by hypothesis."""
    assert_gradients_agree(seed, *pair, hidden, batch)


def assert_gradients_agree(seed, output, loss, hidden, batch):
    case = random_case(np.random.default_rng(seed), output, loss, hidden, batch)
    params = case.net.params.copy()
    result = gradcheck.check(case.net, case.x, case.y, case.loss)
    assert np.array_equal(case.net.params, params), "gradcheck changed the network"
    ok = (result.rel_error <= REL) | (result.abs_error <= ABS)
    bad = [
        f"{name}: backprop {b!r} numeric {n!r}"
        for name, b, n, good in zip(result.names, result.backprop, result.numeric, ok, strict=True)
        if not good
    ]
    assert not bad, f"{case.net.activation_names} {case.net.sizes}\n" + "\n".join(bad)
    assert result.passed(REL, ABS)


# --- the checker itself, against a central difference written here ----------------------


def tiny_forward_mse(params: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """A 2-3-1 tanh/sigmoid network with MSE, written out by hand in `params` order
    (w1 row by row, b1, w2, b2), independent of the engine."""
    w1 = params[0:6].reshape(3, 2)
    b1 = params[6:9]
    w2 = params[9:12].reshape(1, 3)
    b2 = params[12:13]
    h = np.tanh(x @ w1.T + b1)
    y_hat = 1.0 / (1.0 + np.exp(-(h @ w2.T + b2)))
    return float(np.mean((y - y_hat) ** 2))


def test_gradcheck_agrees_with_an_independent_central_difference():
    """gradcheck's numeric gradient and backprop both match (L(p+h) - L(p-h)) / 2h of a
    forward pass written in this test."""
    rng = np.random.default_rng(5)
    params = rng.normal(0.0, 0.7, size=13)
    x = rng.normal(size=(4, 2))
    y = rng.uniform(size=(4, 1))
    net = Network(
        [2, 3, 1],
        ["tanh", "sigmoid"],
        [params[0:6].reshape(3, 2), params[9:12].reshape(1, 3)],
        [params[6:9], params[12:13]],
    )
    assert np.array_equal(net.params, params), "the test's parameter layout is wrong"
    assert tiny_forward_mse(params, x, y) == pytest.approx(
        float(np.mean((y - forward(net, x).output) ** 2)), rel=1e-15
    )

    h = 1e-6
    central = np.empty_like(params)
    for i in range(params.size):
        plus, minus = params.copy(), params.copy()
        plus[i] += h
        minus[i] -= h
        central[i] = (tiny_forward_mse(plus, x, y) - tiny_forward_mse(minus, x, y)) / (2 * h)

    result = gradcheck.check(net, x, y, "mse")
    np.testing.assert_allclose(result.numeric, central, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(result.backprop, central, rtol=1e-6, atol=1e-9)
    assert result.names[0] == "w[1][0][0]" and result.names[-1] == "b[2][0]"


def test_gradcheck_reports_a_wrong_gradient():
    """A gradient check that cannot fail protects nothing: corrupt one gradient and it fails."""
    net = Network([1, 1], ["sigmoid"], [np.array([[0.3]])], [np.array([0.1])])
    result = gradcheck.check(net, np.array([[0.5]]), np.array([[1.5]]), "sse")
    assert result.passed()
    wrong = gradcheck.GradientCheck(
        result.names, result.backprop * np.array([1.0, 1.001]), result.numeric
    )
    assert not wrong.passed()
    assert wrong.rel_error[1] == pytest.approx(0.001 / 1.001, rel=1e-6)


def test_backward_fills_the_network_gradient_views():
    """`backward` writes into `net.grad_w` / `net.grad_b`, which are views of `net.grads`."""
    net = Network([2, 2], ["linear"], [np.array([[1.0, 2.0], [3.0, 4.0]])], [np.zeros(2)])
    x, y = np.array([[1.0, -1.0]]), np.array([[0.0, 0.0]])
    backward(net, forward(net, x), y, "sse")
    # linear output, sse: delta = ŷ - y = W x = (-1, -1); dL/dW = delta x^T; dL/db = delta
    np.testing.assert_array_equal(net.grad_w[0], [[-1.0, 1.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(net.grad_b[0], [-1.0, -1.0])
    np.testing.assert_array_equal(net.grads, [-1.0, 1.0, -1.0, 1.0, -1.0, -1.0])
