"""The confusion matrix dock: counts of target class against decided class on the training
or the test set, against a plain NumPy forward pass and a count written here; following
training and the timeline; and why it stays empty for a network that decides no classes."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from bpstudio.resources import examples_dir
from bpstudio.ui.show import VIEWS

DIGITS = examples_dir() / "digits.bpnet"


def counted(w, b, x, y) -> np.ndarray:
    """64-16-10, tanh then softmax, by hand: rows the target digit, columns the decided."""
    h = np.tanh(x @ w[0].T + b[0])
    z = h @ w[1].T + b[1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    decided = np.argmax(p / p.sum(axis=1, keepdims=True), axis=1)
    table = np.zeros((10, 10), dtype=int)
    for t, d in zip(np.argmax(y, axis=1), decided, strict=True):
        table[t, d] += 1
    return table


def open_panel(window):
    dock = window.plots.dock["confusion"]
    assert not dock.isVisible()  # closed until asked for
    dock.toggleViewAction().trigger()  # View ▸ Confusion matrix
    assert dock.isVisible()
    window.plots.flush()
    return window.plots.confusion


def open_digits(window):
    """The digits opened, the matrix shown: the walk, its first network and the panel."""
    assert window.files.open_path(DIGITS)
    walk = window.lesson.walk
    return walk, walk.net.copy(), open_panel(window)


def test_the_training_and_test_counts_of_the_digits(quiet_main_window, qtbot):
    window = quiet_main_window()
    walk, net, panel = open_digits(window)
    expected = counted(net.w, net.b, walk.x, walk.y)
    assert np.array_equal(panel.matrix, expected) and panel.matrix.sum() == 1437
    assert panel.labels == [str(d) for d in range(10)]
    assert panel.cell_text(3, 3) == str(expected[3, 3]) and panel.cell_text(0, 9) == str(
        expected[0, 9]
    )
    assert f"{np.trace(expected):,} of 1,437 training samples right" in panel.caption.text()
    panel.set_box.setFocus()
    qtbot.keyClick(panel.set_box, Qt.Key.Key_Down)  # the test set
    assert panel.test_chosen
    window.plots.flush()
    x_test, y_test = walk.trainer.test
    assert np.array_equal(panel.matrix, counted(net.w, net.b, x_test, y_test))
    assert panel.matrix.sum() == 360 and "test samples right" in panel.caption.text()


def test_the_matrix_follows_training_and_the_timeline(quiet_main_window, qtbot):
    window = quiet_main_window()
    walk, first, panel = open_digits(window)
    window.lesson.train_epochs(3)
    qtbot.waitUntil(lambda: window.lesson.walk.epoch == 3 and not window.lesson.runner.running)
    window.plots.flush()
    trained = window.lesson.walk.net
    assert np.array_equal(panel.matrix, counted(trained.w, trained.b, walk.x, walk.y))
    assert np.trace(panel.matrix) > 0.9 * 1437  # three epochs learn most digits
    window.lesson.scrub(0)
    window.plots.flush()
    assert np.array_equal(panel.matrix, counted(first.w, first.b, walk.x, walk.y))
    assert "epoch 0:" in panel.caption.text()


def test_a_network_that_decides_no_classes_says_why_it_is_empty(quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")
    VIEWS["confusion"](window)
    window.plots.flush()
    panel = window.plots.confusion
    assert panel.matrix is None and panel.cells == []
    assert "decides no classes" in panel.message.toPlainText()
    assert "softmax output with cross_entropy" in panel.message.toPlainText()


def test_without_a_test_set_the_test_side_says_so(quiet_main_window, qtbot):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "three-classes.bpnet")
    panel = open_panel(window)
    assert panel.matrix.shape == (3, 3) and panel.labels == ["A", "B", "C"]
    assert panel.matrix.sum() == 18
    panel.set_box.setCurrentIndex(1)
    window.plots.flush()
    assert panel.matrix is None and "No test set" in panel.message.toPlainText()
