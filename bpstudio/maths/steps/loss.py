"""The loss phase: each sample's share of the loss, then L (several samples), or L alone.
Pure Python and NumPy; no Qt."""

from __future__ import annotations

import numpy as np

from bpstudio.engine import losses
from bpstudio.maths.formula import (
    Const,
    Ellipsis_,
    Expr,
    Frac,
    Neg,
    Num,
    Paren,
    Pow,
    Sum,
    Sym,
    add,
    eq,
    mul,
)
from bpstudio.maths.steps.batch import Batch, applied, sum_terms

_LOG = applied(r"\log", np.log)


def loss_steps(b: Batch) -> None:
    if not b.several:
        general, numbers, _ = _sample_loss(b, 0)
        return _add_loss(b, None, general, numbers, b.r.loss)
    for p in b.samples:
        _add_loss(b, p, *_sample_loss(b, p))
    note = b.note
    shares = [note.loss(p) for p in range(min(b.n, 3))]
    general = add(*shares, Ellipsis_()) if b.n > 3 else add(*shares)
    numbers = add(*sum_terms(b.n, lambda p: sample_share(b, p), b.r.loss))
    _add_loss(b, None, general, numbers, b.r.loss)


def _add_loss(b: Batch, p: int | None, general: Expr, numbers: Expr, value: float) -> None:
    formula = eq(b.note.loss(p), general)
    b.add(phase="loss", kind="loss", sample=p, formula=formula, numbers=numbers, value=value)


def _squared_error(y: Expr, y_hat: Expr) -> Expr:
    return Pow(Paren(add(y, Neg(y_hat))), Const(2))


def _cross_entropy(y: Expr, y_hat: Expr) -> Expr:
    return add(
        mul(y, _LOG(y_hat), juxtapose=True),
        mul(Paren(add(Const(1), Neg(y))), _LOG(add(Const(1), Neg(y_hat))), juxtapose=True),
    )


def _sample_loss(b: Batch, p: int) -> tuple[Expr, Expr, float]:
    """Sample p's share of L: its general form, with numbers, and its value."""
    name, note = b.config.loss, b.note
    y, y_hat, ks = b.r.y[p], b.r.fwd.output[p], range(b.k)
    y_k, y_hat_k = Sym("y", None, "k"), Sym(note.y_hat(0).base, None, "k")
    if name in ("sse", "mse", "bce"):
        term = _cross_entropy if name == "bce" else _squared_error
        general = _sum_k(b.k, term(note.y(0), note.y_hat(0)), term(y_k, y_hat_k))
        numbers = add(*[term(Num(y[k]), Num(y_hat[k])) for k in ks])
        scale = {"sse": 2, "mse": b.n * b.k, "bce": -b.n * b.k}[name]
    else:  # categorical cross-entropy
        general = _sum_k(b.k, None, mul(y_k, _LOG(y_hat_k), juxtapose=True))
        logs = [mul(Num(y[k]), _LOG(Num(y_hat[k]))) for k in ks if y[k] != 0]
        numbers = add(*(logs or [Num(0.0)]))
        scale = -b.n
    return _scaled(scale, general), _scaled(scale, numbers), sample_share(b, p)


def sample_share(b: Batch, p: int) -> float:
    """Sample p's share of L (sse sums over samples, the other losses average)."""
    name = b.config.loss
    value = losses.get(name).value(b.r.fwd.output[p : p + 1], b.r.y[p : p + 1])
    return value * (1.0 if name == "sse" else 1.0 / b.n)


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
