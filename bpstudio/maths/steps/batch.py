"""What every phase of the step sequence reads (one training step's values, the notation)
and the list it adds its steps to, by keyword. Pure Python and NumPy; no Qt."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bpstudio.engine import losses
from bpstudio.engine.training import StepResult, TrainingConfig
from bpstudio.maths.formula import Call, Ellipsis_, Eq, Expr, Num, Sym, eq
from bpstudio.maths.notation import Notation
from bpstudio.maths.steps.records import Factor, Step

LONG_SUM = 8  # substituted sums longer than this show their first and last terms only


class Batch:
    """One training step as the phases read it, and the steps listed so far."""

    def __init__(
        self, result: StepResult, config: TrainingConfig, samples: list[int] | None
    ) -> None:
        self.r = result
        self.config = config
        self.net = result.before
        self.note = Notation(self.net.sizes)
        self.n = len(result.x)
        self.k = self.net.sizes[-1]
        self.samples = list(range(self.n)) if samples is None else samples
        self.several = self.n > 1
        self.steps: list[Step] = []
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.loss_grad = losses.get(config.loss).gradient(result.fwd.output, result.y)

    def sample_tag(self, p: int) -> int | None:
        """The step's sample: p, or None when the batch has one sample."""
        return p if self.several else None

    def a_in(self, p: int, layer: int) -> np.ndarray:
        """The activations sample p feeds into `layer`: the input for the first layer."""
        return self.r.fwd.a[layer - 2][p] if layer > 1 else self.r.x[p]

    def loss_symbol(self, p: int) -> Sym:
        """L, or sample p's share of it when the batch has several samples."""
        return self.note.loss(p if self.several else None)

    def add(
        self,
        *,
        phase: str,
        kind: str,
        formula: Eq,
        numbers: Expr,
        value: float,
        layer: int | None = None,
        neuron: int | None = None,
        source: int | None = None,
        sample: int | None = None,
        factors: Sequence[Factor] = (),
        old: float | None = None,
    ) -> None:
        """Adds the next step: `formula` in symbols, then its left-hand side equal to
        `numbers`, the formula with the numbers substituted."""
        self.steps.append(
            Step(
                index=len(self.steps),
                phase=phase,
                kind=kind,
                layer=layer,
                neuron=neuron,
                source=source,
                sample=sample,
                formula=formula,
                substituted=eq(formula.sides[0], numbers),
                value=float(value),
                factors=tuple(factors),
                old=old,
            )
        )


def parameter_fields(kind: str, layer: int, j: int, k: int | None) -> dict:
    """The fields of a step about w[layer][j][k], or b[layer][j] when `k` is None: its kind
    (`kind` + "_w" or "_b"), layer, neuron and source."""
    return {"kind": f"{kind}_{'b' if k is None else 'w'}", "layer": layer, "neuron": j, "source": k}


def shortened(numbers: list[Expr], values: list[float]) -> list[Expr]:
    """The terms of a substituted sum, shortened with an ellipsis that keeps their total."""
    if len(numbers) <= LONG_SUM:
        return numbers
    hidden = float(sum(values[3:-2]))
    return numbers[:3] + [Ellipsis_(hidden)] + numbers[-2:]


def sum_terms(count: int, term: Callable[[int], float], total: float) -> list[Expr]:
    """The terms of a substituted sum of `count` numbers, `term(i)`, that add up to `total`:
    as `shortened`, but only the shown terms are computed (a sum over 100,000 samples shows
    five), and the ellipsis keeps `total` less the shown terms."""
    if count <= LONG_SUM:
        return [Num(term(i)) for i in range(count)]
    shown = [term(i) for i in (0, 1, 2, count - 2, count - 1)]
    hidden = float(total) - sum(shown)
    numbers = [Num(v) for v in shown]
    return numbers[:3] + [Ellipsis_(hidden)] + numbers[3:]


def applied(symbol: str, function: Callable[[float], float] | None) -> Callable[[Expr], Call]:
    """The function `symbol` as a formula maker: arg -> symbol(arg), evaluating with
    `function`."""
    return lambda arg: Call(symbol, arg, function)
