"""Edits of the data set: replace it (a generator, a table, a CSV import), edit one cell, add
or remove a row. Must not import Qt.

Editing a cell or a row of generated data first turns it into a table of the generated
numbers, in the same undo step.
"""

from __future__ import annotations

import numbers
import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from bpstudio.document.checks import describe
from bpstudio.document.data_csv import column_names
from bpstudio.document.edits import rules
from bpstudio.document.edits.base import Edit, Swap, index, swap
from bpstudio.document.edits.rules import EditError
from bpstudio.document.edits.structure import resized_layers
from bpstudio.document.model import DataSpec, Document, LayerSpec
from bpstudio.document.validate import MAX_SAMPLES
from bpstudio.maths.formula import format_number

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel

TABLES = ("inputs", "targets")


class SetData(Swap):
    """Replaces the data with `data`, checked as the loader checks a file's data. With
    `fit_network`, the input and output layers first take the data's widths (keeping the
    weights that still apply, as AddNeuron and RemoveNeuron do); otherwise data of the wrong
    width is refused. `text` overrides the undo text (e.g. "Import data.csv")."""

    def __init__(self, data: DataSpec, *, fit_network: bool = False, text: str | None = None):
        self.data, self.fit_network, self.text = data, fit_network, text

    @classmethod
    def generated(
        cls, name: str, samples: int, noise: float = 0.0, seed: int | None = None, **options: Any
    ) -> SetData:
        """Data from the generator `name` (xor, circle, gauss, spiral); `seed` None follows
        training.seed. `options`: fit_network, text."""
        return cls(DataSpec(generator=name, samples=samples, noise=noise, seed=seed), **options)

    @classmethod
    def table(cls, inputs: Any, targets: Any, **options: Any) -> SetData:
        """Explicit data: `inputs` `(N, n)` and `targets` `(N, k)` (copied). `options`:
        fit_network, text."""
        x, y = np.array(inputs, dtype=float), np.array(targets, dtype=float)
        return cls(DataSpec(inputs=x, targets=y), **options)

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        layers = _fitted(document, self.data) if self.fit_network else document.layers
        data = rules.data_set(layers, document.loss, self.data, document.training.seed)
        if layers is document.layers and data == document.data:
            return document.layers, document.data  # nothing changes
        return layers, data

    def describe(self, document: Document) -> str:
        if self.text is not None:
            return self.text
        if self.data.generator is not None:
            return f"Use the {self.data.generator} data set ({self.data.samples} samples)"
        return f"Replace the data ({len(np.atleast_1d(self.data.inputs))} rows)"


def _fitted(document: Document, data: DataSpec) -> list[LayerSpec]:
    """The layers with the input and output sizes of `data` (unchanged where they agree)."""
    if data.generator is not None:
        widths = (2, 1)
    elif np.ndim(data.inputs) == 2 and np.ndim(data.targets) == 2:
        widths = (np.shape(data.inputs)[1], np.shape(data.targets)[1])
    else:
        return document.layers  # refused by the data rules
    for layer, width in zip((0, len(document.layers) - 1), widths, strict=True):
        size = document.layers[layer].size
        if width != size:
            keep = range(min(size, width))
            layers = resized_layers(document, layer, keep, width - len(keep))
            document = Document(layers, document.loss, document.training, document.data)
    rules.sizes(document.layers)
    return document.layers


class SetDataCell(Edit):
    """Sets one number of the data: row `row`, column `column` of `table`, "inputs" or
    "targets" (0-based), to `value`, which may be anything typed: `apply` refuses what is not
    a finite number."""

    merge_id = 5
    _old: float | DataSpec  # the cell's number, or the whole generated data it replaced

    def __init__(self, table: str, row: int, column: int, value: Any) -> None:
        if table not in TABLES:
            raise ValueError(f"unknown data table {table!r}; one of {', '.join(TABLES)}")
        self.table, self.row, self.column = table, operator.index(row), operator.index(column)
        self.value = value

    def apply(self, model: DocumentModel) -> None:
        doc = model.document
        x, y = (doc.data.inputs, doc.data.targets) if doc.data.generator is None else doc.dataset()
        assert x is not None and y is not None  # the loader's rules: a table or a generator
        row = index(self.row, f"data.{self.table}", len(x), "row")
        x_row, y_row = x[row].copy(), y[row].copy()
        cells = x_row if self.table == "inputs" else y_row
        place = f"data.{self.table}[{row}]"
        column = index(self.column, place, len(cells), "column")
        cells[column] = rules.number(self.value, f"{place}[{column}]")
        x_row, y_row = rules.data_row(doc.layers, doc.loss, row, x_row, y_row)
        new = (x_row if self.table == "inputs" else y_row)[self.column]
        if doc.data.generator is not None:
            self._old = doc.data
            (x if self.table == "inputs" else y)[row, self.column] = new
            swap(model, doc.layers, DataSpec(inputs=x, targets=y))
        else:
            self._old = float(self._cells(doc)[row, self.column])
            self._put(model, new)

    def revert(self, model: DocumentModel) -> None:
        if isinstance(self._old, DataSpec):
            swap(model, model.document.layers, self._old)
        else:
            self._put(model, self._old)

    def _cells(self, document: Document) -> np.ndarray:
        cells = document.data.inputs if self.table == "inputs" else document.data.targets
        assert cells is not None
        return cells

    def _put(self, model: DocumentModel, value: float) -> None:
        cells = self._cells(model.document)
        if cells[self.row, self.column] != value:
            cells[self.row, self.column] = value
            model.events.data_changed.emit()

    def merge(self, other: Edit) -> bool:
        """Successive settings of the same cell (typing in it) become one step."""
        target = (self.table, self.row, self.column)
        if not isinstance(other, SetDataCell) or (other.table, other.row, other.column) != target:
            return False
        self.value = other.value
        return True

    def describe(self, document: Document) -> str:
        names = column_names(document)[TABLES.index(self.table)]
        name = names[self.column] if self.column < len(names) else f"column {self.column + 1}"
        value = self.value
        shown = format_number(value) if isinstance(value, numbers.Real) else describe(value)
        return f"Set {name} of row {self.row + 1} to {shown}"


class AddDataRow(Swap):
    """Appends a row of data: `inputs` and `targets` (default zeros). At most 100,000 rows."""

    def __init__(self, inputs: Any = None, targets: Any = None) -> None:
        self.inputs, self.targets = inputs, targets

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        x, y = document.dataset()
        if len(x) >= MAX_SAMPLES:
            raise EditError("data.inputs", f"has {len(x):,} rows, the most allowed")
        x_row = np.zeros(x.shape[1]) if self.inputs is None else self.inputs
        y_row = np.zeros(y.shape[1]) if self.targets is None else self.targets
        x_row, y_row = rules.data_row(document.layers, document.loss, len(x), x_row, y_row)
        return document.layers, DataSpec(
            inputs=np.vstack([x, x_row]), targets=np.vstack([y, y_row])
        )

    def describe(self, document: Document) -> str:
        data = document.data
        rows = data.samples if data.generator is not None else len(np.atleast_2d(data.inputs))
        return f"Add data row {rows + 1}"


class RemoveDataRow(Swap):
    """Removes row `row` of the data (0-based). The data keeps at least one row."""

    def __init__(self, row: int) -> None:
        self.row = operator.index(row)

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        x, y = document.dataset()
        row = index(self.row, "data.inputs", len(x), "row")
        if len(x) == 1:
            raise EditError("data.inputs", "must keep at least one row")
        return document.layers, DataSpec(
            inputs=np.delete(x, row, axis=0), targets=np.delete(y, row, axis=0)
        )

    def describe(self, document: Document) -> str:
        return f"Remove data row {self.row + 1}"
