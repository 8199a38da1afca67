"""Training history as CSV: `epoch,loss` and optionally one column per parameter, one row
per epoch, with floats that round-trip. Written from the engine's data, never from a plot.
Qt-free."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from bpstudio.document.atomic import atomic_write_text


def history_csv(
    epochs: Sequence[int] | np.ndarray,
    loss: Sequence[float] | np.ndarray,
    names: Sequence[str] = (),
    values: np.ndarray | None = None,
) -> str:
    """The CSV text. `values` is `(len(epochs), len(names))`: parameter `names[i]` after
    each epoch, NaN where it is not known (an empty cell). Parameter names hold brackets but
    no commas, so they need no quoting."""
    if len(epochs) != len(loss):
        raise ValueError(f"{len(epochs)} epochs but {len(loss)} losses")
    columns = [np.asarray(epochs, dtype=np.int64).tolist(), np.asarray(loss, float).tolist()]
    if names:
        if values is None or np.shape(values) != (len(epochs), len(names)):
            raise ValueError(f"values must be {len(epochs)} x {len(names)}")
        columns += np.asarray(values, float).T.tolist()
    header = ",".join(["epoch", "loss", *names])
    rows = (",".join(_cell(v) for v in row) for row in zip(*columns, strict=True))
    return "\n".join([header, *rows]) + "\n"


def write_history_csv(
    path: str | os.PathLike[str],
    epochs: Sequence[int] | np.ndarray,
    loss: Sequence[float] | np.ndarray,
    names: Sequence[str] = (),
    values: np.ndarray | None = None,
) -> None:
    """`history_csv` written atomically to `path` (OSError on failure)."""
    atomic_write_text(path, history_csv(epochs, loss, names, values))


def _cell(value: float | int) -> str:
    return "" if value != value else repr(value)  # NaN: not known
