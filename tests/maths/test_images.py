"""A sample's inputs as a square grey image (bpstudio/maths/images.py). Headless: no Qt."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.maths.images import grey_image, square_side


@pytest.mark.parametrize(
    ("count", "side"),
    [(16, 4), (25, 5), (64, 8), (1024, 32), (9, None), (4, None), (63, None), (2, None)],
)
def test_a_square_of_at_least_16_inputs_has_a_side(count, side):
    assert square_side(count) == side


def test_inputs_in_0_to_1_are_ink_on_paper_row_by_row():
    x = np.zeros(64)
    x[3] = 1.0  # row 0, column 3: black
    x[8] = 0.5  # row 1, column 0: mid grey
    x[63] = 0.0625
    image = grey_image(x)
    assert image.shape == (8, 8) and image.dtype == np.uint8
    assert image[0, 3] == 0 and image[1, 0] == 128 and image[7, 7] == 239
    assert image[0, 0] == 255 and np.count_nonzero(image != 255) == 3


def test_inputs_outside_0_to_1_are_stretched_from_smallest_to_largest():
    x = np.linspace(-2.0, 2.0, 16)
    image = grey_image(x)
    expected = [round(255 * (1 - (v + 2) / 4)) for v in x]
    assert image.ravel().tolist() == expected


def test_inputs_that_are_not_a_square_are_refused():
    with pytest.raises(ValueError, match="10 inputs"):
        grey_image(np.zeros(10))
