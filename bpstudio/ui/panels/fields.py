"""Widgets shared by the panels: a line edit whose text is checked by the document's rules as
it is typed, and the small message label that says why a value is refused. Qt widgets only;
must not import the engine or change the document (the panels push the edits)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from bpstudio.document.edits import Edit, EditError
from bpstudio.document.session import DocumentModel
from bpstudio.ui import theme

_INTEGER = re.compile(r"[+-]?\d+")


def parse(text: str) -> Any:
    """The typed `text` as the JSON value it spells: an int, a float, or else the text itself,
    so that the document's rules name the problem in their own words ("must be a number, not
    "abc"")."""
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if "_" in text:  # float() accepts 1_000; a file would not
        return text
    try:
        return float(text)
    except ValueError:
        return text


def error_colours() -> tuple[QColor, QColor]:
    """The text colour of a message and the background of a refused field, readable on the
    current light or dark palette."""
    if theme.current().dark:
        return QColor("#ff8a80"), QColor("#5a2323")
    return QColor("#b3261e"), QColor("#fde3e1")


Push = Callable[[Edit], EditError | None]  # pushes an edit: the refusal, or None


class PanelSection(QWidget):
    """A part of a panel that edits the document through `push` and shows a refusal with
    `show_message` (below the panel's table)."""

    def __init__(
        self, model: DocumentModel, push: Push, show_message: Callable[[str], None]
    ) -> None:
        super().__init__()
        self.model = model
        self._push = push
        self._show_message = show_message


class MessageLabel(QLabel):
    """A small, word-wrapped, hidden-when-empty label for a refusal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        self.hide()

    def show_message(self, text: str) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, error_colours()[0])
        self.setPalette(palette)
        self.setText(text)
        self.setVisible(bool(text))


class CheckedField(QLineEdit):
    """A line edit for one document value. `check(text)` returns the value the text means or
    raises EditError; it runs on every keystroke, and while it refuses the field is tinted and
    `problem_changed` carries the reason. Enter hands a changed text to `commit(text)`, which
    pushes the edit (the one check of it) and returns the refusal or None: a refused text stays
    to be fixed. Leaving the field commits it too, or puts the document's value back if it is
    refused; Escape always puts it back. Without `commit` (a table's cell editor, whose
    delegate commits) Enter and leaving do nothing of their own."""

    problem_changed = Signal(str)

    def __init__(
        self,
        check: Callable[[str], Any],
        commit: Callable[[str], EditError | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._check = check
        self._commit_text = commit
        self._shown = ""  # the document's value as text
        self.problem = ""
        self.textEdited.connect(self._on_text_edited)
        self.returnPressed.connect(self._on_return_pressed)

    def show_value(self, text: str) -> None:
        """Writes the document's value; never emits `committed`."""
        self._shown = text
        self.blockSignals(True)
        self.setText(text)
        self.blockSignals(False)
        self._set_problem("")

    def revert(self) -> None:
        self.show_value(self._shown)

    def _on_text_edited(self, text: str) -> None:
        try:
            self._check(text)
        except EditError as exc:
            self._set_problem(exc.problem)
        else:
            self._set_problem("")

    def _on_return_pressed(self) -> None:
        self._commit(revert_if_invalid=False)

    def _commit(self, revert_if_invalid: bool) -> None:
        if self._commit_text is None:
            return
        if self.text() == self._shown:
            self._set_problem("")
            return
        refusal = self._commit_text(self.text())
        if refusal is None:
            return
        if revert_if_invalid:
            self.revert()
        else:
            self._set_problem(refusal.problem)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and (self.text() != self._shown or self.problem):
            self.revert()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        # A popup (the context menu) or another application's window takes focus without
        # ending the edit: the field has it back when the window is active again.
        passing = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)
        if event.reason() not in passing and self.isEnabled():
            self._commit(revert_if_invalid=True)

    def _set_problem(self, problem: str) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        palette = self.palette() if problem else QPalette()
        if problem:
            palette.setColor(QPalette.ColorRole.Base, error_colours()[1])
        self.setPalette(palette)
        self.problem_changed.emit(problem)


class FieldWithMessage(QWidget):
    """A widget (usually a CheckedField, or a row holding one) above the message that says why
    its field's text is refused: "Learning rate must be greater than 0, not 0"."""

    def __init__(self, widget: QWidget, field: CheckedField, subject: str, rule: str) -> None:
        super().__init__()
        self.field = field
        self.subject = subject
        self.rule = rule
        self.message = MessageLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(self.message)
        self.setFocusProxy(field)  # a form label's mnemonic focuses the field
        field.problem_changed.connect(self._on_problem_changed)

    def _on_problem_changed(self, problem: str) -> None:
        text = f"{self.subject} {problem}.\nAllowed: {self.rule}." if problem else ""
        self.message.show_message(text)


def checked_row(
    spec: tuple[str, str, str],
    check: Callable[[str], Any],
    commit: Callable[[str], EditError | None],
    name: str,
    before: QWidget | None = None,
    after: QWidget | None = None,
) -> tuple[CheckedField, FieldWithMessage]:
    """A CheckedField for `spec` (label, rule, tooltip) that commits through `commit`,
    with optional widgets before and after it on the same row, inside its FieldWithMessage."""
    label, rule, tip = spec
    field = CheckedField(check, commit)
    field.setObjectName(name)
    field.setToolTip(f"{tip}\nAllowed: {rule}.")
    row: QWidget = field
    if before is not None or after is not None:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        for widget in (before, field, after):
            if widget is not None:
                box.addWidget(widget, int(widget is field))
    return field, FieldWithMessage(row, field, label, rule)
