"""The settings dock edits the document's name, loss and training settings through undoable
edits, refuses what the document's rules refuse while it is typed, and follows the document
when it changes (undo, redo, opening a file)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDockWidget

from bpstudio.document import validate
from bpstudio.resources import examples_dir
from bpstudio.ui.panels import SettingsPanel

XOR = examples_dir() / "xor.bpnet"
CIRCLE = examples_dir() / "circle.bpnet"
THREE_CLASSES = examples_dir() / "three-classes.bpnet"


@pytest.fixture
def window(quiet_main_window):
    """The main window on xor.bpnet (learning rate 1, momentum 0, full batch, seed 0, sse);
    errors are collected instead of shown, and closing discards the changes."""
    window = quiet_main_window()
    assert window.files.open_path(XOR)
    return window


@pytest.fixture
def panel(window) -> SettingsPanel:
    return window.findChild(SettingsPanel)


def type_into(qtbot, field, text: str, key=Qt.Key.Key_Return) -> None:
    """Replaces the field's text by typing `text`, then presses `key`."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)
    if key is not None:
        qtbot.keyClick(field, key)


def choose(qtbot, combo: QComboBox, name: str) -> None:
    """Opens the combo's list, moves to the item `name` and presses Enter, as a user would
    (one `activated`)."""
    target = combo.findData(name)
    assert target >= 0
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    view.setCurrentIndex(combo.model().index(target, 0))
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible())


def test_docks_are_named_and_toggled_from_the_view_menu(window):
    """The docks have object names (window state is saved by name) and View menu toggles."""
    for name, title in (("settings_dock", "Training settings"), ("data_dock", "Data")):
        dock = window.findChild(QDockWidget, name)
        assert dock is not None and dock.isVisible()
        assert title in [a.text() for a in window.view_menu.actions()]


def test_typing_a_learning_rate_and_enter_sets_exactly_it(qtbot, window, panel):
    """Typing 0.5 + Enter sets the learning rate to exactly 0.5, as one undo step."""
    type_into(qtbot, panel.fields["learning_rate"], "0.5")
    assert window.document.training.learning_rate == 0.5
    assert window.undo_stack.count() == 1
    assert panel.fields["learning_rate"].text() == "0.5"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0", "must be greater than 0, not 0"),
        ("-1", "must be greater than 0, not -1"),
        ("abc", 'must be a number, not "abc"'),
        ("1e999", "must be a finite number"),
        ("", 'must be a number, not ""'),
    ],
)
def test_a_refused_learning_rate_shows_the_rule_and_changes_nothing(
    qtbot, window, panel, text, problem
):
    """While the typed text breaks the rule the field says why; Enter does not push it."""
    before = window.document.copy()
    field = panel.fields["learning_rate"]
    type_into(qtbot, field, text)
    message = panel.messages["learning_rate"]
    assert message.isVisible()
    assert f"Learning rate {problem}" in message.text()
    assert "a finite number greater than 0" in message.text()
    assert window.document == before and window.undo_stack.count() == 0
    assert field.text() == text  # kept, to be corrected


def test_escape_puts_back_the_documents_value(qtbot, window, panel):
    """Escape drops a refused text and its message; the field shows the document's value."""
    field = panel.fields["learning_rate"]
    type_into(qtbot, field, "-3", key=Qt.Key.Key_Escape)
    assert field.text() == "1" and not field.problem
    assert not panel.messages["learning_rate"].isVisible()


def test_leaving_a_refused_field_puts_back_the_documents_value(qtbot, window, panel):
    """Focus-out with a refused text reverts it; a valid text is committed instead."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    momentum, seed = panel.fields["momentum"], panel.fields["seed"]
    type_into(qtbot, momentum, "2", key=None)
    seed.setFocus()
    qtbot.waitUntil(seed.hasFocus)
    assert momentum.text() == "0" and window.document.training.momentum == 0.0
    type_into(qtbot, seed, "5", key=None)
    momentum.setFocus()
    qtbot.waitUntil(momentum.hasFocus)
    assert window.document.training.seed == 5


def test_momentum_of_one_is_refused_and_below_one_is_set(qtbot, window, panel):
    """Momentum must lie in [0, 1): 1 is refused, 0.9 is set."""
    field = panel.fields["momentum"]
    type_into(qtbot, field, "1")
    assert "must be in [0, 1), not 1" in panel.messages["momentum"].text()
    assert window.document.training.momentum == 0.0
    type_into(qtbot, field, "0.9")
    assert window.document.training.momentum == 0.9 and not field.problem


def test_batch_size_switches_between_full_batch_and_a_number(qtbot, window, panel):
    """Unticking "Full batch" sets a size, typing 2 sets 2, 0 is refused, ticking clears it."""
    qtbot.mouseClick(panel.full_batch, Qt.MouseButton.LeftButton)
    assert window.document.training.batch_size == 4  # at most 10, and xor has 4 samples
    field = panel.fields["batch_size"]
    assert field.isEnabled()
    type_into(qtbot, field, "2")
    assert window.document.training.batch_size == 2
    type_into(qtbot, field, "0")
    assert "must be at least 1, not 0" in panel.messages["batch_size"].text()
    assert window.document.training.batch_size == 2
    qtbot.mouseClick(panel.full_batch, Qt.MouseButton.LeftButton)
    assert window.document.training.batch_size is None
    assert not field.isEnabled() and field.text() == ""


def test_seed_takes_whole_numbers_only(qtbot, window, panel):
    """A seed of 7 is set; 1.5 is refused with the rule."""
    field = panel.fields["seed"]
    type_into(qtbot, field, "7")
    assert window.document.training.seed == 7
    type_into(qtbot, field, "1.5")
    assert "must be an integer, not 1.5" in panel.messages["seed"].text()
    assert window.document.training.seed == 7


def test_init_shuffle_and_name_are_edits(qtbot, window, panel):
    """Choosing an init scheme, ticking shuffle and renaming each push one edit."""
    choose(qtbot, panel.init, "he")
    assert window.document.training.init == "he"
    qtbot.mouseClick(panel.shuffle, Qt.MouseButton.LeftButton)
    assert window.document.training.shuffle is True
    type_into(qtbot, panel.name, "My XOR")
    assert window.document.name == "My XOR"
    assert window.undo_stack.count() == 3


def test_cross_entropy_is_refused_without_softmax_and_says_why(qtbot, window, panel):
    """xor has a sigmoid output: cross_entropy is refused, the combo stays on sse."""
    before = window.document.copy()
    choose(qtbot, panel.loss, "cross_entropy")
    assert window.document == before and window.undo_stack.count() == 0
    assert panel.loss.currentData() == "sse"
    assert "needs a softmax output layer" in panel.message.text()
    choose(qtbot, panel.loss, "mse")
    assert window.document.loss == "mse" and not panel.message.isVisible()


@pytest.fixture
def training_checks(monkeypatch) -> list[dict]:
    """Every call of the loader's check of `training` (which the edit rules use), recorded."""
    calls: list[dict] = []
    check = validate.check_training

    def counted(obj):
        calls.append(obj)
        return check(obj)

    monkeypatch.setattr(validate, "check_training", counted)
    return calls


def test_enter_checks_a_typed_setting_once(qtbot, window, panel, training_checks):
    """Each keystroke checks the text (to tint the field); Enter checks the edit once more,
    only once, and applies it as one undo step."""
    type_into(qtbot, panel.fields["learning_rate"], "0.25", key=None)
    assert [call["learning_rate"] for call in training_checks[-4:]] == [0.0, 0, 0.2, 0.25]
    training_checks.clear()
    qtbot.keyClick(panel.fields["learning_rate"], Qt.Key.Key_Return)
    assert len(training_checks) == 1 and training_checks[0]["learning_rate"] == 0.25
    assert window.document.training.learning_rate == 0.25
    assert window.undo_stack.count() == 1


def test_enter_on_a_refused_setting_checks_it_once_and_changes_nothing(
    qtbot, window, panel, training_checks
):
    """Momentum 1 on Enter: one check, the field says why, the document and the undo stack
    stay as they were and the form's own message stays empty."""
    before = window.document.copy()
    field = panel.fields["momentum"]
    type_into(qtbot, field, "1", key=None)
    training_checks.clear()
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert len(training_checks) == 1
    assert "Momentum must be in [0, 1), not 1" in panel.messages["momentum"].text()
    assert window.document == before and window.undo_stack.count() == 0
    assert field.text() == "1" and not panel.message.isVisible()


def test_a_refused_loss_is_checked_once(qtbot, window, panel, monkeypatch):
    """Choosing cross_entropy for xor's sigmoid output runs the loss rule once."""
    calls: list[str] = []
    check = validate.check_loss
    monkeypatch.setattr(
        validate, "check_loss", lambda name, *a: calls.append(name) or check(name, *a)
    )
    choose(qtbot, panel.loss, "cross_entropy")
    assert calls == ["cross_entropy"]
    assert "needs a softmax output layer" in panel.message.text()


def test_retyping_one_field_is_one_undo_step(qtbot, window, panel):
    """0.5 then 0.3 in the learning rate merge: one undo goes back to 1."""
    type_into(qtbot, panel.fields["learning_rate"], "0.5")
    type_into(qtbot, panel.fields["learning_rate"], "0.3")
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert window.document.training.learning_rate == 1.0


def test_undo_and_redo_restore_the_field_text(qtbot, window, panel):
    """Undo shows the old value in the field, redo the new one, without pushing anything."""
    type_into(qtbot, panel.fields["momentum"], "0.25")
    qtbot.mouseClick(panel.shuffle, Qt.MouseButton.LeftButton)
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert panel.fields["momentum"].text() == "0" and not panel.shuffle.isChecked()
    window.undo_stack.redo()
    window.undo_stack.redo()
    assert panel.fields["momentum"].text() == "0.25" and panel.shuffle.isChecked()
    assert window.undo_stack.count() == 2


def test_ctrl_z_undoes_a_setting(qtbot, window, panel):
    """The Edit menu's Undo (Ctrl+Z) takes a typed setting back."""
    type_into(qtbot, panel.fields["seed"], "9")
    undo = next(a for a in window.edit_menu.actions() if a.shortcut().toString() == "Ctrl+Z")
    undo.trigger()
    assert window.document.training.seed == 0 and panel.fields["seed"].text() == "0"


def test_opening_another_file_updates_every_field(window, panel):
    """Opening circle.bpnet shows its settings, and writing them pushes nothing."""
    assert window.files.open_path(CIRCLE)
    assert panel.name.text() == "Circle"
    assert panel.loss.currentData() == "bce"
    assert panel.fields["learning_rate"].text() == "0.05"
    assert panel.fields["momentum"].text() == "0.9"
    assert not panel.full_batch.isChecked() and panel.fields["batch_size"].text() == "10"
    assert panel.shuffle.isChecked()
    assert panel.fields["seed"].text() == "0"
    assert panel.init.currentData() == "xavier"
    assert window.undo_stack.count() == 0


def test_cross_entropy_stays_with_a_softmax_output(qtbot, window, panel):
    """three-classes.bpnet has a softmax output: its cross_entropy shows, and sse is allowed."""
    assert window.files.open_path(THREE_CLASSES)
    assert panel.loss.currentData() == "cross_entropy"
    choose(qtbot, panel.loss, "sse")
    assert window.document.loss == "sse"


def test_dock_visibility_is_restored_with_the_window_state(main_window):
    """A dock hidden when the window closes stays hidden in the next window (saved by name)."""
    first = main_window()
    first.findChild(QDockWidget, "data_dock").hide()
    first.close()
    second = main_window()
    assert not second.findChild(QDockWidget, "data_dock").isVisible()
    assert second.findChild(QDockWidget, "settings_dock").isVisible()


def test_weight_decay_and_stop_loss_are_typed_undone_and_followed(qtbot, window, panel):
    """Both fields set the document by undoable edits, an empty stop loss is none, a
    negative decay is refused below its field, and undo shows the old values again."""
    type_into(qtbot, panel.fields["stop_loss"], "0.05")
    type_into(qtbot, panel.fields["weight_decay"], "0.01")
    training = window.document.training
    assert (training.weight_decay, training.stop_loss) == (0.01, 0.05)
    type_into(qtbot, panel.fields["weight_decay"], "-1")
    assert window.document.training.weight_decay == 0.01
    assert "must be at least 0, not -1" in panel.messages["weight_decay"].text()
    type_into(qtbot, panel.fields["stop_loss"], "")
    assert window.document.training.stop_loss is None
    assert panel.fields["stop_loss"].text() == ""
    window.undo_stack.undo()
    assert window.document.training.stop_loss == 0.05
    assert panel.fields["stop_loss"].text() == "0.05"
    window.undo_stack.undo()
    assert window.document.training.weight_decay == 0.0
    assert panel.fields["weight_decay"].text() == "0"
    window.undo_stack.redo()
    assert panel.fields["weight_decay"].text() == "0.01"
