"""Tests for the seeded toy data sets (bpstudio.engine.datasets). Headless: no Qt."""

import numpy as np
import pytest

from bpstudio.engine import datasets
from bpstudio.engine.datasets import generate

NAMES = sorted(datasets.GENERATORS)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("samples", [1, 2, 7, 200])
def test_shapes_dtype_and_binary_targets(name, samples):
    """x is (N, 2) float64, y is (N, 1) float64 with values in {0, 1}, exactly N rows."""
    x, y = generate(name, samples, 0.1, seed=3)
    assert x.shape == (samples, 2) and x.dtype == np.float64
    assert y.shape == (samples, 1) and y.dtype == np.float64
    assert set(np.unique(y)) <= {0.0, 1.0}
    assert np.isfinite(x).all()


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_identical_data(name):
    """Data sets are reproducible: the same arguments give bit-identical arrays."""
    x1, y1 = generate(name, 101, 0.2, seed=42)
    x2, y2 = generate(name, 101, 0.2, seed=42)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)


@pytest.mark.parametrize("name", NAMES)
def test_different_seeds_give_different_data(name):
    """The seed matters: two seeds give different points."""
    x1, _ = generate(name, 50, 0.0, seed=1)
    x2, _ = generate(name, 50, 0.0, seed=2)
    assert not np.array_equal(x1, x2)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("samples", [1, 2, 9, 1000])
def test_classes_are_balanced(name, samples):
    """Half the targets are 1 (one more or less for an odd count)."""
    _, y = generate(name, samples, 0.0, seed=5)
    assert abs(y.sum() - samples / 2) <= 0.5


@pytest.mark.parametrize("name", NAMES)
def test_classes_are_interleaved_not_sorted(name):
    """Rows come in random order, so file-order mini-batches see both classes."""
    _, y = generate(name, 200, 0.0, seed=0)
    first_half = y[:100].sum()
    assert 20 < first_half < 80


@pytest.mark.parametrize("name", ["xor", "circle", "spiral"])
def test_clean_points_lie_in_the_unit_square(name):
    """With no noise the inputs are in [-1, 1], the stated scale."""
    x, _ = generate(name, 500, 0.0, seed=7)
    assert np.abs(x).max() <= 1.0


@pytest.mark.parametrize("name", NAMES)
def test_noise_is_gaussian_with_the_given_standard_deviation(name):
    """Noise is added to the clean points: same seed, the difference has std `noise`."""
    clean, y_clean = generate(name, 20_000, 0.0, seed=11)
    noisy, y_noisy = generate(name, 20_000, 0.25, seed=11)
    assert np.array_equal(y_clean, y_noisy)
    assert np.std(noisy - clean) == pytest.approx(0.25, rel=0.03)
    assert np.mean(noisy - clean) == pytest.approx(0.0, abs=0.01)


def test_xor_label_is_one_exactly_where_the_inputs_share_a_sign():
    """xor: label 1 in quadrants I and III, 0 in II and IV, away from the axes."""
    x, y = generate("xor", 1000, 0.0, seed=0)
    assert np.array_equal(y[:, 0], (x[:, 0] * x[:, 1] > 0).astype(float))
    assert np.abs(x).min() >= datasets.XOR_MARGIN


def test_circle_label_matches_the_radius():
    """circle: label 1 inside radius 0.5, label 0 in the ring 0.7..1."""
    x, y = generate("circle", 1000, 0.0, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    inner = y[:, 0] == 1.0
    assert (radius[inner] <= 0.5).all()
    assert ((radius[~inner] >= 0.7) & (radius[~inner] <= 1.0)).all()


def test_gauss_blobs_are_centred_at_plus_and_minus_point_four():
    """gauss: class 1 around (0.4, 0.4), class 0 around (-0.4, -0.4), spread 0.15."""
    x, y = generate("gauss", 20_000, 0.0, seed=0)
    ones, zeros = x[y[:, 0] == 1.0], x[y[:, 0] == 0.0]
    assert ones.mean(axis=0) == pytest.approx([0.4, 0.4], abs=0.01)
    assert zeros.mean(axis=0) == pytest.approx([-0.4, -0.4], abs=0.01)
    assert ones.std(axis=0) == pytest.approx([0.15, 0.15], rel=0.05)


def test_spiral_points_lie_on_their_arm():
    """spiral: a point at radius r has angle 1.75 * 2 pi r (+ pi for class 0), with
    x1 = r sin t, x2 = r cos t."""
    x, y = generate("spiral", 1000, 0.0, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 0], x[:, 1])
    expected = 1.75 * 2 * np.pi * radius + np.where(y[:, 0] == 1.0, 0.0, np.pi)
    wrapped = np.angle(np.exp(1j * (angle - expected)))  # difference modulo 2 pi
    assert np.abs(wrapped).max() < 1e-9


def test_the_generators_accept_a_numpy_generator_directly():
    """Each set is a function of (samples, noise, Generator), without global seeding."""
    gen = np.random.default_rng(0)
    x, y = datasets.circle(10, 0.0, gen)
    assert x.shape == (10, 2) and y.shape == (10, 1)


@pytest.mark.parametrize(
    ("name", "samples", "noise"),
    [("moons", 10, 0.0), ("xor", 0, 0.0), ("xor", 10, -0.1), ("xor", 10, float("nan"))],
)
def test_bad_arguments_raise_value_error(name, samples, noise):
    """Unknown names, no samples and negative or NaN noise are refused."""
    with pytest.raises(ValueError):
        generate(name, samples, noise, seed=0)
