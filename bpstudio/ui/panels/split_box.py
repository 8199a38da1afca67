"""SplitBox: how many samples the training and the test set hold, and for a table the Hold out
control that splits its rows into the two at random. Changes the document only through pushed
edits. Must not import the canvas or the engine's training."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from bpstudio.document.edits import HoldOut
from bpstudio.document.session import DocumentModel
from bpstudio.ui.panels.fields import PanelSection, Push

MAX_HELD_OUT = 90  # percent; at least one row stays on each side anyway


class SplitBox(PanelSection):
    """The sizes of the two sets, and (for a table) a percentage and the button that holds
    that share of all the rows out as the test set; 0 % puts the test rows back.
    `show_message` shows a refusal below the panel's table."""

    def __init__(
        self, model: DocumentModel, push: Push, show_message: Callable[[str], None]
    ) -> None:
        super().__init__(model, push, show_message)
        self._shown = 0  # the held-out percentage of the document
        self.counts = QLabel()
        self.counts.setObjectName("data_counts")
        self.counts.setWordWrap(True)
        self.percent = QSpinBox()
        self.percent.setObjectName("data_hold_out")
        self.percent.setRange(0, MAX_HELD_OUT)
        self.percent.setSuffix(" %")
        self.percent.setSpecialValueText("No test set")
        self.percent.setToolTip(
            "The share of the rows to hold out as a test set: the network never trains on "
            "them, and the loss plot shows its loss on them beside the training loss. The "
            "rows are picked at random from the training seed. 0 puts them back."
        )
        self.percent.lineEdit().returnPressed.connect(self._on_hold_out)
        self.hold_out = QPushButton("Hold out")
        self.hold_out.setToolTip(
            "Split all the rows (training and test) again, holding out the chosen share. "
            "Undo (Ctrl+Z) gives the table back as it was."
        )
        self.hold_out.clicked.connect(self._on_hold_out)
        self.split_row = QWidget()
        row = QHBoxLayout(self.split_row)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Hold &out")
        label.setBuddy(self.percent)
        row.addWidget(label)
        row.addWidget(self.percent, 1)
        row.addWidget(self.hold_out)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split_row)
        layout.addWidget(self.counts)

    def _on_hold_out(self) -> None:
        if self.percent.value() == self._shown:
            return  # split so already: the same seed would only reorder the rows
        refusal = self._push(HoldOut(self.percent.value()))
        self._show_message("" if refusal is None else str(refusal))
        self.show_counts()

    def show_counts(self) -> None:
        """Writes the sizes of the document's sets, and the held-out share of a table."""
        data = self.model.document.data
        if data.generator is not None:
            train, test = int(data.samples or 0), int(data.test_samples or 0)
        else:
            train = len(data.inputs) if data.inputs is not None else 0
            test = 0 if data.test_inputs is None else len(data.test_inputs)
        if test:
            text = f"Training set: {train:,} samples · test set: {test:,} samples (held out)"
        else:
            text = f"Training set: {train:,} samples · no test set"
        self.counts.setText(text)
        self.split_row.setVisible(data.generator is None)
        self.percent.blockSignals(True)
        self._shown = round(100 * test / (train + test)) if test else 0
        self.percent.setValue(self._shown)
        self.percent.blockSignals(False)
