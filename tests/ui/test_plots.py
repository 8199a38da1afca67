"""The plot docks and the loss panel: the panels sit in named docks with View menu toggles
and restored layout; the loss panel shows exactly the training history, switches to a log
axis (remembered), reads out the epoch and loss under the mouse and marks a divergence. It
also works on its own, without a window, as `bpstudio train --plot` needs."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QToolButton
from reference_runs import write_diverging

from bpstudio.document.format import load
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir
from bpstudio.ui.plots.loss_panel import LossPanel

XOR = examples_dir() / "xor.bpnet"
SEED2 = examples_dir() / "seed-2-two-neurons.bpnet"
DOCKS = {
    "loss_dock": "Loss",
    "activation_dock": "Activation",
    "parameter_dock": "Parameters",
    "decision_dock": "Decision boundary",
}


def trained_losses(path, epochs: int) -> np.ndarray:
    """The loss after epochs 0..epochs, by the engine's Trainer (the `bpstudio train` path)."""
    doc = load(path)
    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, doc.training_config())
    trainer.run(epochs)
    return trainer.history.loss.values.copy()


@pytest.fixture
def window(quiet_main_window):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: False
    return window


def test_plot_docks_are_named_toggled_from_the_view_menu_and_under_the_canvas(window):
    """Each plot is a dock with an object name (window state is saved by name), a View
    menu toggle with a tooltip, and sits in the bottom area under the canvas."""
    view_actions = {a.text(): a for a in window.view_menu.actions()}
    for name, title in DOCKS.items():
        dock = window.findChild(QDockWidget, name)
        assert dock is not None and dock.windowTitle() == title
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
        assert title in view_actions and view_actions[title].toolTip()
    assert window.plots.loss_dock.geometry().bottom() > window.canvas.geometry().bottom()


def test_hidden_plot_dock_stays_hidden_in_the_next_window(main_window):
    """The layout is restored by dock name: a plot hidden at closing is hidden next time."""
    first = main_window()
    first.plots.parameter_dock.toggleViewAction().trigger()
    assert first.plots.parameter_dock.isHidden()
    first.close()
    second = main_window()
    assert second.plots.parameter_dock.isHidden()
    assert not second.plots.loss_dock.isHidden()


def test_loss_panel_shows_the_training_history_exactly(window, qtbot):
    """After running epochs from the Step menu, the curve holds the walk's history, and its
    values equal the engine's Trainer run for as many epochs."""
    assert window.files.open_path(XOR)
    for _ in range(5):
        window.lesson.actions["epoch"].trigger()
    panel = window.plots.loss
    qtbot.waitUntil(lambda: len(panel.curve.getOriginalDataset()[0]) == 6)
    x, y = panel.curve.getOriginalDataset()
    assert x.tolist() == list(range(6))
    assert np.array_equal(y, trained_losses(XOR, 5))
    epochs, losses = window.lesson.walk.loss_history()
    assert np.array_equal(x, epochs) and np.array_equal(y, losses)
    assert panel.plot.getPlotItem().getAxis("left").labelText == "loss (SSE)"
    assert panel.plot.getPlotItem().getAxis("bottom").labelText == "epoch"
    assert panel.readout.text() == f"last: epoch 5 · loss {losses[-1]:.6g}"


def test_log_scale_toggle_changes_the_axis_and_is_remembered(main_window, qtbot):
    """The Log scale button puts the loss axis in log mode, and the next window starts so."""
    first = main_window()
    panel = first.plots.loss
    axis = panel.plot.getPlotItem().getAxis("left")
    assert not axis.logMode
    button = panel.findChild(QToolButton)
    assert button.defaultAction() is panel.log_action and button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert axis.logMode and panel.is_log()
    first.close()
    second = main_window()
    assert second.plots.loss.is_log()
    assert second.plots.loss.plot.getPlotItem().getAxis("left").logMode


def hover(qtbot, panel: LossPanel, epoch: float, value: float, expected: str) -> None:
    """Moves the mouse over the plot to (epoch, value) in data coordinates until the readout
    starts with `expected` (pyqtgraph drops moves that come within 10 ms of the last one)."""
    vb = panel.plot.getPlotItem().getViewBox()
    pos = panel.plot.mapFromScene(vb.mapViewToScene(QPointF(epoch, value)))
    tries = []

    def moved() -> bool:  # alternate by a pixel up or down: a move to the same spot is no move
        tries.append(pos + QPoint(0, len(tries) % 2))
        qtbot.mouseMove(panel.plot.viewport(), tries[-1])
        return panel.readout.text().startswith(expected)

    qtbot.waitUntil(moved)


def test_hover_reads_out_the_nearest_epoch_and_its_loss(qtbot):
    """Pointing at the plot shows the nearest epoch and its loss, with a crosshair there;
    leaving shows the last epoch again."""
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    panel.show()
    qtbot.waitExposed(panel)
    epochs = np.arange(0, 200)
    losses = 1.0 / (1.0 + epochs)
    panel.set_history(epochs, losses)
    panel.plot.getPlotItem().getViewBox().setRange(xRange=(0, 199), yRange=(0, 1), padding=0)
    hover(qtbot, panel, 61.2, 0.5, "epoch 61 ")
    assert panel.readout.text() == f"epoch 61 · loss {1 / 62:.6g}"
    assert panel._cross.isVisible() and panel._cross.value() == 61
    panel.set_log(True)  # the view's y becomes log10(loss); the readout shows the loss
    vb = panel.plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: vb.viewRange()[1][0] < np.log10(1 / 200))  # re-ranged to logs
    (_, _), (low, high) = vb.viewRange()
    hover(qtbot, panel, 140.0, (low + high) / 2, "epoch 140 ")
    assert panel.readout.text() == f"epoch 140 · loss {1 / 141:.6g}"


def test_divergence_marker_appears_at_the_epoch_and_clears(qtbot):
    """mark_divergence draws a labelled vertical line at that epoch; None removes it."""
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.set_history(np.arange(40), np.linspace(1.0, 5.0, 40))
    panel.mark_divergence(40)
    assert panel._diverged.isVisible() and panel._diverged.value() == 40
    assert panel._diverged.label.toPlainText() == "diverged at epoch 40"
    panel.mark_divergence(None)
    assert not panel._diverged.isVisible()


def test_a_diverging_run_is_marked_in_the_window(window, qtbot, tmp_path):
    """Training that diverges leaves the marker at the walk's divergence epoch."""
    bad = write_diverging(tmp_path)
    assert window.files.open_path(bad)
    for _ in range(200):
        window.lesson.actions["epoch"].trigger()
        if window.lesson.walk.divergence:
            break
    divergence = window.lesson.walk.divergence
    assert divergence is not None
    marker = window.plots.loss._diverged
    qtbot.waitUntil(lambda: marker.isVisible() and marker.value() == divergence.epoch)


def test_loss_panel_renders_without_a_window(qtbot):
    """A standalone panel (as `train --plot` uses it) takes a loss name and a history and
    renders offscreen into an image of its size."""
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(640, 360)
    panel.set_loss_name("mse")
    panel.set_history(np.arange(300), np.exp(-np.arange(300) / 50.0))
    image = panel.plot.grab().toImage()
    assert image.width() == panel.plot.width() and image.height() == panel.plot.height()
    assert panel.plot.getPlotItem().getAxis("left").labelText == "loss (MSE)"
    colours = {image.pixelColor(x, image.height() // 3).name() for x in range(image.width())}
    assert len(colours) > 2  # the curve and axes are drawn, not a blank image


def test_a_reopened_trained_network_shows_its_saved_history(window, qtbot, tmp_path):
    """Saved after five epochs and opened again, the loss panel shows those epochs (from the
    file's history) and the ones trained after them, continuing the same curve."""
    assert window.files.open_path(XOR)
    for _ in range(5):
        window.lesson.actions["epoch"].trigger()
    window.ask_save_path = lambda: str(tmp_path / "trained.bpnet")
    assert window.files.save_as()
    assert window.files.open_path(tmp_path / "trained.bpnet")
    window.lesson.actions["epoch"].trigger()
    panel = window.plots.loss
    qtbot.waitUntil(lambda: len(panel.history()[0]) == 7)
    epochs, losses = panel.history()
    assert epochs.tolist() == list(range(7))
    np.testing.assert_allclose(losses, trained_losses(XOR, 6), rtol=1e-12)


def test_the_view_follows_the_history_until_the_user_zooms(qtbot):
    """New epochs widen the view while it follows; after a wheel zoom the user's range
    stays through updates; the fit button ("A") follows the history again."""
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    panel.show()
    qtbot.waitExposed(panel)
    vb = panel.plot.getPlotItem().getViewBox()
    panel.set_history(np.arange(100), np.linspace(1.0, 0.1, 100))
    assert vb.viewRange()[0][0] < 0 < 99 < vb.viewRange()[0][1]
    qtbot.wait(50)  # drawn once, as a user sees it before turning the wheel
    centre = panel.plot.mapFromScene(vb.sceneBoundingRect().center())
    wheel = QWheelEvent(
        QPointF(centre),
        QPointF(panel.plot.viewport().mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(panel.plot.viewport(), wheel)
    zoomed = vb.viewRange()[0]
    assert zoomed[1] - zoomed[0] < 90  # zoomed in
    panel.set_history(np.arange(300), np.linspace(1.0, 0.1, 300))
    assert vb.viewRange()[0] == zoomed
    panel.fit()
    assert vb.viewRange()[0][1] > 299
