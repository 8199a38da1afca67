"""The decision-boundary panel: for two inputs, the heatmap holds the network's output on a
grid over the data's plane (checked against a forward pass written out here), the data
points lie on top by class, "Discretise" turns it into 0/1 (or the argmax class), and a
network with another number of inputs gets a message instead."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from bpstudio.resources import examples_dir
from bpstudio.ui.plots.decision_panel import GRID, MIN_GRID, grid_side

XOR = examples_dir() / "xor.bpnet"  # 2-4-1, tanh hidden, sigmoid output
THREE = examples_dir() / "three-classes.bpnet"  # 2-4-3, softmax output
SEED2 = examples_dir() / "seed-2-two-neurons.bpnet"


@pytest.fixture
def window(quiet_main_window, qtbot):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: False
    return window


def open_on_boundary(window, qtbot, path):
    assert window.files.open_path(path)
    window.plots.decision_dock.raise_()
    qtbot.waitUntil(lambda: not window.plots.decision.visibleRegion().isEmpty())


def by_hand(doc_net, points: np.ndarray) -> np.ndarray:
    """The network's output at `points` `(N, 2)`, layer by layer with numpy's own functions."""
    a = points
    for w, b, name in zip(doc_net.w, doc_net.b, doc_net.activation_names, strict=True):
        z = a @ w.T + b
        if name == "tanh":
            a = np.tanh(z)
        elif name == "sigmoid":
            a = 1 / (1 + np.exp(-z))
        elif name == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
        else:
            raise AssertionError(name)
    return a


def plane(x: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid's axes: the data's range and a tenth of it beyond on each side."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) / 10
    return np.linspace(lo[0] - pad[0], hi[0] + pad[0], size), np.linspace(
        lo[1] - pad[1], hi[1] + pad[1], size
    )


def test_heatmap_is_the_networks_output_over_the_input_plane(window, qtbot):
    """XOR after three epochs: the image's pixel (r, c) is ŷ at (xs[c], ys[r]) of a 100 x 100
    grid over the data's range; Discretise shows ŷ ≥ 0.5 as 1 and the rest as 0; the data
    points lie on top, one marker set per class."""
    open_on_boundary(window, qtbot, XOR)
    for _ in range(3):
        window.lesson.actions["epoch"].trigger()
    panel = window.plots.decision
    walk = window.lesson.walk
    xs, ys = plane(walk.x, 100)
    expected = by_hand(walk.net, np.array([[x, y] for y in ys for x in xs])).reshape(100, 100)

    def shows_epoch_3() -> bool:
        image = panel.image.image
        return image is not None and np.allclose(image, expected, rtol=1e-13, atol=1e-15)

    qtbot.waitUntil(shows_epoch_3)
    np.testing.assert_allclose(panel.xs, xs, rtol=0, atol=1e-15)
    np.testing.assert_allclose(panel.ys, ys, rtol=0, atol=1e-15)
    button = next(
        b for b in panel.findChildren(QToolButton) if b.defaultAction() is panel.discretise_action
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.is_discrete()
    assert np.array_equal(panel.image.image, (expected >= 0.5).astype(float))
    assert [len(points.getData()[0]) for points in panel.points] == [
        int((walk.y[:, 0] < 0.5).sum()),
        int((walk.y[:, 0] >= 0.5).sum()),
    ]


def test_several_outputs_show_the_winning_class(window, qtbot):
    """Three classes (softmax): discretised, each grid point shows its argmax class."""
    open_on_boundary(window, qtbot, THREE)
    panel = window.plots.decision
    panel.set_discrete(True)
    walk = window.lesson.walk
    qtbot.waitUntil(lambda: panel.output.shape == (100, 100, 3))
    grid = np.array([[x, y] for y in panel.ys for x in panel.xs])
    expected = by_hand(walk.displayed_network(), grid).reshape(100, 100, 3)
    np.testing.assert_allclose(panel.output, expected, rtol=1e-12, atol=1e-15)
    assert np.array_equal(panel.shown_values(), np.argmax(expected, axis=-1).astype(float))
    assert panel.class_image.isVisible() and not panel.image.isVisible()
    counts = np.bincount(np.argmax(walk.y, axis=1), minlength=3).tolist()
    assert [len(p.getData()[0]) for p in panel.points] == counts


def test_a_network_without_two_inputs_gets_a_message(window, qtbot):
    """Seed 2 has one input: the panel explains instead of drawing."""
    open_on_boundary(window, qtbot, SEED2)
    panel = window.plots.decision
    qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.message)
    assert panel.message.isVisible()
    assert "two inputs" in panel.message.text() and "has 1 input." in panel.message.text()


def test_discretise_is_remembered_for_the_next_window(main_window):
    first = main_window()
    first.plots.decision.discretise_action.trigger()
    first.close()
    assert main_window().plots.decision.is_discrete()


def test_a_network_too_costly_per_point_is_drawn_on_a_coarser_grid(window, qtbot, tmp_path):
    """2-400-400-1 costs 161,200 multiply-adds per point: 100 x 100 points would be 1.6e9,
    so the plane is sampled isqrt(2e8 / 161,200) = 35 a side, still the exact output at
    each point, and the panel says so. XOR's 12 per point keep the full 100 x 100."""
    assert grid_side((2, 4, 1)) == GRID == 100
    assert grid_side((2, 400, 400, 1)) == 35
    assert grid_side((2, 1000, 990, 1)) == MIN_GRID == 16
    rng = np.random.default_rng(5)
    layers = [{"size": 2}]
    for a, b, act in ((2, 400, "tanh"), (400, 400, "tanh"), (400, 1, "sigmoid")):
        weights = rng.normal(0, 1 / np.sqrt(a), (b, a)).round(6).tolist()
        layers.append({"size": b, "activation": act, "weights": weights, "biases": [0.0] * b})
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "layers": layers,
        "loss": "sse",
        "training": {"learning_rate": 0.1},
        "data": {"generator": "circle", "samples": 60, "seed": 2},
    }
    path = tmp_path / "wide.bpnet"
    path.write_text(json.dumps(doc), encoding="utf-8")
    open_on_boundary(window, qtbot, path)
    panel = window.plots.decision
    walk = window.lesson.walk
    qtbot.waitUntil(lambda: panel.image.image is not None and panel.image.image.shape == (35, 35))
    xs, ys = plane(walk.x, 35)
    expected = by_hand(walk.net, np.array([[x, y] for y in ys for x in xs])).reshape(35, 35)
    np.testing.assert_allclose(panel.image.image, expected, rtol=1e-12, atol=1e-15)
    assert panel.grid_note.isVisibleTo(panel) and panel.grid_note.text() == "plane sampled 35 × 35"
    assert window.files.open_path(XOR)
    qtbot.waitUntil(lambda: panel.image.image.shape == (100, 100))
    assert not panel.grid_note.isVisibleTo(panel)
