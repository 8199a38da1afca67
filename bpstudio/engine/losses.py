"""The four losses of the spec (section 2), value and gradient side by side. Pure NumPy; no Qt.

`y_hat` and `y` are `(N, K)`: N samples, K outputs. Values are over the whole batch,
exactly as the spec defines them (sse sums over samples, the others average).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Loss:
    name: str
    title: str  # for axis labels: "SSE", "MSE", ...
    value: Callable[[np.ndarray, np.ndarray], float]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]  # dL/dy_hat, (N, K)


def _sse(y_hat: np.ndarray, y: np.ndarray) -> float:
    d = y - y_hat
    return 0.5 * float(np.sum(d * d))


def _mse(y_hat: np.ndarray, y: np.ndarray) -> float:
    d = y - y_hat
    return float(np.sum(d * d)) / d.size


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
        Loss("sse", "SSE", _sse, lambda y_hat, y: y_hat - y),
        Loss("mse", "MSE", _mse, lambda y_hat, y: 2.0 * (y_hat - y) / y.size),
        Loss("bce", "BCE", _bce, _bce_gradient),
        Loss("cross_entropy", "cross-entropy", _cross_entropy, _cross_entropy_gradient),
    )
}


def get(name: str) -> Loss:
    """The loss registered under `name` (a spec name, e.g. "sse")."""
    return LOSSES[name]
