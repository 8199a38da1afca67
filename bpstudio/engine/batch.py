"""A training step's passes over a batch in chunks of samples, so memory follows the
parameters plus one chunk, never samples times the widest layers. Pure NumPy; no Qt.

A batch whose z, a, δ and ∂L/∂a of every layer fit in `network.CHUNK_BYTES` is one chunk: the
passes are then exactly `network.forward` and `network.backward`. A larger batch is split
into equal chunks in sample order (the last one shorter). The output layer's z and a are
kept whole (they are no larger than the targets), so the loss and the output deltas are
those of the whole batch; the hidden layers are computed chunk by chunk, and the gradient is
the first chunk's plus each later chunk's, in order. `kernel.Kernel` makes the same calls in
the same order, so `train`, `trace`, `steps` and the window agree bit for bit.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from bpstudio.engine import losses
from bpstudio.engine.network import (
    ForwardPass,
    Network,
    chunks,
    forward,
    output_delta,
    propagate,
)

CACHED_CHUNKS = 3  # hidden values kept for reading samples: the first, the last, one chosen


class _Rows:
    """A hidden layer's z, a or δ over a batch in chunks, indexed like the `(N, width)`
    array it stands for: `[p]` is sample p's row, `[p, j]` one value."""

    def __init__(self, values: BatchValues, kind: str, layer: int) -> None:
        self._values, self._kind, self._layer = values, kind, layer

    def __getitem__(self, key: int | tuple[int, int]) -> np.ndarray | np.float64:
        p, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        part, row = self._values.chunk_of(p)
        return part[self._kind][self._layer][(row, *rest)]


class BatchValues:
    """Every z, a and δ of one training step's batch. `z[i]`, `a[i]` (also as `fwd.z`,
    `fwd.a`) and `deltas[i]` are those of non-input layer i + 1, indexable by sample; the
    output layer's, `output`, and a batch of one chunk's are arrays. `step` fills
    `net.grad_w`, `net.grad_b` with the batch gradients."""

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray, loss_name: str) -> None:
        self.net = net.copy()  # the parameters the values are of, whatever `net` becomes
        self.x, self.y, self.loss_name = x, y, loss_name
        self.parts = chunks(net, len(x))
        self._cache: OrderedDict[int, dict[str, list[np.ndarray]]] = OrderedDict()
        if len(self.parts) == 1:
            fwd = forward(self.net, x)
            self.z, self.a = fwd.z, fwd.a
            delta_out = output_delta(net, loss_name, fwd.z[-1], fwd.a[-1], y)
            self.deltas = propagate(net, fwd, delta_out, net.grad_w, net.grad_b)
            return
        depth = net.depth
        out_z, out_a = np.empty((len(x), net.sizes[-1])), np.empty((len(x), net.sizes[-1]))
        for s in self.parts:
            fwd = forward(self.net, x[s])
            out_z[s], out_a[s] = fwd.z[-1], fwd.a[-1]
        self.delta_out = output_delta(net, loss_name, out_z, out_a, y)
        self.z = [_Rows(self, "z", i) for i in range(depth - 1)] + [out_z]
        self.a = [_Rows(self, "a", i) for i in range(depth - 1)] + [out_a]
        self.deltas = [_Rows(self, "delta", i) for i in range(depth - 1)] + [self.delta_out]
        self._scratch = net.copy()  # a later chunk's gradients, then any chunk read again
        for c, s in enumerate(self.parts):
            self._keep(c, self._pass(s, net if c == 0 else self._scratch))
            if c:
                np.add(net.grads, self._scratch.grads, out=net.grads)

    @property
    def fwd(self) -> ForwardPass:
        return ForwardPass(self.x, self.z, self.a)

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]

    def loss(self) -> float:
        """L of the batch, from its whole output."""
        return losses.get(self.loss_name).value(self.output, self.y)

    def chunk_of(self, p: int) -> tuple[dict[str, list[np.ndarray]], int]:
        """The hidden values of the chunk holding sample p, and p's row in it."""
        if not 0 <= p < len(self.x):
            raise IndexError(f"sample {p} of a batch of {len(self.x)}")
        c = p // (self.parts[0].stop - self.parts[0].start)
        if c not in self._cache:
            self._keep(c, self._pass(self.parts[c], self._scratch))
        self._cache.move_to_end(c)
        return self._cache[c], p - self.parts[c].start

    def chunk_values(self, c: int) -> dict[str, list[np.ndarray]]:
        """Every layer's z, a and δ of chunk c, as arrays (the output layer's as views)."""
        s = self.parts[c]
        if len(self.parts) == 1:
            return {"z": self.z, "a": self.a, "delta": self.deltas}
        hidden = self._cache[c] if c in self._cache else self._pass(s, self._scratch)
        out = {"z": self.z[-1][s], "a": self.a[-1][s], "delta": self.delta_out[s]}
        return {kind: hidden[kind] + [out[kind]] for kind in ("z", "a", "delta")}

    def _pass(self, s: slice, grads: Network) -> dict[str, list[np.ndarray]]:
        """Forward and backward over the chunk `s`, its gradients into `grads`; its hidden
        layers' values."""
        fwd = forward(self.net, self.x[s])
        deltas = propagate(self.net, fwd, self.delta_out[s], grads.grad_w, grads.grad_b)
        return {"z": fwd.z[:-1], "a": fwd.a[:-1], "delta": deltas[:-1]}

    def _keep(self, c: int, values: dict[str, list[np.ndarray]]) -> None:
        self._cache[c] = values
        while len(self._cache) > CACHED_CHUNKS:
            self._cache.popitem(last=False)
