"""SettingsPanel: the network's name, loss and training settings as a form, a two-way view of
the document. Every value is checked as it is typed by the document's own rules and changed
only through pushed edits. Must not import the engine's training code or the canvas."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from bpstudio.document.edits import (
    Edit,
    EditError,
    SetInfo,
    SetLoss,
    SetTraining,
    rules,
)
from bpstudio.document.session import DocumentModel
from bpstudio.document.validate import TRAINING_KEYS
from bpstudio.engine.init import INIT_SCHEMES
from bpstudio.engine.losses import LOSSES
from bpstudio.maths.formula import format_number
from bpstudio.ui.panels.fields import (
    CheckedField,
    FieldWithMessage,
    MessageLabel,
    Push,
    checked_row,
    parse,
)

LOSS_TIPS = {
    "sse": "Sum of squared errors: ½·Σ(y − ŷ)², added up over all samples of a batch. "
    "The textbook loss; its gradients grow with the batch size.",
    "mse": "Mean squared error: the squared errors averaged over samples and outputs, "
    "so the step size does not depend on the batch size.",
    "bce": "Binary cross-entropy, for outputs that are probabilities (e.g. a sigmoid output) "
    "and targets between 0 and 1.",
    "cross_entropy": "Cross-entropy over classes. Needs a softmax output layer; the targets "
    "are one-hot rows or probabilities.",
}
INIT_TIPS = {
    "xavier": "Xavier (Glorot) uniform: the spread shrinks as layers get wider. "
    "Suits sigmoid and tanh.",
    "he": "He (Kaiming) normal: a wider spread that keeps ReLU layers alive.",
    "uniform": "Every weight uniform between −0.5 and 0.5, whatever the layer sizes.",
}
# field: (label, rule in words, tooltip)
FIELDS = {
    "learning_rate": (
        "Learning rate",
        "a finite number greater than 0",
        "How far each training step moves the weights along the negative gradient. Too small "
        "and training crawls; too large and the loss jumps about or diverges.",
    ),
    "momentum": (
        "Momentum",
        "a number from 0 up to, but not including, 1",
        "The share of the previous step that is carried into the next one. 0 is plain "
        "gradient descent; 0.9 lets steps build up speed along a steady slope.",
    ),
    "batch_size": (
        "Batch size",
        "a whole number of at least 1",
        "How many samples are used for one training step. A full batch uses every sample, so "
        "each step follows the exact gradient; smaller batches give more, noisier steps.",
    ),
    "weight_decay": (
        "Weight decay",
        "a number of at least 0",
        "λ: each step also pulls every weight towards 0 by adding λ·w to its gradient (never "
        "to a bias), which keeps weights small. 0 turns it off.",
    ),
    "stop_loss": (
        "Stop at loss",
        "a number, or empty for none",
        "Training stops after the first epoch whose loss is at or below this value. Empty: "
        "train for as long as asked.",
    ),
    "seed": (
        "Seed",
        "a whole number",
        "The starting number of the random draws: the first weights, the shuffling and "
        "generated data. The same seed gives the same run again.",
    ),
}

LABELS = {  # the form's labels, with keyboard mnemonics
    "learning_rate": "Learning &rate",
    "momentum": "Mo&mentum",
    "batch_size": "&Batch size",
    "seed": "See&d",
    "weight_decay": "&Weight decay",
    "stop_loss": "Stop at loss",
}


class SettingsPanel(QWidget):
    """The form of the document's settings. Writes go through `push`, which returns the
    refusal: a field shows it below itself, a box or combo below the form. The form follows
    the document on `settings_changed` and `document_replaced`."""

    def __init__(self, model: DocumentModel, push: Push, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_panel")
        self.model = model
        self._push = push
        self._last_batch_size: int | None = None  # offered when "full batch" is switched off
        self.fields: dict[str, CheckedField] = {}
        self.messages: dict[str, MessageLabel] = {}  # below each field: why its text is refused
        self.message = MessageLabel(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add_info_rows(form)
        self._add_training_rows(form)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        model.events.settings_changed.connect(self._on_settings_changed)
        model.events.document_replaced.connect(self._on_document_replaced)
        model.events.data_changed.connect(self._on_data_changed)
        self._on_document_replaced()

    # building ------------------------------------------------------------------------------
    def _add_info_rows(self, form: QFormLayout) -> None:
        self.name = CheckedField(
            lambda text: rules.text(text.strip() or None, "name"), self._on_name_committed
        )
        self.name.setToolTip("The network's title, shown in the About panel and saved in the file.")
        self.name.setPlaceholderText("Untitled network")
        form.addRow("Name", self.name)  # Alt+N belongs to the Network menu
        self.loss = self._combo(LOSSES, LOSS_TIPS, self._on_loss_activated)
        self.loss.setToolTip(
            "The loss measures how far the outputs ŷ are from the targets y; training "
            "follows its gradient downhill."
        )
        form.addRow("&Loss", self.loss)

    def _add_training_rows(self, form: QFormLayout) -> None:
        for key in ("learning_rate", "momentum", "weight_decay", "stop_loss"):
            form.addRow(LABELS[key], self._field(key))
        self.fields["stop_loss"].setPlaceholderText("none")
        self.full_batch = QCheckBox("Full batch")
        self.full_batch.setToolTip("Use every sample in each training step (one step per epoch).")
        self.full_batch.clicked.connect(self._on_full_batch_clicked)
        batch = self._field("batch_size", self.full_batch)
        form.addRow(LABELS["batch_size"], batch)
        self.shuffle = QCheckBox("Shuffle the samples every epoch")
        self.shuffle.setToolTip(
            "Deal the samples into batches in a new random order each epoch. Off: batches "
            "are taken in the order of the data table."
        )
        self.shuffle.clicked.connect(self._on_shuffle_clicked)
        form.addRow("", self.shuffle)
        form.addRow(LABELS["seed"], self._field("seed"))
        self.init = self._combo(INIT_SCHEMES, INIT_TIPS, self._on_init_activated)
        self.init.setToolTip(
            "How starting weights are drawn. Like the seed, it takes effect when the weights "
            "are drawn again (Re-draw), not on the weights the network has now."
        )
        form.addRow("&Initial weights", self.init)

    def _field(self, key: str, before: QWidget | None = None) -> FieldWithMessage:
        field, shown = checked_row(
            FIELDS[key],
            lambda text: self._checked(key, text),
            lambda text: self._on_training_committed(key, text),
            key,
            before,
        )
        self.fields[key] = field
        self.messages[key] = shown.message
        return shown

    @staticmethod
    def _combo(
        names: Iterable[str], tips: dict[str, str], slot: Callable[[int], None]
    ) -> QComboBox:
        combo = QComboBox()
        for name in names:
            combo.addItem(name, name)
            combo.setItemData(combo.count() - 1, tips.get(name, ""), Qt.ItemDataRole.ToolTipRole)
        combo.activated.connect(slot)
        return combo

    # checks --------------------------------------------------------------------------------
    def _checked(self, key: str, text: str) -> Any:
        """The training value `text` means, checked by the document's rules (EditError)."""
        candidate = replace(self.model.document.training, **{key: _value(key, text)})
        return getattr(rules.training(candidate), key)

    def _try(self, edit: Edit) -> None:
        """Pushes `edit`; shows below the form why the document refuses it, if it does."""
        refusal = self._push(edit)
        self.message.show_message("" if refusal is None else str(refusal))

    def _push_typed(self, edit: Edit) -> EditError | None:
        """Pushes the edit of a typed text: its field shows a refusal, the form says nothing."""
        refusal = self._push(edit)
        if refusal is None:
            self.message.show_message("")
        return refusal

    # widget -> document --------------------------------------------------------------------
    def _on_training_committed(self, key: str, text: str) -> EditError | None:
        refusal = self._push_typed(SetTraining(key, _value(key, text)))
        if refusal is None:
            self._show_training(key)  # the document's form of the value
        return refusal

    def _on_name_committed(self, text: str) -> EditError | None:
        refusal = self._push_typed(SetInfo("name", text.strip() or None))
        if refusal is None:
            self._show_name()
        return refusal

    def _on_loss_activated(self, index: int) -> None:
        name = self.loss.itemData(index)
        if name != self.model.document.loss:
            self._try(SetLoss(name))
        self._show_combo(self.loss, self.model.document.loss)

    def _on_init_activated(self, index: int) -> None:
        name = self.init.itemData(index)
        if name != self.model.document.training.init:
            self._try(SetTraining("init", name))
        self._show_training("init")

    def _on_shuffle_clicked(self, checked: bool) -> None:
        self._try(SetTraining("shuffle", checked))
        self._show_training("shuffle")

    def _on_full_batch_clicked(self, checked: bool) -> None:
        size = None
        if not checked:
            size = self._last_batch_size or max(1, min(10, self._sample_count()))
        self._try(SetTraining("batch_size", size))
        self._show_training("batch_size")
        if not checked:
            self.fields["batch_size"].setFocus()
            self.fields["batch_size"].selectAll()

    # document -> widget --------------------------------------------------------------------
    def _on_settings_changed(self, key: str) -> None:
        if key == "name":
            self._show_name()
        elif key == "loss":
            self._show_combo(self.loss, self.model.document.loss)
        elif key in TRAINING_KEYS:
            self._show_training(key)

    def _on_document_replaced(self) -> None:
        self.message.show_message("")
        self._show_name()
        self._show_combo(self.loss, self.model.document.loss)
        for key in TRAINING_KEYS:
            self._show_training(key)

    def _on_data_changed(self) -> None:
        self._show_training("batch_size")  # the placeholder counts the samples

    def _show_name(self) -> None:
        self.name.show_value(self.model.document.name or "")

    def _show_training(self, key: str) -> None:
        value = getattr(self.model.document.training, key)
        if key == "init":
            self._show_combo(self.init, value)
        elif key == "shuffle":
            self.shuffle.blockSignals(True)
            self.shuffle.setChecked(bool(value))
            self.shuffle.blockSignals(False)
        elif key == "batch_size":
            self._show_batch_size(value)
        elif value is None:  # no stop loss
            self.fields[key].show_value("")
        else:
            self.fields[key].show_value(format_number(value) if key != "seed" else str(value))

    def _show_batch_size(self, size: int | None) -> None:
        field = self.fields["batch_size"]
        if size is not None:
            self._last_batch_size = size
        self.full_batch.blockSignals(True)
        self.full_batch.setChecked(size is None)
        self.full_batch.blockSignals(False)
        field.setEnabled(size is not None)
        field.show_value("" if size is None else str(size))
        field.setPlaceholderText(f"all {self._sample_count():,}")

    def _sample_count(self) -> int:
        data = self.model.document.data
        if data.generator is not None:
            return int(data.samples or 0)
        return 0 if data.inputs is None else len(data.inputs)

    @staticmethod
    def _show_combo(combo: QComboBox, name: str) -> None:
        combo.blockSignals(True)
        combo.setCurrentIndex(max(combo.findData(name), 0))
        combo.blockSignals(False)


def _value(key: str, text: str) -> Any:
    """The training value typed as `text`: an empty stop loss is none."""
    return None if key == "stop_loss" and not text.strip() else parse(text)
