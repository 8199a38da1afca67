"""The four losses against hand calculations of spec §2 and finite differences, and the
activations' values, derivatives, numerical safety and `out=` buffers. Headless: no Qt."""

import math
import warnings

import numpy as np
import pytest

from bpstudio.engine import activations, losses

# N = 2 samples, K = 2 outputs
Y_HAT = np.array([[0.2, 0.7], [0.9, 0.4]])
Y = np.array([[0.0, 1.0], [1.0, 0.0]])
Y_SOFT = np.array([[0.0, 1.0], [0.75, 0.5]])  # bce with targets inside (0, 1) too
P_HAT = np.array([[0.2, 0.8], [0.6, 0.4]])  # rows of a softmax output
P = np.array([[0.0, 1.0], [0.3, 0.7]])  # one-hot row and a probability row

# (loss, y_hat, y, the value by hand exactly as spec §2 writes it)
HAND = [
    # 1/2 * sum of squares: (0-.2)^2 + (1-.7)^2 + (1-.9)^2 + (0-.4)^2 = .04+.09+.01+.16 = .30
    ("sse", Y_HAT, Y, 0.5 * 0.30),
    # the same sum over N*K = 4
    ("mse", Y_HAT, Y, 0.30 / 4),
    # -1/(N*K) sum (y log ŷ + (1-y) log(1-ŷ))
    (
        "bce",
        Y_HAT,
        Y_SOFT,
        -(
            math.log(1 - 0.2)
            + math.log(0.7)
            + (0.75 * math.log(0.9) + 0.25 * math.log(1 - 0.9))
            + (0.5 * math.log(0.4) + 0.5 * math.log(1 - 0.4))
        )
        / 4,
    ),
    # -1/N sum y log ŷ
    ("cross_entropy", P_HAT, P, -(math.log(0.8) + 0.3 * math.log(0.6) + 0.7 * math.log(0.4)) / 2),
]


@pytest.mark.parametrize(("name", "y_hat", "y", "expected"), HAND, ids=[h[0] for h in HAND])
def test_loss_value_matches_the_spec_definition_by_hand(name, y_hat, y, expected):
    value = losses.get(name).value(y_hat, y)
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-14)


def test_sse_sums_over_samples_and_the_others_average():
    """Doubling the batch (the same rows twice) doubles SSE and leaves MSE, BCE, CE alone."""
    for name, y_hat, y, expected in HAND:
        twice = losses.get(name).value(np.vstack([y_hat, y_hat]), np.vstack([y, y]))
        factor = 2.0 if name == "sse" else 1.0
        assert twice == pytest.approx(factor * expected, rel=1e-14), name


def central_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
    return grad


@pytest.mark.parametrize(("name", "y_hat", "y", "expected"), HAND, ids=[h[0] for h in HAND])
def test_loss_gradient_matches_finite_differences_of_its_value(name, y_hat, y, expected):
    loss = losses.get(name)
    numeric = central_difference(lambda yh: loss.value(yh, y), y_hat)
    np.testing.assert_allclose(loss.gradient(y_hat, y), numeric, rtol=1e-7, atol=1e-9)


def test_bce_and_cross_entropy_take_0_log_0_as_0():
    """A saturated output that matches its target adds nothing (no nan, no warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.get("bce").value(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]])) == 0.0
        # ŷ = 0 with y = 0, and an ordinary term: -(0.5 log .5 + 0.5 log .5) / 2
        half = losses.get("bce").value(np.array([[0.0, 0.5]]), np.array([[0.0, 0.5]]))
        assert half == pytest.approx(math.log(2) / 2, rel=1e-15)
        ce = losses.get("cross_entropy").value(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]]))
        assert ce == 0.0


# --- activations --------------------------------------------------------------------------

Z = np.array([[-3.0, -1.5, -0.4], [0.3, 1.2, 2.5]])  # no z near the relu kink at 0
ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
ALL = [*ELEMENTWISE, "softmax"]


def test_activation_values_match_hand_calculations():
    z = np.array([[-2.0, 0.0, 1.5]])
    s = [1 / (1 + math.exp(2.0)), 0.5, 1 / (1 + math.exp(-1.5))]
    expected = {
        "sigmoid": s,
        "tanh": [math.tanh(-2.0), 0.0, math.tanh(1.5)],
        "relu": [0.0, 0.0, 1.5],
        "leaky_relu": [-0.02, 0.0, 1.5],  # slope 0.01
        "linear": [-2.0, 0.0, 1.5],
        "softmax": np.exp([-2.0, 0.0, 1.5]) / sum(math.exp(v) for v in (-2.0, 0.0, 1.5)),
    }
    for name, values in expected.items():
        np.testing.assert_allclose(activations.get(name)(z), [values], rtol=1e-15, err_msg=name)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_derivative_matches_finite_differences(name):
    act = activations.get(name)
    numeric = np.empty_like(Z)
    h = 1e-6
    for i in np.ndindex(Z.shape):
        # elementwise: f(z + h) - f(z - h) of one entry
        numeric[i] = (act(np.array([[Z[i] + h]]))[0, 0] - act(np.array([[Z[i] - h]]))[0, 0]) / (
            2 * h
        )
    np.testing.assert_allclose(act.derivative(Z, act(Z)), numeric, rtol=1e-8, atol=1e-10)


def test_softmax_derivative_is_the_jacobian_diagonal_and_backward_the_full_jacobian():
    act = activations.get("softmax")
    a = act(Z)
    diagonal = np.empty_like(Z)
    h = 1e-6
    for p, j in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[p, j] += h
        minus[p, j] -= h
        diagonal[p, j] = (act(plus)[p, j] - act(minus)[p, j]) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z, a), diagonal, rtol=1e-8, atol=1e-10)
    # backward: dL/dz for L = sum(g * softmax(z)), by finite differences over all of z
    g = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    numeric = central_difference(lambda z: float(np.sum(g * act(z))), Z)
    np.testing.assert_allclose(act.backward(Z, a, g), numeric, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_backward_is_the_gradient_times_the_derivative(name):
    act = activations.get(name)
    g = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    a = act(Z)
    np.testing.assert_array_equal(act.backward(Z, a, g), g * act.derivative(Z, a))


def test_sigmoid_saturates_at_plus_minus_1000_without_overflow_or_warning():
    act = activations.get("sigmoid")
    z = np.array([[-1000.0, 1000.0, -745.0, 710.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act(z)
        a_out = act(z, np.empty_like(z))
        d = act.derivative(z, a)
    np.testing.assert_array_equal(a[0, :2], [0.0, 1.0])
    assert np.all(np.isfinite(a)) and np.all((a >= 0) & (a <= 1))
    np.testing.assert_array_equal(a_out, a)
    np.testing.assert_array_equal(d[0, :2], [0.0, 0.0])


def test_softmax_rows_sum_to_one_and_are_shift_invariant_even_for_huge_z():
    act = activations.get("softmax")
    rng = np.random.default_rng(3)
    z = rng.normal(0.0, 3.0, size=(6, 4))
    a = act(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(act(z + 100.0), a, rtol=1e-12)
    np.testing.assert_allclose(act(z - 100.0), a, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = act(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_array_equal(huge, [[1.0, 0.0, 0.0]])


@pytest.mark.parametrize("name", ALL)
def test_out_buffers_give_bit_identical_results(name):
    """The training loop passes buffers, the step sequence does not: both must agree."""
    act = activations.get(name)
    rng = np.random.default_rng(8)
    z = rng.normal(0.0, 2.0, size=(5, 3))
    g = rng.normal(size=(5, 3))

    a = act(z)
    buf = np.full_like(z, np.nan)
    assert act(z, buf) is buf
    np.testing.assert_array_equal(buf, a)

    d = act.derivative(z, a)
    buf = np.full_like(z, np.nan)
    assert act.derivative(z, a, buf) is buf
    np.testing.assert_array_equal(buf, d)

    delta = act.backward(z, a, g)
    buf = np.full_like(z, np.nan)
    assert act.backward(z, a, g, buf) is buf
    np.testing.assert_array_equal(buf, delta)
    np.testing.assert_array_equal(act(z), a)  # nothing was overwritten in z
