"""A fully connected network and its forward and backward passes, vectorised over the batch.

Pure NumPy; no Qt. Shapes: `x` is `(N, sizes[0])`, layer `l` (1-based, as in the document)
has `w[l-1]` of shape `(sizes[l], sizes[l-1])` and `b[l-1]` of shape `(sizes[l],)`, and
`z`, `a`, `delta` of shape `(N, sizes[l])`. All parameters live in one flat float64 vector,
`params`; `w` and `b` are views into it, so an update or a snapshot is one array operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bpstudio.engine import activations, losses

# Output activation and loss pairs whose delta simplifies to (y_hat - y) / count.
# Computing it directly avoids 0/0 when a sigmoid or softmax output saturates.
FUSED_OUTPUT = {("sigmoid", "bce"), ("softmax", "cross_entropy")}
# A batch is computed in chunks of samples (engine/batch.py) whose z, a, δ and ∂L/∂a of
# every layer take at most this many bytes.
CHUNK_BYTES = 32 * 2**20


class Network:
    """Sizes, activations and parameters. `w`, `b` and `grad_w`, `grad_b` are views into
    the flat vectors `params` and `grads`."""

    def __init__(
        self,
        sizes: Sequence[int],
        activation_names: Sequence[str],
        weights: Sequence[np.ndarray] | None = None,
        biases: Sequence[np.ndarray] | None = None,
        train_biases: Sequence[bool] | None = None,
    ) -> None:
        self.sizes = tuple(int(s) for s in sizes)
        if len(activation_names) != len(self.sizes) - 1:
            raise ValueError("one activation per non-input layer")
        self.activation_names = tuple(activation_names)
        self.activations = tuple(activations.get(n) for n in activation_names)
        self.train_biases = tuple(train_biases) if train_biases else (True,) * self.depth
        if len(self.train_biases) != self.depth:
            raise ValueError("one train_biases flag per non-input layer")
        shapes = [(self.sizes[i + 1], self.sizes[i]) for i in range(self.depth)]
        count = sum(r * c + r for r, c in shapes)
        self.params = np.zeros(count)
        self.grads = np.zeros(count)
        self.trainable = np.ones(count)
        self.is_weight = np.zeros(count)  # 1.0 on weights, 0.0 on biases
        self.w, self.b, self.grad_w, self.grad_b = [], [], [], []
        offset = 0
        for i, (r, c) in enumerate(shapes):
            self.w.append(self.params[offset : offset + r * c].reshape(r, c))
            self.is_weight[offset : offset + r * c] = 1.0
            self.grad_w.append(self.grads[offset : offset + r * c].reshape(r, c))
            offset += r * c
            self.b.append(self.params[offset : offset + r])
            self.grad_b.append(self.grads[offset : offset + r])
            if not self.train_biases[i]:
                self.trainable[offset : offset + r] = 0.0
            offset += r
        for target, source in ((self.w, weights), (self.b, biases)):
            if source is not None:
                for view, values in zip(target, source, strict=True):
                    values = np.asarray(values, dtype=float)
                    if values.shape != view.shape:
                        raise ValueError(f"parameter shape {values.shape}, expected {view.shape}")
                    view[...] = values

    @property
    def depth(self) -> int:
        """Number of non-input layers."""
        return len(self.sizes) - 1

    @property
    def parameter_count(self) -> int:
        return self.params.size

    def copy(self) -> Network:
        return Network(self.sizes, self.activation_names, self.w, self.b, self.train_biases)

    def decay_rates(self, weight_decay: float) -> np.ndarray:
        """λ for every weight and 0 for every bias, matching `params`: weight decay adds
        `decay_rates * params` (λ·w, never a bias) to the gradient."""
        return self.is_weight * weight_decay

    def parameter_names(self) -> list[str]:
        """One name per entry of `params`, in order: `w[l][j][k]` and `b[l][j]` with
        document layer l (1-based) and 0-based neuron indices."""
        names = []
        for i in range(self.depth):
            r, c = self.w[i].shape
            names += [f"w[{i + 1}][{j}][{k}]" for j in range(r) for k in range(c)]
            names += [f"b[{i + 1}][{j}]" for j in range(r)]
        return names


def chunk_size(net: Network, samples: int) -> int:
    """Samples per chunk for a batch of `samples` through `net`."""
    per_sample = 4 * 8 * sum(net.sizes[1:])
    return max(1, min(samples, CHUNK_BYTES // per_sample))


def chunks(net: Network, samples: int) -> list[slice]:
    """The chunks of a batch of `samples`, in sample order."""
    size = chunk_size(net, samples)
    return [slice(i, min(i + size, samples)) for i in range(0, samples, size)]


@dataclass
class ForwardPass:
    """`z[i]`, `a[i]` for non-input layer i+1, `(N, sizes[i+1])`; `a_in` is the input batch."""

    a_in: np.ndarray
    z: list[np.ndarray]
    a: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]


class Workspace:
    """Preallocated buffers for one batch size, so the training loop allocates nothing.
    `forward` and `backward` do the same arithmetic with or without one."""

    def __init__(self, net: Network, batch: int) -> None:
        self.batch = batch
        n = net.sizes[1:]
        self.fwd = ForwardPass(
            np.empty(0), [np.empty((batch, k)) for k in n], [np.empty((batch, k)) for k in n]
        )
        # the deltas side by side in one buffer, so that the gradient flow takes |δ| of all
        # the layers in one call (kernel.flow_calls)
        self.delta_flat = np.empty(batch * sum(n))
        ends = np.cumsum([batch * k for k in n])
        parts = np.split(self.delta_flat, ends[:-1])
        self.delta = [part.reshape(batch, k) for part, k in zip(parts, n, strict=True)]
        self.grad_a = [np.empty((batch, k)) for k in n]


def forward(net: Network, x: np.ndarray, ws: Workspace | None = None) -> ForwardPass:
    """Forward pass of `x` `(N, sizes[0])`; every z and a, `(N, sizes[l])`."""
    x = np.asarray(x, dtype=float)
    fwd = ForwardPass(x, [], []) if ws is None else ws.fwd
    fwd.a_in = x
    a_prev = x
    for i, (w, b, act) in enumerate(zip(net.w, net.b, net.activations, strict=True)):
        z = np.matmul(a_prev, w.T, out=None if ws is None else fwd.z[i])
        z += b
        a_prev = act(z, None if ws is None else fwd.a[i])
        if ws is None:
            fwd.z.append(z)
            fwd.a.append(a_prev)
    return fwd


def output_delta(
    net: Network,
    loss_name: str,
    z: np.ndarray,
    y_hat: np.ndarray,
    y: np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """dL/dz of the output layer, `(N, K)`."""
    act = net.activations[-1]
    if (act.name, loss_name) in FUSED_OUTPUT:
        count = y.size if loss_name == "bce" else y.shape[0]
        out = np.subtract(y_hat, y, out=out)
        out /= count
        return out
    return act.backward(z, y_hat, losses.get(loss_name).gradient(y_hat, y), out)


def backward(
    net: Network, fwd: ForwardPass, y: np.ndarray, loss_name: str, ws: Workspace | None = None
) -> list[np.ndarray]:
    """Fills `net.grad_w` / `net.grad_b` with dL/dW, dL/db of the batch loss (spec section 2)
    and returns the deltas dL/dz, one `(N, sizes[l])` array per non-input layer."""
    y = np.asarray(y, dtype=float)
    last = net.depth - 1
    delta = output_delta(
        net, loss_name, fwd.z[last], fwd.a[last], y, None if ws is None else ws.delta[last]
    )
    return propagate(net, fwd, delta, net.grad_w, net.grad_b, ws)


def propagate(
    net: Network,
    fwd: ForwardPass,
    delta_out: np.ndarray,
    grad_w: Sequence[np.ndarray],
    grad_b: Sequence[np.ndarray],
    ws: Workspace | None = None,
) -> list[np.ndarray]:
    """The deltas of every layer from the output layer's `delta_out`, with the gradients of
    the batch `fwd` (its hidden layers are all that is read) written into `grad_w`, `grad_b`."""
    deltas = [np.empty(0)] * net.depth if ws is None else ws.delta
    last = net.depth - 1
    deltas[last] = delta_out
    for i in range(last, -1, -1):
        a_prev = fwd.a[i - 1] if i > 0 else fwd.a_in
        np.matmul(deltas[i].T, a_prev, out=grad_w[i])
        np.sum(deltas[i], axis=0, out=grad_b[i])
        if i > 0:
            grad_a = np.matmul(deltas[i], net.w[i], out=None if ws is None else ws.grad_a[i - 1])
            deltas[i - 1] = net.activations[i - 1].backward(
                fwd.z[i - 1], fwd.a[i - 1], grad_a, None if ws is None else ws.delta[i - 1]
            )
    return deltas


def outputs(net: Network, x: np.ndarray) -> np.ndarray:
    """The network's outputs for the batch `x`, its forward pass in chunks."""
    x = np.asarray(x, dtype=float)
    parts = chunks(net, len(x))
    if len(parts) == 1:
        return forward(net, x).output
    out = np.empty((len(x), net.sizes[-1]))
    for s in parts:
        out[s] = forward(net, x[s]).output
    return out


def loss_value(net: Network, loss_name: str, x: np.ndarray, y: np.ndarray) -> float:
    """L over the batch `x`, `y` with the current parameters."""
    return losses.get(loss_name).value(outputs(net, x), np.asarray(y, dtype=float))
