"""GeneratorBox: the settings of generated data (samples, noise with a slider, seed, test
samples) and the New sample button, in the data panel. Changes the document only through
pushed edits. Must not import the canvas or the engine's training."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QPushButton,
    QSlider,
    QWidget,
)

from bpstudio.document.edits import EditError, SetData, SetNoise, rules
from bpstudio.document.model import DataSpec
from bpstudio.document.session import DocumentModel
from bpstudio.maths.formula import format_number
from bpstudio.ui.panels.fields import (
    CheckedField,
    FieldWithMessage,
    MessageLabel,
    PanelSection,
    Push,
    checked_row,
    parse,
)

NOISE_STEP = 0.01  # the slider's step; typed noise may be any number of at least 0
NOISE_SLIDER_MAX = 50  # steps: the slider reaches 0.5, beyond which the shapes are lost
GENERATOR_FIELDS = {  # key: (label, rule in words, tooltip)
    "samples": ("Samples", "a whole number from 1 to 100,000", "How many points to generate."),
    "noise": (
        "Noise",
        "a finite number of at least 0",
        "How far the points are jittered (the standard deviation of Gaussian noise added to "
        "both inputs). 0 gives clean shapes.",
    ),
    "seed": (
        "Seed",
        "a whole number",
        "The starting number of the random draws that place the points.",
    ),
    "test_samples": (
        "Test samples",
        "empty (no test set) or a whole number from 1 to 100,000",
        "How many more points to draw from the same generator as a held-out test set: the "
        "network never trains on them, and the loss plot shows how well it does on them.",
    ),
}
LABELS = {"samples": "Sam&ples", "noise": "N&oise", "test_samples": "&Test samples"}


def _typed(key: str, text: str) -> Any:
    """The value typed in the field `key`; an empty test samples field means no test set."""
    return None if key == "test_samples" and not text.strip() else parse(text)


class GeneratorBox(PanelSection):
    """The generator's settings form. While the data is a table it keeps the settings for
    the next generator chosen. `show_message` shows a refusal below the panel's table."""

    def __init__(
        self, model: DocumentModel, push: Push, show_message: Callable[[str], None]
    ) -> None:
        super().__init__(model, push, show_message)
        self._values: dict[str, Any] = {
            "samples": 200,
            "noise": 0.0,
            "seed": None,
            "test_samples": None,
        }
        self._drag = 0  # the number of the slider drag under way: its edits merge
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, CheckedField] = {}
        self.messages: dict[str, MessageLabel] = {}
        form.addRow(LABELS["samples"], self._field("samples"))
        form.addRow(LABELS["noise"], self._field("noise", after=self._noise_slider()))
        self.training_seed = QCheckBox("Training seed")
        self.training_seed.setToolTip(
            "Draw the points from the training seed (Settings), so changing that seed changes "
            "the data too. Untick to give the data a seed of its own."
        )
        self.training_seed.clicked.connect(self._on_training_seed_clicked)
        self.new_sample = QPushButton("New sample")
        self.new_sample.setToolTip(
            "Draw other points from the same generator: the data seed becomes the next number."
        )
        self.new_sample.clicked.connect(self._on_new_sample_clicked)
        seed = self._field("seed", self.training_seed, self.new_sample)
        form.addRow(GENERATOR_FIELDS["seed"][0], seed)
        form.addRow(LABELS["test_samples"], self._field("test_samples"))
        self.fields["test_samples"].setPlaceholderText("none")

    def _field(
        self, key: str, before: QWidget | None = None, after: QWidget | None = None
    ) -> FieldWithMessage:
        field, shown = checked_row(
            GENERATOR_FIELDS[key],
            lambda text: self._checked(key, text),
            lambda text: self._set(key, _typed(key, text)),
            f"data_{key}",
            before,
            after,
        )
        self.fields[key] = field
        self.messages[key] = shown.message
        return shown

    def _noise_slider(self) -> QSlider:
        self.noise_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setObjectName("data_noise_slider")
        self.noise_slider.setRange(0, NOISE_SLIDER_MAX)
        self.noise_slider.setPageStep(5)
        self.noise_slider.setMinimumWidth(100)
        self.noise_slider.setToolTip(
            f"Drag to jitter the points more or less (0 to {NOISE_SLIDER_MAX * NOISE_STEP:g} in "
            f"steps of {NOISE_STEP:g}); one drag is one undo step. Type in the field for more."
        )
        self.noise_slider.sliderPressed.connect(self._on_slider_pressed)
        self.noise_slider.valueChanged.connect(self._on_slider_moved)
        return self.noise_slider

    # checks and pushes ---------------------------------------------------------------------
    def spec(self, name: str | None = None, **changes: Any) -> DataSpec:
        """The generator `name` (default: the document's, else xor) with the kept settings,
        changed by `changes`."""
        values = {**self._values, **changes}
        name = name or self.model.document.data.generator or "xor"
        return DataSpec(generator=name, **values)

    def _checked(self, key: str, text: str) -> Any:
        """The generator setting `text` means, by the document's rules (EditError)."""
        doc = self.model.document
        spec = self.spec(**{key: _typed(key, text)})
        checked = rules.data_set(doc.layers, doc.loss, spec, doc.training.seed)
        return getattr(checked, key)

    def _on_training_seed_clicked(self, checked: bool) -> None:
        seed = None if checked else self.model.document.training.seed
        refusal = self._set("seed", seed)
        self._show_message("" if refusal is None else str(refusal))

    def _on_new_sample_clicked(self) -> None:
        doc = self.model.document
        seed = (doc.data.seed if doc.data.seed is not None else doc.training.seed) + 1
        edit = SetData(self.spec(seed=seed), text=f"New sample (data seed {seed})")
        refusal = self._push(edit)
        self._show_message("" if refusal is None else str(refusal))

    def _on_slider_pressed(self) -> None:
        self._drag += 1

    def _on_slider_moved(self, value: int) -> None:
        if not self.noise_slider.isSliderDown():
            self._drag += 1  # a key or a click on the groove: a step of its own
        noise = round(value * NOISE_STEP, 10)
        edit = SetNoise(self.spec(), noise, self._drag)
        refusal = self._push(edit)
        self._show_message("" if refusal is None else str(refusal))

    def _set(self, key: str, value: Any) -> EditError | None:
        """Sets the generator's `key` to `value` (kept for later while the data is a table);
        returns the refusal, which the caller shows."""
        doc = self.model.document
        spec = self.spec(**{key: value})
        if doc.data.generator is None:
            try:
                spec = rules.data_set(doc.layers, doc.loss, spec, doc.training.seed)
            except EditError as refusal:
                return refusal
            self._values[key] = getattr(spec, key)
        else:
            refusal = self._push(SetData(spec, keep_test=False))  # spec has test_samples
            if refusal is not None:
                return refusal
            self._show_message("")
        self.show_values()
        return None

    # document -> widget --------------------------------------------------------------------
    def take_values(self, data: DataSpec) -> None:
        """Keeps the settings of generated `data`."""
        keys = ("samples", "noise", "seed", "test_samples")
        self._values = {key: getattr(data, key) for key in keys}

    def show_values(self) -> None:
        values = self._values
        self.fields["samples"].show_value(str(values["samples"]))
        self.fields["noise"].show_value(format_number(values["noise"]))
        self.noise_slider.blockSignals(True)
        self.noise_slider.setValue(min(round(values["noise"] / NOISE_STEP), NOISE_SLIDER_MAX))
        self.noise_slider.blockSignals(False)
        test = values["test_samples"]
        self.fields["test_samples"].show_value("" if test is None else str(test))
        seed = values["seed"]
        self.training_seed.blockSignals(True)
        self.training_seed.setChecked(seed is None)
        self.training_seed.blockSignals(False)
        self.fields["seed"].setEnabled(seed is not None)
        self.fields["seed"].show_value("" if seed is None else str(seed))
        self.fields["seed"].setPlaceholderText(f"{self.model.document.training.seed} (training)")
