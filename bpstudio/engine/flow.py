"""Gradient flow: how strongly each layer learns. For one training step, per non-input
layer, the Frobenius norm of the weight gradient ||∂L/∂W|| and the mean |δ| over the batch's
samples and the layer's neurons. The Trainer records both for the last batch of every epoch
(`History.grad_norm`, `History.delta_mean`) from the buffers its kernels filled anyway: no
extra pass. Pure NumPy; no Qt.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bpstudio.engine.batch import BatchValues


def weight_norms(grad_w: Sequence[np.ndarray]) -> np.ndarray:
    """||∂L/∂W|| (Frobenius) of each layer, `(depth,)`."""
    return np.array([math.sqrt(float(np.vdot(g, g))) for g in grad_w])


def delta_means(chunks: Iterable[Sequence[np.ndarray]], samples: int) -> np.ndarray:
    """Mean |δ| of each layer, `(depth,)`, over a batch of `samples` whose deltas come in
    chunks of samples, each a list of `(m, sizes[l])` arrays, one per non-input layer."""
    sums: np.ndarray | None = None
    for deltas in chunks:
        part = np.array([np.abs(d).sum() for d in deltas])
        sums = part if sums is None else sums + part
    assert sums is not None, "a batch has at least one chunk"
    widths = np.array([d.shape[1] for d in deltas])
    return sums / (samples * widths)


def add_abs_sums(deltas: Sequence[np.ndarray], sums: np.ndarray) -> None:
    """`sums[l] += Σ|δ_l|` for each layer's deltas: a chunked kernel's running total."""
    for i, d in enumerate(deltas):
        sums[i] += np.abs(d).sum()


def step_flow(grad_w: Sequence[np.ndarray], values: BatchValues) -> np.ndarray:
    """The gradient flow of one training step (`StepResult.grad_w`, `StepResult.values`):
    the norms, then the means, `(2 * depth,)`, as `History.flow` records it."""
    parts = range(len(values.parts))
    means = delta_means((values.chunk_values(c)["delta"] for c in parts), len(values.x))
    return np.concatenate((weight_norms(grad_w), means))
