"""DataTableModel: the document's samples as a virtual Qt table (inputs, then targets), and
the delegate that checks a cell's number as it is typed. Reads the document's arrays and never
changes them: a typed value goes to the `commit` callback, which pushes the edit. Must not
import the canvas or the engine's training code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from bpstudio.document.data_csv import column_names
from bpstudio.document.edits import rules
from bpstudio.document.session import DocumentModel
from bpstudio.maths.formula import format_number
from bpstudio.ui import theme
from bpstudio.ui.panels.fields import CheckedField, parse

Index = QModelIndex | QPersistentModelIndex
Commit = Callable[[str, int, int, str], bool]  # table, row, column, typed text -> accepted
_ROLE = Qt.ItemDataRole
_ALIGN = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class DataTableModel(QAbstractTableModel):
    """Rows are samples; columns are the inputs (named by the input layer's labels, or x1..)
    then the targets (y1..). Generated data is generated once per change of the document,
    and only the visible cells are ever formatted, so 100,000 rows cost little."""

    def __init__(self, model: DocumentModel, commit: Commit, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self._commit = commit
        self._x = np.zeros((0, 0))
        self._y = np.zeros((0, 0))
        self._names: list[str] = []
        self._inputs = 0
        self.generated = False
        for signal in (
            model.events.data_changed,
            model.events.structure_changed,
            model.events.document_replaced,
        ):
            signal.connect(self._on_document_changed)
        self._on_document_changed()

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The shown inputs `(N, n)` and targets `(N, k)`; read them, never write them."""
        return self._x, self._y

    def cell(self, index: Index) -> tuple[str, int, int]:
        """The document's table ("inputs" or "targets"), row and column of `index`."""
        column = index.column()
        if column < self._inputs:
            return "inputs", index.row(), column
        return "targets", index.row(), column - self._inputs

    def column_name(self, table: str, column: int) -> str:
        """The header of column `column` of the document's `table` ("inputs", "targets")."""
        return self._names[column + (self._inputs if table == "targets" else 0)]

    def _on_document_changed(self, *_args: Any) -> None:
        doc = self.model.document
        data = doc.data
        x, y = (data.inputs, data.targets) if data.generator is None else doc.dataset()
        assert x is not None and y is not None  # the document's rules
        inputs, targets = column_names(doc)
        reshaped = (x.shape, y.shape) != (self._x.shape, self._y.shape)
        if reshaped:
            self.beginResetModel()
        self._x, self._y, self._inputs = x, y, len(inputs)
        self._names = [*inputs, *targets]
        self.generated = data.generator is not None
        if reshaped:
            self.endResetModel()
        elif self.rowCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    # the Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._x)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: Index, role: int = _ROLE.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (_ROLE.DisplayRole, _ROLE.EditRole):
            table, row, column = self.cell(index)
            value = float((self._x if table == "inputs" else self._y)[row, column])
            return f"{value:.6g}" if role == _ROLE.DisplayRole else format_number(value)
        if role == _ROLE.TextAlignmentRole:
            return _ALIGN
        if role == _ROLE.ForegroundRole and self.generated:
            return theme.current().muted
        if role == _ROLE.BackgroundRole and index.column() >= self._inputs:
            return _target_tint()
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            return section + 1 if role == _ROLE.DisplayRole else None
        if not 0 <= section < len(self._names):
            return None
        name = self._names[section]
        if role == _ROLE.DisplayRole:
            return name
        if role == _ROLE.ToolTipRole:
            if section < self._inputs:
                return f"Input {name}: a value fed to the input layer"
            return f"Target {name}: the output the network should learn to give"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = _ROLE.EditRole) -> bool:
        if not index.isValid() or role != _ROLE.EditRole:
            return False
        table, row, column = self.cell(index)
        return self._commit(table, row, column, str(value))


def _target_tint() -> QColor:
    """A faint tint that sets the target columns apart on a light or dark palette."""
    tint = QColor(theme.current().positive)
    tint.setAlpha(28)
    return tint


class NumberDelegate(QStyledItemDelegate):
    """Edits a cell in a CheckedField: a text that is not a finite number is tinted while
    typed and `problem_changed` says why (the model's commit decides on Enter)."""

    problem_changed = Signal(str)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index):
        model = index.model()
        name = model.headerData(index.column(), Qt.Orientation.Horizontal, _ROLE.DisplayRole)
        row = index.row()
        editor = CheckedField(lambda text: rules.number(parse(text), ""), parent=parent)
        editor.setAlignment(_ALIGN)

        def on_problem_changed(problem: str) -> None:
            if not editor.property("committed"):
                self.problem_changed.emit(cell_message(row, name, problem) if problem else "")

        editor.problem_changed.connect(on_problem_changed)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, CheckedField)
        editor.show_value(str(index.data(_ROLE.EditRole)))

    def setModelData(self, editor: QWidget, model, index: Index) -> None:
        assert isinstance(editor, CheckedField)
        # The model's commit now speaks for the cell; the editor closing must not clear that.
        editor.setProperty("committed", True)
        model.setData(index, editor.text(), _ROLE.EditRole)


def cell_message(row: int, name: str, problem: str) -> str:
    """Why a cell's value is refused, for people: 'Row 3, x1: must be a number, not "abc"'."""
    return f"Row {row + 1}, {name}: {problem}"
