"""The data dock: a generator or an editable table of samples, CSV import and export. Every
change is one undoable edit, refused values say why and change nothing, and the table stays
virtual for 100,000 rows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QDialogButtonBox, QLineEdit

from bpstudio.document import validate
from bpstudio.document.data_csv import read_csv
from bpstudio.document.edits import SetLoss
from bpstudio.resources import examples_dir
from bpstudio.ui.panels import DataPanel
from bpstudio.ui.panels.csv_import_dialog import CsvImportDialog

XOR = examples_dir() / "xor.bpnet"  # 2-4-1, sse, a table of 4 rows: x1, x2 | y1
SPIRAL = examples_dir() / "spiral.bpnet"  # 2-8-8-1, bce, the spiral generator, 500 samples
THREE_CLASSES = examples_dir() / "three-classes.bpnet"  # 2-4-3, a table of 18 rows


@pytest.fixture
def window(quiet_main_window):
    """The main window on xor.bpnet; errors are collected, closing discards changes."""
    window = quiet_main_window()
    assert window.files.open_path(XOR)
    return window


@pytest.fixture
def panel(window) -> DataPanel:
    return window.findChild(DataPanel)


def edit_cell(qtbot, panel: DataPanel, row: int, column: int, text: str) -> None:
    """Opens the view's editor on a cell, types `text` over its value and presses Enter; the
    delegate commits after the key press is handled, so this waits for the editor to close."""
    index = panel.table.index(row, column)
    panel.view.setCurrentIndex(index)
    panel.view.edit(index)
    editor = panel.view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    editing = QAbstractItemView.State.EditingState
    qtbot.waitUntil(lambda: panel.view.state() != editing)


def choose(qtbot, combo: QComboBox, data: str) -> None:
    """Opens the combo's list, moves to the item whose data is `data` and presses Enter."""
    target = combo.findData(data)
    assert target >= 0
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    view.setCurrentIndex(combo.model().index(target, 0))
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible())


def select_rows(panel: DataPanel, rows: list[int]) -> None:
    flags = QItemSelectionModel.SelectionFlag
    selection = panel.view.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(panel.table.index(row, 0), flags.Select | flags.Rows)


def undo_redo_round_trip(window, steps: int = 1) -> None:
    """Undoing `steps` edits gives the document before them exactly; redoing, the one after."""
    after = window.document.copy()
    for _ in range(steps):
        window.undo_stack.undo()
    before = window.document.copy()
    for _ in range(steps):
        window.undo_stack.redo()
    assert window.document == after
    for _ in range(steps):
        window.undo_stack.undo()
    assert window.document == before


# the table -----------------------------------------------------------------------------------
def test_table_shows_inputs_then_targets(panel):
    """xor's table: 4 rows, headers x1 x2 (the input labels) and y1, numbers as in the file."""
    table = panel.table
    assert (table.rowCount(), table.columnCount()) == (4, 3)
    headers = [table.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["x1", "x2", "y1"]
    assert [table.index(1, c).data() for c in range(3)] == ["0", "1", "1"]
    assert panel.source.currentData() == "" and not panel.generator_form.isVisible()


def test_editing_a_cell_with_the_keyboard_sets_that_number(qtbot, window, panel):
    """Typing 0.25 into row 2, x1 and Enter sets data.inputs[1][0]; undo/redo round trip."""
    before = window.document.copy()
    edit_cell(qtbot, panel, 1, 0, "0.25")
    assert window.document.data.inputs[1, 0] == 0.25
    assert panel.table.index(1, 0).data() == "0.25"
    assert window.undo_stack.count() == 1
    undo_redo_round_trip(window)
    assert window.document == before


def test_a_target_cell_is_edited_in_the_targets(qtbot, window, panel):
    """The last column is the target y1: editing it changes data.targets."""
    edit_cell(qtbot, panel, 0, 2, "0.75")
    assert window.document.data.targets[0, 0] == 0.75


@pytest.mark.parametrize(
    ("text", "problem"),
    [("abc", 'must be a number, not "abc"'), ("inf", "must be a finite number")],
)
def test_a_cell_refuses_what_is_not_a_finite_number(qtbot, window, panel, text, problem):
    """A non-number shows why under the table and the cell keeps its old value."""
    before = window.document.copy()
    edit_cell(qtbot, panel, 1, 0, text)
    assert window.document == before and window.undo_stack.count() == 0
    assert panel.message.isVisible()
    assert panel.message.text().startswith(f"Row 2, x1: {problem}")
    assert panel.table.index(1, 0).data() == "0"


def test_a_cell_refuses_what_the_loss_forbids(qtbot, window, panel):
    """With the bce loss a target must lie in [0, 1]: 1.5 is refused with that rule."""
    assert window.push(SetLoss("bce"))
    edit_cell(qtbot, panel, 0, 2, "1.5")
    assert "between 0 and 1 for the bce loss" in panel.message.text()
    assert window.document.data.targets[0, 0] == 0.0


def test_a_cells_edit_is_checked_once(qtbot, window, panel, monkeypatch):
    """Enter in a cell checks the new row against the data rules once, then applies it."""
    rows: list[dict] = []
    check = validate.check_explicit_data

    def counted(obj, *args):
        rows.append(obj)
        return check(obj, *args)

    monkeypatch.setattr(validate, "check_explicit_data", counted)
    edit_cell(qtbot, panel, 2, 1, "0.5")
    assert rows == [{"inputs": [[1.0, 0.5]], "targets": [[1.0]]}]
    assert window.document.data.inputs[2, 1] == 0.5 and window.undo_stack.count() == 1


def test_add_and_remove_rows_are_undoable(qtbot, window, panel):
    """Add row appends zeros; Remove rows deletes the selected row; each is one step."""
    before = window.document.copy()
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 5
    assert window.document.data.inputs[4].tolist() == [0.0, 0.0]
    undo_redo_round_trip(window)
    window.undo_stack.redo()
    select_rows(panel, [1])
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 4
    expected = np.delete(np.vstack([before.data.inputs, [[0.0, 0.0]]]), 1, axis=0)
    assert np.array_equal(window.document.data.inputs, expected)
    assert window.undo_stack.count() == 2
    undo_redo_round_trip(window, steps=2)
    assert window.document == before


def test_removing_several_rows_is_one_step(qtbot, window, panel):
    """Removing rows 1 and 3 at once is a single undo step; undo restores them exactly."""
    before = window.document.copy()
    select_rows(panel, [0, 2])
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert window.document.data.inputs.tolist() == [[0.0, 1.0], [1.0, 1.0]]
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert window.document == before


def test_the_last_row_cannot_be_removed(qtbot, window, panel):
    """Removing every row is refused with the rule; nothing changes."""
    before = window.document.copy()
    select_rows(panel, [0, 1, 2, 3])
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert window.document == before and "1 to 100,000" in panel.message.text()


# the generator -------------------------------------------------------------------------------
def test_switching_to_spiral_makes_the_data_a_generator_and_undo_restores_the_table(
    qtbot, window, panel
):
    """Source -> spiral (200 samples by default) is one step; undo brings back the table."""
    before = window.document.copy()
    choose(qtbot, panel.source, "spiral")
    data = window.document.data
    assert (data.generator, data.samples, data.inputs) == ("spiral", 200, None)
    assert panel.table.rowCount() == 200 and panel.table.generated
    assert panel.generator_form.isVisible()
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert window.document == before
    assert panel.source.currentData() == "" and panel.table.rowCount() == 4


def test_generator_settings_are_checked_and_set(qtbot, window, panel):
    """Samples 0 is refused with the rule; 300 and noise 0.1 are set; the seed follows the
    training seed until given its own."""
    choose(qtbot, panel.source, "circle")
    samples = panel.fields["samples"]
    samples.setFocus()
    samples.selectAll()
    qtbot.keyClicks(samples, "0")
    qtbot.keyClick(samples, Qt.Key.Key_Return)
    assert "must be between 1 and 100,000, not 0" in panel.messages["samples"].text()
    assert window.document.data.samples == 200
    samples.selectAll()
    qtbot.keyClicks(samples, "300")
    qtbot.keyClick(samples, Qt.Key.Key_Return)
    noise = panel.fields["noise"]
    noise.selectAll()
    qtbot.keyClicks(noise, "0.1")
    qtbot.keyClick(noise, Qt.Key.Key_Return)
    data = window.document.data
    assert (data.generator, data.samples, data.noise, data.seed) == ("circle", 300, 0.1, None)
    qtbot.mouseClick(panel.training_seed, Qt.MouseButton.LeftButton)
    assert window.document.data.seed == 0 and panel.fields["seed"].isEnabled()
    assert window.undo_stack.count() == 4


def test_editing_generated_data_turns_it_into_a_table_in_one_step(qtbot, window, panel):
    """A cell edit of generated samples keeps the other numbers, as a table; one undo step
    gives the generator back."""
    assert window.files.open_path(SPIRAL)
    before = window.document.copy()
    x, y = before.dataset()
    assert "drawn by the spiral generator" in panel.note.text()
    edit_cell(qtbot, panel, 3, 1, "0.5")
    data = window.document.data
    assert data.generator is None and data.inputs[3, 1] == 0.5
    x[3, 1] = 0.5
    assert np.array_equal(data.inputs, x) and np.array_equal(data.targets, y)
    assert panel.source.currentData() == "" and not panel.table.generated
    window.undo_stack.undo()
    assert window.document == before


def test_choosing_table_keeps_the_generated_samples(qtbot, window, panel):
    """Source -> Table turns the generated samples into an editable table of the same numbers."""
    assert window.files.open_path(SPIRAL)
    x, y = window.document.dataset()
    choose(qtbot, panel.source, "")
    data = window.document.data
    assert data.generator is None
    assert np.array_equal(data.inputs, x) and np.array_equal(data.targets, y)


def test_a_generator_for_a_network_of_other_sizes_is_refused_or_fitted(qtbot, window, panel):
    """three-classes (2 inputs, 3 outputs) refuses xor data unless the resize box is ticked."""
    assert window.files.open_path(THREE_CLASSES)
    before = window.document.copy()
    assert panel.fit.isVisible()
    choose(qtbot, panel.source, "xor")
    assert window.document == before and "makes 2 inputs and 1 target" in panel.message.text()
    assert panel.source.currentData() == ""
    assert window.push(SetLoss("sse"))  # cross_entropy needs softmax, which 1 output lacks
    qtbot.mouseClick(panel.fit, Qt.MouseButton.LeftButton)
    choose(qtbot, panel.source, "xor")
    assert window.document.sizes == (2, 4, 1) and window.document.data.generator == "xor"


def test_a_hundred_thousand_rows_only_format_the_visible_cells(qtbot, window, panel):
    """With 100,000 generated samples the view asks for the visible cells only: painting
    the table formats at most a few hundred numbers, wherever it is scrolled to."""
    choose(qtbot, panel.source, "gauss")
    samples = panel.fields["samples"]
    samples.selectAll()
    qtbot.keyClicks(samples, "100000")
    qtbot.keyClick(samples, Qt.Key.Key_Return)
    assert panel.table.rowCount() == 100_000
    calls = []
    original = panel.table.data

    def counting(index, role=Qt.ItemDataRole.DisplayRole):
        calls.append(index.row())
        return original(index, role)

    panel.table.data = counting
    panel.view.scrollToBottom()
    panel.view.viewport().grab()
    assert calls and max(calls) == 99_999
    assert len(set(calls)) < 200


# CSV -------------------------------------------------------------------------------------------
def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_import_with_a_chosen_target_column(qtbot, window, panel, tmp_path):
    """The dialog ticks the last column; the user makes the first column the target instead;
    the import is one undo step."""
    csv = write(tmp_path / "flip.csv", "label,a,b\n1,0.5,0.25\n0,-1,2\n")
    before = window.document.copy()
    seen = []

    def ask(table):
        dialog = CsvImportDialog(table, (2, 1), panel)
        qtbot.addWidget(dialog)
        dialog.show()  # as the user sees it: the keys go to the dialog, not the window
        qtbot.waitExposed(dialog)
        seen.append(dialog.targets())
        for row in (2, 0):  # untick "b", tick "label", clicking their boxes as a user would
            rect = dialog.columns.visualItemRect(dialog.columns.item(row, 0))
            box = QPoint(rect.left() + rect.height() // 2, rect.center().y())
            qtbot.mouseClick(dialog.columns.viewport(), Qt.MouseButton.LeftButton, pos=box)
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        return dialog.choice()

    panel.ask_csv_path = lambda: str(csv)
    panel.ask_import_choice = ask
    panel.import_action.trigger()
    assert seen == [[2]]
    data = window.document.data
    assert data.inputs.tolist() == [[0.5, 0.25], [-1.0, 2.0]]
    assert data.targets.tolist() == [[1.0], [0.0]]
    assert window.undo_stack.undoText() == "Import flip.csv"
    window.undo_stack.undo()
    assert window.document == before


def test_csv_import_can_resize_the_network(qtbot, window, panel, tmp_path):
    """Three input columns do not fit 2 inputs: Import stays disabled until "resize" is
    ticked, and then the input layer takes 3 neurons."""
    csv = write(tmp_path / "wide.csv", "a,b,c,y\n1,2,3,0\n4,5,6,1\n")

    def ask(table):
        dialog = CsvImportDialog(table, (2, 1), panel)
        qtbot.addWidget(dialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled() and "do not fit" in dialog.message.text()
        qtbot.mouseClick(dialog.fit, Qt.MouseButton.LeftButton)
        assert ok.isEnabled()
        return dialog.choice()

    panel.ask_csv_path = lambda: str(csv)
    panel.ask_import_choice = ask
    panel.import_csv()
    assert window.document.sizes == (3, 4, 1)
    assert panel.table.columnCount() == 4


def test_import_dialog_defaults_to_the_last_output_size_columns(qtbot, tmp_path):
    """For a network with 3 outputs the last 3 of 5 columns start as targets."""
    table = read_csv(write(tmp_path / "five.csv", "a,b,c,d,e\n1,2,3,4,5\n"))
    dialog = CsvImportDialog(table, (2, 3))
    qtbot.addWidget(dialog)
    assert dialog.targets() == [2, 3, 4]
    assert dialog.columns.item(0, 0).text() == "input"


def test_a_bad_csv_names_line_and_column_and_changes_nothing(window, panel, tmp_path):
    """A non-number at line 3, column 2 is reported with both; the document is untouched."""
    csv = write(tmp_path / "bad.csv", "x1,x2,y\n0,0,0\n1,abc,1\n")
    before = window.document.copy()
    panel.ask_csv_path = lambda: str(csv)
    panel.ask_import_choice = lambda table: pytest.fail("the dialog must not open")
    panel.import_csv()
    assert len(window.errors) == 1
    assert "bad.csv: line 3, column 2 (\"x2\"): 'abc' is not a number" in window.errors[0]
    assert window.document == before and window.undo_stack.count() == 0


def test_export_then_import_gives_identical_arrays(window, panel, tmp_path):
    """Exporting generated spiral data writes the header and every row; importing that file
    gives exactly the same numbers."""
    assert window.files.open_path(SPIRAL)
    x, y = window.document.dataset()
    out = tmp_path / "spiral.csv"
    panel.ask_csv_save_path = lambda: str(out)
    panel.export_action.trigger()
    lines = out.read_text().splitlines()
    assert lines[0] == "x1,x2,y1" and len(lines) == 1 + 500
    panel.ask_csv_path = lambda: str(out)
    panel.ask_import_choice = lambda table: CsvImportDialog(table, (2, 1), panel).choice()
    panel.import_csv()
    data = window.document.data
    assert data.generator is None
    assert np.array_equal(data.inputs, x) and np.array_equal(data.targets, y)


def test_csv_actions_are_in_the_file_menu(window, panel):
    """File has Import Data from CSV… and Export Data as CSV… (before Quit)."""
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions()]
    assert texts.index(panel.import_action.text()) < texts.index("&Quit")
    assert panel.export_action.text() in texts
