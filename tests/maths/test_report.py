"""The worked solution's prose: its maths is rendered from formulas, as LaTeX in Markdown and
as italic HTML on the HTML page, and the setting line names the rates. No Qt."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.engine.network import Network
from bpstudio.engine.training import TrainingConfig, training_step
from bpstudio.maths import report, steps
from bpstudio.maths.steps import StepSequence


def test_prose_writes_the_maths_as_inline_latex_in_markdown():
    """Indices stay italic (no \\mathrm), and ∂L/∂z is a fraction."""
    assert report.prose("{w_jk} feeds {z}") == "$w^{(l)}_{jk}$ feeds $z$"
    assert report.prose("{delta_def}") == r"$\delta = \frac{\partial L}{\partial z}$"
    assert report.prose("{z_next}") == "$z^{(l+1)} = w^{(l)} a^{(l)} + b^{(l)}$"


def test_prose_writes_the_maths_in_italics_in_html_and_escapes_the_words():
    assert report.prose("to get {a}.", html=True) == "to get <i>a</i>."
    assert report.prose("a < b & {share}", html=True) == "a &lt; b &amp; <i>L<sup>[p]</sup></i>"
    assert report.prose("{delta_def}", html=True) == "<i>δ = ∂L/∂z</i>"


@pytest.mark.parametrize("text", [*report.PHASE_INTROS.values()])
def test_every_phase_introduction_fills_in_its_maths(text):
    """Every `{name}` is a formula of the table (a name missing from it raises)."""
    assert "{" not in report.prose(text, html=True)
    assert report.prose(text).count("$") == 2 * text.count("{")


@pytest.fixture(name="one_step")
def one_step_fixture() -> tuple[StepSequence, TrainingConfig]:
    """One sigmoid neuron, one sample, with momentum."""
    net = Network([1, 1], ["sigmoid"], [np.array([[0.5]])], [np.array([0.0])])
    config = TrainingConfig(loss="sse", learning_rate=0.5, momentum=0.9)
    result = training_step(net, np.array([[1.0]]), np.array([[0.0]]), config)
    return steps.build(result, config), config


def test_the_setting_names_the_learning_rate_and_momentum(one_step):
    seq, config = one_step
    markdown = report.to_markdown(seq, config)
    assert "learning rate $\\eta = 0.5$, momentum $\\mu = 0.9$." in markdown
    assert "learning rate η = 0.5, momentum μ = 0.9." in report.to_html(seq, config)
