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
from bpstudio.engine.network import FUSED_OUTPUT, ForwardPass, Network, Workspace

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


def forward_calls(net: Network, x: np.ndarray, fwd: ForwardPass) -> Calls:
    """`network.forward(net, x, ws)` into the buffers `fwd` of a workspace."""
    fwd.a_in = x
    calls: Calls = []
    a_prev = x
    for w, b, act, z, a in zip(net.w, net.b, net.activations, fwd.z, fwd.a, strict=True):
        calls += [partial(np.matmul, a_prev, w.T, z)] + bias_calls(z, b)
        calls += act.forward_calls(z, a)
        a_prev = a
    return calls


def output_delta_calls(
    net: Network, loss_name: str, fwd: ForwardPass, y: np.ndarray, ws: Workspace
) -> Calls:
    """`network.output_delta` into `ws.delta[-1]`; the loss gradient, where it is needed,
    goes to `ws.grad_a[-1]`, which `backward` leaves unused."""
    act = net.activations[-1]
    z, y_hat, delta = fwd.z[-1], fwd.a[-1], ws.delta[-1]
    if (act.name, loss_name) in FUSED_OUTPUT:
        count = np.array(float(y.size if loss_name == "bce" else y.shape[0]))
        return [partial(np.subtract, y_hat, y, delta), partial(np.divide, delta, count, delta)]
    grad = ws.grad_a[-1]
    return losses.get(loss_name).gradient_calls(y_hat, y, grad) + act.backward_calls(
        z, y_hat, grad, delta
    )


def backward_calls(
    net: Network, loss_name: str, fwd: ForwardPass, y: np.ndarray, ws: Workspace
) -> Calls:
    """`network.backward(net, fwd, y, loss_name, ws)`: the deltas into `ws.delta`, the
    gradients into `net.grad_w`, `net.grad_b`."""
    calls = output_delta_calls(net, loss_name, fwd, y, ws)
    for i in range(net.depth - 1, -1, -1):
        a_prev = fwd.a[i - 1] if i > 0 else fwd.a_in
        calls.append(partial(np.matmul, ws.delta[i].T, a_prev, net.grad_w[i]))
        calls += column_sum_calls(ws.delta[i], net.grad_b[i])
        if i > 0:
            calls.append(partial(np.matmul, ws.delta[i], net.w[i], ws.grad_a[i - 1]))
            calls += net.activations[i - 1].backward_calls(
                fwd.z[i - 1], fwd.a[i - 1], ws.grad_a[i - 1], ws.delta[i - 1]
            )
    return calls


def update_calls(
    net: Network, velocity: np.ndarray, learning_rate: float, momentum: float, step: np.ndarray
) -> Calls:
    """`training.sgd_update` with the scratch buffer `step`. Multiplying by the trainable
    mask is left out when every parameter is trainable: x * 1.0 is x exactly. The rates
    are 0-d arrays: the same float64 values, without a Python scalar to convert per call."""
    frozen = not net.trainable.all()
    calls: Calls = [partial(np.multiply, net.grads, np.array(float(learning_rate)), step)]
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


class Kernel:
    """The calls for `net` on the batch `x` `(B, n_in)`, `y` `(B, n_out)`: fixed arrays
    that the caller may refill between runs. `forward` computes the output, `loss()` reads
    L from it, and `train` (after `forward`) does the backward pass and the SGD update of
    `net.params` and `velocity`."""

    def __init__(
        self,
        net: Network,
        x: np.ndarray,
        y: np.ndarray,
        loss_name: str,
        learning_rate: float,
        momentum: float,
        velocity: np.ndarray,
        step: np.ndarray,
    ) -> None:
        self.x, self.y = x, y
        ws = Workspace(net, len(x))
        self.forward = forward_calls(net, x, ws.fwd)
        self.output = ws.fwd.output
        self._value = losses.get(loss_name).value
        self.train = backward_calls(net, loss_name, ws.fwd, y, ws) + update_calls(
            net, velocity, learning_rate, momentum, step
        )

    def loss(self) -> float:
        """L of the batch from the last `forward`."""
        return self._value(self.output, self.y)
