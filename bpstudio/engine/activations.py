"""Activation functions, each with its derivative beside it. Pure NumPy; no Qt.

Arrays are `(N, n)`: batch axis first, then the neurons of one layer. Every function takes
an optional `out` buffer; with or without it the arithmetic is the same, so the training
loop (which passes buffers) and the step sequence (which does not) agree bit for bit.

The training kernel (engine/kernel.py) runs each activation as a list of NumPy calls bound to
its buffers: `forward_calls` and `backward_calls`. Sigmoid, tanh and softmax spell out
their arithmetic as bound ufuncs (the same operations in the same order as the functions
above); the others call their function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

LEAKY_SLOPE = 0.01

Out = np.ndarray | None
Calls = list[Callable[[], object]]
# 1.0 as a 0-d array: the same value and arithmetic as the float, but a bound call with it
# skips converting a Python scalar every time (half the cost of a call on a tiny array).
ONE = np.array(1.0)
ONE.flags.writeable = False


def _sigmoid(z: np.ndarray, out: Out = None) -> np.ndarray:
    # exp(-z) overflows to inf for z < -709; 1 / (1 + inf) = 0 is then the right limit.
    with np.errstate(over="ignore"):
        out = np.negative(z, out=out)
        np.exp(out, out=out)
    out += 1.0
    return np.divide(1.0, out, out=out)


def _sigmoid_derivative(z: np.ndarray, a: np.ndarray, out: Out = None) -> np.ndarray:
    out = np.subtract(1.0, a, out=out)
    return np.multiply(a, out, out=out)


def _sigmoid_calls(z: np.ndarray, out: np.ndarray) -> Calls:
    # run under the kernel's errstate, which ignores the overflow of exp
    return [
        partial(np.negative, z, out),
        partial(np.exp, out, out),
        partial(np.add, out, ONE, out),
        partial(np.divide, ONE, out, out),
    ]


def _sigmoid_derivative_calls(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> Calls:
    return [partial(np.subtract, ONE, a, out), partial(np.multiply, a, out, out)]


def _tanh(z: np.ndarray, out: Out = None) -> np.ndarray:
    return np.tanh(z, out=out)


def _tanh_derivative(z: np.ndarray, a: np.ndarray, out: Out = None) -> np.ndarray:
    out = np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def _tanh_calls(z: np.ndarray, out: np.ndarray) -> Calls:
    return [partial(np.tanh, z, out)]


def _tanh_derivative_calls(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> Calls:
    return [partial(np.multiply, a, a, out), partial(np.subtract, ONE, out, out)]


def _relu(z: np.ndarray, out: Out = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def _relu_derivative(z: np.ndarray, a: np.ndarray, out: Out = None) -> np.ndarray:
    return _into(np.where(z > 0, 1.0, 0.0), out)


def _leaky_relu(z: np.ndarray, out: Out = None) -> np.ndarray:
    return _into(np.where(z > 0, z, LEAKY_SLOPE * z), out)


def _leaky_relu_derivative(z: np.ndarray, a: np.ndarray, out: Out = None) -> np.ndarray:
    return _into(np.where(z > 0, 1.0, LEAKY_SLOPE), out)


def _linear(z: np.ndarray, out: Out = None) -> np.ndarray:
    return _into(np.array(z, dtype=float, copy=True), out)


def _linear_derivative(z: np.ndarray, a: np.ndarray, out: Out = None) -> np.ndarray:
    if out is None:
        return np.ones_like(z, dtype=float)
    out.fill(1.0)
    return out


def _softmax(z: np.ndarray, out: Out = None) -> np.ndarray:
    out = np.subtract(z, np.max(z, axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.sum(out, axis=-1, keepdims=True)
    return out


def _softmax_calls(z: np.ndarray, out: np.ndarray) -> Calls:
    # `_softmax` without np.max's and np.sum's Python wrappers (the reductions they call,
    # on a row buffer of their own): a third of a 64-16-10 mini-batch epoch went to them
    row = np.empty((z.shape[0], 1))
    return [
        partial(np.maximum.reduce, z, -1, None, row, True),
        partial(np.subtract, z, row, out),
        partial(np.exp, out, out),
        partial(np.add.reduce, out, -1, None, row, True),
        partial(np.divide, out, row, out),
    ]


def _into(values: np.ndarray, out: Out) -> np.ndarray:
    if out is None:
        return values
    np.copyto(out, values)
    return out


@dataclass(frozen=True)
class Activation:
    """f and f'. `derivative(z, a)` gets both z and a = f(z), so sigmoid and tanh reuse a.
    Softmax is not elementwise: its `derivative` is the Jacobian's diagonal (for plots),
    and `backward` applies the full Jacobian."""

    name: str
    symbol: str  # LaTeX name used in formulas, e.g. r"\sigma"
    function: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]
    elementwise: bool = True
    calls: Callable[[np.ndarray, np.ndarray], Calls] | None = None
    derivative_calls: Callable[[np.ndarray, np.ndarray, np.ndarray], Calls] | None = None

    def __call__(self, z: np.ndarray, out: Out = None) -> np.ndarray:
        return self.function(z, out)

    def backward(
        self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray, out: Out = None
    ) -> np.ndarray:
        """delta = dL/dz given grad_a = dL/da, all `(N, n)`. `out` may not alias grad_a."""
        if self.elementwise:
            out = self.derivative(z, a, out)
            return np.multiply(grad_a, out, out=out)
        # softmax: dL/dz_j = a_j * (g_j - sum_k g_k a_k)
        weighted = np.sum(grad_a * a, axis=1, keepdims=True)
        out = np.subtract(grad_a, weighted, out=out)
        return np.multiply(a, out, out=out)

    def forward_calls(self, z: np.ndarray, out: np.ndarray) -> Calls:
        """Calls that leave f(z) in `out`, as `self(z, out)` does."""
        return self.calls(z, out) if self.calls else [partial(self.function, z, out)]

    def backward_calls(
        self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray, out: np.ndarray
    ) -> Calls:
        """Calls that leave delta in `out`, as `self.backward(z, a, grad_a, out)` does."""
        if not self.elementwise:
            return [partial(self.backward, z, a, grad_a, out)]
        if self.derivative_calls:
            derivative = self.derivative_calls(z, a, out)
        else:
            derivative = [partial(self.derivative, z, a, out)]
        return derivative + [partial(np.multiply, grad_a, out, out)]


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid",
            r"\sigma",
            _sigmoid,
            _sigmoid_derivative,
            calls=_sigmoid_calls,
            derivative_calls=_sigmoid_derivative_calls,
        ),
        Activation(
            "tanh",
            r"\tanh",
            _tanh,
            _tanh_derivative,
            calls=_tanh_calls,
            derivative_calls=_tanh_derivative_calls,
        ),
        Activation("relu", r"\operatorname{relu}", _relu, _relu_derivative),
        Activation("leaky_relu", r"\operatorname{lrelu}", _leaky_relu, _leaky_relu_derivative),
        Activation("linear", r"\operatorname{id}", _linear, _linear_derivative),
        Activation(
            "softmax",
            r"\operatorname{softmax}",
            _softmax,
            _sigmoid_derivative,
            elementwise=False,
            calls=_softmax_calls,
        ),
    )
}


def get(name: str) -> Activation:
    """The activation registered under `name` (a spec name, e.g. "sigmoid")."""
    return ACTIVATIONS[name]
