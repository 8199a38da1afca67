"""The activation panel: the chosen layer's f(z) and f'(z), with a marker on both curves at
each neuron's z for the sample being walked. The markers sit exactly at the z values the
step sequence (`bpstudio steps`) reports and at f(z), f'(z) computed here by hand; they
follow the steps, the layer chosen on the canvas or in the box, and the activation."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt

from bpstudio.document.edits import SetActivation
from bpstudio.resources import examples_dir
from bpstudio.ui.canvas.items import Target

SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"
THREE = examples_dir() / "three-classes.bpnet"


def steps_json(path) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "bpstudio", "steps", str(path), "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.fixture
def window(quiet_main_window, qtbot):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: False
    return window


def open_on_activation(window, qtbot, path):
    assert window.files.open_path(path)
    window.plots.activation_dock.raise_()
    qtbot.waitUntil(lambda: not window.plots.activation.visibleRegion().isEmpty())


def markers(panel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x and y of the markers on f, and y of those on f', as drawn."""
    x, y = panel.f_markers.getData()
    x2, slope = panel.d_markers.getData()
    assert np.array_equal(x, x2)
    return x, y, slope


def filled(panel) -> list[bool]:
    """Which f markers are filled (computed); hollow ones have the background's colour."""
    background = panel.plot.backgroundBrush().color()
    return [b.color() != background for b in panel.f_markers.data["brush"]]


def test_markers_sit_at_the_step_sequences_z_and_on_both_curves(window, qtbot):
    """Seed 3 (1-2-1, sigmoid): the hidden layer's markers are at the z values `bpstudio
    steps --format json` reports, filled one by one as the steps compute them, at heights
    σ(z) (the steps' a values) and σ(z)(1 − σ(z)); the output layer, chosen by clicking ŷ
    on the canvas, has its marker at the output's z."""
    reported = steps_json(SEED3)
    z = {(s["layer"], s["neuron"]): s["value"] for s in reported if s["kind"] == "z"}
    a = {(s["layer"], s["neuron"]): s["value"] for s in reported if s["kind"] == "a"}
    open_on_activation(window, qtbot, SEED3)
    panel = window.plots.activation
    assert panel.layer_box.currentText() == "hidden layer 1 · sigmoid"
    hidden = [z[(1, 0)], z[(1, 1)]]
    qtbot.waitUntil(lambda: markers(panel)[0].tolist() == hidden)
    assert filled(panel) == [False, False]  # nothing computed before the first step
    window.lesson.actions["next"].trigger()  # z⁽²⁾₁
    qtbot.waitUntil(lambda: filled(panel) == [True, False])
    for _ in range(5):  # through ŷ: the whole forward pass
        window.lesson.actions["next"].trigger()
    qtbot.waitUntil(lambda: filled(panel) == [True, True])
    x, y, slope = markers(panel)
    assert x.tolist() == hidden
    assert y.tolist() == [a[(1, 0)], a[(1, 1)]]
    for zj, yj, dj in zip(x, y, slope, strict=True):
        assert yj == pytest.approx(sigmoid(zj), abs=1e-15)
        assert dj == pytest.approx(sigmoid(zj) * (1 - sigmoid(zj)), abs=1e-15)
    canvas = window.canvas
    pos = canvas.mapFromScene(canvas.scene_point(Target(2, 0)))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert panel.layer_box.currentText() == "output layer · sigmoid"
    qtbot.waitUntil(lambda: markers(panel)[0].tolist() == [z[(2, 0)]])
    assert markers(panel)[1].tolist() == [a[(2, 0)]]


def test_curves_are_the_activation_and_its_derivative_over_minus_6_to_6(window, qtbot):
    """The curves run over z in [−6, 6]: σ and σ' by hand; after the layer's activation
    is changed to tanh (an undoable edit), tanh and 1 − tanh²."""
    open_on_activation(window, qtbot, SEED3)
    panel = window.plots.activation
    qtbot.waitUntil(lambda: len(panel.curves) == 1 and panel.curves[0].getData()[0] is not None)
    ts, f = panel.curves[0].getData()
    _, d = panel.derivative_curves[0].getData()
    assert ts[0] == -6.0 and ts[-1] == 6.0 and 0.0 in ts
    expected = 1 / (1 + np.exp(-ts))
    np.testing.assert_allclose(f, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(d, expected * (1 - expected), rtol=0, atol=1e-15)
    assert window.push(SetActivation(1, "tanh"))
    qtbot.waitUntil(lambda: panel.layer_box.currentText() == "hidden layer 1 · tanh")
    qtbot.waitUntil(lambda: np.allclose(panel.curves[0].getData()[1], np.tanh(ts), atol=1e-15))
    _, d = panel.derivative_curves[0].getData()
    np.testing.assert_allclose(d, 1 - np.tanh(ts) ** 2, rtol=0, atol=1e-15)
    x, y, slope = markers(panel)
    np.testing.assert_allclose(y, np.tanh(x), rtol=0, atol=1e-15)
    np.testing.assert_allclose(slope, 1 - np.tanh(x) ** 2, rtol=0, atol=1e-15)
    assert x.tolist() == [0.25, 0.45]  # z does not depend on the activation


def test_softmax_draws_each_neurons_curve_with_the_other_z_held(window, qtbot):
    """Three classes (softmax output): one curve per output neuron, its marker on it at
    (zⱼ, aⱼ) with aⱼ = e^zⱼ / Σ e^z by hand, the slope marker at aⱼ(1 − aⱼ), and the caption
    says what is drawn."""
    reported = steps_json(THREE)
    first = [s for s in reported if s["kind"] == "z" and s["layer"] == 2 and s["sample"] == 0]
    open_on_activation(window, qtbot, THREE)
    panel = window.plots.activation
    panel.layer_box.setCurrentIndex(1)
    panel.layer_box.activated.emit(1)
    z = [s["value"] for s in sorted(first, key=lambda s: s["neuron"])]
    qtbot.waitUntil(lambda: markers(panel)[0].tolist() == z)
    x, y, slope = markers(panel)
    expected = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(y, expected, rtol=1e-14)
    np.testing.assert_allclose(slope, expected * (1 - expected), rtol=1e-14)
    assert len(panel.curves) == 3
    for j, curve in enumerate(panel.curves):
        ts, f = curve.getData()
        at = int(np.argmin(abs(ts - x[j])))
        held = np.array(x)
        held[j] = ts[at]
        assert f[at] == pytest.approx(np.exp(held[j]) / np.exp(held).sum(), rel=1e-12)
    assert "Softmax" in panel.caption.text() and "diagonal" in panel.caption.toolTip()


def test_check_yourself_hides_the_markers_still_to_come(window, qtbot):
    """In quiz mode the panel shows only the values already known: while a⁽²⁾₁ = ? is
    asked, no marker at (0.25, σ(0.25)) and no tooltip with σ(0.25); once answered, the
    marker and its tooltip appear."""
    open_on_activation(window, qtbot, SEED3)
    panel = window.plots.activation
    window.lesson.actions["quiz"].trigger()
    window.lesson.actions["next"].trigger()
    assert window.lesson.panel.result_text() == "?"
    window.plots.flush()
    assert markers(panel)[0].size == 0
    assert panel.f_markers.data.size == 0 and panel.d_markers.data.size == 0
    window.lesson.panel.quiz.reveal()
    qtbot.waitUntil(lambda: markers(panel)[0].tolist() == [0.25])
    f = 1 / (1 + np.exp(-0.25))
    assert markers(panel)[1][0] == pytest.approx(f, rel=1e-12)
    assert f"f(z) = {f:.4g}" in panel.f_markers.data["data"][0]


def test_check_yourself_with_softmax_waits_for_the_whole_layer(window, qtbot):
    """In quiz mode a softmax layer shows no curve until all its z are computed (each curve
    depends on every z of the layer), then the curves and the computed markers."""
    open_on_activation(window, qtbot, THREE)
    panel = window.plots.activation
    panel.layer_box.setCurrentIndex(1)
    panel.layer_box.activated.emit(1)
    window.lesson.actions["quiz"].trigger()
    qtbot.waitUntil(lambda: markers(panel)[0].size == 0 and not panel.curves)
    walk = window.lesson.walk

    def at_last_output_activation() -> bool:  # every z of the output layer is computed
        step = walk.current
        return step.kind == "a" and step.layer == 2 and step.neuron == 2

    while not at_last_output_activation():
        assert walk.current.kind in ("z", "a")
        if walk.current.layer == 2 and walk.current.kind == "z":  # some z known, not all
            qtbot.waitUntil(lambda: markers(panel)[0].size < 3 and not panel.curves)
        window.lesson.actions["next"].trigger()
    # while an output is asked, the others (they add up to 1 with it) are not shown either
    qtbot.waitUntil(lambda: markers(panel)[0].size == 0 and not panel.curves)
    window.lesson.panel.quiz.reveal()
    qtbot.waitUntil(lambda: len(panel.curves) == 3 and markers(panel)[0].size == 3)
