"""The lesson with a big batch (xor on the spec's 100,000 samples, full batch): choosing that
data builds no step sequence (it used to take 16 s on the GUI thread); the first Next builds
it for one sample, and "all" samples walks the first ones that fit, as the box says."""

from __future__ import annotations

from bpstudio.document.edits import SetData
from bpstudio.engine import steps
from bpstudio.resources import examples_dir

BIG = 100_000


def test_choosing_100000_samples_builds_the_steps_on_the_first_next(quiet_main_window, qtbot):
    window = quiet_main_window()
    assert window.open_path(examples_dir() / "xor.bpnet")
    lesson = window.lesson
    assert lesson.walk._sequence is not None  # a small batch: built at once, as before
    assert window.push(SetData.generated("xor", BIG))
    assert lesson.walk._sequence is None and not lesson.ready()
    assert "press Next" in lesson.position.text() and f"{BIG} samples" in lesson.position.text()
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
    assert window.open_path(examples_dir() / "xor.bpnet")
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
