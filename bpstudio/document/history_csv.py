"""Training history as CSV: `epoch,loss`, the test loss and accuracies where they are known,
and optionally one column per parameter, one row per epoch, with floats that round-trip.
Written from the engine's data, never from a plot. Qt-free."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from bpstudio.document.atomic import atomic_write_text
from bpstudio.document.validate import SCORE_KEYS as SCORES  # the columns after `loss`


def history_csv(
    epochs: Sequence[int] | np.ndarray,
    loss: Sequence[float] | np.ndarray,
    names: Sequence[str] = (),
    values: np.ndarray | None = None,
    scores: Mapping[str, Sequence[float] | None] | None = None,
) -> str:
    """The CSV text. `values` is `(len(epochs), len(names))`: parameter `names[i]` after
    each epoch, NaN where it is not known (an empty cell). Parameter names hold brackets but
    no commas, so they need no quoting. `scores` (`test_loss`, `accuracy`, `test_accuracy`:
    one value per epoch, or None) are columns after `loss`, in the order of SCORES."""
    if len(epochs) != len(loss):
        raise ValueError(f"{len(epochs)} epochs but {len(loss)} losses")
    columns = [np.asarray(epochs, dtype=np.int64).tolist(), np.asarray(loss, float).tolist()]
    score_names = [key for key in SCORES if (scores or {}).get(key) is not None]
    for key in score_names:
        column = np.asarray(scores[key], float).tolist()  # type: ignore[index]
        if len(column) != len(epochs):
            raise ValueError(f"{len(epochs)} epochs but {len(column)} values of {key}")
        columns.append(column)
    if names:
        if values is None or np.shape(values) != (len(epochs), len(names)):
            raise ValueError(f"values must be {len(epochs)} x {len(names)}")
        columns += np.asarray(values, float).T.tolist()
    header = ",".join(["epoch", "loss", *score_names, *names])
    rows = (",".join(_cell(v) for v in row) for row in zip(*columns, strict=True))
    return "\n".join([header, *rows]) + "\n"


def write_history_csv(
    path: str | os.PathLike[str],
    epochs: Sequence[int] | np.ndarray,
    loss: Sequence[float] | np.ndarray,
    names: Sequence[str] = (),
    values: np.ndarray | None = None,
    scores: Mapping[str, Sequence[float] | None] | None = None,
) -> None:
    """`history_csv` written atomically to `path` (OSError on failure)."""
    atomic_write_text(path, history_csv(epochs, loss, names, values, scores))


def _cell(value: float | int) -> str:
    return "" if value != value else repr(value)  # NaN: not known
