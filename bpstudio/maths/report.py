"""The step sequence as a worked solution: Markdown with LaTeX maths, or JSON. Pure Python;
no Qt. `bpstudio steps` prints these, and the GUI exports the same text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape

from bpstudio.engine.training import TrainingConfig
from bpstudio.maths.formula import format_number
from bpstudio.maths.steps import Step, StepSequence

PHASE_TITLES = {
    "forward": "Forward pass",
    "loss": "Loss",
    "backward": "Backward pass",
    "combine": "Combining the samples",
    "update": "Update",
}

# Prose shared by the Markdown and HTML reports: `{name}` stands for a piece of maths,
# written in LaTeX for Markdown and as HTML for the HTML page.
_MATHS = {
    "z": ("z", "<i>z</i>"),
    "a": ("a", "<i>a</i>"),
    "y": ("y", "<i>y</i>"),
    "y_hat": ("\\hat{y}", "<i>ŷ</i>"),
    "delta": ("\\delta", "δ"),
    "delta_def": ("\\delta = \\partial L / \\partial z", "δ = ∂<i>L</i> / ∂<i>z</i>"),
    "share": ("L^{[p]}", "<i>L</i><sup>[p]</sup>"),
    "eta": ("\\eta", "η"),
    "l": ("l", "<i>l</i>"),
    "j": ("j", "<i>j</i>"),
    "k": ("k", "<i>k</i>"),
    "p": ("p", "<i>p</i>"),
    "mu": ("\\mu", "μ"),
    "x_a1": ("x = a^{(1)}", "<i>x</i> = <i>a</i><sup>(1)</sup>"),
    "w_l": ("w^{(l)}", "<i>w</i><sup>(<i>l</i>)</sup>"),
    "b_l": ("b^{(l)}", "<i>b</i><sup>(<i>l</i>)</sup>"),
    "z_next": (
        "z^{(l+1)} = w^{(l)} a^{(l)} + b^{(l)}",
        "<i>z</i><sup>(<i>l</i>+1)</sup> = <i>w</i><sup>(<i>l</i>)</sup> <i>a</i><sup>(<i>l</i>)"
        "</sup> + <i>b</i><sup>(<i>l</i>)</sup>",
    ),
    "a_next": (
        "a^{(l+1)} = f(z^{(l+1)})",
        "<i>a</i><sup>(<i>l</i>+1)</sup> = <i>f</i>(<i>z</i><sup>(<i>l</i>+1)</sup>)",
    ),
    "w_jk": ("w^{(l)}_{jk}", "<i>w</i><sup>(<i>l</i>)</sup><sub><i>jk</i></sub>"),
    "delta_j": (
        "\\delta^{(l)}_j = \\partial L / \\partial z^{(l)}_j",
        "δ<sup>(<i>l</i>)</sup><sub><i>j</i></sub> = ∂<i>L</i> / ∂<i>z</i><sup>(<i>l</i>)</sup>"
        "<sub><i>j</i></sub>",
    ),
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
    """`text` with its `{name}` maths filled in: `$...$` LaTeX, or HTML (the words escaped)."""
    if not html:
        return text.format(**{k: f"${latex}$" for k, (latex, _) in _MATHS.items()})
    return escape(text, quote=False).format(**{k: markup for k, (_, markup) in _MATHS.items()})


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
    rate = format_number(config.learning_rate)
    text = f"One training step on {samples}; loss {loss}, learning rate "
    if not html:
        text += f"$\\eta = {rate}$"
        if config.momentum:
            text += f", momentum $\\mu = {format_number(config.momentum)}$"
        return text + "."
    text += f"η = {rate}"
    if config.momentum:
        text += f", momentum μ = {format_number(config.momentum)}"
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
