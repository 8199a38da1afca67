"""SamplePreview: one sample's inputs drawn as a square grey-scale image (the 8x8 digits), with
crisp enlarged pixels. A view only; must not import the document's edits or the engine."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from bpstudio.maths.images import grey_image, square_side

SHOWN_SIZE = 96  # the image's side on screen, in device-independent pixels


class SamplePreview(QLabel):
    """Shows `show_sample(values)` as an image; hidden when the values are no square."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("data_sample_preview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setToolTip(
            "The selected sample's inputs as a picture, row by row, as the lesson draws it: "
            "1 is black and 0 white (values outside 0 to 1 stretch the scale)."
        )
        self.image = QImage()
        self.hide()

    def show_sample(self, values: np.ndarray | None) -> None:
        """Draws `values` (one sample's inputs), or hides for None or a non-square count."""
        if values is None or square_side(len(values)) is None:
            self.image = QImage()
            self.hide()
            return
        levels = np.ascontiguousarray(grey_image(np.asarray(values, dtype=float)))
        side = levels.shape[0]
        self.image = QImage(levels.data, side, side, side, QImage.Format.Format_Grayscale8).copy()
        scale = max(SHOWN_SIZE // side, 1) * side
        pixmap = QPixmap.fromImage(self.image).scaled(
            scale, scale, mode=Qt.TransformationMode.FastTransformation
        )
        self.setPixmap(pixmap)
        self.show()
