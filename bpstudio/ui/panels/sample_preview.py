"""SamplePreview: one sample's inputs drawn as a square grey-scale image (the 8x8 digits), with
crisp enlarged pixels. A view only; must not import the document's edits or the engine."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

MIN_PIXELS = 16  # fewer inputs are not a picture (4x4 is the smallest shown)
SHOWN_SIZE = 96  # the image's side on screen, in device-independent pixels


def square_side(inputs: int) -> int | None:
    """The side of the square image `inputs` values make, or None if they make none: the
    count must be a square number of at least 16."""
    side = math.isqrt(inputs)
    return side if inputs >= MIN_PIXELS and side * side == inputs else None


def grey_levels(values: np.ndarray) -> np.ndarray:
    """`(side, side)` uint8 grey levels of one sample's `(side * side,)` inputs, row by row:
    the sample's largest value is black (ink) and its smallest white (paper), linearly between;
    a sample of equal values is white."""
    side = math.isqrt(len(values))
    low, high = float(np.min(values)), float(np.max(values))
    scaled = np.zeros(len(values)) if high == low else (values - low) / (high - low)
    return np.round(255.0 * (1.0 - scaled)).astype(np.uint8).reshape(side, side)


class SamplePreview(QLabel):
    """Shows `show_sample(values)` as an image; hidden when the values are no square."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("data_sample_preview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setToolTip(
            "The selected sample's inputs as a picture, row by row: the largest value is "
            "black, the smallest white."
        )
        self.image = QImage()
        self.hide()

    def show_sample(self, values: np.ndarray | None) -> None:
        """Draws `values` (one sample's inputs), or hides for None or a non-square count."""
        if values is None or square_side(len(values)) is None:
            self.image = QImage()
            self.hide()
            return
        levels = np.ascontiguousarray(grey_levels(np.asarray(values, dtype=float)))
        side = levels.shape[0]
        self.image = QImage(levels.data, side, side, side, QImage.Format.Format_Grayscale8).copy()
        scale = max(SHOWN_SIZE // side, 1) * side
        pixmap = QPixmap.fromImage(self.image).scaled(
            scale, scale, mode=Qt.TransformationMode.FastTransformation
        )
        self.setPixmap(pixmap)
        self.show()
