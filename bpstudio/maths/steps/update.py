"""The last two phases: combining the samples' shares of each gradient (several samples
only), then the update of each trainable parameter, layer by layer, weights then bias. Pure
Python; no Qt."""

from __future__ import annotations

from bpstudio.maths.formula import Neg, Num, Partial, Sum, Sym, add, eq, mul
from bpstudio.maths.steps.batch import Batch, parameter_fields, sum_terms
from bpstudio.maths.steps.records import parameter_index


def combine_steps(b: Batch) -> None:
    if not b.several:
        return
    for layer in range(b.net.depth, 0, -1):
        for j in range(b.net.sizes[layer]):
            for k in range(b.net.sizes[layer - 1]):
                _combined(b, layer, j, k)
            _combined(b, layer, j, None)


def _combined(b: Batch, layer: int, j: int, k: int | None) -> None:
    """∂L/∂w (or ∂L/∂b when `k` is None) as the sum of every sample's share, δ_p a_p (or
    δ_p)."""
    param = b.note.b(layer, j) if k is None else b.note.w(layer, j, k)
    lhs = Partial(b.note.loss(), param)
    general = Sum("p", Partial(Sym("L", "[p]"), param))
    deltas = b.r.deltas[layer - 1]
    a_prev = b.r.fwd.a[layer - 2] if layer > 1 else b.r.x

    def share(p: int) -> float:
        return float(deltas[p, j] if k is None else deltas[p, j] * a_prev[p, k])

    value = b.r.grad_b[layer - 1][j] if k is None else b.r.grad_w[layer - 1][j, k]
    b.add(
        phase="combine",
        **parameter_fields("grad", layer, j, k),
        formula=eq(lhs, general),
        numbers=add(*sum_terms(b.n, share, value)),
        value=value,
    )


def update_steps(b: Batch) -> None:
    net = b.net
    for layer in range(1, net.depth + 1):
        for j in range(net.sizes[layer]):
            for k in range(net.sizes[layer - 1]):
                _update(b, layer, j, k)
            if net.train_biases[layer - 1]:
                _update(b, layer, j, None)


def _update(b: Batch, layer: int, j: int, k: int | None) -> None:
    """The new w[layer][j][k], or b[layer][j] when `k` is None: the old value moved against
    its gradient (plus μ times its velocity, with momentum); with weight decay λ a weight's
    gradient gains λ w (a bias's never does)."""
    note, cfg, i = b.note, b.config, layer - 1
    if k is None:
        param, new_sym = note.b(layer, j), note.b(layer, j, "new")
        old, grad, new = b.net.b[i][j], b.r.grad_b[i][j], b.r.after.b[i][j]
    else:
        param, new_sym = note.w(layer, j, k), note.w(layer, j, k, "new")
        old, grad, new = b.net.w[i][j, k], b.r.grad_w[i][j, k], b.r.after.w[i][j, k]
    eta, mu = Sym(r"\eta"), Sym(r"\mu")
    gradient, grad_number = Partial(note.loss(), param), Num(grad)
    if cfg.weight_decay and k is not None:  # a weight's step also pulls it towards 0: + λ w
        gradient = add(gradient, mul(Sym(r"\lambda"), param, juxtapose=True))
        grad_number = add(grad_number, mul(Num(cfg.weight_decay), Num(old)))
    general_step = Neg(mul(eta, gradient, juxtapose=True))
    number_step = Neg(mul(Num(cfg.learning_rate), grad_number))
    if cfg.momentum:
        v_old = float(b.r.velocity_before[parameter_index(b.net, layer, j, k)])
        general = add(param, mul(mu, note.velocity(param), juxtapose=True), general_step)
        numbers = add(Num(old), mul(Num(cfg.momentum), Num(v_old)), number_step)
    else:
        general = add(param, general_step)
        numbers = add(Num(old), number_step)
    b.add(
        phase="update",
        **parameter_fields("update", layer, j, k),
        formula=eq(new_sym, general),
        numbers=numbers,
        value=new,
        old=float(old),
    )
