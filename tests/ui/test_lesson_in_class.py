"""The lesson as a class uses it: Check yourself gives nothing away in any view and keeps the
keyboard on the answer field; every lesson control is reachable at 1024x768; the run speed
in the Step menu; Train N Epochs; the loss plot after scrubbing the timeline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QInputDialog, QTabBar, QToolButton

from bpstudio.document.format import load
from bpstudio.engine.network import forward
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir
from bpstudio.ui.main_window import MainWindow

SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"
XOR = examples_dir() / "xor.bpnet"


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# Example 3 by hand: x = 0.5, target 1.5, w⁽¹⁾ = (0.3, 0.5), b⁽¹⁾ = (0.1, 0.2),
# w⁽²⁾ = (0.2, 0.4), b⁽²⁾ = 0.4, L = ½(y − ŷ)².
A1 = sigmoid(0.3 * 0.5 + 0.1)
A2 = sigmoid(0.5 * 0.5 + 0.2)
Y_HAT = sigmoid(0.2 * A1 + 0.4 * A2 + 0.4)
LOSS = 0.5 * (1.5 - Y_HAT) ** 2


def trained(path, epochs: int) -> Trainer:
    doc = load(path)
    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, doc.training_config())
    assert trainer.run(epochs) is None
    return trainer


@pytest.fixture
def window(quiet_main_window):
    window = quiet_main_window()
    window.ask_yes_no = lambda title, text: True
    return window


def walk_to(window, kind: str, layer: int | None = None) -> None:
    """Steps with Next until the current step is of `kind` (and `layer`)."""
    walk = window.lesson.walk
    while not (walk.current.kind == kind and layer in (None, walk.current.layer)):
        window.lesson.actions["next"].trigger()


def click_reveal(qtbot, window) -> None:
    qtbot.mouseClick(window.lesson.panel.quiz.reveal_button, Qt.MouseButton.LeftButton)


# Check yourself hides the result everywhere -------------------------------------------------
def test_the_asked_loss_is_neither_drawn_nor_read_out_until_revealed(qtbot, window):
    """At L = ? on Example 3 the loss plot has no point at epoch 0 and its readout gives no
    number; revealed, the point and the readout show L = ½(1.5 − ŷ)², worked out by hand."""
    assert window.files.open_path(SEED3)
    window.lesson.actions["quiz"].trigger()
    walk_to(window, "loss")
    panel = window.plots.loss
    window.plots.flush()
    assert window.lesson.panel.result_text() == "?"
    assert "?" in panel.readout.text() and f"{LOSS:.6g}" not in panel.readout.text()
    assert not np.isfinite(panel._drawn).any()
    assert not panel._lone.data.size and not panel._now_dot.data.size
    click_reveal(qtbot, window)
    qtbot.waitUntil(lambda: f"{LOSS:.6g}" in panel.readout.text())
    assert panel._drawn[0] == pytest.approx(LOSS, rel=1e-12)
    assert panel._now_dot.getData()[1].tolist() == [panel._drawn[0]]


def test_later_epochs_of_the_parameter_plot_wait_for_the_answer(qtbot, window):
    """Scrubbed back to epoch 2 of 5, an asked update would be given away by the recorded
    epoch 3: the parameter plot stops at epoch 2 until the answer is revealed."""
    assert window.files.open_path(SEED3)
    for _ in range(5):
        window.lesson.actions["epoch"].trigger()
    window.plots.parameter_dock.raise_()
    window.lesson.timeline.slider.setValue(2)
    assert window.lesson.walk.epoch == 2
    window.lesson.actions["quiz"].trigger()
    walk_to(window, "update_w")
    window.plots.flush()
    curve = window.plots.parameters.curves[0]
    assert curve.getOriginalDataset()[0].tolist() == [0, 1, 2]
    click_reveal(qtbot, window)
    qtbot.waitUntil(lambda: curve.getOriginalDataset()[0].tolist() == [0, 1, 2, 3, 4, 5])


def test_the_decision_boundary_reads_out_no_asked_output(qtbot, window):
    """On XOR, while ŷ of a sample is asked, pointing at the plane reads out no output;
    revealed, it reads out the network's output there."""
    assert window.files.open_path(XOR)
    window.lesson.actions["quiz"].trigger()
    walk_to(window, "a", layer=2)
    panel = window.plots.decision
    window.plots.flush()
    vb = panel.plot.getPlotItem().getViewBox()
    at = vb.mapViewToScene(QPointF(0.0, 0.0))
    panel.readout_at(at)
    assert panel.readout.text().endswith("? (answer in Check yourself first)")
    click_reveal(qtbot, window)
    window.plots.flush()
    panel.readout_at(at)
    point = vb.mapSceneToView(at)
    net = window.lesson.walk.displayed_network()
    out = forward(net, np.array([[point.x(), point.y()]])).output[0, 0]
    assert panel.readout.text().endswith(f"= {out:.4g}")


def test_no_view_shows_an_asked_activation(qtbot, window):
    """While a⁽²⁾₁ = ? is asked, neither the activation plot nor the steps list (lines and
    tooltips) nor the status bar shows σ(0.25) = 0.5622."""
    assert window.files.open_path(SEED3)
    window.plots.activation_dock.raise_()
    window.lesson.actions["quiz"].trigger()
    window.lesson.actions["next"].trigger()
    window.plots.flush()
    value = f"{A1:.4f}"
    panel = window.lesson.panel
    model = panel.steps_model
    texts = [window.status.text(), window.lesson.position.text(), panel.maths.toPlainText()]
    for row in range(model.rowCount()):
        texts += [model.index(row).data(), model.index(row).data(Qt.ItemDataRole.ToolTipRole)]
    assert not any(value in text for text in texts)
    assert window.plots.activation.f_markers.data.size == 0


# the keyboard stays on the answer --------------------------------------------------------
def type_answer(qtbot, field, value: float) -> None:
    qtbot.keyClicks(field, f"{value:.4f}")
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_after_a_right_answer_the_next_question_needs_no_click(qtbot, window):
    """Typing the right z⁽²⁾₁ and Enter keeps the focus on the answer field (↓ there leaves
    the decimals alone); Enter goes on to a⁽²⁾₁, whose answer is typed straight away."""
    assert window.files.open_path(SEED3)
    window.lesson.actions["quiz"].trigger()
    panel = window.lesson.panel
    field = panel.quiz.answer
    window.activateWindow()
    qtbot.waitActive(window)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    type_answer(qtbot, field, 0.25)
    assert panel.quiz.feedback_text().startswith("✓")
    assert QApplication.focusWidget() is field and field.isReadOnly()
    decimals = panel.decimals
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert panel.decimals == decimals
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.lesson.walk.index == 1 and panel.result_text() == "?"
    assert QApplication.focusWidget() is field and not field.isReadOnly()
    type_answer(qtbot, field, A1)
    assert panel.quiz.feedback_text().startswith("✓")
    assert QApplication.focusWidget() is field


def test_the_answer_field_keeps_the_focus_across_the_end_of_a_training_step(qtbot, window):
    """Revealing the last update shows the summary (no question); Space then starts the next
    training step, and the answer field has the focus again."""
    assert window.files.open_path(SEED3)
    window.lesson.actions["quiz"].trigger()
    panel = window.lesson.panel
    window.lesson.jump(len(window.lesson.walk.sequence) - 1)
    window.activateWindow()
    qtbot.waitActive(window)
    panel.quiz.answer.setFocus()
    qtbot.waitUntil(panel.quiz.answer.hasFocus)
    click_reveal(qtbot, window)  # the click focuses the button, which is then disabled
    assert QApplication.focusWidget() is panel.quiz.answer
    qtbot.keyClick(panel.quiz.answer, Qt.Key.Key_Return)
    assert panel.heading_text() == "Training step complete"
    assert QApplication.focusWidget() is not panel.decimals_box
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert window.lesson.walk.epoch == 1 and window.lesson.walk.index == 0
    assert QApplication.focusWidget() is panel.quiz.answer


# every control at 1024x768 ----------------------------------------------------------------
@pytest.mark.parametrize("size", [(1024, 768), (1280, 800)])
def test_every_lesson_control_shows_at_small_screen_sizes(qtbot, window, size):
    """On XOR (the widest sample box): no toolbar needs its » overflow, the status bar's texts
    do not run into each other, and no dock tab title is cut."""
    assert window.files.open_path(XOR)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    QApplication.processEvents()
    bar = window.lesson.toolbar
    for action in bar.actions():
        if not action.isSeparator():
            assert bar.widgetForAction(action).isVisible(), action.text()
    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()
    for key in ("next", "prev", "epoch", "run", "quiz"):
        assert bar.widgetForAction(window.lesson.actions[key]).isVisible()
    for widget in (window.lesson.granularity_box, window.lesson.speed_box):
        assert widget.isVisible()
    left, right = window.status, window.lesson.position
    assert not left.geometry().intersects(right.geometry())
    for label in (left, right):
        shown = label.fontMetrics().horizontalAdvance(label.shown_text())
        assert shown <= label.contentsRect().width()
    titles = []
    for tabs in window.findChildren(QTabBar):
        if tabs.isVisible() and isinstance(tabs.parent(), MainWindow):
            for i in range(tabs.count()):
                titles.append(tabs.tabText(i))
                assert tabs.tabRect(i).width() >= tabs.tabSizeHint(i).width(), tabs.tabText(i)
    assert {"Derivation", "Settings", "Data", "About", "History"} <= set(titles)


def test_a_long_status_text_is_shortened_not_run_into_the_other(qtbot, window):
    window.resize(1024, 768)
    window.lesson.position.setText("Epoch 123,456 · " + "a long position · " * 12)
    QApplication.processEvents()
    left, right = window.status, window.lesson.position
    assert not left.geometry().intersects(right.geometry())
    assert right.shown_text().endswith("…") and right.toolTip() == right.text()


def test_full_dock_titles_stay_in_the_view_menu(window):
    texts = [action.text() for action in window.view_menu.actions()]
    assert {"Training settings", "About this network", "Edit history"} <= set(texts)
    titles = {d.objectName(): d.windowTitle() for d in window.findChildren(QDockWidget)}
    assert titles["settings_dock"] == "Settings" and titles["history_dock"] == "History"


# run speed --------------------------------------------------------------------------------
def speed_menu(window):
    step = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Step")
    return next(a.menu() for a in step.actions() if a.text() == "Run &Speed")


def test_the_speed_is_in_the_step_menu_in_step_with_the_box_and_remembered(
    qtbot, main_window, settings
):
    """Run starts at 3 epochs a second; a speed chosen in the menu shows in the box and
    paces Run, one chosen in the box is ticked in the menu, and the next window starts
    with the last one chosen."""
    window = main_window()
    lesson = window.lesson
    menu = speed_menu(window)
    assert lesson.speed_box.currentText() == "3 epochs/s" and lesson.runner.epochs_per_second == 3
    assert [a.text() for a in menu.actions() if a.isChecked()] == ["3 epochs/s"]
    next(a for a in menu.actions() if a.text() == "100 epochs/s").trigger()
    assert lesson.speed_box.currentText() == "100 epochs/s"
    assert lesson.runner.epochs_per_second == 100
    lesson.speed_box.setCurrentIndex(lesson.speed_box.findText("1 epoch/s"))
    assert [a.text() for a in menu.actions() if a.isChecked()] == ["1 epoch/s"]
    assert lesson.runner.epochs_per_second == 1
    other = main_window()
    assert other.lesson.speed_box.currentText() == "1 epoch/s"
    assert other.lesson.runner.epochs_per_second == 1


def test_finish_epoch_keeps_ctrl_e(window):
    action = window.lesson.actions["epoch"]
    assert action.text() == "Finish &Epoch" and action.shortcut().toString() == "Ctrl+E"
    texts = [a.text() for a in window.lesson.toolbar.actions()]
    assert not any("Run One" in text for text in texts)


# train N epochs ---------------------------------------------------------------------------
def answer_dialog(epochs: int | None, offered: list[int]) -> None:
    """Answers the next Train N Epochs dialog with `epochs` (None: Cancel), noting the number
    it offered."""

    def answer() -> None:
        [dialog] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QInputDialog) and w.isVisible()
        ]
        offered.append(dialog.intValue())
        if epochs is None:
            dialog.reject()
        else:
            dialog.setIntValue(epochs)
            dialog.accept()

    QTimer.singleShot(0, answer)


def test_train_n_epochs_trains_exactly_n_with_progress_and_one_undo(qtbot, window, settings):
    """Train N Epochs… on XOR, 3000 asked in the dialog: the run shows its progress, stops at
    epoch 3000 with the weights `bpstudio train` gives, and one undo takes it back. The next
    dialog offers 3000 again; Cancel trains nothing."""
    assert window.files.open_path(XOR)
    start = window.document.layers[1].weights.copy()
    offered: list[int] = []
    answer_dialog(3000, offered)
    window.lesson.actions["train"].trigger()
    controls = window.lesson.run_controls
    assert window.lesson.runner.running and controls.progress.isVisible()
    assert controls.progress.maximum() == 3000
    qtbot.waitUntil(lambda: not window.lesson.runner.running, timeout=30_000)
    assert not controls.progress.isVisible()
    assert window.lesson.walk.epoch == 3000
    reference = trained(XOR, 3000)
    for layer, w in zip(window.document.layers[1:], reference.net.w, strict=True):
        assert np.array_equal(layer.weights, w)
    assert window.document.history.epoch[-1] == 3000
    window.undo_stack.undo()
    assert np.array_equal(window.document.layers[1].weights, start)
    assert window.lesson.walk.epoch == 0
    answer_dialog(None, offered)
    window.lesson.actions["train"].trigger()
    assert offered == [1000, 3000] and not window.lesson.runner.running
    assert window.lesson.walk.epoch == 0


def test_stop_ends_a_long_run_early_and_keeps_the_epochs_trained(qtbot, window):
    assert window.files.open_path(XOR)
    window.lesson.train_epochs(5_000_000)
    qtbot.waitUntil(lambda: window.lesson.walk.epoch > 100, timeout=20_000)
    qtbot.mouseClick(window.lesson.run_controls.stop_button, Qt.MouseButton.LeftButton)
    epoch = window.lesson.walk.epoch
    assert not window.lesson.runner.running and 100 < epoch < 5_000_000
    assert window.document.history.epoch[-1] == epoch
    assert not window.lesson.run_controls.progress.isVisible()


# the loss plot and the timeline ----------------------------------------------------------
def test_scrubbing_marks_the_epoch_in_the_loss_plot_and_names_it(qtbot, window):
    """After five epochs and scrubbing to epoch 2, the loss plot marks epoch 2 at its loss
    (the engine's, for the same epochs) and its readout names epoch 2."""
    assert window.files.open_path(SEED3)
    for _ in range(5):
        window.lesson.actions["epoch"].trigger()
    losses = trained(SEED3, 5).history.loss.values
    window.lesson.timeline.slider.setValue(2)
    window.plots.flush()
    panel = window.plots.loss
    assert panel.readout.text() == f"epoch 2 of 5 · loss {losses[2]:.6g}"
    assert panel.marks_epoch() == 2
    x, y = panel._now_dot.getData()
    assert x.tolist() == [2] and y[0] == losses[2]
    window.lesson.timeline.slider.setValue(5)
    window.plots.flush()
    assert panel.readout.text() == f"last: epoch 5 · loss {losses[5]:.6g}"


def test_before_training_the_loss_axis_shows_no_negative_loss(qtbot, window):
    assert window.files.open_path(SEED3)
    window.plots.flush()
    panel = window.plots.loss
    low, high = panel.plot.getPlotItem().getViewBox().viewRange()[1]
    assert low >= 0 and high > LOSS
    panel.set_log(True)
    low, high = panel.plot.getPlotItem().getViewBox().viewRange()[1]
    assert low < math.log10(LOSS) < high


def test_speed_setting_falls_back_on_a_bad_stored_value(qtbot, main_window, settings):
    settings.setValue("lesson/run_speed", "fast")
    settings.setValue("lesson/train_epochs", "many")
    window = main_window()
    assert window.lesson.run_controls.speed == 3
    assert window.lesson.run_controls.stored_epochs() == 1000


def test_live_markers_of_weights_near_the_largest_float_warn_about_nothing(window):
    """While training runs the activation markers come from a forward pass of their own;
    weights of 1.7e308 into ŷ overflow z to ∞ there, which is drawn, not warned about (a
    random session found the warning)."""
    from bpstudio.document.edits import SetWeight
    from bpstudio.ui.plots.lesson_values import layer_markers

    assert window.files.open_path(SEED3)
    for k in (0, 1):
        assert window.push(SetWeight(2, 0, k, 1.7e308))
    markers = layer_markers(window.lesson.walk, 2, live=True, built=False)
    assert markers.z.tolist() == [math.inf]
