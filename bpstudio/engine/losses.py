"""The four losses of the spec (section 2), value and gradient side by side. Pure NumPy; no Qt.

`y_hat` and `y` are `(N, K)`: N samples, K outputs. Values are over the whole batch,
exactly as the spec defines them (sse sums over samples, the others average).
`gradient_calls` gives the gradient as NumPy calls bound to a buffer, for the training
kernel (engine/kernel.py): the same arithmetic, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

Calls = list[Callable[[], object]]


@dataclass(frozen=True)
class Loss:
    name: str
    title: str  # for axis labels: "SSE", "MSE", ...
    value: Callable[[np.ndarray, np.ndarray], float]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]  # dL/dy_hat, (N, K)
    simple_gradient: Callable[[np.ndarray, np.ndarray, np.ndarray], Calls] | None = None

    def gradient_calls(self, y_hat: np.ndarray, y: np.ndarray, out: np.ndarray) -> Calls:
        """Calls that leave `gradient(y_hat, y)` in `out`."""
        if self.simple_gradient:
            return self.simple_gradient(y_hat, y, out)
        return [partial(_gradient_into, self.gradient, y_hat, y, out)]


def _gradient_into(gradient, y_hat: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
    np.copyto(out, gradient(y_hat, y))


# np.add.reduce(..., None) is what np.sum(...) calls, without its Python wrappers.
def _sse(y_hat: np.ndarray, y: np.ndarray) -> float:
    d = y - y_hat
    return 0.5 * float(np.add.reduce(d * d, None))


def _sse_gradient_calls(y_hat: np.ndarray, y: np.ndarray, out: np.ndarray) -> Calls:
    return [partial(np.subtract, y_hat, y, out)]  # y_hat - y


def _mse(y_hat: np.ndarray, y: np.ndarray) -> float:
    d = y - y_hat
    return float(np.add.reduce(d * d, None)) / d.size


def _mse_gradient_calls(y_hat: np.ndarray, y: np.ndarray, out: np.ndarray) -> Calls:
    # 2.0 * (y_hat - y) / y.size
    return [
        partial(np.subtract, y_hat, y, out),
        partial(np.multiply, 2.0, out, out),
        partial(np.divide, out, y.size, out),
    ]


def _bce(y_hat: np.ndarray, y: np.ndarray) -> float:
    # Each log is clamped at -100, as PyTorch's BCELoss does, so a saturated wrong output
    # costs 100 instead of inf, and 0 * log(0) counts as 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.maximum(np.log(y_hat), -100.0)
        log_q = np.maximum(np.log1p(-y_hat), -100.0)
    return -float(np.sum(y * log_p + (1.0 - y) * log_q)) / y.size


def _bce_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (y_hat - y) / (y_hat * (1.0 - y_hat)) / y.size


def _cross_entropy(y_hat: np.ndarray, y: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y == 0, 0.0, y * np.log(y_hat))
    return -float(np.sum(terms)) / y.shape[0]


def _cross_entropy_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, -y / y_hat) / y.shape[0]


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("sse", "SSE", _sse, lambda y_hat, y: y_hat - y, _sse_gradient_calls),
        Loss("mse", "MSE", _mse, lambda y_hat, y: 2.0 * (y_hat - y) / y.size, _mse_gradient_calls),
        Loss("bce", "BCE", _bce, _bce_gradient),
        Loss("cross_entropy", "cross-entropy", _cross_entropy, _cross_entropy_gradient),
    )
}


def get(name: str) -> Loss:
    """The loss registered under `name` (a spec name, e.g. "sse")."""
    return LOSSES[name]
