"""A growing float64 array for per-epoch records (the training history). Pure NumPy; no Qt."""

from __future__ import annotations

import numpy as np


class GrowingArray:
    """An append-only float64 array of rows with amortised doubling, so a million epochs
    cost a handful of reallocations. `values` is a view of the filled part."""

    def __init__(self, width: int | None = None, capacity: int = 1024) -> None:
        shape = (capacity,) if width is None else (capacity, width)
        self._data = np.empty(shape)
        self._size = 0

    def append(self, row: float | np.ndarray) -> None:
        if self._size == len(self._data):
            grown = np.empty((2 * len(self._data),) + self._data.shape[1:])
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = row
        self._size += 1

    def truncate(self, size: int) -> None:
        self._size = min(self._size, size)

    def fill(self, size: int, value: float) -> None:
        """Appends rows of `value` until `size` rows are filled."""
        if size > len(self._data):
            grown = np.empty((max(size, 2 * len(self._data)),) + self._data.shape[1:])
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : size] = value
        self._size = max(self._size, size)

    @property
    def values(self) -> np.ndarray:
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size
