"""The step sequence as a worked solution: Markdown with LaTeX maths, or JSON. Pure Python;
no Qt. `bpstudio steps` prints these, and the GUI exports the same text."""

from __future__ import annotations

import json
from collections.abc import Iterable

from bpstudio.engine.formula import format_number
from bpstudio.engine.steps import Step, StepSequence
from bpstudio.engine.training import TrainingConfig

PHASE_TITLES = {
    "forward": "Forward pass",
    "loss": "Loss",
    "backward": "Backward pass",
    "combine": "Combining the samples",
    "update": "Update",
}

PHASE_INTROS = {
    "forward": "Each neuron first forms the weighted sum of its inputs plus its bias, "
    "$z$, and then applies its activation function to get $a$.",
    "loss": "The loss compares the network's output $\\hat{y}$ with the target $y$.",
    "backward": "Working back from the output, $\\delta = \\partial L / \\partial z$ of each "
    "neuron is a product of chain-rule factors. A weight's gradient is the "
    "$\\delta$ of the neuron it feeds times the activation it carries; a bias's "
    "gradient is the $\\delta$ itself.",
    "combine": "Each sample contributed its share $L^{[p]}$ to the loss, so each gradient "
    "is the sum of the per-sample shares.",
    "update": "Gradient descent moves every trainable parameter against its gradient, "
    "scaled by the learning rate $\\eta$.",
}


def step_markdown(step: Step, decimals: int | None = None) -> str:
    """One step: its general formula, then the numbers substituted and the result."""
    value = format_number(step.value, decimals)
    return (
        f"**Step {step.index + 1}.** ${step.formula.latex()}$  \n"
        f"${step.substituted.latex(decimals)} = {value}$\n"
    )


def to_markdown(
    seq: StepSequence, config: TrainingConfig, title: str | None = None, decimals: int | None = None
) -> str:
    """The whole sequence with a heading per phase, and per sample inside a phase."""
    n = len(seq.result.x)
    lines = [
        f"# Worked solution{': ' + title if title else ''}",
        "",
        _setting(config, n),
        "",
        _NOTATION,
        "",
    ]
    for phase, steps in _groups(seq, lambda s: s.phase):
        lines += [f"## {PHASE_TITLES[phase]}", "", PHASE_INTROS[phase], ""]
        for sample, group in _groups(steps, lambda s: s.sample):
            if sample is not None:
                lines += [f"### Sample {sample + 1}", ""]
            lines += [step_markdown(s, decimals) for s in group] + [""]
    return "\n".join(lines)


def to_json(seq: StepSequence) -> str:
    return json.dumps([s.to_json() for s in seq], indent=1, allow_nan=False)


_NOTATION = (
    "Notation: the input is $x = a^{(1)}$; layer $l$'s weights $w^{(l)}$ and biases $b^{(l)}$ "
    "feed $z^{(l+1)} = w^{(l)} a^{(l)} + b^{(l)}$ and $a^{(l+1)} = f(z^{(l+1)})$; the output is "
    "$\\hat{y}$. $w^{(l)}_{jk}$ goes from neuron $k$ into neuron $j$ (one index when a "
    "layer has one neuron). $\\delta^{(l)}_j = \\partial L / \\partial z^{(l)}_j$. "
    "$L^{[p]}$ is sample $p$'s share of the loss."
)


def _setting(config: TrainingConfig, n: int) -> str:
    samples = "one sample" if n == 1 else f"a batch of {n} samples"
    text = (
        f"One training step on {samples}; loss `{config.loss}`, learning rate "
        f"$\\eta = {format_number(config.learning_rate)}$"
    )
    if config.momentum:
        text += f", momentum $\\mu = {format_number(config.momentum)}$"
    return text + "."


def _groups(steps: Iterable[Step], key) -> list[tuple[object, list[Step]]]:
    """Consecutive runs of steps with the same key."""
    groups: list[tuple[object, list[Step]]] = []
    for s in steps:
        if groups and groups[-1][0] == key(s):
            groups[-1][1].append(s)
        else:
            groups.append((key(s), [s]))
    return groups
