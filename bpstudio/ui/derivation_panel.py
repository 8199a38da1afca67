"""The derivation of the current micro-step: its formula, the numbers put in, the result and
the chain-rule factors, with the list of steps so far and quiz mode. Qt and the maths'
step records only; must not import the document or the canvas.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bpstudio.maths.formula import format_number
from bpstudio.maths.report import PHASE_TITLES
from bpstudio.maths.steps import Step, StepSequence
from bpstudio.ui.derivation_html import (
    HEADING_SCALE,
    HIDDEN,
    derivation_html,
    heading_html,
    heading_text,
    step_line,
    summary_html,
)
from bpstudio.ui.quiz import QuizBox

DECIMAL_CHOICES: tuple[tuple[str, int | None], ...] = (
    ("2 (article)", 2),
    ("4", 4),
    ("6", 6),
    ("full", None),
)
DEFAULT_DECIMALS = 4
SETTINGS_KEY = "derivation/decimals"

# the panel's dock at first: in a 1280-pixel window it leaves the canvas room to show Example
# 3 whole at a readable size, and its formulas still fit (a chain-rule factor's result wraps)
DERIVATION_WIDTH = 360

_ROOT = QModelIndex()


class StepListModel(QAbstractListModel):
    """The steps so far, one line each. Only rows 0..current exist, so moving a step costs
    one insert or remove however long the sequence (gauss.bpnet has ~4000 steps)."""

    def __init__(self, hidden: Callable[[int], bool], parent=None) -> None:
        super().__init__(parent)
        self._hidden = hidden  # quiz mode: does row i show "= ?"
        self._steps: tuple[Step, ...] = ()
        self._count = 0
        self.decimals: int | None = DEFAULT_DECIMALS

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._count

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= self._count:
            return None
        step = self._steps[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return step_line(step, self.decimals, self._hidden(step.index))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{PHASE_TITLES[step.phase]}: {step.substituted.text(self.decimals)}"
        return None

    def set_steps(self, steps: tuple[Step, ...]) -> None:
        self.beginResetModel()
        self._steps, self._count = steps, 0
        self.endResetModel()

    def set_count(self, count: int) -> None:
        """Shows the first `count` steps."""
        count = max(0, min(count, len(self._steps)))
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < self._count:
            self.beginRemoveRows(QModelIndex(), count, self._count - 1)
            self._count = count
            self.endRemoveRows()

    def refresh(self, row: int | None = None) -> None:
        """Redraws one row, or all of them (new decimals, quiz mode switched)."""
        if self._count:
            first, last = (0, self._count - 1) if row is None else (row, row)
            if 0 <= first <= last < self._count:
                self.dataChanged.emit(self.index(first), self.index(last))


class DerivationPanel(QWidget):
    """Shows one step of a `StepSequence` in full and lists the steps up to it.

    Signals: `step_requested(int)` when the student picks a step in the list,
    `next_requested` on Enter in a solved quiz step, `answered(bool)` after each checked
    quiz answer, `solved` once a hidden result is answered right or revealed,
    `decimals_changed(object)` (an int, or None for full precision) and `quiz_toggled(bool)`.
    """

    step_requested = Signal(int)
    next_requested = Signal()
    solved = Signal()
    answered = Signal(bool)
    decimals_changed = Signal(object)
    quiz_toggled = Signal(bool)

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._seq: StepSequence | None = None
        self._index = 0
        self._solved: set[int] = set()  # quiz: answered right or revealed
        self._result = ""
        self._heading = ""
        self._quiz_had_focus = False  # the summary hid the quiz while it had the focus
        self._base_font = QFont(self.font())
        self._build_widgets()
        self._build_layout()
        self._connect()
        self.set_decimals(self._stored_decimals())
        self.clear()

    def _build_widgets(self) -> None:
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.maths = QTextBrowser()
        self.maths.setOpenLinks(False)
        self.maths.setAccessibleName("Derivation of the current step")
        self.quiz = QuizBox()
        self.quiz.setVisible(False)
        self.decimals_box = QComboBox()
        for label, decimals in DECIMAL_CHOICES:
            self.decimals_box.addItem(label, decimals)
        self.decimals_box.setToolTip(
            "How many decimals the numbers are shown with; the article rounds to 2"
        )
        # follow the font scale, which changes after the first show
        self.decimals_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.quiz_toggle = QCheckBox("Check yourself")
        self.quiz_toggle.setToolTip("Hide each result until you have worked it out and typed it")
        self.steps_model = StepListModel(self.is_hidden, self)
        self.step_list = QListView()
        self.step_list.setModel(self.steps_model)
        self.step_list.setAccessibleName("Steps so far")
        self.step_list.setUniformItemSizes(True)
        self.step_list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)

    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Decimals:"))
        controls.addWidget(self.decimals_box)
        controls.addStretch(1)
        controls.addWidget(self.quiz_toggle)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.maths, 1)
        column.addWidget(self.quiz)
        column.addLayout(controls)
        bottom = QWidget()
        list_column = QVBoxLayout(bottom)
        list_column.setContentsMargins(0, 0, 0, 0)
        list_column.addWidget(QLabel("Steps so far"))
        list_column.addWidget(self.step_list, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def _connect(self) -> None:
        self.decimals_box.currentIndexChanged.connect(self._on_decimals_chosen)
        self.quiz_toggle.toggled.connect(self._on_quiz_toggled)
        self.step_list.clicked.connect(self._on_list_clicked)
        self.step_list.activated.connect(self._on_list_clicked)
        self.quiz.answered.connect(self._on_answered)
        self.quiz.revealed.connect(self._on_revealed)
        self.quiz.next_requested.connect(self.next_requested)

    # public API ------------------------------------------------------------------------------
    @property
    def decimals(self) -> int | None:
        return self.decimals_box.currentData()

    @property
    def index(self) -> int:
        return self._index

    @property
    def quiz_on(self) -> bool:
        return self.quiz_toggle.isChecked()

    def show_sequence(self, seq: StepSequence, index: int = 0) -> None:
        """Takes a new sequence (forgetting quiz answers of the old one) and shows `index`."""
        self._seq, self._solved = seq, set()
        self.quiz.forget_questions()
        self.steps_model.set_steps(seq.steps)
        self.show_step(index)

    def show_step(self, index: int) -> None:
        """Shows step `index`; `len(seq)` means the training step is complete."""
        if self._seq is None:
            raise RuntimeError("show_sequence first")
        if not 0 <= index <= len(self._seq):
            raise IndexError(f"step {index} of a sequence of {len(self._seq)}")
        previous, self._index = self._index, index
        self.steps_model.set_count(index + 1)
        self.steps_model.refresh(previous)
        self._render()

    def clear(self) -> None:
        """No network: an empty panel."""
        self._seq, self._index, self._result = None, 0, ""
        self.steps_model.set_steps(())
        self._heading = "No training step to show"
        self.heading.setText(self._heading)
        self.maths.setHtml("")
        self.quiz.setVisible(False)

    def set_decimals(self, decimals: int | None) -> None:
        """Shows numbers with `decimals` decimals (None: full precision)."""
        row = self.decimals_box.findData(decimals)
        if row < 0:
            self.decimals_box.addItem(str(decimals), decimals)
            row = self.decimals_box.count() - 1
        self.decimals_box.setCurrentIndex(row)

    def set_quiz(self, on: bool) -> None:
        self.quiz_toggle.setChecked(on)

    def set_font_scale(self, scale: float) -> None:
        """Enlarges every text of the panel, e.g. 1.5 to 2 for presenting."""
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * scale)
        self.setFont(font)
        self._render()

    def result_text(self) -> str:
        """The result as displayed ("0.5622", "−0.2049", or "?" while the quiz hides it);
        empty when no step is shown."""
        return self._result

    def heading_text(self) -> str:
        """The heading as plain text, e.g. "Forward pass · z⁽²⁾₁ — step 1 of 15"."""
        return self._heading

    def list_lines(self) -> list[str]:
        """The lines of the steps list, as shown."""
        model = self.steps_model
        return [model.index(row).data() for row in range(model.rowCount())]

    def is_hidden(self, index: int | None = None) -> bool:
        """True when quiz mode hides the result of step `index` (default: the current)."""
        index = self._index if index is None else index
        return self.quiz_on and index == self._index and index not in self._solved

    # Qt overrides ------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._render()
            self.quiz.refresh_colours()
        super().changeEvent(event)

    # rendering -------------------------------------------------------------------------------
    def _render(self) -> None:
        if self._seq is None:
            return
        size = self.font().pointSizeF()
        self._set_heading_font()
        if self._index == len(self._seq):
            self._render_summary(size)
        else:
            self._render_step(self._seq[self._index], size)

    def _render_step(self, step: Step, size: float) -> None:
        hidden = self.is_hidden()
        shown = format_number(step.value, self.decimals, typographic=True)
        self._result = HIDDEN if hidden else shown
        count, samples = len(self._seq), len(self._seq.result.x)
        self._heading = heading_text(step, count, samples)
        self.heading.setText(heading_html(step, count, samples))
        self.heading.setAccessibleName(self._heading)
        self.maths.setHtml(derivation_html(step, self.decimals, hidden, size))
        self.quiz.setVisible(self.quiz_on)
        if self.quiz_on:
            self.quiz.ask(step.index, step.value, self.decimals, not hidden)
            if self._quiz_had_focus and self.maths.hasFocus():
                self.quiz.answer.setFocus()  # the next question, still from the keyboard
        self._quiz_had_focus = False
        current = self.steps_model.index(step.index)
        self.steps_model.refresh(step.index)
        self.step_list.setCurrentIndex(current)
        self.step_list.scrollTo(current)

    def _render_summary(self, size: float) -> None:
        self._result = ""
        self._heading = "Training step complete"
        self.heading.setText(f"<b>{self._heading}</b>")
        self.maths.setHtml(summary_html(self._seq, self.decimals, size))
        if self.quiz.has_focus():  # not to the next widget, the decimals (↓ would change them)
            self.maths.setFocus()
            self._quiz_had_focus = True
        self.quiz.setVisible(False)
        self.step_list.clearSelection()
        self.step_list.scrollToBottom()

    def _set_heading_font(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * HEADING_SCALE)
        self.heading.setFont(font)

    def _stored_decimals(self) -> int | None:
        if self._settings is None:
            return DEFAULT_DECIMALS
        stored = str(self._settings.value(SETTINGS_KEY, DEFAULT_DECIMALS))
        if stored == "full":
            return None
        return int(stored) if stored.isdigit() and int(stored) <= 15 else DEFAULT_DECIMALS

    # handlers ----------------------------------------------------------------------------------
    def _on_decimals_chosen(self, _row: int) -> None:
        decimals = self.decimals
        if self._settings is not None:
            self._settings.setValue(SETTINGS_KEY, "full" if decimals is None else str(decimals))
        self.steps_model.decimals = decimals
        self.steps_model.refresh()
        self._render()
        self.decimals_changed.emit(decimals)

    def _on_quiz_toggled(self, on: bool) -> None:
        self._render()
        self.quiz_toggled.emit(on)

    def _on_list_clicked(self, index: QModelIndex) -> None:
        self.step_requested.emit(index.row())

    def _on_answered(self, right: bool) -> None:
        if right:
            self._solve()
        self.answered.emit(right)

    def _on_revealed(self) -> None:
        self._solve()

    def _solve(self) -> None:
        self._solved.add(self._index)
        self._render()
        self.solved.emit()
