"""Diverging training in the window: it stops at the epoch that went non-finite, the network
keeps the last finite epoch, and the offered remedy (back to that epoch, a tenth of the
learning rate) is one undoable edit. NumPy's overflow warnings are errors here: none may
escape from any module while a huge learning rate or a 1e308 weight is trained or stepped."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from bpstudio.document.edits import SetTraining, SetWeight
from bpstudio.document.format import load, save
from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec
from bpstudio.resources import examples_dir

STRICT = pytest.mark.filterwarnings("error")  # every warning, from any module, is an error


def relu_net(tmp_path) -> str:
    """A 2-2-1 relu/linear network on xor data: with learning rate 1e6 its values overflow
    within a few epochs (sigmoid outputs only saturate)."""
    doc = Document(
        layers=[
            LayerSpec(2),
            LayerSpec(2, "relu", np.array([[0.5, -0.4], [0.3, 0.8]]), np.array([0.1, 0.0])),
            LayerSpec(1, "linear", np.array([[0.7, -0.2]]), np.array([0.0])),
        ],
        loss="mse",
        training=TrainingSpec(learning_rate=1e6),
        data=DataSpec(
            inputs=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            targets=np.array([[0.0], [1.0], [1.0], [0.0]]),
        ),
        name="relu",
    )
    path = tmp_path / "relu.bpnet"
    save(doc, path)
    return str(path)


def answering(window, answer: bool) -> list[tuple[str, str]]:
    asked: list[tuple[str, str]] = []
    window.ask_yes_no = lambda title, text: asked.append((title, text)) or answer
    return asked


def run_until_stopped(qtbot, window) -> None:
    window.lesson.run_controls.set_speed(0)  # as fast as possible
    window.lesson.toggle_run()
    qtbot.waitUntil(lambda: not window.lesson.runner.running, timeout=20_000)


@STRICT
def test_divergence_stops_training_and_the_remedy_is_one_undoable_edit(
    qtbot, quiet_main_window, tmp_path
):
    window = quiet_main_window()
    assert window.files.open_path(relu_net(tmp_path))
    asked = answering(window, True)
    run_until_stopped(qtbot, window)
    title, text = asked[0]
    epoch = int(text.split("at epoch ")[1].split(":")[0])
    assert title == "Training diverged" and epoch >= 1
    assert f"Return to epoch {epoch - 1}, the last one" in text
    assert "lower the learning rate to 100000?" in text
    doc = window.document
    assert doc.training.learning_rate == 1e5
    assert doc.history.epoch[-1] == epoch - 1
    assert all(np.isfinite(layer.weights).all() for layer in doc.layers[1:])
    assert window.undo_stack.undoText().startswith(f"Return to epoch {epoch - 1} and lower")
    window.undo_stack.undo()
    assert window.document.training.learning_rate == 1e6
    assert window.undo_stack.undoText() == f"Train to epoch {epoch - 1}"
    assert window.errors == []


@STRICT
def test_declining_the_remedy_keeps_the_settings_and_the_last_finite_epoch(
    qtbot, quiet_main_window, tmp_path
):
    window = quiet_main_window()
    assert window.files.open_path(relu_net(tmp_path))
    asked = answering(window, False)
    run_until_stopped(qtbot, window)
    assert len(asked) == 1
    assert window.document.training.learning_rate == 1e6
    assert window.lesson.walk.epoch == window.document.history.epoch[-1]
    window.plots.flush()
    marker = window.plots.loss._diverged  # the loss plot marks the epoch that diverged
    assert marker.isVisible() and marker.value() == window.lesson.walk.epoch + 1
    assert window.lesson.timeline.slider.maximum() == window.lesson.walk.epoch


@STRICT
def test_stepping_into_a_diverging_step_offers_the_remedy(qtbot, quiet_main_window, tmp_path):
    """Finish Training Step (by hand) until a step's update overflows."""
    window = quiet_main_window()
    assert window.files.open_path(relu_net(tmp_path))
    asked = answering(window, False)
    for _ in range(50):
        window.lesson.actions["finish"].trigger()
        if asked:
            break
    assert asked and asked[0][0] == "Training diverged"
    assert window.lesson.walk.divergence is not None
    position = window.lesson.position.text()
    window.lesson.actions["finish"].trigger()  # cannot go on: says so again, changes nothing
    assert len(asked) == 2 and window.lesson.walk.divergence is not None
    assert window.lesson.position.text() == position


@pytest.mark.slow
@STRICT
def test_huge_learning_rates_on_every_example_train_and_step_without_a_warning(
    qtbot, quiet_main_window
):
    """Learning rate 1e6 (and 1e308) on each bundled example: run, step and scrub; the only
    possible outcome of overflow is a divergence, never a warning or an error."""
    window = quiet_main_window()
    answering(window, True)
    for path in sorted(examples_dir().glob("*.bpnet")):
        assert window.files.open_path(path)
        for rate in (1e6, 1e308):
            assert window.push(SetTraining("learning_rate", rate))
            window.lesson.run_epoch()
            start = window.lesson.walk.epoch
            window.lesson.run_controls.set_speed(0)  # as fast as possible
            window.lesson.toggle_run()
            qtbot.waitUntil(
                lambda s=start: (
                    window.lesson.walk.epoch >= s + 300 or not window.lesson.runner.running
                ),
                timeout=20_000,
            )
            if window.lesson.runner.running:
                window.lesson.toggle_run()
            for _ in range(3):
                window.lesson.next_phase()
            window.lesson.scrub(0)
    assert window.errors == []


@STRICT
def test_a_1e308_weight_is_taken_and_diverges_at_the_first_epoch(qtbot, quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-1-one-neuron.bpnet")
    asked = answering(window, False)
    window.canvas.setFocus()
    assert window.push(SetWeight(1, 0, 0, 1e308))
    for _ in range(20):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Space)
    assert window.errors == []
    doc = load(examples_dir() / "seed-1-one-neuron.bpnet")
    assert doc.layers[1].weights[0, 0] != 1e308
    assert window.document.layers[1].weights[0, 0] == 1e308
    assert asked == [] or asked[0][0] == "Training diverged"


@STRICT
def test_stepping_back_after_a_divergence_does_not_ask_again(qtbot, quiet_main_window, tmp_path):
    window = quiet_main_window()
    assert window.files.open_path(relu_net(tmp_path))
    asked = answering(window, False)
    while not asked:
        window.lesson.actions["finish"].trigger()
    window.lesson.actions["next"].trigger()  # moves into the step: no question
    for _ in range(3):
        window.lesson.actions["prev"].trigger()
    assert len(asked) == 1


@STRICT
def test_a_target_of_1e308_makes_the_loss_infinite_before_training_and_says_so(
    qtbot, quiet_main_window
):
    """With the loss already inf at epoch 0 no learning rate helps: no remedy is offered, the
    message says to change the weights or scale the data, and nothing is changed."""
    from bpstudio.document.edits import SetDataCell

    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")
    asked = answering(window, True)
    assert window.push(SetDataCell("targets", 0, 0, 1e308))
    before = window.document.copy()
    window.lesson.run_epoch()
    assert asked == []
    assert window.errors == [
        "Training diverged at epoch 1: loss is inf, and the loss is not finite at epoch 0 "
        "either: a weight, an input or a target is too large. Change the weights or scale "
        "the data."
    ]
    assert window.document == before
