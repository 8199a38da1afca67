"""The step sequence as a worked solution: Markdown with LaTeX maths, or JSON. Pure Python;
no Qt. `bpstudio steps` prints these, and the GUI exports the same text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape

from bpstudio.engine.training import TrainingConfig
from bpstudio.maths.formula import Call, Const, Expr, Partial, Sym, add, eq, format_number, mul
from bpstudio.maths.notation import HAT_Y
from bpstudio.maths.steps import Step, StepSequence

PHASE_TITLES = {
    "forward": "Forward pass",
    "loss": "Loss",
    "backward": "Backward pass",
    "combine": "Combining the samples",
    "update": "Update",
}

# The maths in the prose of the Markdown and HTML reports: `{name}` in the text stands for
# one of these formulas, written in LaTeX for Markdown and as HTML for the HTML page.
_L, _DELTA, _ETA, _MU = Sym("L"), Sym(r"\delta"), Sym(r"\eta"), Sym(r"\mu")
_MATHS: dict[str, Expr] = {
    "z": Sym("z"),
    "a": Sym("a"),
    "y": Sym("y"),
    "y_hat": Sym(HAT_Y),
    "delta": _DELTA,
    "delta_def": eq(_DELTA, Partial(_L, Sym("z"))),
    "share": Sym("L", "[p]"),
    "eta": _ETA,
    "l": Sym("l"),
    "j": Sym("j"),
    "k": Sym("k"),
    "p": Sym("p"),
    "mu": _MU,
    "x_a1": eq(Sym("x"), Sym("a", "(1)")),
    "w_l": Sym("w", "(l)"),
    "b_l": Sym("b", "(l)"),
    "z_next": eq(
        Sym("z", "(l+1)"),
        add(mul(Sym("w", "(l)"), Sym("a", "(l)"), juxtapose=True), Sym("b", "(l)")),
    ),
    "a_next": eq(Sym("a", "(l+1)"), Call("f", Sym("z", "(l+1)"))),
    "w_jk": Sym("w", "(l)", "jk"),
    "delta_j": eq(Sym(r"\delta", "(l)", "j"), Partial(_L, Sym("z", "(l)", "j"))),
}

PHASE_INTROS = {
    "forward": "Each neuron first forms the weighted sum of its inputs plus its bias, "
    "{z}, and then applies its activation function to get {a}.",
    "loss": "The loss compares the network's output {y_hat} with the target {y}.",
    "backward": "Working back from the output, {delta_def} of each "
    "neuron is a product of chain-rule factors. A weight's gradient is the "
    "{delta} of the neuron it feeds times the activation it carries; a bias's "
    "gradient is the {delta} itself.",
    "combine": "Each sample contributed its share {share} to the loss, so each gradient "
    "is the sum of the per-sample shares.",
    "update": "Gradient descent moves every trainable parameter against its gradient, "
    "scaled by the learning rate {eta}.",
}

_NOTATION = (
    "Notation: the input is {x_a1}; layer {l}'s weights {w_l} and biases {b_l} "
    "feed {z_next} and {a_next}; the output is "
    "{y_hat}. {w_jk} goes from neuron {k} into neuron {j} (one index when a "
    "layer has one neuron). {delta_j}. "
    "{share} is sample {p}'s share of the loss."
)


def prose(text: str, html: bool = False) -> str:
    """`text` with its `{name}` maths filled in: `$...$` LaTeX, or HTML in italics, set off
    from the words (which are escaped)."""
    if not html:
        return text.format(**{k: _inline(e) for k, e in _MATHS.items()})
    return escape(text, quote=False).format(**{k: f"<i>{e.html()}</i>" for k, e in _MATHS.items()})


def _inline(expr: Expr) -> str:
    """`expr` as inline Markdown maths."""
    return f"${expr.latex()}$"


def step_markdown(step: Step, decimals: int | None = None) -> str:
    """One step: its general formula, then the numbers substituted and the result."""
    value = format_number(step.value, decimals)
    return (
        f"**Step {step.index + 1}.** ${step.formula.latex()}$  \n"
        f"${step.substituted.latex(decimals)} = {value}$\n"
    )


def to_markdown(
    seq: StepSequence,
    config: TrainingConfig,
    title: str | None = None,
    decimals: int | None = None,
    figure: Callable[[Step], str] | None = None,
    heading: str = "Worked solution",
) -> str:
    """The whole sequence with a heading per phase, and per sample inside a phase. With
    `figure`, each step is preceded by the Markdown it returns for the step (an image)."""
    n = len(seq.result.x)
    lines = [
        f"# {heading}{': ' + title if title else ''}",
        "",
        _setting(config, n),
        "",
        prose(_NOTATION),
        "",
    ]
    for phase, steps in _groups(seq, lambda s: s.phase):
        lines += [f"## {PHASE_TITLES[phase]}", "", prose(PHASE_INTROS[phase]), ""]
        for sample, group in _groups(steps, lambda s: s.sample):
            if sample is not None:
                lines += [f"### Sample {sample + 1}", ""]
            for s in group:
                lines += [figure(s), ""] if figure else []
                lines.append(step_markdown(s, decimals))
            lines.append("")
    return "\n".join(lines)


def to_json(seq: StepSequence) -> str:
    return json.dumps([s.to_json() for s in seq], indent=1, allow_nan=False)


def _setting(config: TrainingConfig, n: int, html: bool = False) -> str:
    samples = "one sample" if n == 1 else f"a batch of {n} samples"
    loss = f"<code>{config.loss}</code>" if html else f"`{config.loss}`"
    maths = Expr.html if html else _inline
    rate = maths(eq(_ETA, Const(config.learning_rate)))
    text = f"One training step on {samples}; loss {loss}, learning rate {rate}"
    if config.momentum:
        text += f", momentum {maths(eq(_MU, Const(config.momentum)))}"
    if config.weight_decay:
        decay = maths(eq(Sym(r"\lambda"), Const(config.weight_decay)))
        text += f", weight decay {decay} (on the weights, never the biases)"
    return text + "."


def to_html(
    seq: StepSequence, config: TrainingConfig, title: str | None = None, decimals: int | None = None
) -> str:
    """The same worked solution as `to_markdown`, as a self-contained HTML page whose maths
    is plain HTML (sub- and superscripts), so it opens anywhere without a maths renderer."""
    heading = escape(f"Worked solution{': ' + title if title else ''}")
    body = [
        f"<h1>{heading}</h1>",
        f"<p>{_setting(config, len(seq.result.x), html=True)}</p>",
        f"<p>{prose(_NOTATION, html=True)}</p>",
    ]
    for phase, steps in _groups(seq, lambda s: s.phase):
        body += [f"<h2>{PHASE_TITLES[phase]}</h2>", f"<p>{prose(PHASE_INTROS[phase], True)}</p>"]
        for sample, group in _groups(steps, lambda s: s.sample):
            if sample is not None:
                body.append(f"<h3>Sample {sample + 1}</h3>")
            body += [step_html(s, decimals) for s in group]
    return _HTML_PAGE.format(title=heading, body="\n".join(body))


def step_html(step: Step, decimals: int | None = None) -> str:
    """One step as an HTML paragraph: formula, then numbers substituted and the result."""
    value = format_number(step.value, decimals)
    return (
        f'<p class="step"><b>Step {step.index + 1}.</b> {step.formula.html()}<br>'
        f"{step.substituted.html(decimals)} = <b>{value}</b></p>"
    )


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: serif; max-width: 50em; margin: 2em auto; line-height: 1.5; }}
p.step {{ margin: 0.6em 0; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def _groups(steps: Iterable[Step], key) -> list[tuple[object, list[Step]]]:
    """Consecutive runs of steps with the same key."""
    groups: list[tuple[object, list[Step]]] = []
    for s in steps:
        if groups and groups[-1][0] == key(s):
            groups[-1][1].append(s)
        else:
            groups.append((key(s), [s]))
    return groups
