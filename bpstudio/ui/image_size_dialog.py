"""ImageSizeDialog: how an exported picture comes out. Its size in pixels, centimetres or
inches with a resolution (written into a PNG; for an SVG or PDF it sets the printed size),
the look (the document style, black on white, or the window's own colours), and for the
network diagram whether the selection and the lesson's highlights stay. Width and height
keep the view's proportions unless unlocked; presets give the common sizes for slides and
print."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from bpstudio.ui.export import DEFAULT_DPI, MAX_PNG_SIDE, STYLES, ExportOptions

PRESETS = (  # label, tooltip, width in pixels (the height follows the proportions)
    ("Screen", "The size the view has on screen", None),
    ("1920 wide", "Full HD slide width", 1920),
    ("2480 wide", "A4 page width at 300 dots per inch", 2480),
)
UNITS = {"px": None, "cm": 2.54, "in": 1.0}  # unit: its length in inches (None: pixels)


class ImageSizeDialog(QDialog):
    def __init__(
        self,
        default: QSize,
        parent: QWidget | None = None,
        options: ExportOptions | None = None,
        diagram: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Options")
        options = options or ExportOptions(default.width(), default.height())
        self._aspect = default.height() / max(1, default.width())
        self._screen = default
        self._unit = "px"
        self._make_fields(options)
        self.width_box.valueChanged.connect(self._on_width_changed)
        self.height_box.valueChanged.connect(self._on_height_changed)
        self.unit_box.currentTextChanged.connect(self._on_unit_changed)
        self.dpi_box.valueChanged.connect(self._on_dpi_changed)
        self._lay_out(diagram)

    def _make_fields(self, options: ExportOptions) -> None:
        self.width_box = self._spin_box("Width of the picture")
        self.height_box = self._spin_box("Height of the picture")
        self.unit_box = QComboBox()
        self.unit_box.addItems(list(UNITS))
        self.unit_box.setToolTip("Pixels, or centimetres or inches at the resolution below")
        self.dpi_box = QDoubleSpinBox()
        self.dpi_box.setRange(10, 2400)
        self.dpi_box.setDecimals(0)
        self.dpi_box.setSuffix(" dpi")
        self.dpi_box.setValue(options.dpi or DEFAULT_DPI)
        self.dpi_box.setToolTip(
            "Dots per inch: written into the PNG, so a word processor places it at its printed "
            "size; with centimetres or inches it sets the number of pixels"
        )
        self.keep = QCheckBox("Keep proportions")
        self.keep.setChecked(True)
        self.keep.setToolTip("Change the height with the width, as the view on screen")
        self.style_box = QComboBox()
        for key, label in STYLES.items():
            self.style_box.addItem(label, key)
        self.style_box.setCurrentIndex(max(0, list(STYLES).index(options.style)))
        self.style_box.setToolTip(
            "Document: black text and axes on white, for print and light slides. Match the "
            "window: the colours on screen, e.g. for dark slides"
        )
        self.highlights = QCheckBox("Keep the selection and the lesson's highlights")
        self.highlights.setChecked(options.highlights)
        self.highlights.setToolTip("Off: the diagram as a plain figure, nothing marked")
        self.width_box.setValue(options.width)
        self.height_box.setValue(options.height)

    def _lay_out(self, diagram: bool) -> None:
        presets = QHBoxLayout()
        for label, tip, width in PRESETS:
            button = QPushButton(label)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, w=width: self._apply_preset(w))
            presets.addWidget(button)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_box)
        size_row.addWidget(self.unit_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Width:", size_row)
        form.addRow("&Height:", self.height_box)
        form.addRow("", self.keep)
        form.addRow("&Resolution:", self.dpi_box)
        form.addRow("Presets:", presets)
        form.addRow("&Style:", self.style_box)
        if diagram:
            form.addRow("", self.highlights)
        form.addRow(buttons)

    def size_chosen(self) -> QSize:
        """The size in pixels."""
        return QSize(self._pixels(self.width_box.value()), self._pixels(self.height_box.value()))

    def options(self) -> ExportOptions:
        size = self.size_chosen()
        return ExportOptions(
            size.width(),
            size.height(),
            self.dpi_box.value(),
            self.style_box.currentData(),
            self.highlights.isChecked(),
        )

    def _pixels(self, value: float) -> int:
        per_inch = UNITS[self._unit]
        pixels = value if per_inch is None else value / per_inch * self.dpi_box.value()
        return max(1, min(MAX_PNG_SIDE, round(pixels)))

    def _in_unit(self, pixels: float) -> float:
        per_inch = UNITS[self._unit]
        return pixels if per_inch is None else pixels / self.dpi_box.value() * per_inch

    def _spin_box(self, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(16, MAX_PNG_SIDE)
        box.setDecimals(0)
        box.setToolTip(tip)
        box.setAccelerated(True)
        return box

    def _set_both(self, width_px: float, height_px: float) -> None:
        for box, pixels in ((self.width_box, width_px), (self.height_box, height_px)):
            box.blockSignals(True)
            box.setValue(self._in_unit(pixels))
            box.blockSignals(False)

    def _on_unit_changed(self, unit: str) -> None:
        size = self.size_chosen()
        self._unit = unit
        pixels = unit == "px"
        for box in (self.width_box, self.height_box):
            box.blockSignals(True)
            box.setDecimals(0 if pixels else 2)
            box.setSingleStep(1 if pixels else 0.1)
            box.setRange(*((16, MAX_PNG_SIDE) if pixels else (0.1, 2000)))
            box.blockSignals(False)
        self._set_both(size.width(), size.height())

    def _on_dpi_changed(self) -> None:
        if self._unit == "px":
            return  # the pixels stay; the printed size follows
        self._on_width_changed(self.width_box.value())

    def _apply_preset(self, width: int | None) -> None:
        self.unit_box.setCurrentText("px")
        if width is None:
            self._set_both(self._screen.width(), self._screen.height())
            return
        self.keep.setChecked(True)
        self.width_box.setValue(width)

    def _on_width_changed(self, width: float) -> None:
        if self.keep.isChecked():
            self.height_box.blockSignals(True)
            self.height_box.setValue(width * self._aspect)
            self.height_box.blockSignals(False)

    def _on_height_changed(self, height: float) -> None:
        if self.keep.isChecked():
            self.width_box.blockSignals(True)
            self.width_box.setValue(height / self._aspect)
            self.width_box.blockSignals(False)
