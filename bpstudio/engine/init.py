"""Weight initialisation schemes and the seeded random streams. Pure NumPy; no Qt.

One document seed feeds several independent streams (weights, shuffling, data), so that
changing, say, the shuffle setting never changes the initial weights.
"""

from __future__ import annotations

import numpy as np

INIT_SCHEMES = ("xavier", "he", "uniform")

# Stream keys mixed into the seed: the first entropy word says what the stream is for.
STREAM_WEIGHTS = 1
STREAM_SHUFFLE = 2
STREAM_DATA = 3
STREAM_TEST_DATA = 4  # the held-out test samples of a generator
STREAM_HOLD_OUT = 5  # which rows of a table the data panel holds out as a test set


def rng(seed: int, stream: int, *more: int) -> np.random.Generator:
    """A generator for one purpose (`STREAM_*`) derived from the document seed."""
    seed = int(seed)
    return np.random.default_rng([stream, int(seed < 0), abs(seed), *more])


def init_weights(scheme: str, fan_out: int, fan_in: int, gen: np.random.Generator) -> np.ndarray:
    """A `(fan_out, fan_in)` weight matrix drawn by `scheme`:
    xavier: U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Glorot uniform);
    he: N(0, 2 / fan_in) (Kaiming normal); uniform: U(-0.5, 0.5)."""
    if scheme == "xavier":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return gen.uniform(-limit, limit, size=(fan_out, fan_in))
    if scheme == "he":
        return gen.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
    if scheme == "uniform":
        return gen.uniform(-0.5, 0.5, size=(fan_out, fan_in))
    raise ValueError(f"unknown init scheme {scheme!r}")


def init_layer_weights(scheme: str, seed: int, sizes: tuple[int, ...]) -> list[np.ndarray]:
    """Weights for every non-input layer of a network with `sizes`, layer by layer from one
    stream. Layer l's matrix depends only on the seed and the sizes before it."""
    gen = rng(seed, STREAM_WEIGHTS)
    return [init_weights(scheme, sizes[i + 1], sizes[i], gen) for i in range(len(sizes) - 1)]
