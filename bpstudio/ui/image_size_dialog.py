"""ImageSizeDialog: the pixel size of an exported PNG. Width and height keep the view's
proportions unless unlocked; presets give the common sizes for slides and print."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from bpstudio.ui.export import MAX_PNG_SIDE

PRESETS = (  # label, tooltip, width (the height follows the proportions)
    ("Screen", "The size the view has on screen", None),
    ("1920 wide", "Full HD slide width", 1920),
    ("2480 wide", "A4 page width at 300 dots per inch", 2480),
)


class ImageSizeDialog(QDialog):
    def __init__(self, default: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("PNG Size")
        self._aspect = default.height() / max(1, default.width())
        self._screen = default
        self.width_box = self._spin_box("Width of the picture in pixels")
        self.height_box = self._spin_box("Height of the picture in pixels")
        self.keep = QCheckBox("Keep proportions")
        self.keep.setChecked(True)
        self.keep.setToolTip("Change the height with the width, as the view on screen")
        self.width_box.setValue(default.width())
        self.height_box.setValue(default.height())
        self.width_box.valueChanged.connect(self._on_width_changed)
        self.height_box.valueChanged.connect(self._on_height_changed)
        presets = QHBoxLayout()
        for label, tip, width in PRESETS:
            button = QPushButton(label)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, w=width: self._apply_preset(w))
            presets.addWidget(button)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Width:", self.width_box)
        form.addRow("&Height:", self.height_box)
        form.addRow("", self.keep)
        form.addRow("Presets:", presets)
        form.addRow(buttons)

    def size_chosen(self) -> QSize:
        return QSize(self.width_box.value(), self.height_box.value())

    def _spin_box(self, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(16, MAX_PNG_SIDE)
        box.setSuffix(" px")
        box.setToolTip(tip)
        box.setAccelerated(True)
        return box

    def _apply_preset(self, width: int | None) -> None:
        if width is None:
            self.height_box.blockSignals(True)
            self.height_box.setValue(self._screen.height())
            self.height_box.blockSignals(False)
            self.width_box.setValue(self._screen.width())
            return
        self.keep.setChecked(True)
        self.width_box.setValue(width)

    def _on_width_changed(self, width: int) -> None:
        if self.keep.isChecked():
            self.height_box.blockSignals(True)
            self.height_box.setValue(round(width * self._aspect))
            self.height_box.blockSignals(False)

    def _on_height_changed(self, height: int) -> None:
        if self.keep.isChecked():
            self.width_box.blockSignals(True)
            self.width_box.setValue(round(height / self._aspect))
            self.width_box.blockSignals(False)
