"""The derivation panel shows each step's result as the seed tables give it (at the chosen
decimals), lists the steps so far and jumps to one when clicked, and in quiz mode hides the
result until the student types it or asks to see it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from seed_tables import EXAMPLE_2_VALUES as EXAMPLE_2

from bpstudio.cli import first_step
from bpstudio.document.format import load
from bpstudio.maths import steps
from bpstudio.resources import examples_dir
from bpstudio.ui.derivation_panel import DerivationPanel


def sequence(name: str) -> steps.StepSequence:
    result, config = first_step(load(examples_dir() / name))
    return steps.build(result, config)


@pytest.fixture
def seq2():
    return sequence("seed-2-two-neurons.bpnet")


@pytest.fixture
def panel(qtbot, settings):
    widget = DerivationPanel(settings)
    qtbot.addWidget(widget)
    widget.resize(560, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown(panel: DerivationPanel) -> str:
    """The displayed result with an ASCII minus, to compare with Python's formatting."""
    return panel.result_text().replace("\u2212", "-")


def test_every_step_of_example_2_shows_the_seed_value_at_4_decimals(panel, seq2):
    assert len(seq2) == len(EXAMPLE_2)
    panel.show_sequence(seq2)
    for i, value in enumerate(EXAMPLE_2):
        panel.show_step(i)
        assert shown(panel) == f"{value:.4f}", f"step {i + 1}"
        assert panel.result_text() in panel.maths.toPlainText()


def test_hidden_layer_deltas_of_example_3_match_the_seed_table(panel):
    seq = sequence("seed-3-hidden-layer.bpnet")
    panel.show_sequence(seq)
    deltas = [i for i, s in enumerate(seq) if s.kind == "delta" and s.layer == 1]
    for i, value in zip(deltas, (-0.0087676036, -0.0169385425), strict=True):
        panel.show_step(i)
        assert shown(panel) == f"{value:.4f}"
        assert "Backward pass · δ⁽²⁾" in panel.heading_text()
        assert "Chain-rule factors" in panel.maths.toPlainText()


def test_heading_names_phase_symbol_and_sample(panel):
    seq = sequence("xor.bpnet")
    panel.show_sequence(seq, 0)
    assert panel.heading_text().startswith("Forward pass · z⁽²⁾₁ — step 1 of")
    assert panel.heading_text().endswith("sample 1 of 4")


def test_switching_to_2_decimals_changes_formula_result_and_list(panel, seq2):
    panel.show_sequence(seq2, 2)
    assert panel.result_text() == "0.5124"
    assert "0.2000 · 0.5622 + 0.4000" in panel.maths.toPlainText()
    panel.set_decimals(2)
    assert panel.result_text() == "0.51"
    assert "0.20 · 0.56 + 0.40" in panel.maths.toPlainText()
    assert panel.list_lines()[1] == "2. a⁽²⁾₁ = 0.56"
    panel.set_decimals(None)
    assert panel.result_text() == repr(seq2[2].value)


def test_the_chosen_decimals_are_remembered_in_the_settings(qtbot, settings, seq2):
    first = DerivationPanel(settings)
    qtbot.addWidget(first)
    first.decimals_box.setCurrentIndex(first.decimals_box.findData(2))
    second = DerivationPanel(settings)
    qtbot.addWidget(second)
    assert second.decimals == 2
    second.set_decimals(None)
    third = DerivationPanel(settings)
    qtbot.addWidget(third)
    assert third.decimals is None


def test_the_list_holds_the_steps_so_far_and_clicking_one_requests_it(panel, qtbot, seq2):
    panel.show_sequence(seq2, 5)
    assert len(panel.list_lines()) == 6
    assert panel.step_list.currentIndex().row() == 5
    assert panel.list_lines()[5] == "6. δ⁽³⁾₁ = −0.2049"
    rect = panel.step_list.visualRect(panel.steps_model.index(2))
    with qtbot.waitSignal(panel.step_requested) as blocker:
        qtbot.mouseClick(panel.step_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [2]
    panel.show_step(3)  # going back hides the later steps again
    assert panel.list_lines() == [
        "1. z⁽²⁾₁ = 0.2500",
        "2. a⁽²⁾₁ = 0.5622",
        "3. z⁽³⁾₁ = 0.5124",
        "4. ŷ = 0.6254",
    ]
    panel.show_step(len(seq2))  # the summary lists them all
    assert len(panel.list_lines()) == len(seq2)


def test_after_the_last_step_a_summary_shows_loss_and_new_parameters(panel, seq2):
    panel.show_sequence(seq2, len(seq2))
    text = panel.maths.toPlainText()
    assert panel.heading_text() == "Training step complete"
    assert "L = 0.3825" in text
    assert "0.4000 → 0.4205" in text and "0.2000 → 0.2115" in text
    assert panel.result_text() == ""
    with pytest.raises(IndexError):
        panel.show_step(len(seq2) + 1)


def test_font_scale_enlarges_the_panel(panel, seq2):
    panel.show_sequence(seq2, 5)
    before = panel.font().pointSizeF()
    panel.set_font_scale(1.75)
    assert panel.font().pointSizeF() == pytest.approx(1.75 * before)
    assert panel.step_list.font().pointSizeF() == pytest.approx(1.75 * before)
    assert f"{1.75 * before * 1.5:.1f}pt" in panel.maths.toHtml()


def test_quiz_hides_the_result_until_a_right_answer(panel, qtbot, seq2):
    """Typed with the keyboard and Enter, at the article's 2 decimals."""
    panel.set_decimals(2)
    panel.show_sequence(seq2, 1)
    panel.set_quiz(True)
    assert panel.result_text() == "?"
    assert "0.56" not in panel.maths.toPlainText().replace("σ(0.25)", "")
    assert panel.list_lines() == ["1. z⁽²⁾₁ = 0.25", "2. a⁽²⁾₁ = ?"]
    assert panel.quiz.isVisible()
    qtbot.keyClicks(panel.quiz.answer, "0.57")
    with qtbot.waitSignal(panel.answered) as wrong:
        qtbot.keyClick(panel.quiz.answer, Qt.Key.Key_Return)
    assert wrong.args == [False]
    assert panel.quiz.feedback_text() == "✗ Not quite — try again"
    assert panel.result_text() == "?"
    panel.quiz.answer.clear()
    qtbot.keyClicks(panel.quiz.answer, "0,56")
    with qtbot.waitSignal(panel.answered) as right:
        qtbot.keyClick(panel.quiz.answer, Qt.Key.Key_Enter)
    assert right.args == [True]
    assert panel.quiz.feedback_text() == "✓ Right — Enter for the next step"
    assert panel.result_text() == "0.56"
    assert panel.quiz.answer.isReadOnly() and not panel.quiz.check_button.isEnabled()
    assert panel.quiz.score_label.text() == "Score: 1 right, 1 wrong"


def test_quiz_rejects_the_articles_slip_and_reveal_shows_the_value(panel, qtbot, seq2):
    panel.set_quiz(True)
    panel.show_sequence(seq2, 6)  # ∂L/∂w(2): the article has -0.103
    assert "= ?" in panel.maths.toPlainText()  # the factors' values are hidden too
    qtbot.keyClicks(panel.quiz.answer, "-0.103")
    qtbot.mouseClick(panel.quiz.check_button, Qt.MouseButton.LeftButton)
    assert panel.quiz.feedback_text().startswith("✗")
    panel.quiz.answer.setText("nonsense")
    panel.quiz.check()  # not a number: asked again, not counted
    assert panel.quiz.score_label.text() == "Score: 0 right, 1 wrong"
    qtbot.mouseClick(panel.quiz.reveal_button, Qt.MouseButton.LeftButton)
    assert panel.result_text() == "−0.1152"
    assert "= ?" not in panel.maths.toPlainText()
    assert panel.quiz.score_label.text() == "Score: 0 right, 1 wrong, 1 revealed"
    panel.show_step(7)  # a new question, the score carries on
    assert panel.result_text() == "?" and not panel.quiz.answer.isReadOnly()
    assert panel.quiz.feedback_text() == ""
    panel.show_step(6)  # a revealed step stays revealed
    assert panel.result_text() == "−0.1152"
    assert panel.quiz.score.asked == 2


def test_turning_the_quiz_off_shows_results_again(panel, seq2):
    panel.show_sequence(seq2, 3)
    with_signal = []
    panel.quiz_toggled.connect(with_signal.append)
    panel.quiz_toggle.click()
    assert panel.result_text() == "?" and with_signal == [True]
    panel.quiz_toggle.click()
    assert panel.result_text() == "0.6254" and not panel.quiz.isVisible()
    assert panel.list_lines()[3] == "4. ŷ = 0.6254"


def test_the_panel_follows_a_dark_palette(panel, seq2):
    """Text colours come from the palette; the muted captions switch with it."""
    app = QApplication.instance()
    light = app.palette()
    panel.show_sequence(seq2, 5)
    light_html = panel.maths.toHtml()
    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
        (QPalette.ColorRole.Base, "#181818"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
    ):
        dark.setColor(role, QColor(colour))
    try:
        app.setPalette(dark)
        QApplication.processEvents()
        assert panel.maths.toHtml() != light_html
        assert "#a0a0a0" in panel.maths.toHtml()  # theme.muted of the dark theme
        assert panel.maths.palette().color(QPalette.ColorRole.Text) == QColor("#e8e8e8")
    finally:
        app.setPalette(light)


def test_quiz_asks_again_for_a_skipped_step_but_earlier_lines_keep_their_values(panel, seq2):
    """Stepping on without answering shows the skipped value in the list; going back to
    it asks for it again, while a step answered right stays answered."""
    panel.set_quiz(True)
    panel.show_sequence(seq2, 0)
    panel.quiz.answer.setText("0.25")
    panel.quiz.check()
    panel.show_step(1)
    panel.show_step(2)
    assert panel.list_lines() == ["1. z⁽²⁾₁ = 0.2500", "2. a⁽²⁾₁ = 0.5622", "3. z⁽³⁾₁ = ?"]
    panel.show_step(1)
    assert panel.result_text() == "?"
    panel.show_step(0)
    assert panel.result_text() == "0.2500"
    assert panel.quiz.score.asked == 3
