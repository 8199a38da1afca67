"""The update steps with weight decay (spec section 7): a weight's formula gains λ w with its
numbers, a bias's never does, the gradient steps stay dL/dw, and every update's value is the
new parameter of the training step. Headless: no Qt."""

import numpy as np
import pytest

from bpstudio.engine.network import Network
from bpstudio.engine.training import TrainingConfig, training_step
from bpstudio.maths import steps


@pytest.fixture
def decayed():
    """The spec's one-neuron-per-layer example, with momentum 0.5 and λ = 0.2."""
    net = Network(
        [1, 1, 1],
        ["sigmoid", "sigmoid"],
        [np.array([[0.3]]), np.array([[0.2]])],
        [np.array([0.1]), np.array([0.4])],
    )
    config = TrainingConfig(loss="sse", learning_rate=0.1, momentum=0.5, weight_decay=0.2)
    result = training_step(net, np.array([[0.5]]), np.array([[1.5]]), config)
    return result, steps.build(result, config)


def test_a_weights_update_shows_lambda_w_and_its_numbers(decayed):
    result, seq = decayed
    update = next(s for s in seq if s.kind == "update_w" and s.layer == 1)
    formula = update.formula.latex()
    assert r"\lambda w^{(1)}_{1}" in formula
    grad = float(result.grad_w[0][0, 0])
    numbers = f"0.3 + 0.5 \\cdot 0 - 0.1 \\cdot ({grad!r} + 0.2 \\cdot 0.3)"
    assert update.substituted.latex() == rf"w^{{(1)}}_{{1,\mathrm{{new}}}} = {numbers}"
    assert update.value == 0.3 - 0.1 * (grad + 0.2 * 0.3)  # by hand, with a zero velocity
    assert update.value == result.after.w[0][0, 0]


def test_a_bias_update_has_no_decay_and_the_gradients_stay_dl_dw(decayed):
    result, seq = decayed
    for s in seq:
        if s.kind == "update_b":
            assert r"\lambda" not in s.formula.latex()
            assert s.value == result.after.b[s.layer - 1][s.neuron]
        if s.kind == "grad_w":
            assert s.value == result.grad_w[s.layer - 1][s.neuron, s.source]
    undecayed = training_step(
        result.before, result.x, result.y, TrainingConfig(loss="sse", learning_rate=0.1)
    )
    for got, want in zip(result.grad_w, undecayed.grad_w, strict=True):
        assert np.array_equal(got, want)
