"""Accuracy of a classification network: the fraction of samples whose decided class is the
target's class. Pure NumPy; no Qt."""

from __future__ import annotations

import numpy as np

# The output activation and loss pairs that make a network a classifier (spec section 7).
CLASSIFIERS = {("sigmoid", "bce"), ("softmax", "cross_entropy")}


def is_classifier(output_activation: str, loss: str) -> bool:
    """Whether a network with this output activation and loss decides classes."""
    return (output_activation, loss) in CLASSIFIERS


def accuracy(y_hat: np.ndarray, y: np.ndarray) -> float:
    """The fraction of the `(N, K)` rows whose decided class matches the target's: with one
    output, ŷ ≥ 0.5 against y ≥ 0.5; with several, the argmax of each row."""
    if y.shape[1] == 1:
        hits = (y_hat[:, 0] >= 0.5) == (y[:, 0] >= 0.5)
    else:
        hits = np.argmax(y_hat, axis=1) == np.argmax(y, axis=1)
    return float(np.count_nonzero(hits)) / len(y)
