"""Edits of the data set: replace it (a generator, a table, a CSV import), edit one cell, add
or remove a row, hold a share of the rows out as a test set. Must not import Qt.

Editing a cell or a row of generated data first turns it into a table of the generated
numbers, in the same undo step; its generated test set becomes a table too. Replacing the data
keeps the test set only where it still belongs to the new data (below).
"""

from __future__ import annotations

import dataclasses
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
from bpstudio.engine.init import STREAM_HOLD_OUT, rng
from bpstudio.maths.formula import format_number

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel

TABLES = ("inputs", "targets")


class SetData(Swap):
    """Replaces the data with `data`, checked as the loader checks a file's data. With
    `fit_network`, the input and output layers first take the data's widths (keeping the
    weights that still apply, as AddNeuron and RemoveNeuron do); otherwise data of the wrong
    width is refused. `text` overrides the undo text (e.g. "Import data.csv").

    If `data` has no test set of its own, the document's is kept where it still matches: a
    generator's `test_samples` with another generator's data, a table's test rows with a table
    as wide; otherwise, or without `keep_test` (an imported file is other data), it is dropped
    and the undo text says so."""

    def __init__(
        self,
        data: DataSpec,
        *,
        fit_network: bool = False,
        keep_test: bool = True,
        text: str | None = None,
    ):
        self.data, self.fit_network, self.text = data, fit_network, text
        self.keep_test = keep_test

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
        data = rules.data_set(layers, document.loss, self._tested(document), document.training.seed)
        if layers is document.layers and data == document.data:
            return document.layers, document.data  # nothing changes
        return layers, data

    def _tested(self, document: Document) -> DataSpec:
        """`data` with the document's test set where it is kept (see the class)."""
        new, old = self.data, document.data
        if has_test(new) or not self.keep_test:
            return new
        if new.generator is not None and old.generator is not None:
            return dataclasses.replace(new, test_samples=old.test_samples)
        if new.generator is None and old.generator is None and old.test_inputs is not None:
            widths = (np.shape(new.inputs)[-1:], np.shape(new.targets)[-1:])
            if widths == (old.test_inputs.shape[1:], np.shape(old.test_targets)[1:]):
                return dataclasses.replace(
                    new, test_inputs=old.test_inputs, test_targets=old.test_targets
                )
        return new

    def describe(self, document: Document) -> str:
        if self.text is not None:
            text = self.text
        elif self.data.generator is not None:
            text = f"Use the {self.data.generator} data set ({self.data.samples} samples)"
        else:
            text = f"Replace the data ({len(np.atleast_1d(self.data.inputs))} rows)"
        dropped = has_test(document.data) and not has_test(self._tested(document))
        return f"{text} (drops the test set)" if dropped else text


class SetNoise(SetData):
    """Sets generated data's noise to `noise`, keeping the rest of `data`. Successive settings
    with the same `drag` number (one drag of a slider) merge into one undo step."""

    merge_id = 6

    def __init__(self, data: DataSpec, noise: Any, drag: int) -> None:
        super().__init__(dataclasses.replace(data, noise=noise))
        self.drag = drag

    def merge(self, other: Edit) -> bool:
        if not isinstance(other, SetNoise) or other.drag != self.drag:
            return False
        self.data = other.data
        return True

    def describe(self, document: Document) -> str:
        return f"Set the noise to {format_number(rules.number(self.data.noise, 'data.noise'))}"


def has_test(data: DataSpec) -> bool:
    """Whether `data` holds a test set (rows of its own, or generated samples)."""
    return data.test_inputs is not None or data.test_samples is not None


def table_keeping_test(document: Document, inputs: np.ndarray, targets: np.ndarray) -> DataSpec:
    """A table of `inputs` and `targets` with the document's test set (a generated one
    written out as rows), for edits that change the training rows only."""
    test = document.test_set()
    if test is None:
        return DataSpec(inputs=inputs, targets=targets)
    return DataSpec(inputs=inputs, targets=targets, test_inputs=test[0], test_targets=test[1])


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
            swap(model, doc.layers, table_keeping_test(doc, x, y))
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
        return document.layers, table_keeping_test(
            document, np.vstack([x, x_row]), np.vstack([y, y_row])
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
        return document.layers, table_keeping_test(
            document, np.delete(x, row, axis=0), np.delete(y, row, axis=0)
        )

    def describe(self, document: Document) -> str:
        return f"Remove data row {self.row + 1}"


class HoldOut(Swap):
    """Splits all the rows (the training rows, then the test rows if there are any) at random
    into a training and a test set: `percent` of them, rounded, but at least one and leaving
    at least one, are held out. The draw comes from training.seed, so the same document and
    percentage give the same split; both sets keep the rows in their order. 0 puts the test
    rows back after the training rows. Generated data becomes a table."""

    def __init__(self, percent: Any) -> None:
        self.percent = percent

    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        percent = rules.number(self.percent, "hold out")
        if not 0.0 <= percent < 100.0:
            raise EditError("hold out", f"must be from 0 to less than 100 %, not {percent:g}")
        x, y = document.dataset()
        test = document.test_set()
        if test is not None:
            x, y = np.vstack([x, test[0]]), np.vstack([y, test[1]])
        if percent == 0.0:
            if len(x) > MAX_SAMPLES:
                raise EditError("data.inputs", f"would have {len(x):,} rows, over {MAX_SAMPLES:,}")
            return document.layers, DataSpec(inputs=x, targets=y)
        if len(x) < 2:
            raise EditError("data.inputs", "has only 1 row: none can be held out")
        held_count = min(max(round(len(x) * percent / 100.0), 1), len(x) - 1)
        if len(x) - held_count > MAX_SAMPLES:
            raise EditError("data.inputs", f"would keep over {MAX_SAMPLES:,} training rows")
        held = np.zeros(len(x), dtype=bool)
        held[rng(document.training.seed, STREAM_HOLD_OUT).permutation(len(x))[:held_count]] = True
        return document.layers, DataSpec(
            inputs=x[~held], targets=y[~held], test_inputs=x[held], test_targets=y[held]
        )

    def describe(self, document: Document) -> str:
        if rules.number(self.percent, "hold out") == 0:
            return "Put the test set back into the training data"
        return f"Hold out {format_number(float(self.percent))} % of the data as a test set"
