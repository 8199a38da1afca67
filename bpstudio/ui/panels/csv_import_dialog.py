"""CsvImportDialog: which columns of a read CSV file are targets, a preview of its first rows,
and whether the network's input and output layers should be resized to fit. Shows a CsvTable;
it reads no files and changes no document (the data panel pushes the import edit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bpstudio.document.data_csv import CsvTable
from bpstudio.ui.panels.fields import MessageLabel

PREVIEW_ROWS = 5


@dataclass(frozen=True)
class ImportChoice:
    """The target columns (indices into the file's columns, in file order) and whether the
    input and output layers take the data's widths."""

    targets: list[int]
    fit_network: bool


def default_targets(columns: int, outputs: int) -> list[int]:
    """The last `outputs` columns, leaving at least one input column."""
    count = max(1, min(outputs, columns - 1))
    return list(range(columns - count, columns))


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class CsvImportDialog(QDialog):
    """One row per column of the file: a "target" check box, its name and its first values.
    `sizes` are the network's input and output layer sizes."""

    def __init__(self, table: CsvTable, sizes: tuple[int, int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import data from CSV")
        self.table = table
        self.sizes = sizes
        rows, columns = table.values.shape
        intro = QLabel(
            f"<b>{Path(table.file).name}</b>: {_plural(rows, 'row')} of "
            f"{_plural(columns, 'column')}. Tick the columns the network should learn to "
            "give as outputs (the <i>targets</i>); the other columns are its inputs."
        )
        intro.setWordWrap(True)
        self.columns = self._columns_view()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.fit = QCheckBox("Resize the input and output layers to fit these columns")
        self.fit.setToolTip(
            "Give the input layer one neuron per input column and the output layer one per "
            "target column. Weights that still connect the same neurons are kept."
        )
        self.message = MessageLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.columns, self.summary, self.fit, self.message, self.buttons):
            layout.addWidget(widget)
        self.columns.itemChanged.connect(self._on_item_changed)
        self.fit.toggled.connect(self._on_fit_toggled)
        self._update()
        self.resize(620, 420)

    def _columns_view(self) -> QTableWidget:
        rows, columns = self.table.values.shape
        shown = min(rows, PREVIEW_ROWS)
        view = QTableWidget(columns, 2 + shown)
        view.setHorizontalHeaderLabels(
            ["Target?", "Column", *[f"row {i + 1}" for i in range(shown)]]
        )
        view.verticalHeader().hide()
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        targets = default_targets(columns, self.sizes[1])
        for c, name in enumerate(self.table.names):
            check = QTableWidgetItem()
            check.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            checked = Qt.CheckState.Checked if c in targets else Qt.CheckState.Unchecked
            check.setCheckState(checked)
            check.setText("target" if c in targets else "input")
            view.setItem(c, 0, check)
            view.setItem(c, 1, QTableWidgetItem(name))
            for r in range(shown):
                item = QTableWidgetItem(f"{self.table.values[r, c]:.6g}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                view.setItem(c, 2 + r, item)
        view.setCurrentCell(0, 0)
        return view

    def choice(self) -> ImportChoice:
        return ImportChoice(self.targets(), self.fit.isChecked())

    def targets(self) -> list[int]:
        view = self.columns
        return [
            c
            for c in range(view.rowCount())
            if view.item(c, 0).checkState() == Qt.CheckState.Checked
        ]

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.columns.blockSignals(True)
            item.setText("target" if item.checkState() == Qt.CheckState.Checked else "input")
            self.columns.blockSignals(False)
            self._update()

    def _on_fit_toggled(self, _checked: bool) -> None:
        self._update()

    def _update(self) -> None:
        targets = len(self.targets())
        inputs = self.columns.rowCount() - targets
        net_in, net_out = self.sizes
        self.summary.setText(
            f"{_plural(inputs, 'input')} and {_plural(targets, 'target')}; the network has "
            f"{_plural(net_in, 'input')} and {_plural(net_out, 'output')}."
        )
        problem = ""
        if not targets:
            problem = "Tick at least one target column."
        elif not inputs:
            problem = "Leave at least one column as an input."
        elif (inputs, targets) != self.sizes and not self.fit.isChecked():
            problem = (
                "These columns do not fit the network: tick “Resize the input and output "
                "layers” or choose other targets."
            )
        self.message.show_message(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
