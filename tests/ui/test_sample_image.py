"""The lesson draws a sample whose inputs are a square image (the 8×8 digits) as a grey
picture left of the input layer; other networks get none."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt

from bpstudio.document.edits import SetTraining
from bpstudio.document.format import load
from bpstudio.resources import examples_dir

DIGITS = examples_dir() / "digits.bpnet"


def _pixels(item) -> np.ndarray:
    image = item.pixmap().toImage()
    return np.array(
        [[image.pixelColor(c, r).red() for c in range(image.width())] for r in range(8)]
    )


def _scene_rects(window) -> list[QRectF]:
    """What the input layer shows: its neurons, their symbols and its header."""
    scene = window.canvas.net_scene
    items = [n for (layer, _), n in scene.neurons.items() if layer == 0] + [scene.headers[0]]
    return [item.sceneBoundingRect() for item in items]


def test_a_digit_is_drawn_left_of_the_input_layer_pixel_for_pixel(qtbot, main_window):
    window = main_window()
    assert window.files.open_path(DIGITS)
    assert window.push(SetTraining("shuffle", False))  # batch 1 is rows 1..32 of the file
    box = window.lesson.sample_box
    box.setCurrentIndex(3)
    box.activated.emit(3)  # the third sample of the batch
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Right)
    image = window.overlay.image
    assert image is not None and image.scene() is window.canvas.scene()
    x = load(DIGITS).data.inputs[2]
    expected = np.rint(255 * (1 - x.reshape(8, 8)))  # 0 white paper, 1 black ink
    assert image.pixmap().width() == 8 and np.array_equal(_pixels(image), expected)
    drawn = image.sceneBoundingRect()
    assert drawn.width() > 100 and abs(drawn.width() - drawn.height()) < 1e-6
    for rect in _scene_rects(window):
        assert drawn.right() < rect.left() and not drawn.intersects(rect)
    assert window.canvas.scene().sceneRect().contains(drawn)
    assert "64 inputs drawn as 8×8 pixels" in image.toolTip()


def test_the_picture_follows_the_chosen_sample(qtbot, main_window):
    window = main_window()
    assert window.files.open_path(DIGITS)
    assert window.push(SetTraining("shuffle", False))
    rows = load(DIGITS).data.inputs
    for index in (1, 5):
        window.lesson.sample_box.setCurrentIndex(index)
        window.lesson.sample_box.activated.emit(index)
        expected = np.rint(255 * (1 - rows[index - 1].reshape(8, 8)))
        assert np.array_equal(_pixels(window.overlay.image), expected)


def test_a_network_of_two_inputs_has_no_picture(qtbot, main_window):
    window = main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Right)
    assert window.overlay.image is None and window.canvas.net_scene.image_rect is None
