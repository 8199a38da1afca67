"""The forward phase: each neuron's weighted input z, then its activation a, layer by layer,
sample by sample. Pure Python and NumPy; no Qt."""

from __future__ import annotations

import numpy as np

from bpstudio.maths.formula import Eq, Expr, Frac, Num, Sum, Sym, add, eq, mul
from bpstudio.maths.steps.batch import Batch, applied, shortened

_EXP = applied(r"\exp", np.exp)


def forward_steps(b: Batch) -> None:
    for p in b.samples:
        for layer in range(1, b.net.depth + 1):
            for j in range(b.net.sizes[layer]):
                for kind, formula, numbers in (_z(b, p, layer, j), _a(b, p, layer, j)):
                    values = b.r.fwd.z if kind == "z" else b.r.fwd.a
                    b.add(
                        phase="forward",
                        kind=kind,
                        layer=layer,
                        neuron=j,
                        sample=b.sample_tag(p),
                        formula=formula,
                        numbers=numbers,
                        value=values[layer - 1][p, j],
                    )


def _z(b: Batch, p: int, layer: int, j: int) -> tuple[str, Eq, Expr]:
    """z of neuron j: its formula in symbols and with sample p's numbers."""
    note, w, bias = b.note, b.net.w[layer - 1], b.net.b[layer - 1]
    a_prev = b.a_in(p, layer)
    fan_in = len(a_prev)
    if fan_in <= 4:
        weighted = [
            mul(note.w(layer, j, k), note.a(layer - 1, k), juxtapose=True) for k in range(fan_in)
        ]
        general = add(*weighted, note.b(layer, j))
    else:
        w_a = mul(Sym("w", f"({layer})", f"{j + 1}k"), Sym("a", f"({layer})", "k"), juxtapose=True)
        general = add(Sum("k", w_a), note.b(layer, j))
    products = [mul(Num(w[j, k]), Num(a_prev[k])) for k in range(fan_in)]
    values = [float(w[j, k] * a_prev[k]) for k in range(fan_in)]
    numbers = add(*shortened(products, values), Num(bias[j]))
    return "z", eq(note.z(layer, j), general), numbers


def _a(b: Batch, p: int, layer: int, j: int) -> tuple[str, Eq, Expr]:
    """a of neuron j: its formula in symbols and with sample p's numbers."""
    note, act = b.note, b.net.activations[layer - 1]
    target, z = note.a(layer, j), note.z(layer, j)
    zs = b.r.fwd.z[layer - 1][p]
    if act.elementwise:
        f = applied(act.symbol, lambda v: act(np.array([v]))[0])
        general, numbers = f(z), f(Num(zs[j]))
    else:  # softmax
        general = Frac(_EXP(z), Sum("m", _EXP(Sym("z", f"({layer + 1})", "m"))))
        exps = shortened([_EXP(Num(v)) for v in zs], [float(np.exp(v)) for v in zs])
        numbers = Frac(_EXP(Num(zs[j])), add(*exps))
        if b.net.sizes[layer] == 1:
            numbers = Frac(_EXP(Num(zs[j])), _EXP(Num(zs[j])))
    return "a", eq(target, general), numbers
