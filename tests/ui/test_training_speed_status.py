"""The status line shows how many epochs a second training runs while Run is on, and stops
showing it when training stops."""

from __future__ import annotations

import re
import time

from PySide6.QtCore import Qt

from bpstudio.resources import examples_dir

SPIRAL = examples_dir() / "spiral.bpnet"
RATE = re.compile(r"Epoch ([\d,]+) · training · ([\d,.]+) epochs/s")


def test_run_at_100_epochs_a_second_shows_about_100_epochs_a_second(qtbot, quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(SPIRAL)
    lesson = window.lesson
    box = lesson.speed_box
    box.setCurrentIndex(box.findText("100 epochs/s"))
    run_button = lesson.toolbar.widgetForAction(lesson.actions["run"])
    qtbot.mouseClick(run_button, Qt.MouseButton.LeftButton)
    assert lesson.runner.running
    qtbot.waitUntil(lambda: RATE.search(lesson.position.text()) is not None, timeout=10_000)
    assert "epochs/s" not in window.status.text()  # the rate is in the run's own label
    qtbot.waitUntil(lambda: lesson.walk.epoch >= 150, timeout=20_000)  # a whole second's
    epoch, rate = RATE.search(lesson.position.text()).groups()
    assert int(epoch.replace(",", "")) >= 100
    # the runner trains the epochs due at 100 a second, catching up after a slow frame
    assert 60 <= float(rate.replace(",", "")) <= 140
    qtbot.mouseClick(run_button, Qt.MouseButton.LeftButton)
    assert not lesson.runner.running
    text = lesson.position.text()
    assert "epochs/s" not in text and f"Epoch {lesson.walk.epoch}" in text


def test_as_fast_as_possible_shows_the_rate_the_epochs_go_up_at(qtbot, quiet_main_window):
    """The shown rate against the test's own count: the epochs trained over the second
    after the rate first showed."""
    window = quiet_main_window()
    assert window.files.open_path(SPIRAL)
    lesson = window.lesson
    box = lesson.speed_box
    box.setCurrentIndex(box.findText("As fast as possible"))
    lesson.actions["run"].trigger()
    qtbot.waitUntil(lambda: RATE.search(lesson.position.text()) is not None, timeout=10_000)
    started, first = time.perf_counter(), lesson.walk.epoch
    qtbot.waitUntil(lambda: time.perf_counter() - started >= 1.0, timeout=5_000)
    elapsed, trained = time.perf_counter() - started, lesson.walk.epoch - first
    shown = float(RATE.search(lesson.position.text()).group(2).replace(",", ""))
    lesson.actions["run"].trigger()
    assert trained > 0
    assert 0.5 <= shown / (trained / elapsed) <= 2.0
    assert "epochs/s" not in lesson.position.text()
