"""The backward phase: from the output back, each neuron's delta with its chain-rule
factors, then the gradients of its weights and bias (one sample's share when the batch has
several). Pure Python and NumPy; no Qt."""

from __future__ import annotations

import numpy as np

from bpstudio.engine.network import FUSED_OUTPUT
from bpstudio.maths.formula import (
    Call,
    Const,
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
from bpstudio.maths.steps.batch import Batch, applied, parameter_fields, shortened
from bpstudio.maths.steps.records import Factor


def backward_steps(b: Batch) -> None:
    for p in b.samples:
        for layer in range(b.net.depth, 0, -1):
            for j in range(b.net.sizes[layer]):
                chain = _delta_step(b, p, layer, j)
                for k in range(b.net.sizes[layer - 1]):
                    a_k = float(b.a_in(p, layer)[k])
                    _gradient_step(b, p, layer, j, k, b.note.a(layer - 1, k), a_k, chain)
                _gradient_step(b, p, layer, j, None, Const(1), 1.0, chain)


def _derivative(b: Batch, p: int, layer: int, j: int) -> Factor:
    """∂a/∂z of neuron j: f'(z) in general, with numbers, and its value."""
    act, note = b.net.activations[layer - 1], b.note
    a, z = b.r.fwd.a[layer - 1][p, j], b.r.fwd.z[layer - 1][p, j]
    value = float(act.derivative(np.array([z]), np.array([a]))[0])
    lhs = Partial(note.a(layer, j), note.z(layer, j))
    f = applied(act.symbol, None)
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


def _loss_gradient(b: Batch, p: int, j: int) -> Factor:
    """∂L/∂ŷ_j of sample p's share, in general, with numbers, and its value."""
    name, note = b.config.loss, b.note
    y, yh = b.r.y[p, j], b.r.fwd.output[p, j]
    lhs = Partial(b.loss_symbol(p), note.y_hat(j))
    sy, syh = note.y(j), note.y_hat(j)
    diff, ndiff = add(syh, Neg(sy)), add(Num(yh), Neg(Num(y)))
    count = b.n * b.k
    if name == "sse":
        general, numbers = diff, ndiff
    elif name == "mse":
        general = Frac(mul(Const(2), Paren(diff)), Const(count))
        numbers = Frac(mul(Const(2), Paren(ndiff)), Const(count))
    elif name == "bce":
        general = Frac(diff, mul(syh, Paren(add(Const(1), Neg(syh))), Const(count)))
        numbers = Frac(ndiff, mul(Num(yh), Paren(add(Const(1), Neg(Num(yh)))), Const(count)))
    else:
        general = Neg(Frac(sy, mul(Const(b.n), syh)))
        numbers = Neg(Frac(Num(y), mul(Const(b.n), Num(yh))))
    return Factor(eq(lhs, general), eq(lhs, numbers), float(b.loss_grad[p, j]))


def _delta_step(b: Batch, p: int, layer: int, j: int) -> list[Factor]:
    """Adds δ of neuron j and returns its chain-rule factors, for the gradient steps."""
    note, sym = b.note, b.note.delta(layer, j)
    dl_dz = Partial(b.loss_symbol(p), note.z(layer, j))
    if layer == b.net.depth:
        chain, general, numbers = _output_delta(b, p, j)
    else:
        chain, general, numbers = _hidden_delta(b, p, layer, j)
    b.add(
        phase="backward",
        kind="delta",
        layer=layer,
        neuron=j,
        sample=b.sample_tag(p),
        formula=eq(sym, dl_dz, *_chain_sides(b, p, layer, j, chain), general),
        numbers=numbers,
        value=b.r.deltas[layer - 1][p, j],
        factors=chain,
    )
    return chain


def _chain_sides(b: Batch, p: int, layer: int, j: int, chain: list[Factor]) -> list[Expr]:
    """The chain rule written with partial derivatives, between δ = ∂L/∂z and the
    formula in symbols."""
    if len(chain) > 1:
        return [mul(*[f.formula.sides[0] for f in chain])]
    if not chain:  # fused output: (ŷ - y) / N directly
        return []
    hat_m = Sym(b.note.y_hat(0).base, None, "m")  # softmax: every output depends on z_j
    return [Sum("m", mul(Partial(b.loss_symbol(p), hat_m), Partial(hat_m, b.note.z(layer, j))))]


def _output_delta(b: Batch, p: int, j: int) -> tuple[list[Factor], Expr, Expr]:
    act, note = b.net.activations[-1], b.note
    y, yh = b.r.y[p, j], b.r.fwd.output[p, j]
    if (act.name, b.config.loss) in FUSED_OUTPUT:
        count = b.n * b.k if b.config.loss == "bce" else b.n
        general = add(note.y_hat(j), Neg(note.y(j)))
        numbers = add(Num(yh), Neg(Num(y)))
        if count > 1:
            general = Frac(Paren(general), Const(count))
            numbers = Frac(Paren(numbers), Const(count))
        return [], general, numbers
    grad = _loss_gradient(b, p, j)
    if act.elementwise:
        deriv = _derivative(b, p, b.net.depth, j)
        return (
            [grad, deriv],
            mul(Paren(grad.formula.rhs), Paren(deriv.formula.rhs)),
            mul(Num(grad.value), Num(deriv.value)),
        )
    return [grad], *_softmax_jacobian(b, p, j)


def _softmax_jacobian(b: Batch, p: int, j: int) -> tuple[Expr, Expr]:
    """δ of output j for softmax with a loss other than cross-entropy: the full Jacobian,
    ŷ_j (∂L/∂ŷ_j - Σ_m ∂L/∂ŷ_m ŷ_m), in general and with numbers."""
    note, loss = b.note, b.loss_symbol(p)
    hat_m = Sym(note.y_hat(0).base, None, "m")
    weighted_sum = Sum("m", mul(Partial(loss, hat_m), hat_m, juxtapose=True))
    general = mul(note.y_hat(j), Paren(add(Partial(loss, note.y_hat(j)), Neg(weighted_sum))))
    g, a = b.loss_grad[p], b.r.fwd.output[p]
    weighted = [mul(Num(g[m]), Num(a[m])) for m in range(b.k)]
    total = Paren(add(*shortened(weighted, [float(g[m] * a[m]) for m in range(b.k)])))
    numbers = mul(Num(a[j]), Paren(add(Num(g[j]), Neg(total))))
    return general, numbers


def _hidden_delta(b: Batch, p: int, layer: int, j: int) -> tuple[list[Factor], Expr, Expr]:
    note, w_next = b.note, b.net.w[layer]
    d_next = b.r.deltas[layer][p]
    succ = range(b.net.sizes[layer + 1])
    back_general = add(
        *[mul(note.w(layer + 1, m, j), note.delta(layer + 1, m), juxtapose=True) for m in succ]
    )
    products = [mul(Num(w_next[m, j]), Num(d_next[m])) for m in succ]
    back_numbers = add(*shortened(products, [float(w_next[m, j] * d_next[m]) for m in succ]))
    back_value = float(np.dot(d_next, w_next[:, j]))
    lhs = Partial(b.loss_symbol(p), note.a(layer, j))
    back = Factor(eq(lhs, back_general), eq(lhs, back_numbers), back_value)
    deriv = _derivative(b, p, layer, j)
    general = mul(Paren(back_general), Paren(deriv.formula.rhs))
    if len(succ) == 1:  # the article's order: δ · w · f'(z)
        general = mul(note.delta(layer + 1, 0), note.w(layer + 1, 0, j), Paren(deriv.formula.rhs))
        numbers = mul(Num(d_next[0]), Num(w_next[0, j]), Num(deriv.value))
    else:
        numbers = mul(Paren(back_numbers), Num(deriv.value))
    return [back, deriv], general, numbers


def _gradient_step(
    b: Batch,
    p: int,
    layer: int,
    j: int,
    k: int | None,
    input_: Expr,
    input_value: float,
    chain: list[Factor],
) -> None:
    """Adds sample p's gradient of w[layer][j][k], or of b[layer][j] when `k` is None: δ of
    neuron j times the input the parameter multiplies (the activation it carries, or 1)."""
    note, delta = b.note, float(b.r.deltas[layer - 1][p, j])
    param = note.b(layer, j) if k is None else note.w(layer, j, k)
    loss, z = b.loss_symbol(p), note.z(layer, j)
    dz = Partial(z, param)
    if layer == b.net.depth and len(chain) == 2:  # the article's ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂w
        partials = mul(*[f.formula.sides[0] for f in chain], dz)
        numbers = mul(Num(chain[0].value), Num(chain[1].value), Num(input_value))
    else:
        partials = mul(Partial(loss, z), dz)
        numbers = mul(Num(delta), Num(input_value))
    if k is None:
        symbolic, full, share = note.delta(layer, j), b.r.grad_b[layer - 1][j], delta
    else:
        symbolic = mul(note.delta(layer, j), input_, juxtapose=True)
        full, share = b.r.grad_w[layer - 1][j, k], delta * input_value
    lhs = Partial(loss, param)
    b.add(
        phase="backward",
        **parameter_fields("grad", layer, j, k),
        sample=b.sample_tag(p),
        formula=eq(lhs, partials, symbolic),
        numbers=numbers,
        value=share if b.several else full,
        factors=(*chain, Factor(eq(dz, input_), eq(dz, Num(input_value)), input_value)),
    )
