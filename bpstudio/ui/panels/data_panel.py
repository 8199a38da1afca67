"""DataPanel: the training data, either a generator (xor, circle, gauss, spiral) or a table of
samples the student edits, its held-out test set, a picture of a sample whose inputs make a
square, plus CSV import and export. A two-way view of the document that
changes it only through pushed edits. Must not import the canvas or the engine's training."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bpstudio.document.data_csv import CsvError, CsvTable, read_csv, write_csv
from bpstudio.document.edits import (
    AddDataRow,
    Edit,
    RemoveDataRow,
    SetData,
    SetDataCell,
)
from bpstudio.document.edits.data import has_test, table_keeping_test
from bpstudio.document.session import DocumentModel
from bpstudio.engine.datasets import GENERATORS
from bpstudio.ui.panels.csv_import_dialog import CsvImportDialog, ImportChoice
from bpstudio.ui.panels.data_table import DataTableModel, NumberDelegate, cell_message
from bpstudio.ui.panels.fields import MessageLabel, Push, parse
from bpstudio.ui.panels.generator_box import GeneratorBox
from bpstudio.ui.panels.sample_preview import SamplePreview
from bpstudio.ui.panels.split_box import SplitBox

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow

CSV_FILTER = "CSV files (*.csv);;All files (*)"
MAX_STRETCHED_COLUMNS = 6
TABLE = ""  # the source combo's data for "a table of samples"
GENERATOR_TIPS = {
    "xor": "Points in four squares; class 1 where x1 and x2 have the same sign. "
    "No straight line separates the classes.",
    "circle": "Class 1 inside a disc, class 0 in a ring around it.",
    "gauss": "Two round clouds of points, one per class: a straight line separates them.",
    "spiral": "Two interleaved spiral arms, one per class: the hardest of the four.",
}


class DataPanel(QWidget):
    """The data source (a generator and its settings, or a table), the sizes of the training
    and test sets, the samples as a virtual table, the selected sample as a picture, and the
    buttons that add and remove rows and import and export CSV. `window` gives
    `action` (the CSV actions) and `show_error`. `ask_csv_path`, `ask_csv_save_path` and
    `ask_import_choice` are the dialogs, patched in tests."""

    def __init__(self, model: DocumentModel, push: Push, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("data_panel")
        self.model = model
        self._push = push
        self.main_window = window
        self.message = MessageLabel(self)
        self.table = DataTableModel(model, self._on_cell_committed, self)
        layout = QVBoxLayout(self)
        layout.addLayout(self._source_row())
        self.generator_form = GeneratorBox(model, push, self.message.show_message)
        self.fields = self.generator_form.fields
        self.messages = self.generator_form.messages
        self.training_seed = self.generator_form.training_seed
        layout.addWidget(self.generator_form)
        self.fit = QCheckBox("Resize the network to 2 inputs and 1 output")
        self.fit.setToolTip(
            "The generators make 2 inputs and 1 target. Tick this to resize the input and "
            "output layers when choosing one; otherwise a network of other sizes refuses it."
        )
        layout.addWidget(self.fit)
        self.split = SplitBox(model, push, self.message.show_message)
        layout.addWidget(self.split)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.preview = SamplePreview(self)
        layout.addWidget(self.preview)
        layout.addWidget(self._table_view(), 1)
        layout.addWidget(self.message)
        self._make_actions()
        layout.addLayout(self._button_row())
        for signal in (
            model.events.data_changed,
            model.events.structure_changed,
            model.events.document_replaced,
        ):
            signal.connect(self._on_document_changed)
        model.events.settings_changed.connect(self._on_settings_changed)
        self._on_document_changed()

    # building ------------------------------------------------------------------------------
    def _source_row(self) -> QHBoxLayout:
        self.source = QComboBox()
        self.source.addItem("Table of samples", TABLE)
        tip_role = Qt.ItemDataRole.ToolTipRole
        self.source.setItemData(0, "Samples you type in, edit or import from CSV.", tip_role)
        for name in GENERATORS:
            self.source.addItem(f"Generated: {name}", name)
            self.source.setItemData(self.source.count() - 1, GENERATOR_TIPS.get(name), tip_role)
        self.source.setToolTip(
            "Where the training samples come from: a table, or a generator that draws points "
            "of two classes in a pattern (2 inputs, 1 target)."
        )
        self.source.activated.connect(self._on_source_activated)
        row = QHBoxLayout()
        label = QLabel("&Source")
        label.setBuddy(self.source)
        row.addWidget(label)
        row.addWidget(self.source, 1)
        return row

    def _table_view(self) -> QTableView:
        self.view = QTableView()
        self.view.setModel(self.table)
        self._on_table_reset()
        delegate = NumberDelegate(self.view)
        delegate.problem_changed.connect(self.message.show_message)
        self.view.setItemDelegate(delegate)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        triggers = QAbstractItemView.EditTrigger
        self.view.setEditTriggers(
            triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed
        )
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        columns = self.view.horizontalHeader()
        columns.setDefaultSectionSize(76)
        self.table.modelReset.connect(self._on_table_reset)
        self.view.selectionModel().currentRowChanged.connect(self._show_preview)
        self.view.setToolTip(
            "One row per sample: the inputs, then the targets (tinted). Double-click a cell or "
            "start typing to change it; Enter keeps the number, Escape drops it."
        )
        return self.view

    def _make_actions(self) -> None:
        self.import_action = self.main_window.action(
            "&Import Data from CSV…",
            self.import_csv,
            None,
            "Replace the data by the columns of a CSV file with a header row",
        )
        self.export_action = self.main_window.action(
            "E&xport Data as CSV…",
            self.export_csv,
            None,
            "Write the samples (generated ones too) to a CSV file",
        )

    def _button_row(self) -> QHBoxLayout:
        self.add_button = QPushButton("Add row")
        self.add_button.setToolTip("Append a sample of zeros at the end of the table.")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button = QPushButton("Remove rows")
        self.remove_button.setToolTip(
            "Remove every row with a selected cell (the data keeps at least one row)."
        )
        self.remove_button.clicked.connect(self._on_remove_clicked)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        for action, text in ((self.import_action, "Import…"), (self.export_action, "Export…")):
            button = QPushButton(text)
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            row.addWidget(button)
        return row

    # pushes ------------------------------------------------------------------------------
    def _try(self, edit: Edit) -> bool:
        """Pushes `edit`; says below the table why the document refuses it, if it does.
        Returns whether it was accepted."""
        refusal = self._push(edit)
        self.message.show_message("" if refusal is None else str(refusal))
        return refusal is None

    # widget -> document --------------------------------------------------------------------
    def _on_source_activated(self, index: int) -> None:
        name = self.source.itemData(index)
        data = self.model.document.data
        if name == TABLE and data.generator is not None:
            table = table_keeping_test(self.model.document, *self.table.arrays())
            self._try(SetData(table, text="Turn the generated samples into a table"))
        elif name != TABLE and name != data.generator:
            spec = self.generator_form.spec(name)
            had_test = has_test(data)
            if self._try(SetData(spec, fit_network=self.fit.isChecked())) and had_test:
                self._say_if_test_dropped()
        self._show_source()

    def _say_if_test_dropped(self) -> None:
        if not has_test(self.model.document.data):
            self.message.show_message(
                "The test set belonged to the data replaced, so it was dropped "
                "(Undo brings both back)."
            )

    def _on_cell_committed(self, table: str, row: int, column: int, text: str) -> bool:
        refusal = self._push(SetDataCell(table, row, column, parse(text)))
        if refusal is None:
            self.message.show_message("")
            return True
        name = self.table.column_name(table, column)
        self.message.show_message(cell_message(row, name, refusal.problem))
        return False

    def _on_add_clicked(self) -> None:
        if self._try(AddDataRow()):
            last = self.table.index(self.table.rowCount() - 1, 0)
            self.view.setCurrentIndex(last)
            self.view.scrollTo(last)
            self.view.setFocus()

    def _on_remove_clicked(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.message.show_message("Select a cell of each row to remove first.")
            return
        if len(rows) == 1:
            edit: Edit = RemoveDataRow(rows[0])
        else:
            x, y = self.table.arrays()
            kept_x, kept_y = np.delete(x, rows, axis=0), np.delete(y, rows, axis=0)
            edit = SetData.table(kept_x, kept_y, text=f"Remove {len(rows):,} data rows")
        if self._try(edit):
            row = min(rows[0], self.table.rowCount() - 1)
            flags = QItemSelectionModel.SelectionFlag
            self.view.selectionModel().setCurrentIndex(
                self.table.index(row, 0), flags.ClearAndSelect | flags.Rows
            )

    def selected_rows(self) -> list[int]:
        """The rows that hold a selected cell (or the current cell), ascending."""
        rows: set[int] = set()
        for selected in self.view.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        current = self.view.currentIndex()
        if not rows and current.isValid():
            rows.add(current.row())
        return sorted(rows)

    # CSV -----------------------------------------------------------------------------------
    def import_csv(self) -> None:
        """Asks for a CSV file and which columns are targets, then replaces the data in one
        undoable step. A bad file shows where it is wrong and changes nothing."""
        path = self.ask_csv_path()
        if not path:
            return
        try:
            table = read_csv(path)
        except CsvError as exc:
            self.main_window.show_error("Cannot import the data", str(exc))
            return
        choice = self.ask_import_choice(table)
        if choice is None:
            return
        try:
            inputs, targets = table.split(choice.targets)
        except CsvError as exc:
            self.main_window.show_error("Cannot import the data", str(exc))
            return
        text = f"Import {Path(path).name}"
        fit = choice.fit_network
        edit = SetData.table(inputs, targets, fit_network=fit, keep_test=False, text=text)
        had_test = has_test(self.model.document.data)
        refusal = self._push(edit)
        if refusal is not None:
            self.main_window.show_error("That change is not possible", str(refusal))
        elif had_test:
            self._say_if_test_dropped()

    def export_csv(self) -> None:
        """Writes the samples, with a header of column names, to a CSV file."""
        path = self.ask_csv_save_path()
        if not path:
            return
        try:
            write_csv(path, self.model.document)
        except CsvError as exc:
            self.main_window.show_error("Cannot export the data", str(exc))

    def ask_csv_path(self) -> str:
        start = str(Path(self.model.path).parent) if self.model.path else str(Path.home())
        return QFileDialog.getOpenFileName(self.main_window, "Import data", start, CSV_FILTER)[0]

    def ask_csv_save_path(self) -> str:
        folder = Path(self.model.path).parent if self.model.path else Path.home()
        start = str(folder / f"{self.model.document.name or 'data'}.csv")
        path = QFileDialog.getSaveFileName(self.main_window, "Export data", start, CSV_FILTER)[0]
        if path and not Path(path).suffix:
            path += ".csv"
        return path

    def ask_import_choice(self, table: CsvTable) -> ImportChoice | None:
        sizes = self.model.document.sizes
        dialog = CsvImportDialog(table, (sizes[0], sizes[-1]), self.main_window)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.choice() if accepted else None
        finally:
            dialog.deleteLater()

    # document -> widget --------------------------------------------------------------------
    def _on_table_reset(self) -> None:
        # A few columns share the width; many keep a readable width and scroll.
        mode = QHeaderView.ResizeMode
        few = self.table.columnCount() <= MAX_STRETCHED_COLUMNS
        header = self.view.horizontalHeader()
        header.setStretchLastSection(not few)
        header.setSectionResizeMode(mode.Stretch if few else mode.Interactive)

    def _on_document_changed(self, *_args: Any) -> None:
        data = self.model.document.data
        if data.generator is not None:
            self.generator_form.take_values(data)
        self._show_source()
        self.split.show_counts()
        self._show_preview()
        count = self.table.rowCount()
        if data.generator is not None:
            self.note.setText(
                f"{count:,} samples drawn by the {data.generator} generator. Editing a cell "
                "or adding or removing a row turns them into a table of your own."
            )
        else:
            self.note.setText(f"{count:,} samples. Double-click a cell to change it.")

    def _on_settings_changed(self, key: str) -> None:
        if key == "seed":  # the seed field's placeholder shows the training seed
            self._show_source()

    def _show_preview(self, *_args: Any) -> None:
        """Draws the current row's inputs (the first row's if none is current)."""
        x, _ = self.table.arrays()
        row = max(self.view.currentIndex().row(), 0)
        self.preview.show_sample(x[row] if row < len(x) else None)

    def _show_source(self) -> None:
        doc = self.model.document
        name = doc.data.generator
        self.source.blockSignals(True)
        self.source.setCurrentIndex(max(self.source.findData(name or TABLE), 0))
        self.source.blockSignals(False)
        self.generator_form.setVisible(name is not None)
        self.fit.setVisible(name is None and (doc.sizes[0], doc.sizes[-1]) != (2, 1))
        self.generator_form.show_values()
