"""Accuracy of a classification network: the fraction of samples whose decided class is the
target's class. Pure NumPy; no Qt."""

from __future__ import annotations

import numpy as np

# The output activation and loss pairs that make a network a classifier (spec section 7).
CLASSIFIERS = {("sigmoid", "bce"), ("softmax", "cross_entropy")}


def is_classifier(output_activation: str, loss: str) -> bool:
    """Whether a network with this output activation and loss decides classes."""
    return (output_activation, loss) in CLASSIFIERS


def classes(values: np.ndarray) -> np.ndarray:
    """The class each `(N, K)` row decides: with one column, whether it is ≥ 0.5; with
    several, the index of the largest (the first on a tie)."""
    if values.shape[1] == 1:
        return values[:, 0] >= 0.5
    return np.argmax(values, axis=1)


def agreement(y_hat: np.ndarray, target_classes: np.ndarray) -> float:
    """The fraction of rows of `y_hat` that decide `target_classes` (from `classes`): the
    training loop computes the targets' classes once."""
    return float(np.count_nonzero(classes(y_hat) == target_classes)) / len(target_classes)


def accuracy(y_hat: np.ndarray, y: np.ndarray) -> float:
    """The fraction of the `(N, K)` rows whose decided class matches the target's."""
    return agreement(y_hat, classes(y))


def confusion(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The `(K, K)` confusion matrix of `(N, K)` outputs against their targets: entry
    `[t, d]` counts the samples of target class t that the network decides as class d, so
    the diagonal holds the right decisions. One output has two classes: 0 (below 0.5) and
    1 (at least 0.5)."""
    k = max(2, y.shape[1])
    true = classes(y).astype(np.int64)
    decided = classes(y_hat).astype(np.int64)
    return np.bincount(true * k + decided, minlength=k * k).reshape(k, k)
