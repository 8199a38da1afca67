"""The Loss landscape dock: once shown it draws the grid `bpstudio landscape` computes for the
network the lesson shows, over the two parameters picked in its lists (by default the first
neuron's first weight and bias), marks their current values, and computes again when the pick
or the network changes, off the GUI thread."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.engine.landscape import landscape
from bpstudio.resources import examples_dir

XOR = examples_dir() / "xor.bpnet"
SEED1 = examples_dir() / "seed-1-one-neuron.bpnet"


@pytest.fixture
def window(quiet_main_window):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: False
    return window


def _show(window, qtbot, path):
    assert window.files.open_path(path)
    view = window.landscape
    assert not view.dock.isVisible()  # closed until asked for
    view.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: view.panel.loss.shape == (41, 41), timeout=10_000)
    return view


def _expected(window, names, span=1.0):
    walk = window.lesson.walk
    return landscape(walk.displayed_network(), window.document.loss, walk.x, walk.y, names, span)


def test_the_default_pick_is_the_first_weight_and_bias_as_the_command_computes(window, qtbot):
    view = _show(window, qtbot, SEED1)
    want = _expected(window, ("w[1][0][0]", "b[1][0]"))
    np.testing.assert_array_equal(view.panel.loss, want.loss)
    assert view.panel.current.getData()[0][0] == want.current[0]
    item = view.panel.plot.getPlotItem()
    assert item.getAxis("bottom").labelText == "w[1][0][0]"
    assert item.getAxis("left").labelText == "b[1][0]"
    assert window.errors == []


def test_another_pick_and_span_compute_again(window, qtbot):
    view = _show(window, qtbot, XOR)
    view.second.setCurrentText("w[2][0][3]")
    view.span.setValue(0.5)
    want = _expected(window, ("w[1][0][0]", "w[2][0][3]"), 0.5)
    qtbot.waitUntil(
        lambda: (
            view.panel.loss.shape == want.loss.shape and np.array_equal(view.panel.loss, want.loss)
        ),
        timeout=10_000,
    )
    assert view.panel.plot.getPlotItem().getAxis("left").labelText == "w[2][0][3]"


def test_the_same_parameter_twice_is_not_computed(window, qtbot):
    view = _show(window, qtbot, XOR)
    view.second.setCurrentText("w[1][0][0]")
    qtbot.waitUntil(lambda: view.status.text() == "Choose two different parameters")


def test_a_new_network_is_drawn_once_trained(window, qtbot):
    view = _show(window, qtbot, XOR)
    before = view.panel.loss.copy()
    window.lesson.train_epochs(5)
    qtbot.waitUntil(lambda: not np.array_equal(view.panel.loss, before), timeout=10_000)
    want = _expected(window, ("w[1][0][0]", "b[1][0]"))
    qtbot.waitUntil(lambda: np.array_equal(view.panel.loss, want.loss), timeout=10_000)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_heatmap_and_its_colour_bar_fit_the_dock_with_readable_ticks(window, qtbot, size):
    """At the window's first-run sizes: the heatmap is tall enough for its contours, the
    colour bar lies inside the dock (a long legend once pushed it out), and its tick labels
    are the losses to their distinct digits (they once read "0 0 0", cut to a first digit)."""
    window.resize(*size)
    window.show()
    view = _show(window, qtbot, XOR)
    view.panel.show_track((np.array([0.0]), np.array([0.0])), (0.0, 0.0), ((0, 0), (0.5, 0.25)))
    qtbot.waitUntil(lambda: view.panel.plot.height() >= 200, timeout=5000)
    bar = view.panel.colour_bar
    qtbot.waitUntil(lambda: bar.axis.height() > 80, timeout=5000)
    plot = view.panel.plot
    right = plot.mapFromScene(bar.sceneBoundingRect().topRight()).x()
    assert right <= plot.width()
    axis = bar.axis
    low, high = axis.range
    spacing, values = axis.tickValues(low, high, axis.height())[0]  # the labelled ticks
    strings = axis.tickStrings(values, axis.scale, spacing)
    assert len(strings) >= 3 and len(set(strings)) == len(strings)
    numbers = sorted(float(s) for s in strings)
    assert low <= numbers[0] and numbers[-1] <= high
    assert axis.width() >= max(axis.textWidth, 20)  # no text wider than the axis keeps room for


def test_at_1280x800_the_heatmap_gets_room_when_first_shown(window, qtbot):
    assert (window.width(), window.height()) == (1280, 800)
    view = _show(window, qtbot, SEED1)
    box = view.panel.plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: box.height() >= 180)  # it was 110 px in the row's 250 px
    assert window.canvas.height() >= 200  # the network stays in sight
