"""The one QUndoCommand adapter: it wraps a Qt-free document edit so that QUndoStack can
redo, undo and merge it, and `push`, the one path from a view's edit to the stack. Views
never change the document any other way."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from bpstudio.document.edits import Edit, EditError
from bpstudio.document.session import DocumentModel


class EditCommand(QUndoCommand):
    """`redo()` performs the first application too, as QUndoStack.push expects, unless the
    edit is `applied` already (`push` applies it first, to learn whether it is refused)."""

    def __init__(self, model: DocumentModel, edit: Edit, applied: bool = False) -> None:
        super().__init__(model.describe(edit))
        self.model = model
        self.edit = edit
        self._applied = applied

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
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


def push(stack: QUndoStack, model: DocumentModel, edit: Edit) -> EditError | None:
    """Applies `edit` to `model`, which checks it once, and puts it on `stack` as an undo step
    if it changed the document. Returns the refusal (the document is then unchanged) or None;
    the caller decides how to show a refusal."""
    command = EditCommand(model, edit, applied=True)  # named for the document before it
    try:
        changed = model.apply(edit)
    except EditError as refusal:
        return refusal
    if changed:
        stack.push(command)
    return None
