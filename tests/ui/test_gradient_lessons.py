"""The lessons on the gradient on the start page: a group of their own, and clicking one opens
it with the view it is about in front (the loss landscape of w and b for the learning rate,
the gradient flow for vanishing gradients), its introduction in the About dock."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bpstudio.app import train_in_window
from bpstudio.document.format import load
from bpstudio.engine.landscape import landscape
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir
from bpstudio.ui.show import LESSON_VIEWS


def _seen(widget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _open_from_start_page(window, qtbot, name: str) -> None:
    window.file_actions.show_start_page()
    page = window.start_page
    assert window.pages.currentWidget() is page
    titles = [button.text() for button in page.gradient_buttons]
    assert titles == [load(examples_dir() / n).name for n in LESSON_VIEWS]
    button = page.gradient_buttons[list(LESSON_VIEWS).index(name)]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.path == examples_dir() / name, timeout=10_000)
    assert window.pages.currentWidget() is window.views
    doc = load(examples_dir() / name)
    assert window.about.toPlainText() == f"{doc.name}\n{doc.description}"


def test_the_learning_rate_lesson_opens_on_the_landscape_of_w_and_b(quiet_main_window, qtbot):
    window = quiet_main_window()
    _open_from_start_page(window, qtbot, "learning-rate.bpnet")
    view = window.landscape
    qtbot.waitUntil(lambda: _seen(view.dock), timeout=10_000)
    assert not _seen(window.plots.loss_dock) and not _seen(window.plots.dock["gradients"])
    qtbot.waitUntil(lambda: view.panel.loss.shape == (41, 41), timeout=10_000)
    names = ["w[1][0][0]", "b[1][0]"]
    assert [view.first.currentText(), view.second.currentText()] == names
    walk = window.lesson.walk
    expected = landscape(walk.displayed_network(), "sse", walk.x, walk.y, names, 1.0)
    np.testing.assert_allclose(view.panel.loss, expected.loss, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["vanishing-sigmoid.bpnet", "vanishing-tanh.bpnet"])
def test_the_vanishing_gradient_lessons_open_on_the_gradient_flow(quiet_main_window, qtbot, name):
    window = quiet_main_window()
    _open_from_start_page(window, qtbot, name)
    dock = window.plots.dock["gradients"]
    qtbot.waitUntil(lambda: _seen(dock), timeout=10_000)
    assert not window.landscape.dock.isVisible()
    assert window.document.activation_names[0] == name.split("-")[1].split(".")[0]


def test_other_examples_open_without_bringing_a_view_forward(quiet_main_window, qtbot):
    window = quiet_main_window()
    window.file_actions.show_start_page()
    xor = next(b for b in window.start_page.example_buttons if b.toolTip().endswith("xor.bpnet"))
    assert all(
        b.toolTip() != str(examples_dir() / n)
        for n in LESSON_VIEWS
        for b in window.start_page.example_buttons
    )
    qtbot.mouseClick(xor, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.path == examples_dir() / "xor.bpnet", timeout=10_000)
    assert not window.landscape.dock.isVisible()


def test_trained_in_the_window_the_landscape_path_zig_zags_across_the_valley(
    quiet_main_window, qtbot
):
    """What `--screenshot --epochs 8` shows of the learning-rate lesson: the path drawn is the
    parameters' history, and each of its hops changes direction."""
    window = quiet_main_window()
    path = examples_dir() / "learning-rate.bpnet"
    assert window.files.open_path(path)
    train_in_window(QApplication.instance(), window, 8)
    assert window.lesson.walk.epoch == 8
    view = window.landscape
    qtbot.waitUntil(lambda: _seen(view.dock), timeout=10_000)
    view.show_track()
    w, b = view.panel.path.getData()
    doc = load(path)
    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, doc.training_config(), record_parameters=True)
    trainer.run(8)
    np.testing.assert_allclose(np.stack([w, b], axis=1), trainer.history.params.values, atol=1e-12)
    assert np.all(np.diff(np.sign(np.diff(w))) != 0) and np.all(np.diff(np.sign(np.diff(b))) != 0)


def test_screenshot_refuses_a_negative_number_of_epochs(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bpstudio",
            str(examples_dir() / "learning-rate.bpnet"),
            "--screenshot",
            str(tmp_path / "out.png"),
            "--epochs",
            "-2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and not (tmp_path / "out.png").exists()
    assert done.stderr == "bpstudio: error: --epochs -2: give a number of epochs, 0 or more\n"
