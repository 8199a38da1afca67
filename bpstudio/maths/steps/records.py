"""The records of the step sequence: a micro-step, a chain-rule factor, and the ordered
sequence of one training step. Pure Python; no Qt."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bpstudio.engine.network import Network
from bpstudio.engine.training import StepResult
from bpstudio.maths.formula import Eq, Expr

PHASES = ("forward", "loss", "backward", "combine", "update")

# The most steps a step sequence is built with, in `bpstudio steps` and in the window: a
# training step of a network near the parameter limit has millions (two per parameter). Each
# step holds its formulas (about 3 KB), so 100,000 steps take some 300 MB and 20 s, and
# print about 30 MB of text.
MAX_STEPS = 100_000


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product, with its own formula and value."""

    formula: Eq
    substituted: Eq
    value: float


@dataclass(frozen=True, kw_only=True)
class Step:
    index: int
    phase: str
    kind: str  # z, a, loss, delta, grad_w, grad_b, update_w, update_b
    layer: int | None = None  # document layer, 1-based; None for loss
    neuron: int | None = None
    source: int | None = None  # grad_w / update_w: the neuron of the layer before
    sample: int | None = None  # None after combining, or when the batch has one sample
    formula: Eq
    substituted: Eq
    value: float
    factors: tuple[Factor, ...] = ()
    old: float | None = None  # update steps: the parameter before the update

    @property
    def symbol(self) -> Expr:
        """What this step computes, e.g. z^(2)_1."""
        return self.formula.sides[0]

    @property
    def key(self) -> tuple:
        return (self.kind, self.layer, self.neuron, self.source, self.sample)

    def to_json(self) -> dict:
        return {
            "phase": self.phase,
            "kind": self.kind,
            "layer": self.layer,
            "neuron": self.neuron,
            "source": self.source,
            "sample": self.sample,
            "formula": self.formula.latex(),
            "substituted": self.substituted.latex(),
            "value": json_number(self.value),
        }


def json_number(value: float) -> float | None:
    """`value` for JSON output: a float, or null where it overflowed to ±inf or is NaN,
    which JSON cannot hold (a forward value may overflow while the loss stays finite, e.g.
    `tanh(1e308 · 2)`); JavaScript's JSON.stringify writes the same null."""
    value = float(value)
    return value if math.isfinite(value) else None


def parameter_index(net: Network, layer: int, j: int, k: int | None) -> int:
    """Index in `net.params` of w[layer][j][k], or of b[layer][j] when `k` is None."""
    at = sum(w.size + b.size for w, b in zip(net.w[: layer - 1], net.b[: layer - 1], strict=True))
    if k is None:
        return at + net.w[layer - 1].size + j
    return at + j * net.sizes[layer - 1] + k


class StepSequence:
    """The ordered micro-steps of one training step, and the state before any of them."""

    def __init__(self, result: StepResult, steps: list[Step]) -> None:
        self.result = result
        self.steps = tuple(steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    def __iter__(self):
        return iter(self.steps)

    def network_before(self, i: int):
        """The network as it stands before step i: the initial one with the updates of
        steps 0..i-1 applied. Going back from step i restores exactly this."""
        net = self.result.before.copy()
        for step in self.steps[:i]:
            if step.kind == "update_w":
                net.w[step.layer - 1][step.neuron, step.source] = step.value
            elif step.kind == "update_b":
                net.b[step.layer - 1][step.neuron] = step.value
        return net

    def known_before(self, i: int) -> dict[tuple, float]:
        """Values shown before step i, keyed by `Step.key`; later ones stay hidden."""
        return {s.key: s.value for s in self.steps[:i]}

    def phase_starts(self) -> list[int]:
        """Indices where a new phase begins."""
        return [i for i, s in enumerate(self.steps) if i == 0 or s.phase != self.steps[i - 1].phase]
