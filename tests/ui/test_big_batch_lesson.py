"""The lesson with a big batch (xor on the spec's 100,000 samples, full batch): choosing that
data builds no step sequence (it used to take 16 s on the GUI thread); the first Next builds
it for one sample, and "all" samples walks the first ones that fit, as the box says. A
training step too long to walk (more than `steps.MAX_STEPS` micro-steps) is never built:
Next says why, and Finish Step and Finish Epoch still train."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from bpstudio.document.edits import SetData
from bpstudio.maths import steps
from bpstudio.resources import examples_dir

BIG = 100_000


def test_choosing_100000_samples_builds_the_steps_on_the_first_next(quiet_main_window, qtbot):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    lesson = window.lesson
    assert lesson.walk._sequence is not None  # a small batch: built at once, as before
    assert window.push(SetData.generated("xor", BIG))
    assert lesson.walk._sequence is None and not lesson.ready()
    assert "press Next" in lesson.position.text() and f"{BIG:,} samples" in lesson.position.text()
    box = lesson.sample_box
    fit = lesson.walk.samples_that_fit()
    assert box.count() == BIG + 1 and box.itemText(0) == f"First {fit} samples"
    assert box.currentText() == f"Sample 1 of {BIG}"
    lesson.actions["next"].trigger()
    assert lesson.ready()
    walk = lesson.walk
    assert len(walk.sequence) == steps.length(walk.net, BIG, [0])
    assert {s.sample for s in walk.sequence if s.phase == "forward"} == {0}
    assert f"step 2 of {len(walk.sequence)}" in lesson.position.text()


def test_all_samples_of_a_big_batch_walks_the_first_that_fit(quiet_main_window, qtbot):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    assert window.push(SetData.generated("xor", BIG))
    lesson = window.lesson
    box = lesson.sample_box
    fit = lesson.walk.samples_that_fit()
    box.setCurrentIndex(0)
    box.activated.emit(0)  # what choosing the first entry in the box does
    walked = {s.sample for s in lesson.walk.sequence if s.phase == "forward"}
    assert walked == set(range(fit))
    assert box.currentIndex() == 0 and box.currentText() == f"First {fit} samples"
    box.setCurrentIndex(7)
    box.activated.emit(7)  # "Sample 7 of 100000"
    assert {s.sample for s in lesson.walk.sequence if s.phase == "forward"} == {6}
    assert box.currentText() == f"Sample 7 of {BIG}"


def test_a_step_too_long_to_walk_is_trained_but_not_walked(quiet_main_window, qtbot, tmp_path):
    tanh = {"size": 250, "activation": "tanh"}
    layers = [{"size": 2}, tanh, tanh]
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "name": "wide",
        "layers": [*layers, {"size": 1, "activation": "sigmoid"}],
        "loss": "mse",
        "training": {"learning_rate": 0.5, "batch_size": 2},
        "data": {"generator": "circle", "samples": 4, "seed": 1},
    }
    path = tmp_path / "wide.bpnet"
    path.write_text(json.dumps(doc), encoding="utf-8")
    window = quiet_main_window()
    assert window.files.open_path(path)
    lesson = window.lesson
    length = lesson.walk.expected_length()
    assert length > steps.MAX_STEPS and not lesson.ready()
    lesson.actions["next"].trigger()
    text = lesson.position.text()
    assert f"has {length:,} micro-steps, more than the 100,000" in text
    assert "63,751 parameters, 2 samples in the batch" in text and "Train N Epochs" in text
    assert lesson.walk.index == 0 and lesson.walk._sequence is None
    before = lesson.walk.net.params.copy()
    lesson.actions["finish"].trigger()
    assert (lesson.walk.epoch, lesson.walk.batch) == (0, 1)
    assert not (lesson.walk.net.params == before).all()
    assert (window.model.document.build_network().params == lesson.walk.net.params).all()
    assert lesson.walk._sequence is None and not window.errors


def test_the_sample_box_of_a_big_batch_is_wide_enough_and_picks_from_its_list(
    quiet_main_window, qtbot
):
    """The box shows its longest entry whole, and clicking an entry of its popup list walks
    that sample (the entries are made as the list shows them)."""
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    assert window.push(SetData.generated("xor", BIG))
    box = window.lesson.sample_box
    longest = box.fontMetrics().horizontalAdvance(f"Sample {BIG} of {BIG}")
    assert box.sizeHint().width() > longest
    box.showPopup()
    view = box.view()
    qtbot.waitUntil(view.isVisible)
    index = box.model().index(5, 0)
    view.scrollTo(index)
    spot = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    qtbot.waitUntil(lambda: not view.isVisible())
    assert box.currentText() == f"Sample 5 of {BIG}"
    assert {s.sample for s in window.lesson.walk.sequence if s.phase == "forward"} == {4}
