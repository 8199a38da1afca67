"""The claims of the two lessons on the gradient, checked on the bundled documents through the
engine: the learning-rate lesson overshoots (each change of w and b flips sign) yet converges,
and its largest converging rate lies between 25 and 26 (the linearised bound is
2 / (σ′(0)² (1 + x²)) = 2 / (0.0625 · 1.25) = 25.6); in the vanishing-gradients pair the first
layer's gradient norm (History.grad_norm) is orders of magnitude smaller with sigmoid than
with tanh."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bpstudio.document.format import load
from bpstudio.engine.training import History, Trainer
from bpstudio.resources import examples_dir


def trained(name: str, epochs: int, learning_rate: float | None = None) -> History:
    doc = load(examples_dir() / name)
    config = doc.training_config()
    if learning_rate is not None:
        config = dataclasses.replace(config, learning_rate=learning_rate)
    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, config, record_parameters=True)
    assert trainer.run(epochs) is None
    return trainer.history


def test_the_learning_rate_lesson_overshoots_every_step_and_still_converges():
    history = trained("learning-rate.bpnet", 20)
    w, b = history.params.values.T
    assert (w[0], b[0]) == (0.3, 0.1)
    steps = np.diff(history.params.values, axis=0)
    assert np.all(np.sign(steps[1:]) == -np.sign(steps[:-1]))  # zig-zag, w and b alike
    np.testing.assert_allclose(steps[:, 1], 2 * steps[:, 0], rtol=1e-9)  # ∂L/∂b = ∂L/∂w / x
    z = 0.5 * w + b
    assert np.all(np.abs(z[1:]) < np.abs(z[:-1]))  # each hop lands nearer the valley floor
    assert history.loss.values[-1] < 1e-12


def test_a_rate_of_five_walks_down_without_overshooting():
    steps = np.diff(trained("learning-rate.bpnet", 20, learning_rate=5).params.values, axis=0)
    assert np.all(steps[:, 1] < 0) and np.all(steps[:, 0] < 0)


@pytest.mark.parametrize(("rate", "converges"), [(25.0, True), (26.0, False)])
def test_the_largest_converging_rate_lies_between_25_and_26(rate, converges):
    loss = trained("learning-rate.bpnet", 300, learning_rate=rate).loss.values
    if converges:
        assert loss[-1] < 1e-12
    else:  # a two-point cycle: the loss stays put
        assert loss[-1] > 1e-3 and abs(loss[-1] - loss[-3]) < 1e-12


def test_the_sigmoid_stack_starves_its_first_layer_and_tanh_does_not():
    sigmoid = trained("vanishing-sigmoid.bpnet", 300)
    tanh = trained("vanishing-tanh.bpnet", 300)
    first_s, first_t = sigmoid.grad_norm[1:], tanh.grad_norm[1:]  # epoch 0 made no update
    assert first_s[0, 0] / first_s[0, -1] < 1e-4  # epoch 1: first layer vs last layer
    assert 0.5 < first_t[0, 0] / first_t[0, -1] < 5
    ratio = first_s[:, 0] / first_t[:, 0]
    assert np.all(ratio < 1e-2) and np.median(ratio) < 1e-4
    assert sigmoid.loss.values[-1] == pytest.approx(np.log(2), abs=1e-3)
    assert tanh.loss.values[-1] < 0.01 and tanh.accuracy.values[-1] == 1.0
