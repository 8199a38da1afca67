"""The step sequence: one training step unrolled into the micro-steps a student calculates
by hand. Pure Python and NumPy; no Qt. The GUI, quiz mode and `bpstudio steps` all present
this one sequence.

Order (phase by phase, sample by sample inside a phase): forward (z then a, layer by
layer), loss (each sample's share, then L), backward (from the output: each neuron's
delta, then the gradients of its weights and bias), combine (several samples only: the
shares of each gradient summed), update (layer by layer, weights then bias).

Every value comes from `training.training_step`, the same arithmetic as training and
`trace`; the substituted formula shows the numbers that produce it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpstudio.engine import losses
from bpstudio.engine.network import FUSED_OUTPUT, Network
from bpstudio.engine.training import StepResult, TrainingConfig
from bpstudio.maths.formula import (
    Call,
    Const,
    Ellipsis_,
    Eq,
    Expr,
    Frac,
    Neg,
    Num,
    Paren,
    Partial,
    Pow,
    Sum,
    Sym,
    add,
    eq,
    mul,
)
from bpstudio.maths.notation import Notation

PHASES = ("forward", "loss", "backward", "combine", "update")
LONG_SUM = 8  # substituted sums longer than this show their first and last terms only


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product, with its own formula and value."""

    formula: Eq
    substituted: Eq
    value: float


@dataclass(frozen=True)
class Step:
    index: int
    phase: str
    kind: str  # z, a, loss, delta, grad_w, grad_b, update_w, update_b
    layer: int | None  # document layer, 1-based; None for loss
    neuron: int | None
    source: int | None  # grad_w / update_w: the neuron of the layer before
    sample: int | None  # None after combining, or when the batch has one sample
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


# The most steps a step sequence is built with, in `bpstudio steps` and in the window: a
# training step of a network near the parameter limit has millions (two per parameter). Each
# step holds its formulas (about 3 KB), so 100,000 steps take some 300 MB and 20 s, and
# print about 30 MB of text.
MAX_STEPS = 100_000


def json_number(value: float) -> float | None:
    """`value` for JSON output: a float, or null where it overflowed to ±inf or is NaN,
    which JSON cannot hold (a forward value may overflow while the loss stays finite, e.g.
    `tanh(1e308 · 2)`); JavaScript's JSON.stringify writes the same null."""
    value = float(value)
    return value if math.isfinite(value) else None


def _terms(numbers: list[Expr], values: list[float]) -> list[Expr]:
    """The terms of a substituted sum, shortened with an ellipsis that keeps their total."""
    if len(numbers) <= LONG_SUM:
        return numbers
    hidden = float(sum(values[3:-2]))
    return numbers[:3] + [Ellipsis_(hidden)] + numbers[-2:]


def _sum_terms(count: int, term: Callable[[int], float], total: float) -> list[Expr]:
    """The terms of a substituted sum of `count` numbers, `term(i)`, that add up to `total`:
    as `_terms`, but only the shown terms are computed (a sum over 100,000 samples shows
    five), and the ellipsis keeps `total` less the shown terms."""
    if count <= LONG_SUM:
        return [Num(term(i)) for i in range(count)]
    shown = [term(i) for i in (0, 1, 2, count - 2, count - 1)]
    hidden = float(total) - sum(shown)
    numbers = [Num(v) for v in shown]
    return numbers[:3] + [Ellipsis_(hidden)] + numbers[3:]


def _fn(symbol: str, function: Callable[[float], float] | None) -> Callable[[Expr], Call]:
    return lambda arg: Call(symbol, arg, function)


class _Builder:
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

    def add(
        self,
        phase: str,
        kind: str,
        layer,
        neuron,
        source,
        sample,
        formula: Eq,
        substituted: Eq,
        value: float,
        factors=(),
        old=None,
    ) -> None:
        self.steps.append(
            Step(
                len(self.steps),
                phase,
                kind,
                layer,
                neuron,
                source,
                sample,
                formula,
                substituted,
                float(value),
                tuple(factors),
                old,
            )
        )

    def sample_tag(self, p: int) -> int | None:
        return p if self.several else None

    # forward ---------------------------------------------------------------------------
    def forward(self) -> None:
        for p in self.samples:
            for layer in range(1, self.net.depth + 1):
                for j in range(self.net.sizes[layer]):
                    self.z_step(p, layer, j)
                    self.a_step(p, layer, j)

    def a_in(self, p: int, layer: int) -> np.ndarray:
        return self.r.fwd.a[layer - 2][p] if layer > 1 else self.r.x[p]

    def z_step(self, p: int, layer: int, j: int) -> None:
        note, w, b = self.note, self.net.w[layer - 1], self.net.b[layer - 1]
        a_prev = self.a_in(p, layer)
        fan_in = len(a_prev)
        if fan_in <= 4:
            general = add(
                *[
                    mul(note.w(layer, j, k), note.a(layer - 1, k), juxtapose=True)
                    for k in range(fan_in)
                ],
                note.b(layer, j),
            )
        else:
            general = add(
                Sum(
                    "k",
                    mul(
                        Sym("w", f"({layer})", f"{j + 1}k"),
                        Sym("a", f"({layer})", "k"),
                        juxtapose=True,
                    ),
                ),
                note.b(layer, j),
            )
        products = [mul(Num(w[j, k]), Num(a_prev[k])) for k in range(fan_in)]
        values = [float(w[j, k] * a_prev[k]) for k in range(fan_in)]
        numbers = add(*_terms(products, values), Num(b[j]))
        z = note.z(layer, j)
        self.add(
            "forward",
            "z",
            layer,
            j,
            None,
            self.sample_tag(p),
            eq(z, general),
            eq(z, numbers),
            self.r.fwd.z[layer - 1][p, j],
        )

    def a_step(self, p: int, layer: int, j: int) -> None:
        note, act = self.note, self.net.activations[layer - 1]
        target, z = note.a(layer, j), note.z(layer, j)
        zs = self.r.fwd.z[layer - 1][p]
        if act.elementwise:
            f = _fn(act.symbol, lambda v: act(np.array([v]))[0])
            general, numbers = f(z), f(Num(zs[j]))
        else:
            e = _fn(r"\exp", np.exp)
            size = self.net.sizes[layer]
            general = Frac(e(z), Sum("m", e(Sym("z", f"({layer + 1})", "m"))))
            numbers = Frac(
                e(Num(zs[j])), add(*_terms([e(Num(v)) for v in zs], [float(np.exp(v)) for v in zs]))
            )
            if size == 1:
                numbers = Frac(e(Num(zs[j])), e(Num(zs[j])))
        self.add(
            "forward",
            "a",
            layer,
            j,
            None,
            self.sample_tag(p),
            eq(target, general),
            eq(target, numbers),
            self.r.fwd.a[layer - 1][p, j],
        )

    # loss ------------------------------------------------------------------------------
    def loss(self) -> None:
        if not self.several:
            return self.add_loss(None, *self.sample_loss(0))
        for p in self.samples:
            self.add_loss(p, *self.sample_loss(p))
        note = self.note
        general = (
            add(*[note.loss(p) for p in range(min(self.n, 3))], Ellipsis_())
            if self.n > 3
            else add(*[note.loss(p) for p in range(self.n)])
        )
        numbers = add(*_sum_terms(self.n, self.sample_share, self.r.loss))
        self.add(
            "loss",
            "loss",
            None,
            None,
            None,
            None,
            eq(note.loss(), general),
            eq(note.loss(), numbers),
            self.r.loss,
        )

    def add_loss(self, p: int | None, general: Expr, numbers: Expr, value: float) -> None:
        symbol = self.note.loss(p)
        self.add(
            "loss",
            "loss",
            None,
            None,
            None,
            p,
            eq(symbol, general),
            eq(symbol, numbers),
            self.r.loss if p is None else value,
        )

    def sample_loss(self, p: int) -> tuple[Expr, Expr, float]:
        """Sample p's share of L: its general form, with numbers, and its value."""
        name, note = self.config.loss, self.note
        y, y_hat, ks = self.r.y[p], self.r.fwd.output[p], range(self.k)
        log = _fn(r"\log", np.log)
        if name in ("sse", "mse"):

            def term(yk, yh):
                return Pow(Paren(add(yk, Neg(yh))), Const(2))

            general = _sum_k(
                self.k,
                term(note.y(0), note.y_hat(0)),
                term(Sym("y", None, "k"), Sym(note.y_hat(0).base, None, "k")),
            )
            numbers = add(*[term(Num(y[k]), Num(y_hat[k])) for k in ks])
            scale = 2 if name == "sse" else self.n * self.k
        elif name == "bce":

            def term(yk, yh):
                return add(
                    mul(yk, log(yh), juxtapose=True),
                    mul(Paren(add(Const(1), Neg(yk))), log(add(Const(1), Neg(yh))), juxtapose=True),
                )

            general = _sum_k(
                self.k,
                term(note.y(0), note.y_hat(0)),
                term(Sym("y", None, "k"), Sym(note.y_hat(0).base, None, "k")),
            )
            numbers = add(*[term(Num(y[k]), Num(y_hat[k])) for k in ks])
            scale = -self.n * self.k
        else:
            general = _sum_k(
                self.k,
                None,
                mul(Sym("y", None, "k"), log(Sym(note.y_hat(0).base, None, "k")), juxtapose=True),
            )
            numbers = add(
                *([mul(Num(y[k]), log(Num(y_hat[k]))) for k in ks if y[k] != 0] or [Num(0.0)])
            )
            scale = -self.n
        return _scaled(scale, general), _scaled(scale, numbers), self.sample_share(p)

    def sample_share(self, p: int) -> float:
        """Sample p's share of L (sse sums over samples, the other losses average)."""
        name = self.config.loss
        value = losses.get(name).value(self.r.fwd.output[p : p + 1], self.r.y[p : p + 1])
        return value * (1.0 if name == "sse" else 1.0 / self.n)

    # backward --------------------------------------------------------------------------
    def backward(self) -> None:
        for p in self.samples:
            for layer in range(self.net.depth, 0, -1):
                for j in range(self.net.sizes[layer]):
                    chain = self.delta_step(p, layer, j)
                    for k in range(self.net.sizes[layer - 1]):
                        self.grad_w_step(p, layer, j, k, chain)
                    self.grad_b_step(p, layer, j, chain)

    def loss_symbol(self, p: int) -> Sym:
        return self.note.loss(p if self.several else None)

    def derivative(self, p: int, layer: int, j: int) -> Factor:
        """∂a/∂z of neuron j: f'(z) in general, with numbers, and its value."""
        act, note = self.net.activations[layer - 1], self.note
        a, z = self.r.fwd.a[layer - 1][p, j], self.r.fwd.z[layer - 1][p, j]
        value = float(act.derivative(np.array([z]), np.array([a]))[0])
        lhs = Partial(note.a(layer, j), note.z(layer, j))
        f = _fn(act.symbol, None)
        zs = note.z(layer, j)
        if act.name in ("sigmoid", "softmax"):
            general = mul(f(zs), Paren(add(Const(1), Neg(f(zs)))))
            numbers = mul(Num(a), Paren(add(Const(1), Neg(Num(a)))))
        elif act.name == "tanh":
            general = add(Const(1), Neg(Pow(f(zs), Const(2))))
            numbers = add(Const(1), Neg(Pow(Num(a), Const(2))))
        else:
            general, numbers = Call(act.symbol + "'", zs), Num(value)
        return Factor(eq(lhs, general), eq(lhs, numbers), value)

    def loss_gradient(self, p: int, j: int) -> Factor:
        """∂L/∂ŷ_j of sample p's share, in general, with numbers, and its value."""
        name, note = self.config.loss, self.note
        y, yh = self.r.y[p, j], self.r.fwd.output[p, j]
        lhs = Partial(self.loss_symbol(p), note.y_hat(j))
        sy, syh = note.y(j), note.y_hat(j)
        diff, ndiff = add(syh, Neg(sy)), add(Num(yh), Neg(Num(y)))
        count = self.n * self.k
        if name == "sse":
            general, numbers = diff, ndiff
        elif name == "mse":
            general = Frac(mul(Const(2), Paren(diff)), Const(count))
            numbers = Frac(mul(Const(2), Paren(ndiff)), Const(count))
        elif name == "bce":
            general = Frac(diff, mul(syh, Paren(add(Const(1), Neg(syh))), Const(count)))
            numbers = Frac(ndiff, mul(Num(yh), Paren(add(Const(1), Neg(Num(yh)))), Const(count)))
        else:
            general = Neg(Frac(sy, mul(Const(self.n), syh)))
            numbers = Neg(Frac(Num(y), mul(Const(self.n), Num(yh))))
        return Factor(eq(lhs, general), eq(lhs, numbers), float(self.loss_grad[p, j]))

    def delta_step(self, p: int, layer: int, j: int) -> list[Factor]:
        """Adds δ of neuron j and returns its chain-rule factors, for the gradient steps."""
        note, sym = self.note, self.note.delta(layer, j)
        value = self.r.deltas[layer - 1][p, j]
        dl_dz = Partial(self.loss_symbol(p), note.z(layer, j))
        if layer == self.net.depth:
            chain, general, numbers = self.output_delta(p, j)
        else:
            chain, general, numbers = self.hidden_delta(p, layer, j)
        formula = eq(sym, dl_dz, *self.chain_sides(p, layer, j, chain), general)
        self.add(
            "backward",
            "delta",
            layer,
            j,
            None,
            self.sample_tag(p),
            formula,
            eq(sym, numbers),
            value,
            chain,
        )
        return chain

    def chain_sides(self, p: int, layer: int, j: int, chain: list[Factor]) -> list[Expr]:
        """The chain rule written with partial derivatives, between δ = ∂L/∂z and the
        formula in symbols."""
        if len(chain) > 1:
            return [mul(*[f.formula.sides[0] for f in chain])]
        if not chain:  # fused output: (ŷ - y) / N directly
            return []
        hat_m = Sym(self.note.y_hat(0).base, None, "m")  # softmax: every output depends on z_j
        return [
            Sum(
                "m", mul(Partial(self.loss_symbol(p), hat_m), Partial(hat_m, self.note.z(layer, j)))
            )
        ]

    def output_delta(self, p: int, j: int) -> tuple[list[Factor], Expr, Expr]:
        act, note = self.net.activations[-1], self.note
        y, yh = self.r.y[p, j], self.r.fwd.output[p, j]
        if (act.name, self.config.loss) in FUSED_OUTPUT:
            count = self.n * self.k if self.config.loss == "bce" else self.n
            general = add(note.y_hat(j), Neg(note.y(j)))
            numbers = add(Num(yh), Neg(Num(y)))
            if count > 1:
                general, numbers = (
                    Frac(Paren(general), Const(count)),
                    Frac(Paren(numbers), Const(count)),
                )
            return [], general, numbers
        grad = self.loss_gradient(p, j)
        if act.elementwise:
            deriv = self.derivative(p, self.net.depth, j)
            return (
                [grad, deriv],
                mul(Paren(grad.formula.rhs), Paren(deriv.formula.rhs)),
                mul(Num(grad.value), Num(deriv.value)),
            )
        # softmax with a loss other than cross-entropy: the full Jacobian
        g, a = self.loss_grad[p], self.r.fwd.output[p]
        general = mul(
            note.y_hat(j),
            Paren(
                add(
                    Partial(self.loss_symbol(p), note.y_hat(j)),
                    Neg(
                        Sum(
                            "m",
                            mul(
                                Partial(self.loss_symbol(p), Sym(note.y_hat(0).base, None, "m")),
                                Sym(note.y_hat(0).base, None, "m"),
                                juxtapose=True,
                            ),
                        )
                    ),
                )
            ),
        )
        weighted = [mul(Num(g[m]), Num(a[m])) for m in range(self.k)]
        numbers = mul(
            Num(a[j]),
            Paren(
                add(
                    Num(g[j]),
                    Neg(Paren(add(*_terms(weighted, [float(g[m] * a[m]) for m in range(self.k)])))),
                )
            ),
        )
        return [grad], general, numbers

    def hidden_delta(self, p: int, layer: int, j: int) -> tuple[list[Factor], Expr, Expr]:
        note, w_next = self.note, self.net.w[layer]
        d_next = self.r.deltas[layer][p]
        succ = range(self.net.sizes[layer + 1])
        back_general = add(
            *[mul(note.w(layer + 1, m, j), note.delta(layer + 1, m), juxtapose=True) for m in succ]
        )
        products = [mul(Num(w_next[m, j]), Num(d_next[m])) for m in succ]
        back_numbers = add(*_terms(products, [float(w_next[m, j] * d_next[m]) for m in succ]))
        back_value = float(np.dot(d_next, w_next[:, j]))
        lhs = Partial(self.loss_symbol(p), note.a(layer, j))
        back = Factor(eq(lhs, back_general), eq(lhs, back_numbers), back_value)
        deriv = self.derivative(p, layer, j)
        general = mul(Paren(back_general), Paren(deriv.formula.rhs))
        if len(succ) == 1:  # the article's order: δ · w · f'(z)
            general = mul(
                note.delta(layer + 1, 0), note.w(layer + 1, 0, j), Paren(deriv.formula.rhs)
            )
            numbers = mul(Num(d_next[0]), Num(w_next[0, j]), Num(deriv.value))
        else:
            numbers = mul(Paren(back_numbers), Num(deriv.value))
        return [back, deriv], general, numbers

    def grad_w_step(self, p: int, layer: int, j: int, k: int, chain: list[Factor]) -> None:
        note = self.note
        a_k = float(self.a_in(p, layer)[k])
        self.gradient_step(
            "grad_w", p, layer, j, k, note.w(layer, j, k), note.a(layer - 1, k), a_k, chain
        )

    def grad_b_step(self, p: int, layer: int, j: int, chain: list[Factor]) -> None:
        self.gradient_step("grad_b", p, layer, j, None, self.note.b(layer, j), Const(1), 1.0, chain)

    def gradient_step(
        self,
        kind: str,
        p: int,
        layer: int,
        j: int,
        k: int | None,
        param: Sym,
        input_: Expr,
        input_value: float,
        chain: list[Factor],
    ) -> None:
        note, delta = self.note, float(self.r.deltas[layer - 1][p, j])
        loss = self.loss_symbol(p)
        z = note.z(layer, j)
        dz = Partial(z, param)
        output_chain = layer == self.net.depth and len(chain) == 2
        if output_chain:  # the article's ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂w
            partials = mul(*[f.formula.sides[0] for f in chain], dz)
            numbers = mul(Num(chain[0].value), Num(chain[1].value), Num(input_value))
        else:
            partials = mul(Partial(loss, z), dz)
            numbers = mul(Num(delta), Num(input_value))
        symbolic = (
            mul(note.delta(layer, j), input_, juxtapose=True)
            if kind == "grad_w"
            else note.delta(layer, j)
        )
        if kind == "grad_w":
            full = self.r.grad_w[layer - 1][j, k]
            share = delta * input_value
        else:
            full = self.r.grad_b[layer - 1][j]
            share = delta
        lhs = Partial(loss, param)
        factor = Factor(eq(dz, input_), eq(dz, Num(input_value)), input_value)
        self.add(
            "backward",
            kind,
            layer,
            j,
            k,
            self.sample_tag(p),
            eq(lhs, partials, symbolic),
            eq(lhs, numbers),
            share if self.several else full,
            (*chain, factor),
        )

    # combine ---------------------------------------------------------------------------
    def combine(self) -> None:
        if not self.several:
            return
        for layer in range(self.net.depth, 0, -1):
            for j in range(self.net.sizes[layer]):
                for k in range(self.net.sizes[layer - 1]):
                    self.combine_step("grad_w", layer, j, k)
                self.combine_step("grad_b", layer, j, None)

    def combine_step(self, kind: str, layer: int, j: int, k: int | None) -> None:
        """∂L/∂w (or ∂L/∂b) as the sum of every sample's share, δ_p a_p (or δ_p)."""
        param = self.note.w(layer, j, k) if kind == "grad_w" else self.note.b(layer, j)
        lhs = Partial(self.note.loss(), param)
        general = Sum("p", Partial(Sym("L", "[p]"), param))
        deltas = self.r.deltas[layer - 1]
        a_prev = self.r.fwd.a[layer - 2] if layer > 1 else self.r.x

        def share(p: int) -> float:
            return float(deltas[p, j] if k is None else deltas[p, j] * a_prev[p, k])

        value = self.r.grad_w[layer - 1][j, k] if kind == "grad_w" else self.r.grad_b[layer - 1][j]
        numbers = add(*_sum_terms(self.n, share, value))
        self.add("combine", kind, layer, j, k, None, eq(lhs, general), eq(lhs, numbers), value)

    # update ----------------------------------------------------------------------------
    def update(self) -> None:
        net, after = self.net, self.r.after
        for layer in range(1, net.depth + 1):
            for j in range(net.sizes[layer]):
                for k in range(net.sizes[layer - 1]):
                    self.update_step(
                        "update_w",
                        layer,
                        j,
                        k,
                        net.w[layer - 1][j, k],
                        self.r.grad_w[layer - 1][j, k],
                        after.w[layer - 1][j, k],
                        parameter_index(net, layer, j, k),
                    )
                if net.train_biases[layer - 1]:
                    self.update_step(
                        "update_b",
                        layer,
                        j,
                        None,
                        net.b[layer - 1][j],
                        self.r.grad_b[layer - 1][j],
                        after.b[layer - 1][j],
                        parameter_index(net, layer, j, None),
                    )

    def update_step(
        self,
        kind: str,
        layer: int,
        j: int,
        k: int | None,
        old: float,
        grad: float,
        new: float,
        index: int,
    ) -> None:
        note, cfg = self.note, self.config
        param = note.w(layer, j, k) if kind == "update_w" else note.b(layer, j)
        new_sym = note.w(layer, j, k, "new") if kind == "update_w" else note.b(layer, j, "new")
        eta, mu = Sym(r"\eta"), Sym(r"\mu")
        gradient = Partial(note.loss(), param)
        general_step = Neg(mul(eta, gradient, juxtapose=True))
        number_step = Neg(mul(Num(cfg.learning_rate), Num(grad)))
        if cfg.momentum:
            v_old = float(self.r.velocity_before[index])
            general = add(param, mul(mu, note.velocity(param), juxtapose=True), general_step)
            numbers = add(Num(old), mul(Num(cfg.momentum), Num(v_old)), number_step)
        else:
            general = add(param, general_step)
            numbers = add(Num(old), number_step)
        self.add(
            "update",
            kind,
            layer,
            j,
            k,
            None,
            eq(new_sym, general),
            eq(new_sym, numbers),
            new,
            old=float(old),
        )


def _sum_k(count: int, single: Expr | None, general: Expr) -> Expr:
    """Σ_k of `general`, or `single` itself when there is one output."""
    return single if count == 1 and single is not None else Sum("k", general)


def _scaled(scale: int, expr: Expr) -> Expr:
    """expr times 1/|scale| (negated for a negative scale), written as a fraction."""
    inner = Paren(expr) if expr.precedence < 3 else expr
    body = expr if abs(scale) == 1 else mul(Frac(Const(1), Const(abs(scale))), inner)
    if abs(scale) == 1 and scale > 0:
        return body
    return Neg(Paren(expr)) if abs(scale) == 1 else (Neg(body) if scale < 0 else body)


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


def build(
    result: StepResult, config: TrainingConfig, samples: list[int] | None = None
) -> StepSequence:
    """The step sequence of the training step in `result` (from `training_step`). With
    `samples`, only those samples' forward, loss and backward steps are listed; the
    combined gradients and the update always cover the whole batch."""
    b = _Builder(result, config, samples)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        b.forward()
        b.loss()
        b.backward()
        b.combine()
        b.update()
    return StepSequence(result, b.steps)


def length(net: Network, batch_size: int, samples: list[int] | None = None) -> int:
    """How many steps `build` lists for a batch of `batch_size` through `net` (walking
    `samples`, None: all of them), without building them: the forward, loss and backward
    steps of each walked sample, then the combined gradients and the updates."""
    walked = batch_size if samples is None else len(samples)
    several = batch_size > 1
    neurons = sum(net.sizes[1:])
    weights = sum(w.size for w in net.w)
    trained_biases = sum(b.size for b, on in zip(net.b, net.train_biases, strict=True) if on)
    per_sample = 2 * neurons + (1 if several else 0) + (neurons + weights + neurons)
    combine = weights + neurons if several else 0
    return walked * per_sample + 1 + combine + weights + trained_biases
