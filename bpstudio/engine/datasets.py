"""Seeded two-class toy data sets in the style of TensorFlow Playground. Pure NumPy; no Qt.

Every set has 2 inputs and 1 target in {0, 1}. Clean points lie in the square [-1, 1]^2
(TensorFlow Playground's [-5, 5] divided by 5, so sigmoid and tanh units start unsaturated).
`noise` is the standard deviation of Gaussian noise added to both inputs after labelling,
in the same units, so a label always describes where the clean point was. Classes are
balanced (they differ by at most one sample) and the rows come in random order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bpstudio.engine.init import STREAM_DATA, STREAM_TEST_DATA, rng

XOR_MARGIN = 0.06  # xor points keep this distance from the axes, as Playground's padding
CIRCLE_INNER = 0.5  # class 1: radius in [0, CIRCLE_INNER]
CIRCLE_OUTER = (0.7, 1.0)  # class 0: radius in this ring
GAUSS_CENTRE = 0.4  # class 1 around (+c, +c), class 0 around (-c, -c)
GAUSS_SPREAD = 0.15  # the blobs' own standard deviation, before any noise
SPIRAL_TURNS = 1.75  # turns of each spiral arm from the centre to radius 1

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _labels(samples: int, gen: np.random.Generator) -> np.ndarray:
    """`(N,)` labels, half 1 and half 0, in random order."""
    return gen.permutation(np.arange(samples) % 2).astype(float)


def _finish(
    points: np.ndarray, labels: np.ndarray, noise: float, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Adds the input noise; returns x `(N, 2)` and y `(N, 1)`."""
    x = points + noise * gen.standard_normal(points.shape)
    return x, labels.reshape(-1, 1)


def _polar(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """`(N, 2)` points (r sin t, r cos t), Playground's convention."""
    return np.column_stack((radius * np.sin(angle), radius * np.cos(angle)))


def xor(samples: int, noise: float, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants; label 1 where x1 * x2 > 0 (quadrants I and III).
    Returns x `(N, 2)`, y `(N, 1)`."""
    labels = _labels(samples, gen)
    size = gen.uniform(XOR_MARGIN, 1.0, size=(samples, 2))
    sign = gen.choice((-1.0, 1.0), size=samples)
    # Same signs for label 1, opposite signs for label 0.
    signs = np.column_stack((sign, np.where(labels == 1.0, sign, -sign)))
    return _finish(size * signs, labels, noise, gen)


def circle(samples: int, noise: float, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 inside the disc of radius 0.5, label 0 in the ring 0.7 <= r <= 1.
    Returns x `(N, 2)`, y `(N, 1)`."""
    labels = _labels(samples, gen)
    inner = gen.uniform(0.0, CIRCLE_INNER, size=samples)
    outer = gen.uniform(*CIRCLE_OUTER, size=samples)
    radius = np.where(labels == 1.0, inner, outer)
    angle = gen.uniform(0.0, 2.0 * np.pi, size=samples)
    return _finish(_polar(radius, angle), labels, noise, gen)


def gauss(samples: int, noise: float, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two round Gaussian blobs of standard deviation 0.15: label 1 around (0.4, 0.4),
    label 0 around (-0.4, -0.4). Returns x `(N, 2)`, y `(N, 1)`."""
    labels = _labels(samples, gen)
    centre = np.where(labels == 1.0, GAUSS_CENTRE, -GAUSS_CENTRE)[:, None]
    points = centre + GAUSS_SPREAD * gen.standard_normal((samples, 2))
    return _finish(points, labels, noise, gen)


def spiral(samples: int, noise: float, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms: a point at radius r in [0, 1] has angle
    t = 1.75 * 2 pi r, plus pi for label 0. Returns x `(N, 2)`, y `(N, 1)`."""
    labels = _labels(samples, gen)
    radius = gen.uniform(0.0, 1.0, size=samples)
    angle = SPIRAL_TURNS * 2.0 * np.pi * radius + np.where(labels == 1.0, 0.0, np.pi)
    return _finish(_polar(radius, angle), labels, noise, gen)


GENERATORS: dict[str, Generator] = {"xor": xor, "circle": circle, "gauss": gauss, "spiral": spiral}


def generate(
    name: str, samples: int, noise: float, seed: int, test: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The data set `name` with exactly `samples` rows: x `(N, 2)` and y `(N, 1)`, float64.
    The same arguments always give the same arrays. With `test`, the held-out test set:
    drawn from a stream of the seed of its own (`STREAM_TEST_DATA`), so it is independent of
    the training points and the same whatever the number of training samples."""
    if name not in GENERATORS:
        raise ValueError(f"unknown data generator {name!r}")
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    if not (np.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    stream = STREAM_TEST_DATA if test else STREAM_DATA
    return GENERATORS[name](int(samples), float(noise), rng(seed, stream))
