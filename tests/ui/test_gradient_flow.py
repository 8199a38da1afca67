"""The gradient flow plot: per layer ||∂L/∂W|| and the mean |δ| of each epoch's last batch on
a log axis, against a plain NumPy backpropagation written here for XOR (2-4-1, sigmoid, SSE,
full batch), following training and the timeline."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.resources import examples_dir
from bpstudio.ui.show import VIEWS

XOR = examples_dir() / "xor.bpnet"


def plain_flow(w, b, x, y, lr: float, epochs: int):
    """Rows of (||∂L/∂W1||, ||∂L/∂W2||) and (mean |δ1|, mean |δ2|) of epochs 1..epochs."""
    w, b = [m.copy() for m in w], [v.copy() for v in b]
    norms, means = [], []
    for _ in range(epochs):
        h = 1 / (1 + np.exp(-(x @ w[0].T + b[0])))
        out = 1 / (1 + np.exp(-(h @ w[1].T + b[1])))
        d2 = (out - y) * out * (1 - out)
        d1 = (d2 @ w[1]) * h * (1 - h)
        gw = [d1.T @ x, d2.T @ h]
        norms.append([np.sqrt(np.sum(g * g)) for g in gw])
        means.append([np.mean(np.abs(d1)), np.mean(np.abs(d2))])
        w = [w[0] - lr * gw[0], w[1] - lr * gw[1]]
        b = [b[0] - lr * d1.sum(0), b[1] - lr * d2.sum(0)]
    return np.array(norms), np.array(means)


@pytest.fixture
def window(quiet_main_window):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: False
    return window


def test_the_curves_are_the_gradient_norms_and_mean_deltas_of_each_epoch(window, qtbot):
    assert window.files.open_path(XOR)
    walk = window.lesson.walk
    net, x, y = walk.net.copy(), walk.x.copy(), walk.y.copy()
    VIEWS["gradients"](window)
    panel = window.plots.gradients
    assert panel.plot.getPlotItem().ctrl.logYCheck.isChecked()  # a log axis
    window.lesson.train_epochs(6)
    qtbot.waitUntil(lambda: window.lesson.walk.epoch == 6 and not window.lesson.runner.running)
    window.plots.flush()
    norms, means = plain_flow(net.w, net.b, x, y, 1.0, 6)
    for layer in (1, 2):
        epochs, norm, delta = panel.curve_data(layer)
        assert epochs.tolist() == list(range(7))
        assert np.isnan(norm[0]) and np.isnan(delta[0])  # no update before epoch 1
        np.testing.assert_allclose(norm[1:], norms[:, layer - 1], rtol=1e-12)
        np.testing.assert_allclose(delta[1:], means[:, layer - 1], rtol=1e-12)
    assert [item.text for _sample, item in panel.legend.items] == [
        "hidden layer 1",
        "output layer",
        "‖∂L/∂W‖",
        "mean |δ|",
    ]


def test_the_marker_follows_the_timeline_and_the_delta_curves_toggle(window, qtbot):
    assert window.files.open_path(XOR)
    VIEWS["gradients"](window)
    panel = window.plots.gradients
    window.lesson.train_epochs(10)
    qtbot.waitUntil(lambda: window.lesson.walk.epoch == 10 and not window.lesson.runner.running)
    window.lesson.scrub(4)
    window.plots.flush()
    xs, ys = panel.now.getData()
    assert xs.tolist() == [4.0, 4.0]
    norms = window.lesson.walk.trainer.history.grad_norm[4]
    np.testing.assert_allclose(ys, np.log10(norms), rtol=1e-12)
    assert all(curve.isVisible() for curve in panel.deltas)
    panel.delta_action.trigger()
    assert not any(curve.isVisible() for curve in panel.deltas)
