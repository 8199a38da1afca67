"""The inline editor of one weight or bias: a line edit over the canvas with a short message
beside it when the text is not a finite number. Qt only: it knows neither the document
nor the edits; the canvas decides what a committed value changes."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

NOT_A_NUMBER = "Enter a finite number, e.g. 0.25"


def parse_finite(text: str) -> float | None:
    """The number `text` spells (as Python's float() reads it) if it is finite, else None:
    'abc', '', 'nan', 'inf' and '1e400' (which overflows to inf) are refused."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class MessageLabel(QLabel):
    """A tooltip-like note shown next to the editor."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("value_editor_message")
        self.setAutoFillBackground(True)
        palette, role = self.palette(), QPalette.ColorRole
        palette.setColor(role.Window, palette.color(role.ToolTipBase))
        palette.setColor(role.WindowText, palette.color(role.ToolTipText))
        self.setPalette(palette)
        self.setFrameShape(QLabel.Shape.Box)
        self.setMargin(3)
        self.hide()


class ValueEditor(QLineEdit):
    """Enter emits `committed(value)` if the text is a finite number, else shows the
    message and stays open; Escape emits `cancelled`. Leaving it (clicking elsewhere)
    commits a valid number and cancels anything else."""

    committed = Signal(float)
    cancelled = Signal()

    def __init__(self, parent: QWidget, text: str, what: str) -> None:
        super().__init__(parent)
        self.setObjectName("value_editor")
        self.setAccessibleName(f"Value of {what}")
        self.setToolTip(f"{what}: Enter to set, Escape to cancel")
        self.setText(text)
        self.selectAll()
        self.message = MessageLabel(parent)
        self.finished = False
        self.returnPressed.connect(self._on_return_pressed)
        self.textEdited.connect(self._on_text_edited)

    def place(self, centre: QPoint) -> None:
        """Centres the editor on `centre` (viewport coordinates), the message below it."""
        width = max(110, self.fontMetrics().horizontalAdvance(self.text()) + 24)
        self.resize(width, self.sizeHint().height())
        self.move(centre.x() - width // 2, centre.y() - self.height() // 2)
        self.message.adjustSize()
        self.message.move(self.x(), self.y() + self.height() + 2)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.adjustSize()
        self.message.move(self.x(), self.y() + self.height() + 2)
        self.message.show()
        self.message.raise_()

    def close_editor(self) -> None:
        """Hides and deletes the editor and its message (once)."""
        if self.finished:
            return
        self.finished = True
        self.message.hide()
        self.hide()
        self.message.deleteLater()
        self.deleteLater()

    def _on_return_pressed(self) -> None:
        value = parse_finite(self.text())
        if value is None:
            self.show_message(NOT_A_NUMBER)
            self.selectAll()
            return
        self.committed.emit(value)

    def _on_text_edited(self, _text: str) -> None:
        self.message.hide()

    def event(self, event: QEvent) -> bool:
        # Escape belongs to the editor, not to a window shortcut (e.g. leaving full screen)
        if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # QLineEdit passes Enter on: the canvas would open a new editor

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.finished or event.reason() in (
            Qt.FocusReason.ActiveWindowFocusReason,
            Qt.FocusReason.PopupFocusReason,
        ):
            return
        value = parse_finite(self.text())
        if value is None:
            self.cancelled.emit()
        else:
            self.committed.emit(value)
