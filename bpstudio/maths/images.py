"""A sample's inputs seen as a picture: when the input layer has a square number of inputs
(16 or more, e.g. the 64 pixels of an 8×8 digit), they are the pixels of a square image,
row by row. Pure NumPy; the canvas and the data panel draw the array it returns."""

from __future__ import annotations

import math

import numpy as np

SMALLEST_SIDE = 4  # 16 inputs: smaller squares (4, 9) are more likely features than pixels


def square_side(count: int) -> int | None:
    """The side of the square image `count` inputs make, or None when `count` is not a
    square of at least SMALLEST_SIDE²."""
    side = math.isqrt(count)
    return side if side >= SMALLEST_SIDE and side * side == count else None


def grey_image(inputs: np.ndarray) -> np.ndarray:
    """The `(side, side)` uint8 grey levels of one sample's `(side²,)` inputs, row by row:
    ink on paper, so 0 is white (255) and 1 is black (0). Inputs within 0..1 keep that
    scale, so samples compare; others are stretched from their smallest to their largest
    (a constant sample is white)."""
    x = np.asarray(inputs, dtype=float)
    side = square_side(x.size)
    if side is None:
        raise ValueError(f"{x.size} inputs do not make a square image of at least 4×4")
    low, high = min(0.0, float(x.min())), max(1.0, float(x.max()))
    ink = (x - low) / (high - low)
    return np.rint(255.0 * (1.0 - ink)).astype(np.uint8).reshape(side, side)
