"""The parameter panel: weights and biases chosen on the canvas or in the list are drawn
against the epoch with exactly the values epoch-by-epoch training gives, including a
parameter chosen after training (its past is replayed). Only chosen parameters are kept."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from reference_runs import params_by_epoch

from bpstudio.document.format import load
from bpstudio.resources import examples_dir
from bpstudio.ui.assemble import build_window
from bpstudio.ui.canvas.items import Target
from bpstudio.ui.plots.parameter_panel import MAX_CURVES

SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"  # params: w1 (2), b1 (2), w2 (2), b2 (1)


@pytest.fixture
def window(quiet_main_window, qtbot):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: False
    assert window.files.open_path(SEED3)
    window.plots.parameter_dock.raise_()
    qtbot.waitUntil(lambda: not window.plots.parameters.visibleRegion().isEmpty())
    return window


def click(qtbot, window, target: Target) -> None:
    canvas = window.canvas
    pos = canvas.mapFromScene(canvas.scene_point(target))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def curve_values(panel) -> list[np.ndarray]:
    """Each curve's y values (empty before the first refresh)."""
    return [
        np.empty(0) if (y := curve.getOriginalDataset()[1]) is None else y for curve in panel.curves
    ]


def legend_names(panel) -> list[str]:
    return [label.text for _sample, label in panel.legend.items]


def run_until(qtbot, window, epochs: int) -> int:
    """Continuous training (Run) until at least `epochs`; returns the epoch it paused at."""
    window.lesson.run_controls.set_speed(0)  # as fast as possible
    window.lesson.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.lesson.walk.epoch >= epochs, timeout=20000)
    window.lesson.actions["run"].trigger()
    assert not window.lesson.runner.running
    return window.lesson.walk.epoch


def test_clicking_an_edge_plots_its_weight_as_training_gives_it(window, qtbot):
    """A click on the edge x → a⁽²⁾₂ chooses w⁽¹⁾₂ alone (legend and list say so); after five
    epochs its curve holds the value after each epoch, bit for bit."""
    panel = window.plots.parameters
    click(qtbot, window, Target(1, 1, 0))
    assert panel.chosen() == [1]
    assert legend_names(panel) == ["w⁽¹⁾₂"]
    model = panel.model
    assert model.data(model.index(1), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert "into neuron 2 of hidden layer 1" in model.data(
        model.index(1), Qt.ItemDataRole.ToolTipRole
    )
    for _ in range(5):
        window.lesson.actions["epoch"].trigger()
    qtbot.waitUntil(lambda: len(curve_values(panel)[0]) == 6)
    epochs, values = panel.curves[0].getOriginalDataset()
    assert epochs.tolist() == list(range(6))
    assert np.array_equal(values, params_by_epoch(SEED3, 5)[:, 1])


def test_clicking_a_neuron_plots_its_bias_and_incoming_weights(window, qtbot):
    """A click on ŷ chooses b⁽²⁾ and the weights w⁽²⁾₁, w⁽²⁾₂ into it."""
    click(qtbot, window, Target(2, 0))
    panel = window.plots.parameters
    assert panel.chosen() == [6, 4, 5]
    assert legend_names(panel) == ["b⁽²⁾₁", "w⁽²⁾₁", "w⁽²⁾₂"]


def test_a_parameter_ticked_after_training_shows_its_replayed_past(window, qtbot):
    """After training, ticking b⁽¹⁾₁ in the list (keyboard: Space) shows its whole history,
    replayed from the timeline, equal to epoch-by-epoch training; only the chosen
    parameters are recorded."""
    panel = window.plots.parameters
    click(qtbot, window, Target(1, 1, 0))
    epoch = run_until(qtbot, window, 300)
    panel.list.setFocus()
    panel.list.setCurrentIndex(panel.model.index(2))
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    assert panel.chosen() == [1, 2]
    expected = params_by_epoch(SEED3, epoch)
    qtbot.waitUntil(lambda: [len(v) for v in curve_values(panel)] == [epoch + 1] * 2)
    qtbot.waitUntil(lambda: not np.isnan(curve_values(panel)[1]).any())
    w, b = curve_values(panel)
    assert np.array_equal(w, expected[:, 1]) and np.array_equal(b, expected[:, 2])
    assert window.lesson.walk.trainer.history.params.values.shape == (epoch + 1, 2)


def test_a_long_replay_shows_progress_and_can_be_cancelled(window, qtbot):
    """Ticking a parameter after thousands of epochs replays in slices with a progress bar;
    Cancel stops it and unticks that parameter."""
    panel = window.plots.parameters
    click(qtbot, window, Target(1, 0, 0))
    run_until(qtbot, window, 20000)
    panel.set_chosen([0, 6])
    qtbot.waitUntil(lambda: panel.progress.isVisible())
    qtbot.mouseClick(panel.cancel, Qt.MouseButton.LeftButton)
    assert panel.chosen() == [0]
    assert window.lesson.walk.parameters.pending() == 0


def test_ticking_more_than_the_limit_is_refused_with_a_message(window, qtbot):
    """On the spiral (more than 8 parameters) a ninth tick is refused and the panel says
    why."""
    assert window.files.open_path(examples_dir() / "spiral.bpnet")
    panel = window.plots.parameters
    assert panel.model.rowCount() > MAX_CURVES
    assert panel.set_chosen(range(MAX_CURVES))
    panel.list.setFocus()
    panel.list.setCurrentIndex(panel.model.index(panel.model.rowCount() - 1))
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    assert panel.chosen() == list(range(MAX_CURVES))
    assert panel.hint.text() == f"At most {MAX_CURVES} parameters at once: untick one first."


def test_nothing_is_recorded_until_the_panel_is_first_shown(quiet_main_window, qtbot):
    """Behind the Loss tab the panel records nothing; shown, it replays its parameters'
    past and shows the same values as epoch-by-epoch training."""
    window = quiet_main_window()
    assert window.files.open_path(SEED3)
    window.plots.loss_dock.raise_()
    assert window.plots.parameters.visibleRegion().isEmpty()  # a tab behind another
    for _ in range(4):
        window.lesson.actions["epoch"].trigger()
    assert window.lesson.walk.trainer.history.params is None
    window.plots.parameter_dock.raise_()
    panel = window.plots.parameters
    qtbot.waitUntil(lambda: [len(v) for v in curve_values(panel)] == [5] * 3)
    qtbot.waitUntil(lambda: not np.isnan(np.concatenate(curve_values(panel))).any())
    expected = params_by_epoch(SEED3, 4)
    assert panel.chosen() == [6, 4, 5]  # the output neuron's bias and weights, by default
    for values, i in zip(curve_values(panel), panel.chosen(), strict=True):
        assert np.array_equal(values, expected[:, i])


def test_a_million_parameters_are_listed_without_laying_out_every_row(qtbot, monkeypatch):
    """A 1-996-1000-1 network's 999,993 parameters: the list asks its model only about the
    rows in view (a QListView laid out every row, asking two million times: seconds), and
    the last parameter can still be scrolled to and ticked with Space."""
    from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec
    from bpstudio.ui.plots.lesson_values import ParameterNames
    from bpstudio.ui.plots.parameter_panel import ParameterList, ParameterPanel

    layers = [LayerSpec(1), LayerSpec(996, "tanh"), LayerSpec(1000, "tanh")]
    layers.append(LayerSpec(1, "sigmoid"))
    data = DataSpec(inputs=np.zeros((2, 1)), targets=np.zeros((2, 1)))
    names = ParameterNames(Document(layers, "sse", TrainingSpec(0.1), data))
    asked = []
    row_count = ParameterList.rowCount
    monkeypatch.setattr(
        ParameterList, "rowCount", lambda self, *a: asked.append(1) or row_count(self, *a)
    )
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 300)
    panel.show()
    qtbot.waitExposed(panel)
    asked.clear()
    panel.set_parameters(names, [])
    panel.grab()
    assert panel.model.rowCount() == len(names) == 999_993
    assert len(asked) < 1000
    last = panel.model.index(len(names) - 1)
    panel.list.scrollTo(last)
    panel.list.setFocus()
    panel.list.setCurrentIndex(last)
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    assert panel.chosen() == [len(names) - 1]
    assert panel.model.data(last) == "b⁽³⁾₁"


def test_panels_behind_a_tab_are_built_on_first_view_with_the_canvas_choice(settings, qtbot):
    """XOR (two inputs) opened from the command line shows the loss and decision-boundary
    panels; the parameter and activation panels behind them are not built until first shown.
    A click on the output neuron before that still chooses its bias and four weights, and
    its layer."""
    xor = examples_dir() / "xor.bpnet"
    window = build_window(settings, (load(xor), xor))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: window.plots.built_panel("decision") is not None)
    assert window.plots.built_panel("loss") is not None
    assert window.plots.built_panel("parameters") is None
    assert window.plots.built_panel("activation") is None
    click(qtbot, window, Target(2, 0))
    assert window.plots.built_panel("parameters") is None
    window.plots.parameter_dock.raise_()
    panel = window.plots.parameters
    assert sorted(legend_names(panel)) == ["b⁽²⁾₁", "w⁽²⁾₁", "w⁽²⁾₂", "w⁽²⁾₃", "w⁽²⁾₄"]
    qtbot.waitUntil(lambda: [len(v) for v in curve_values(panel)] == [1] * 5)
    window.plots.activation_dock.raise_()
    activation = window.plots.activation
    assert activation.layer == 2
    assert activation.layer_box.currentText() == "output layer · sigmoid"
