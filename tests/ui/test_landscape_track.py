"""The loss landscape's path, current point and next-update arrow: the path is the two
parameters after every epoch, the point their values now and the arrow the next training
step's change, −η·∇L plus μ·v with momentum; all follow training and the timeline. Checked
against a plain training loop written here and finite differences of the loss."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bpstudio.engine.network import loss_value
from bpstudio.resources import examples_dir

SEED1 = examples_dir() / "seed-1-one-neuron.bpnet"
X, Y, LR = 0.5, 1.5, 0.1  # seed 1's sample and learning rate


def plain_seed1(epochs: int, momentum: float = 0.0) -> np.ndarray:
    """(w, b) after epochs 0..epochs: one sigmoid neuron, L = ½ (ŷ − y)²."""
    w, b, vw, vb = 0.3, 0.1, 0.0, 0.0
    rows = [(w, b)]
    for _ in range(epochs):
        y_hat = 1.0 / (1.0 + np.exp(-(w * X + b)))
        delta = (y_hat - Y) * y_hat * (1.0 - y_hat)
        vw, vb = momentum * vw - LR * delta * X, momentum * vb - LR * delta
        w, b = w + vw, b + vb
        rows.append((w, b))
    return np.array(rows)


def finite_gradient(window, params: np.ndarray) -> np.ndarray:
    """∂L/∂(w, b) at `params` by central differences of the loss over the data."""
    walk = window.lesson.walk
    net = walk.net.copy()

    def loss(values: np.ndarray) -> float:
        net.params[:] = values
        return loss_value(net, "sse", walk.x, walk.y)

    h = 1e-6
    return np.array([(loss(params + h * e) - loss(params - h * e)) / (2 * h) for e in np.eye(2)])


@pytest.fixture
def window(quiet_main_window):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: False
    return window


def _open(window, qtbot, path, epochs: int):
    assert window.files.open_path(path)
    view = window.landscape
    view.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: view.panel.loss.shape == (41, 41), timeout=10_000)
    if epochs:
        window.lesson.train_epochs(epochs)
        qtbot.waitUntil(lambda: window.lesson.walk.epoch == epochs, timeout=20_000)
        qtbot.waitUntil(lambda: not window.lesson.runner.running, timeout=10_000)
    view.show_track()
    return view.panel


def _arrow(panel) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = panel.arrow.getData()
    return np.array([xs[0], ys[0]]), np.array([xs[1] - xs[0], ys[1] - ys[0]])


def test_after_50_epochs_of_seed_1_the_path_is_the_parameter_history(window, qtbot):
    panel = _open(window, qtbot, SEED1, 50)
    want = plain_seed1(50)
    xs, ys = panel.path.getData()
    np.testing.assert_allclose(np.column_stack((xs, ys)), want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.concatenate(panel.current.getData()), want[-1], rtol=1e-12)
    assert window.errors == []


def test_the_arrow_is_minus_the_learning_rate_times_the_gradient(window, qtbot):
    panel = _open(window, qtbot, SEED1, 7)
    start, change = _arrow(panel)
    theta = plain_seed1(7)[-1]
    np.testing.assert_allclose(start, theta, rtol=1e-12)
    np.testing.assert_allclose(change, -LR * finite_gradient(window, theta), rtol=1e-6)
    assert panel.update_text() == "next step ({:+.2g}, {:+.2g})".format(*change)


def test_with_momentum_the_arrow_adds_the_velocity(window, qtbot, tmp_path):
    doc = json.loads(SEED1.read_text())
    doc["training"]["momentum"] = 0.9
    path = tmp_path / "momentum.bpnet"
    path.write_text(json.dumps(doc))
    panel = _open(window, qtbot, path, 6)
    start, change = _arrow(panel)
    rows = plain_seed1(6, momentum=0.9)
    velocity = rows[-1] - rows[-2]  # full batch: the last update is the velocity
    want = 0.9 * velocity - LR * finite_gradient(window, rows[-1])
    np.testing.assert_allclose(start, rows[-1], rtol=1e-12)
    np.testing.assert_allclose(change, want, rtol=1e-6)


def test_path_point_and_arrow_follow_the_timeline(window, qtbot):
    panel = _open(window, qtbot, SEED1, 30)
    window.lesson.scrub(12)
    want = plain_seed1(30)
    qtbot.waitUntil(lambda: len(panel.path.getData()[0]) == 13, timeout=5_000)
    xs, ys = panel.path.getData()
    np.testing.assert_allclose(np.column_stack((xs, ys)), want[:13], rtol=1e-12)
    np.testing.assert_allclose(np.concatenate(panel.current.getData()), want[12], rtol=1e-12)
    start, change = _arrow(panel)
    np.testing.assert_allclose(start + change, want[13], rtol=1e-12)


def test_check_yourself_hides_the_arrow_until_answered(window, qtbot):
    panel = _open(window, qtbot, SEED1, 0)
    assert len(panel.arrow.getData()[0]) == 2
    window.lesson.actions["quiz"].trigger()
    window.lesson.actions["next"].trigger()
    assert window.lesson.panel.result_text() == "?"
    window.landscape.show_track()
    assert len(panel.arrow.getData()[0]) == 0
    assert not panel.head.isVisible() and panel.update_text() == "next step"
    window.lesson.panel.quiz.reveal()
    qtbot.waitUntil(lambda: len(panel.arrow.getData()[0]) == 2)
