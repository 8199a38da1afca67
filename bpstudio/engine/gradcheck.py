"""Finite-difference gradient check: backprop's gradients against central differences of
the loss, parameter by parameter. Pure NumPy; no Qt."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpstudio.engine.network import Network, backward, forward, loss_value


@dataclass(frozen=True)
class GradientCheck:
    """One row per parameter, in `net.params` order."""

    names: list[str]
    backprop: np.ndarray
    numeric: np.ndarray

    @property
    def abs_error(self) -> np.ndarray:
        return np.abs(self.backprop - self.numeric)

    @property
    def rel_error(self) -> np.ndarray:
        """|b - n| / max(|b|, |n|), and 0 where both are 0."""
        scale = np.maximum(np.abs(self.backprop), np.abs(self.numeric))
        return np.divide(self.abs_error, scale, out=np.zeros_like(scale), where=scale > 0)

    def passed(self, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
        return bool(np.all((self.rel_error <= rel) | (self.abs_error <= abs_)))


def check(
    net: Network, x: np.ndarray, y: np.ndarray, loss: str, eps: float = 1e-3
) -> GradientCheck:
    """Compares dL/dparams of the batch `x` `(N, n_in)`, `y` `(N, n_out)` from backprop with
    the five-point central difference (8 (L(p+h) - L(p-h)) - (L(p+2h) - L(p-2h))) / 12h,
    whose error is O(h^4): a fairly large h = 1e-3 keeps both it and rounding (which grows
    as 1/h, and matters where a log loss is near a saturated output) small.
    `net` is left unchanged."""
    work = net.copy()
    backward(work, forward(work, x), y, loss)
    analytic = work.grads.copy()
    numeric = np.empty_like(analytic)
    for i in range(work.params.size):
        original = work.params[i]
        h = eps * max(1.0, abs(original))
        at = {}
        for m in (-2, -1, 1, 2):
            work.params[i] = original + m * h
            at[m] = loss_value(work, loss, x, y)
        work.params[i] = original
        numeric[i] = (8 * (at[1] - at[-1]) - (at[2] - at[-2])) / (12 * h)
    return GradientCheck(work.parameter_names(), analytic, numeric)
