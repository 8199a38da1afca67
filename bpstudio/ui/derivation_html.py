"""The derivation panel's HTML: a step's heading, its formula with the numbers put in and
the result, its chain-rule factors, and the summary of a finished training step. Strings
only (the theme's colours are read, no widgets)."""

from __future__ import annotations

from html import escape

from bpstudio.maths.formula import Add, Expr, Num, format_number
from bpstudio.maths.report import PHASE_TITLES
from bpstudio.maths.steps import Step, StepSequence
from bpstudio.ui import theme

HIDDEN = "?"  # stands for a result the student is asked to work out

MATHS_SCALE = 1.35  # the formulas, relative to the panel's font
RESULT_SCALE = 1.5
HEADING_SCALE = 1.15
# What each kind of step computes, in a sentence; shown under the heading.
KIND_NOTES = {
    "z": "The neuron's weighted input: every incoming activation times its weight, plus the bias.",
    "a": "The neuron's activation: its activation function applied to the weighted input.",
    "loss": "How far the network's output lies from the target.",
    "delta": "The error signal δ = ∂L/∂z of this neuron: how strongly the loss reacts to its "
    "weighted input, worked out with the chain rule from the loss backwards.",
    "grad_w": "The weight's gradient: the δ of the neuron it feeds times the activation it "
    "carries.",
    "grad_b": "The bias's gradient: the δ of its neuron, because ∂z/∂b = 1.",
    "update_w": "Gradient descent moves the weight against its gradient, scaled by the "
    "learning rate η.",
    "update_b": "Gradient descent moves the bias against its gradient, scaled by the "
    "learning rate η.",
}
COMBINE_NOTE = "The samples' shares of this gradient, added up."
SHARE_NOTE = " This is one sample's share; the shares are added up after the backward pass."


def step_line(step: Step, decimals: int | None, hidden: bool = False) -> str:
    """The step as one line of the steps list, e.g. "1. z⁽²⁾₁ = 0.2500"."""
    value = HIDDEN if hidden else format_number(step.value, decimals, typographic=True)
    line = f"{step.index + 1}. {step.symbol.text()} = {value}"
    return line if step.sample is None else f"{line}   (sample {step.sample + 1})"


def heading_text(step: Step, count: int, samples: int) -> str:
    """E.g. "Backward pass · δ⁽³⁾₁ — step 6 of 15, sample 2 of 4"."""
    return f"{PHASE_TITLES[step.phase]} · {step.symbol.text()} — {_position(step, count, samples)}"


def heading_html(step: Step, count: int, samples: int) -> str:
    """The heading as rich text: the symbol with real sub- and superscripts, and the
    position in the sequence in normal weight and the muted colour."""
    muted = theme.current().muted.name()
    position = escape(_position(step, count, samples))
    return (
        f"<b>{escape(PHASE_TITLES[step.phase])} · {step.symbol.html()}</b>"
        f' <span style="color:{muted}">— {position}</span>'
    )


def _position(step: Step, count: int, samples: int) -> str:
    text = f"step {step.index + 1} of {count}"
    return text if step.sample is None else f"{text}, sample {step.sample + 1} of {samples}"


def parameter(step: Step) -> Expr:
    """The parameter an update step changes (w⁽¹⁾₁ rather than w⁽¹⁾₁,new)."""
    rhs = step.formula.rhs
    return rhs.terms[0] if isinstance(rhs, Add) else step.symbol


def kind_note(step: Step) -> str:
    """A sentence on what the step computes."""
    if step.phase == "combine":
        return COMBINE_NOTE
    note = KIND_NOTES.get(step.kind, "")
    return note + SHARE_NOTE if step.sample is not None and step.kind.startswith("grad") else note


# HTML --------------------------------------------------------------------------------------
def _span(html: str, size: float, bold: bool = False, colour: str | None = None) -> str:
    style = f"font-size:{size:.1f}pt;" + ("font-weight:600;" if bold else "")
    style += f"color:{colour};" if colour else ""
    return f'<span style="{style}">{html}</span>'


def _derivation_rows(step: Step, decimals: int | None, hidden: bool) -> list[tuple[str, str]]:
    """The derivation as rows of (left side, "= right side"), lined up at the equals signs:
    the general formula's sides, the numbers substituted, and the result last."""
    sides = step.formula.sides
    rows = [("" if i else sides[0].html(), side.html()) for i, side in enumerate(sides[1:])]
    value = HIDDEN if hidden else format_number(step.value, decimals, typographic=True)
    for side in step.substituted.sides[1:]:
        if isinstance(side, Num) and side.html(decimals) == value:
            continue  # the numbers are the result itself
        rows.append(("", side.html(decimals)))
    rows.append(("", f"<b>{value}</b>"))
    return rows


def derivation_html(step: Step, decimals: int | None, hidden: bool, size: float) -> str:
    """The formula, the numbers and the result as an aligned table, then the factors."""
    rows = _derivation_rows(step, decimals, hidden)
    cells = []
    for i, (left, right) in enumerate(rows):
        last = i == len(rows) - 1
        scale = RESULT_SCALE if last else MATHS_SCALE
        cells.append(
            f'<tr><td align="right" valign="top">{_span(left, size * MATHS_SCALE)}</td>'
            f'<td valign="top">{_span("&nbsp;=&nbsp;" + right, size * scale)}</td></tr>'
        )
    muted = theme.current().muted.name()
    note = kind_note(step)
    html = f"<p>{_span(note, size, colour=muted)}</p>" if note else ""
    html += f'<table cellspacing="0" cellpadding="3">{"".join(cells)}</table>'
    return html + factors_html(step, decimals, hidden, size)


def factors_html(step: Step, decimals: int | None, hidden: bool, size: float) -> str:
    """Each chain-rule factor on its own line: formula = numbers = value."""
    if not step.factors:
        return ""
    muted = theme.current().muted.name()
    lines = [f"<p>{_span('Chain-rule factors', size, colour=muted)}</p>"]
    for factor in step.factors:
        parts = [factor.formula.html()]
        numbers = factor.substituted.rhs
        value = HIDDEN if hidden else format_number(factor.value, decimals, typographic=True)
        if not isinstance(numbers, Num):
            parts.append(numbers.html(decimals))
        if not (isinstance(factor.formula.rhs, Num) and numbers.html(decimals) == value):
            parts.append(value)
        # a non-breaking space after each "=" keeps it with the term it introduces
        lines.append(f"<p>{_span(' =&nbsp;'.join(parts), size * MATHS_SCALE)}</p>")
    return "".join(lines)


def summary_html(seq: StepSequence, decimals: int | None, size: float) -> str:
    """The end of the sequence: the loss, and every parameter's old and new value."""
    loss = format_number(seq.result.loss, decimals, typographic=True)
    muted = theme.current().muted.name()
    html = f"<p>{_span(f'L = <b>{loss}</b>', size * RESULT_SCALE)}</p>"
    html += f"<p>{_span('(the loss with the starting parameters)', size, colour=muted)}</p>"
    html += f"<p>{_span('One step of gradient descent has moved them:', size)}</p>"
    rows = []
    for step in seq:
        if step.phase != "update" or step.old is None:
            continue
        change = f"&nbsp;{format_number(step.old, decimals, typographic=True)} → "
        change += f"<b>{format_number(step.value, decimals, typographic=True)}</b>"
        rows.append(
            f'<tr><td align="right">{_span(parameter(step).html(), size * MATHS_SCALE)}</td>'
            f"<td>{_span(change, size * MATHS_SCALE)}</td></tr>"
        )
    return html + f'<table cellspacing="0" cellpadding="3">{"".join(rows)}</table>'


# the widget --------------------------------------------------------------------------------
