"""The step-through lesson in the real window: keyboard stepping with the derivation's
results against the article's exact values, stepping back, the quiz, the timeline and
continuous training that leaves the window responsive."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from seed_tables import EXAMPLE_2_VALUES as EXAMPLE_2
from test_settings_panel import type_into

from bpstudio.document.edits import SetTraining
from bpstudio.document.format import load
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir
from bpstudio.ui.panels import SettingsPanel

SEED2 = examples_dir() / "seed-2-two-neurons.bpnet"


def focus_canvas(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitActive(window)
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)


def shown_result(window) -> str:
    return window.lesson.panel.result_text().replace("−", "-")


def test_keyboard_walk_shows_every_exact_value_then_steps_back_to_the_start(qtbot, main_window):
    """Space/→ walk Example 2's training step; at each micro-step the derivation's result
    equals the seed table at 4 decimals; ←/Backspace walk back to the initial network."""
    window = main_window()
    assert window.files.open_path(SEED2)
    window.lesson.panel.set_decimals(4)
    focus_canvas(qtbot, window)
    initial = window.lesson.walk.displayed_network().params.copy()
    for i, expected in enumerate(EXAMPLE_2):
        assert shown_result(window) == f"{expected:.4f}", f"step {i + 1}"
        qtbot.keyClick(window.canvas, Qt.Key.Key_Space if i % 2 else Qt.Key.Key_Right)
    assert window.lesson.walk.index == len(EXAMPLE_2)
    assert "step 15 of 15" in window.lesson.position.text()
    for i in range(len(EXAMPLE_2)):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Left if i % 2 else Qt.Key.Key_Backspace)
    assert window.lesson.walk.index == 0
    assert np.array_equal(window.lesson.walk.displayed_network().params, initial)
    assert window.lesson.position.text() == "Epoch 0 · Forward pass · z⁽²⁾₁ · step 1 of 15"


def test_overlay_shows_values_computed_so_far_only(qtbot, main_window):
    """Values appear beside neurons once computed (the current step's too, as the panel
    shows it), and not before."""
    window = main_window()
    assert window.files.open_path(SEED2)
    focus_canvas(qtbot, window)
    assert not any(t.startswith("a = ") for t in window.overlay.labels)
    assert window.overlay.current is window.overlay.labels["z = 0.2500"]
    qtbot.keyClick(window.canvas, Qt.Key.Key_Right)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Right)
    labels = window.overlay.labels
    assert "z = 0.2500" in labels and "a = 0.5622" in labels
    assert window.overlay.current is labels["z = 0.5124"]  # z⁽³⁾, the current step
    assert "a = 0.6254" not in labels  # ŷ: the next step
    assert not any(t.startswith("δ") for t in labels)


def test_a_sample_s_loss_and_the_batch_loss_get_a_line_each(qtbot, main_window):
    """XOR walks sample 1 of a batch of 4: beside the output, its share L^[1] and, once the
    batch is done, the batch's L on the line below (they used to be drawn on one spot)."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    walk = window.lesson.walk
    whole = next(
        i for i, step in enumerate(walk.sequence) if step.kind == "loss" and step.sample is None
    )
    window.lesson.jump(whole + 1)
    known = walk.known_values()
    share = known[("loss", None, None, None, 0)]
    total = known[("loss", None, None, None, None)]
    labels = window.overlay.labels
    mine = labels[f"L[1] = {share:.4f}"].sceneBoundingRect()
    batch = labels[f"L = {total:.4f}"].sceneBoundingRect()
    assert abs(batch.top() - mine.top() - window.canvas.layout.value_line) < 1e-9
    assert not mine.intersects(batch)


def test_quiz_accepts_a_right_answer_at_2_decimals_and_rejects_a_wrong_one(qtbot, main_window):
    """Check yourself: the result is hidden, 0.56 is accepted for a(2) = 0.5622, 0.60 is
    rejected for ŷ = 0.6254, and the score counts both."""
    window = main_window()
    assert window.files.open_path(SEED2)
    lesson = window.lesson
    lesson.panel.set_decimals(2)
    lesson.actions["quiz"].trigger()
    lesson.jump(1)
    assert lesson.panel.result_text() == "?"
    quiz = lesson.panel.quiz
    qtbot.keyClicks(quiz.answer, "0.56")
    qtbot.keyClick(quiz.answer, Qt.Key.Key_Return)
    assert "Right" in quiz.feedback_text()
    lesson.jump(3)
    quiz.answer.clear()
    qtbot.keyClicks(quiz.answer, "0.60")
    qtbot.keyClick(quiz.answer, Qt.Key.Key_Return)
    assert "Not quite" in quiz.feedback_text()
    assert (quiz.score.right, quiz.score.wrong) == (1, 1)


def test_timeline_scrub_restores_the_trained_weights_exactly(qtbot, main_window):
    """Dragging the timeline to epoch k shows exactly the weights of k epochs of training."""
    window = main_window()
    assert window.files.open_path(SEED2)
    window.lesson.walk.train(12)
    window.lesson._refresh()
    window.lesson.timeline.slider.setValue(5)
    doc = load(SEED2)
    net = doc.build_network()
    x, y = doc.dataset()
    Trainer(net, x, y, doc.training_config()).run(5)
    assert window.lesson.walk.epoch == 5
    assert np.array_equal(window.lesson.walk.displayed_network().params, net.params)


def test_continuous_training_leaves_the_event_loop_running_and_pauses_at_once(qtbot, main_window):
    """While the spiral example trains at full speed, other timers keep firing, training makes
    progress, and Pause stops it at once. (How late a timer may be is a benchmark figure:
    tests/benchmarks/run.py --only gui, not a timed test.)"""
    window = main_window()
    assert window.files.open_path(examples_dir() / "spiral.bpnet")
    window.ask_yes_no = lambda title, text: True
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(window.lesson.walk.epoch))
    timer.start()
    window.lesson.run_controls.set_speed(0)  # as fast as possible
    window.lesson.toggle_run()
    assert window.lesson.runner.running
    qtbot.waitUntil(lambda: len(set(ticks)) >= 5, timeout=20000)  # ticks between epochs
    window.lesson.toggle_run()
    timer.stop()
    assert not window.lesson.runner.running
    epoch = window.lesson.walk.epoch
    assert epoch > 10
    qtbot.wait(50)
    assert window.lesson.walk.epoch == epoch
    assert window.document.history is not None and window.document.history.epoch[-1] == epoch


def test_back_while_training_runs_pauses_the_run_where_it_is(qtbot, main_window):
    """Back is a step by hand, as Next is: it stops the run. The run trained whole epochs, so
    there is no calculation of this one to take back yet."""
    window = main_window()
    assert window.files.open_path(SEED2)
    lesson = window.lesson
    lesson.run_controls.set_speed(0)
    lesson.toggle_run()
    qtbot.waitUntil(lambda: lesson.walk.epoch >= 3, timeout=20000)
    lesson.actions["prev"].trigger()  # Left, Backspace or PgUp (tests/ui/test_shortcuts.py)
    assert not lesson.runner.running and not lesson.actions["run"].isChecked()
    assert lesson.actions["run"].text() == "&Run"
    epoch = lesson.walk.epoch
    qtbot.wait(100)
    assert (lesson.walk.epoch, lesson.walk.index) == (epoch, 0)
    assert window.document.history.epoch[-1] == epoch


def test_choosing_one_sample_walks_only_that_sample(qtbot, main_window):
    """On XOR (4 samples) the sample chooser restricts the forward steps to one sample."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    box = window.lesson.sample_box
    assert box.count() == 5 and box.currentText() == "All samples"
    box.setCurrentIndex(3)
    box.activated.emit(3)
    samples = {s.sample for s in window.lesson.walk.sequence if s.phase == "forward"}
    assert samples == {2}
    assert any(s.phase == "combine" for s in window.lesson.walk.sequence)


def test_a_big_network_builds_its_steps_only_when_the_student_steps(qtbot, main_window, tmp_path):
    """On a 10x32 network, opening and editing do not build the 20,000 micro-steps (about a
    second's work); the first Next does, and shows step 1."""
    from bpstudio.document.edits import SetWeight
    from bpstudio.document.format import save
    from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec

    layers = [LayerSpec(32)] + [LayerSpec(32, "sigmoid") for _ in range(9)]
    doc = Document(
        layers,
        "sse",
        TrainingSpec(0.1),
        DataSpec(inputs=np.zeros((1, 32)), targets=np.zeros((1, 32))),
    )
    path = tmp_path / "big.bpnet"
    save(doc.with_network(doc.build_network()), path)
    window = main_window()
    assert window.files.open_path(path)
    assert window.lesson.walk._sequence is None
    assert "press Next" in window.lesson.position.text()
    window.push(SetWeight(3, 1, 2, 0.5))
    assert window.lesson.walk._sequence is None
    window.lesson.next()
    assert window.lesson.walk._sequence is not None
    assert "step 2 of" in window.lesson.position.text()


def test_renaming_the_network_mid_epoch_keeps_the_lesson_where_it_is(qtbot, quiet_main_window):
    """Issue 16: XOR in batches of 2 with momentum; after batch 1's update the name is typed
    in the settings dock. The lesson stays at batch 2 of the epoch with its velocity, and
    the next training step ends the epoch on exactly one epoch of the Trainer (it used to
    start again at batch 1 with no velocity, applying batch 1 twice)."""
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    assert window.push(SetTraining("batch_size", 2))
    assert window.push(SetTraining("momentum", 0.9))
    lesson = window.lesson
    lesson.actions["finish"].trigger()
    walk = lesson.walk
    assert (walk.epoch, walk.batch) == (0, 1)
    velocity = walk.trainer.velocity.copy()
    assert np.any(velocity)
    type_into(qtbot, window.findChild(SettingsPanel).name, "XOR in pairs")
    assert window.document.name == "XOR in pairs"
    assert window.undo_stack.undoText() == "Rename the network"
    assert lesson.walk is walk and (walk.epoch, walk.batch, walk.index) == (0, 1, 0)
    assert np.array_equal(walk.trainer.velocity, velocity)
    assert "batch 2 of 2" in lesson.position.text()
    lesson.actions["finish"].trigger()
    doc = window.document
    net = load(examples_dir() / "xor.bpnet").build_network()
    x, y = doc.dataset()
    Trainer(net, x, y, doc.training_config()).run(1)
    assert walk.epoch == 1
    assert np.array_equal(walk.net.params, net.params)
    assert np.array_equal(doc.build_network().params, net.params)
    assert window.errors == []


@pytest.mark.parametrize("answer", [False, True], ids=["kept", "discarded"])
def test_finishing_a_step_after_scrubbing_back_asks_before_discarding_later_epochs(
    qtbot, main_window, answer
):
    """XOR trained to epoch 10 and scrubbed back to 4: Finish Step and Next at the end of a
    step would train epoch 5 from there, so they ask first. Kept: nothing moves. Discarded:
    the history ends at the new epoch 5, equal to training 5 epochs from the file."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    asked = []
    window.ask_yes_no = lambda title, text: asked.append(title) or answer
    lesson = window.lesson
    lesson.train_epochs(10)
    qtbot.waitUntil(lambda: not lesson.runner.running and lesson.walk.epoch == 10)
    lesson.scrub(4)
    assert (lesson.walk.epoch, lesson.walk.last_epoch) == (4, 10)
    lesson.actions["finish"].trigger()
    assert asked == ["Discard later epochs?"]
    if not answer:
        assert (lesson.walk.epoch, lesson.walk.last_epoch) == (4, 10)
        lesson.walk.jump(len(lesson.walk.sequence))
        lesson.actions["next"].trigger()  # Next at the end of the step asks too
        assert asked == ["Discard later epochs?"] * 2 and lesson.walk.epoch == 4
        return
    assert (lesson.walk.epoch, lesson.walk.last_epoch) == (5, 5)
    doc = load(examples_dir() / "xor.bpnet")
    net = doc.build_network()
    x, y = doc.dataset()
    reference = Trainer(net, x, y, doc.training_config())
    reference.run(5)
    assert np.array_equal(lesson.walk.net.params, net.params)
    assert np.array_equal(lesson.walk.trainer.history.loss.values, reference.history.loss.values)
