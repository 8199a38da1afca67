"""The "check yourself" strip under a derivation: an answer field, Check and Reveal, the
verdict in words and colour, and the session score. Qt and maths.quiz only; no document.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bpstudio.maths.quiz import Score, Verdict, check_answer
from bpstudio.ui import theme

RIGHT_TEXT = "✓ Right — Enter for the next step"
WRONG_TEXT = "✗ Not quite — try again"
NOT_A_NUMBER_TEXT = "Type a number, for example 0.25 or −1.5e-3"
REVEALED_TEXT = "Revealed — compare it with your working; Enter for the next step"


def verdict_colour(verdict: Verdict) -> QColor | None:
    """Green for right, red for wrong, each readable on the light or dark palette; None keeps
    the palette's text colour. The words always say the same, for readers who can't tell
    the colours apart."""
    dark = theme.current().dark
    if verdict is Verdict.RIGHT:
        return QColor("#7ad892" if dark else "#1a7a36")
    if verdict is Verdict.WRONG:
        return QColor("#ff8f85" if dark else "#b3261e")
    return None


class QuizBox(QWidget):
    """Asks for the current step's result. The owner calls `ask` for every step shown and
    listens to `answered`, `revealed` and `next_requested`; the box keeps the score across
    steps. The answer field keeps the keyboard focus from question to question: a solved
    step leaves it read-only, where Enter asks for the next step."""

    answered = Signal(bool)  # after Check with a number: right or not
    revealed = Signal()
    next_requested = Signal()  # Enter in the field of a solved step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score = Score()
        self._asked: set[object] = set()
        self._key: object = None
        self._verdict: Verdict | None = None
        self._feedback = ""
        self._value = 0.0
        self._decimals: int | None = 4
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("your result")
        self.answer.setAccessibleName("Your result for this step")
        self.answer.setClearButtonEnabled(True)
        self.check_button = QPushButton("Check")
        self.check_button.setDefault(True)
        self.reveal_button = QPushButton("Reveal")
        self.feedback = QLabel()
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        self.feedback.setWordWrap(True)
        self.score_label = QLabel(self.score.text())
        self._build_layout()
        self.answer.returnPressed.connect(self._on_check_clicked)
        self.check_button.clicked.connect(self._on_check_clicked)
        self.reveal_button.clicked.connect(self._on_reveal_clicked)

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("= "))
        row.addWidget(self.answer, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.reveal_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.feedback)
        column.addWidget(self.score_label)

    # what the owner drives -------------------------------------------------------------------
    def ask(self, key: object, value: float, decimals: int | None, solved: bool) -> None:
        """Puts the step `key` (its result `value`, shown with `decimals`) to the student;
        a `solved` step (answered right or revealed) takes no further answer."""
        if key not in self._asked and not solved:
            self._asked.add(key)
            self.score.ask()
        changed = key != self._key
        self._key, self._value, self._decimals = key, value, decimals
        if changed:
            self.answer.clear()
            self._show_feedback("", None)
        focused = self.has_focus()  # a disabled button hands the focus on: keep it here
        self.answer.setReadOnly(solved)
        self.check_button.setEnabled(not solved)
        self.reveal_button.setEnabled(not solved)
        if focused:
            self.answer.setFocus()

    def has_focus(self) -> bool:
        """Whether the keyboard focus is in the box (the field or its buttons)."""
        focus = QApplication.focusWidget()
        return focus is not None and self.isAncestorOf(focus)

    def forget_questions(self) -> None:
        """A new sequence: its steps are new questions (the score stays for the session)."""
        self._asked.clear()
        self._key = None

    def check(self, text: str | None = None) -> Verdict:
        """Judges `text` (default: the field's) and shows and emits the verdict."""
        text = self.answer.text() if text is None else text
        verdict = self.score.record(check_answer(text, self._value, self._decimals))
        messages = {
            Verdict.RIGHT: RIGHT_TEXT,
            Verdict.WRONG: WRONG_TEXT,
            Verdict.NOT_A_NUMBER: NOT_A_NUMBER_TEXT,
        }
        self._show_feedback(messages[verdict], verdict)
        self.score_label.setText(self.score.text())
        if verdict is Verdict.WRONG:
            self.answer.selectAll()  # typing the next try replaces this one
        if verdict is not Verdict.NOT_A_NUMBER:
            self.answered.emit(verdict is Verdict.RIGHT)
        return verdict

    def reveal(self) -> None:
        self.score.reveal()
        self._show_feedback(REVEALED_TEXT, None)
        self.score_label.setText(self.score.text())
        self.revealed.emit()

    def feedback_text(self) -> str:
        """The verdict shown, as plain text ("" when there is none)."""
        return self._feedback

    def refresh_colours(self) -> None:
        """Re-applies the verdict colour after a palette change."""
        self._show_feedback(self._feedback, self._verdict)

    # handlers ------------------------------------------------------------------------------
    def _on_check_clicked(self) -> None:
        if self.check_button.isEnabled():
            self.check()
        elif self.answer.isReadOnly():
            self.next_requested.emit()

    def _on_reveal_clicked(self) -> None:
        self.reveal()

    def _show_feedback(self, text: str, verdict: Verdict | None) -> None:
        # Rich text rather than a palette or font on the label, so the label keeps following
        # the panel's font scale and the application palette.
        self._verdict, self._feedback = verdict, text
        colour = verdict_colour(verdict) if verdict else None
        html = escape(text)
        if verdict in (Verdict.RIGHT, Verdict.WRONG):
            html = f"<b>{html}</b>"
        if colour is not None:
            html = f'<span style="color:{colour.name()}">{html}</span>'
        self.feedback.setText(html)
