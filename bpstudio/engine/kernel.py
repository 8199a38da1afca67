"""The training kernel, the fast path of `Trainer`: one forward pass, or one whole training
step, on a batch of fixed size as a list of NumPy calls bound (functools.partial) to
preallocated buffers. Running an epoch is then a loop over prepared calls: no allocation,
no attribute lookups, no per-layer Python. Pure NumPy; no Qt.

The calls are those of `network.forward`, `network.backward` and `training.sgd_update`, in
the same order on the same values, so the results are bit for bit those of the readable
path (tests/engine/test_kernel.py). They run under the caller's `np.errstate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np

from bpstudio.engine import losses
from bpstudio.engine.flow import add_abs_sums, weight_norms
from bpstudio.engine.network import FUSED_OUTPUT, ForwardPass, Network, Workspace, chunks

Calls = list[Callable[[], object]]
LARGE_BATCH = 64  # samples from which the row-by-row loops below are worth replacing


def bias_calls(z: np.ndarray, b: np.ndarray) -> Calls:
    """`z += b` for every row of `z` `(N, k)`. NumPy broadcasts `b` row by row, one short
    inner loop per sample; adding a copy of `b` tiled over `t` rows to blocks of `t` rows
    does the same additions in N / t longer loops (plus t to refresh the tiles, and the
    rows left over), so the bits are the same and a 500-sample layer of 8 is 3x faster."""
    n, k = z.shape
    if n < LARGE_BATCH or k == 1:  # a column of one neuron is a single loop already
        return [partial(np.add, z, b, z)]
    t = min(range(1, 2 * math.isqrt(n) + 1), key=lambda t: n // t + t + n % t)
    whole = n - n % t
    tiles = np.empty((t, k))
    blocks = z[:whole].reshape(-1, t * k)
    calls = [partial(np.copyto, tiles, b), partial(np.add, blocks, tiles.reshape(-1), blocks)]
    if whole < n:
        calls.append(partial(np.add, z[whole:], b, z[whole:]))
    return calls


def column_sum_calls(delta: np.ndarray, out: np.ndarray) -> Calls:
    """`np.sum(delta, axis=0, out=out)`, the bias gradient. NumPy adds the rows of a C-ordered
    array one by one in order, one short inner loop each; `einsum("ij->j")` adds them in the
    same order, starting from the same 0, in longer loops: the same bits (a test holds NumPy
    to it), 2.5x faster on 500 samples. A single column is one pairwise sum already, which
    einsum would do in another order, so it stays."""
    n, k = delta.shape
    if n < LARGE_BATCH or k == 1:
        return [partial(np.add.reduce, delta, 0, None, out)]
    return [partial(np.einsum, "ij->j", delta, out=out)]


def forward_calls(
    net: Network, x: np.ndarray, fwd: ForwardPass, layers: int | None = None
) -> Calls:
    """`network.forward(net, x, ws)` into the buffers `fwd` of a workspace (through the first
    `layers` non-input layers only, if given)."""
    fwd.a_in = x
    calls: Calls = []
    a_prev = x
    layer_parts = zip(net.w, net.b, net.activations, fwd.z, fwd.a, strict=True)
    for w, b, act, z, a in list(layer_parts)[:layers]:
        calls += [partial(np.matmul, a_prev, w.T, z)] + bias_calls(z, b)
        calls += act.forward_calls(z, a)
        a_prev = a
    return calls


def output_delta_calls(
    net: Network,
    loss_name: str,
    z: np.ndarray,
    y_hat: np.ndarray,
    y: np.ndarray,
    delta: np.ndarray,
    grad: np.ndarray,
) -> Calls:
    """`network.output_delta` into `delta`, through the loss gradient in `grad` where it is
    needed."""
    act = net.activations[-1]
    if (act.name, loss_name) in FUSED_OUTPUT:
        count = np.array(float(y.size if loss_name == "bce" else y.shape[0]))
        return [partial(np.subtract, y_hat, y, delta), partial(np.divide, delta, count, delta)]
    return losses.get(loss_name).gradient_calls(y_hat, y, grad) + act.backward_calls(
        z, y_hat, grad, delta
    )


def propagate_calls(
    net: Network,
    fwd: ForwardPass,
    deltas: list[np.ndarray],
    grad_a: list[np.ndarray],
    grad_w: list[np.ndarray],
    grad_b: list[np.ndarray],
) -> Calls:
    """`network.propagate` from the output delta in `deltas[-1]`: the other deltas into
    `deltas`, the gradients into `grad_w`, `grad_b`."""
    calls: Calls = []
    for i in range(net.depth - 1, -1, -1):
        a_prev = fwd.a[i - 1] if i > 0 else fwd.a_in
        calls.append(partial(np.matmul, deltas[i].T, a_prev, grad_w[i]))
        calls += column_sum_calls(deltas[i], grad_b[i])
        if i > 0:
            calls.append(partial(np.matmul, deltas[i], net.w[i], grad_a[i - 1]))
            calls += net.activations[i - 1].backward_calls(
                fwd.z[i - 1], fwd.a[i - 1], grad_a[i - 1], deltas[i - 1]
            )
    return calls


def backward_calls(
    net: Network, loss_name: str, fwd: ForwardPass, y: np.ndarray, ws: Workspace
) -> Calls:
    """`network.backward(net, fwd, y, loss_name, ws)`: the deltas into `ws.delta`, the
    gradients into `net.grad_w`, `net.grad_b`. The loss gradient, where it is needed, goes
    to `ws.grad_a[-1]`, which the propagation leaves unused."""
    delta = output_delta_calls(net, loss_name, fwd.z[-1], fwd.a[-1], y, ws.delta[-1], ws.grad_a[-1])
    return delta + propagate_calls(net, fwd, ws.delta, ws.grad_a, net.grad_w, net.grad_b)


def _run(calls: Calls) -> None:
    for call in calls:
        call()


class _ChunkCalls:
    """The calls of a chunk of `m` samples, on buffers of its own: the inputs go into `x`;
    `forward` fills the workspace `ws`, `hidden` its hidden layers only; with the output
    delta in `ws.delta[-1]`, `first` propagates it into the network's gradients and `later`
    into those of `scratch`."""

    def __init__(self, net: Network, m: int, scratch: Network) -> None:
        self.x = np.empty((m, net.sizes[0]))
        self.ws = ws = Workspace(net, m)
        self.forward = forward_calls(net, self.x, ws.fwd)
        self.hidden = forward_calls(net, self.x, ws.fwd, net.depth - 1)
        self.first = propagate_calls(net, ws.fwd, ws.delta, ws.grad_a, net.grad_w, net.grad_b)
        self.later = propagate_calls(
            net, ws.fwd, ws.delta, ws.grad_a, scratch.grad_w, scratch.grad_b
        )


class Chunked:
    """The calls of a batch too large for one chunk (engine/batch.py): `forward` over each
    chunk, keeping the output layer whole in `fwd`; `backward` with the output deltas of the
    whole batch, then each chunk's hidden layers again and its gradients, the first chunk's
    into `net.grads` and each later one's added to it, as `batch.BatchValues` does. Chunks
    of one size share their buffers and calls, so the calls grow by a few per chunk.
    `abs_sums` adds up each hidden layer's |δ| over the chunks, for the gradient flow."""

    def __init__(
        self, net: Network, loss_name: str, x: np.ndarray, y: np.ndarray, parts: list[slice]
    ) -> None:
        n, width = len(x), net.sizes[-1]
        self.fwd = ForwardPass(x, [np.empty((n, width))], [np.empty((n, width))])
        delta_out, grad_out = np.empty((n, width)), np.empty((n, width))
        scratch = Network(net.sizes, net.activation_names)
        sizes: dict[int, _ChunkCalls] = {}
        self.forward: Calls = []
        self.delta_out = delta_out
        self.abs_sums = np.zeros(net.depth - 1)
        self.backward = output_delta_calls(
            net, loss_name, self.fwd.z[0], self.fwd.a[0], y, delta_out, grad_out
        ) + [partial(self.abs_sums.fill, 0.0)]
        for c, s in enumerate(parts):
            m = s.stop - s.start
            if m not in sizes:
                sizes[m] = _ChunkCalls(net, m, scratch)
            k = sizes[m]
            out = k.ws.fwd
            self.forward += [
                partial(np.copyto, k.x, x[s]),
                partial(_run, k.forward),
                partial(np.copyto, self.fwd.z[0][s], out.z[-1]),
                partial(np.copyto, self.fwd.a[0][s], out.a[-1]),
            ]
            self.backward += [
                partial(np.copyto, k.x, x[s]),
                partial(_run, k.hidden),
                partial(np.copyto, k.ws.delta[-1], delta_out[s]),
                partial(_run, k.later if c else k.first),
                partial(add_abs_sums, k.ws.delta[:-1], self.abs_sums),
            ]
            if c:
                self.backward.append(partial(np.add, net.grads, scratch.grads, net.grads))


def update_calls(
    net: Network,
    velocity: np.ndarray,
    rates: tuple[float, float, float],
    step: np.ndarray,
) -> Calls:
    """`training.sgd_update` with the scratch buffer `step`, for `rates` (learning rate,
    momentum, weight decay). Multiplying by the trainable mask is left out when every
    parameter is trainable: x * 1.0 is x exactly. The rates are 0-d arrays: the same float64
    values, without a Python scalar to convert per call."""
    learning_rate, momentum, weight_decay = rates
    frozen = not net.trainable.all()
    rate = np.array(float(learning_rate))
    if weight_decay:  # g = dL/dw + λ·w, built in `step`
        calls: Calls = [
            partial(np.multiply, net.params, net.decay_rates(weight_decay), step),
            partial(np.add, net.grads, step, step),
            partial(np.multiply, step, rate, step),
        ]
    else:
        calls = [partial(np.multiply, net.grads, rate, step)]
    if frozen:
        calls.append(partial(np.multiply, step, net.trainable, step))
    if not momentum:
        return calls + [partial(np.subtract, net.params, step, net.params)]
    calls += [
        partial(np.multiply, velocity, np.array(float(momentum)), velocity),
        partial(np.subtract, velocity, step, velocity),
    ]
    if frozen:
        calls.append(partial(np.multiply, velocity, net.trainable, velocity))
    return calls + [partial(np.add, net.params, velocity, net.params)]


def flow_calls(net: Network, ws: Workspace, row: np.ndarray, counts: np.ndarray) -> Calls:
    """Into `row`: the Frobenius norm of each layer's `net.grad_w`, then each layer's mean
    |δ| from the deltas of `ws` (`counts`: the samples times the layer's neurons), as
    `flow.weight_norms` and `flow.delta_means` compute them. The squared gradients and all
    the |δ| go side by side into one buffer, which a single `reduceat` sums segment by
    segment: five calls whatever the depth (an epoch of the XOR example pays 2 µs for them)."""
    depth, size = net.depth, net.grads.size
    terms = np.empty(size + ws.delta_flat.size)
    ends = np.cumsum([g.size + b.size for g, b in zip(net.grad_w, net.grad_b, strict=True)])
    starts = np.concatenate(([0], ends[:-1]))
    weights = np.column_stack((starts, starts + [g.size for g in net.grad_w])).ravel()
    deltas = size + np.cumsum([0] + [d.size for d in ws.delta[:-1]])
    # Σ (∂L/∂w)² then Σ (∂L/∂b)² of each layer, then Σ |δ| of each layer
    segments = np.empty(3 * depth)
    return [
        partial(np.multiply, net.grads, net.grads, terms[:size]),
        partial(np.absolute, ws.delta_flat, terms[size:]),
        partial(np.add.reduceat, terms, np.concatenate((weights, deltas)), 0, None, segments),
        partial(np.sqrt, segments[: 2 * depth : 2], row[:depth]),
        partial(np.divide, segments[2 * depth :], counts, row[depth:]),
    ]


class Kernel:
    """The calls for `net` on the batch `x` `(B, n_in)`, `y` `(B, n_out)`: fixed arrays
    that the caller may refill between runs. `forward` computes the output, `loss()` reads
    L from it, and `train` (after `forward`) does the backward pass and the SGD update of
    `net.params` and `velocity` with `rates` (learning rate, momentum, weight decay);
    `flow()` reads the gradient flow of the last `train`."""

    def __init__(
        self,
        net: Network,
        x: np.ndarray,
        y: np.ndarray,
        loss_name: str,
        rates: tuple[float, float, float],
        velocity: np.ndarray,
        step: np.ndarray,
    ) -> None:
        self.x, self.y = x, y
        self._grad_w = net.grad_w
        self._row = np.empty(2 * net.depth)
        self._counts = np.array([len(x) * g.shape[0] for g in net.grad_w], dtype=float)
        parts = chunks(net, len(x))
        if len(parts) == 1:
            ws = Workspace(net, len(x))
            self.forward = forward_calls(net, x, ws.fwd)
            self.output = ws.fwd.output
            backward = backward_calls(net, loss_name, ws.fwd, y, ws)
            self._flow = flow_calls(net, ws, self._row, self._counts)
        else:
            chunked = Chunked(net, loss_name, x, y, parts)
            self.forward, self.output, backward = (
                chunked.forward,
                chunked.fwd.output,
                chunked.backward,
            )
            self._flow = [partial(self._chunked_flow, chunked)]
        self._value = losses.get(loss_name).value
        self.train = backward + update_calls(net, velocity, rates, step)

    def loss(self) -> float:
        """L of the batch from the last `forward`."""
        return self._value(self.output, self.y)

    def flow(self) -> np.ndarray:
        """The gradient flow of the batch the last `train` ran on, from the buffers it
        filled: per layer ||∂L/∂W||, then per layer the mean |δ| (engine/flow.py), as one
        row `(2 * depth,)` that the next call overwrites."""
        for call in self._flow:
            call()
        return self._row

    def _chunked_flow(self, chunked: Chunked) -> None:
        depth = len(self._grad_w)
        self._row[:depth] = weight_norms(self._grad_w)
        sums = np.append(chunked.abs_sums, np.abs(chunked.delta_out).sum())
        self._row[depth:] = sums / self._counts
