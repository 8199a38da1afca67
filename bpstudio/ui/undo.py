"""The one QUndoCommand adapter: it wraps a Qt-free document edit so that QUndoStack can
redo, undo and merge it. Views never change the document any other way."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from bpstudio.document.edits import Edit
from bpstudio.document.session import DocumentModel


class EditCommand(QUndoCommand):
    """`redo()` performs the first application too, as QUndoStack.push expects."""

    def __init__(self, model: DocumentModel, edit: Edit) -> None:
        super().__init__(model.describe(edit))
        self.model = model
        self.edit = edit

    def redo(self) -> None:
        self.model.apply(self.edit)

    def undo(self) -> None:
        self.model.revert(self.edit)

    def id(self) -> int:
        return self.edit.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or not self.edit.merge(other.edit):
            return False
        self.setText(other.text())
        return True
