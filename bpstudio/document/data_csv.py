"""The data table as CSV: a header row of column names, then one row of numbers per sample.
Reading reports every bad cell by line and column; writing is atomic. Must not import Qt.
"""

from __future__ import annotations

import csv
import io
import math
import operator
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpstudio.document.atomic import atomic_write_text, write_problem
from bpstudio.document.checks import abbreviate, quote
from bpstudio.document.model import Document
from bpstudio.document.validate import MAX_LAYER_SIZE, MAX_SAMPLES

MAX_COLUMNS = 2 * MAX_LAYER_SIZE  # inputs and targets
MAX_LISTED = 10  # problems listed in a CsvError's message; the rest are counted


class CsvError(Exception):
    """A CSV file that cannot be read or written as data. `file` is the path as given and
    `problems` lists what is wrong, each a phrase such as `line 7, column 3 ("x2"): 'abc'
    is not a number`. `str()` is `"{file}: {problem}"`, one line per problem (at most
    MAX_LISTED, then a count of the others)."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        lines = [f"{file}: {problem}" for problem in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"{file}: ... and {len(self.problems) - MAX_LISTED:,} more problems")
        super().__init__("\n".join(lines))


@dataclass(eq=False)
class CsvTable:
    """A CSV file's column `names` (from its header) and `values`, `(rows, columns)`."""

    file: str
    names: list[str]
    values: np.ndarray

    def split(self, targets: Sequence[int | str]) -> tuple[np.ndarray, np.ndarray]:
        """Inputs `(N, n)` (the other columns, in file order) and targets `(N, k)` (the
        columns `targets`, in that order, each a name or an index; -1 is the last)."""
        chosen = [self._column(which) for which in targets]
        if not chosen:
            raise CsvError(self.file, ["choose at least one target column"])
        twice = [self.names[c] for c in set(chosen) if chosen.count(c) > 1]
        if twice:
            raise CsvError(self.file, [f"column {quote(twice[0])} is chosen as a target twice"])
        inputs = [c for c in range(len(self.names)) if c not in chosen]
        if not inputs:
            raise CsvError(self.file, ["every column is a target: leave at least one input"])
        return self.values[:, inputs], self.values[:, chosen]

    def _column(self, which: int | str) -> int:
        count, names = len(self.names), self.names
        if isinstance(which, str):
            found = [i for i, name in enumerate(names) if name == which]
            if len(found) == 1:
                return found[0]
            listed = ", ".join(map(quote, names))
            problem = f"has {len(found)} columns named {quote(which)}; choose it by number"
            if not found:
                problem = f"has no column named {quote(which)}; its columns are {listed}"
            raise CsvError(self.file, [problem])
        i = operator.index(which)
        if not -count <= i < count:
            raise CsvError(self.file, [f"has no column {i}: it has {count} (0 to {count - 1})"])
        return i % count


def column_names(document: Document) -> tuple[list[str], list[str]]:
    """The data's column names: the input layer's labels, or x1..xn; and y1..yk."""
    labels = document.layers[0].labels
    inputs = list(labels) if labels else [f"x{i + 1}" for i in range(document.sizes[0])]
    return inputs, [f"y{k + 1}" for k in range(document.sizes[-1])]


def read_csv(path: str | os.PathLike[str]) -> CsvTable:
    """The table in the CSV file at `path`: UTF-8 (a byte order mark is allowed), commas,
    a header row, then 1 to 100,000 rows of finite numbers as wide as the header. Blank
    lines are skipped. Raises CsvError listing every problem found."""
    file = os.fsdecode(path)
    reader = None
    try:
        with open(file, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, strict=True)
            return _table(file, reader)
    except OSError as e:
        raise CsvError(file, [f"cannot read the file ({e.strerror or e})"]) from None
    except UnicodeDecodeError as e:
        raise CsvError(file, [f"is not UTF-8 text (byte 0x{e.object[e.start]:02x})"]) from None
    except csv.Error as e:
        line = reader.line_num if reader is not None else 0
        raise CsvError(file, [f"line {line}: {e}"]) from None


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    return (row for row in reader if any(cell.strip() for cell in row))


def _table(file: str, reader: Any) -> CsvTable:
    """The table read from `reader`, a csv.reader (its line_num gives the line)."""
    rows = _rows(reader)
    header = next(rows, None)
    if header is None:
        raise CsvError(file, ["is empty: expected a header row of column names, then numbers"])
    names = [name.strip() for name in header]
    if len(names) > MAX_COLUMNS:
        raise CsvError(file, [f"has {len(names):,} columns; at most {MAX_COLUMNS:,} are allowed"])
    if all(_problem(name) is None for name in names):
        problem = "must be a header row of column names, but it holds only numbers"
        raise CsvError(file, [f"line {reader.line_num} {problem}"])
    values: list[list[float]] = []
    problems: list[str] = []
    for count, row in enumerate(rows, 1):
        if count > MAX_SAMPLES:
            raise CsvError(file, [f"has more than {MAX_SAMPLES:,} rows of data, the most allowed"])
        problems += _row_problems(row, names, reader.line_num)
        if not problems:  # after the first problem only more problems are collected
            values.append([float(cell) for cell in row])
    if problems:
        raise CsvError(file, problems)
    if not values:
        raise CsvError(file, ["has a header row but no rows of data"])
    return CsvTable(file, names, np.array(values, dtype=float))


def _row_problems(row: list[str], names: list[str], line: int) -> list[str]:
    if len(row) != len(names):
        return [f"line {line} has {len(row)} columns, expected {len(names)} as in the header"]
    found = []
    for c, cell in enumerate(row):
        problem = _problem(cell)
        if problem is not None:
            found.append(f"line {line}, column {c + 1} ({quote(names[c])}): {problem}")
    return found


def _problem(cell: str) -> str | None:
    """Why `cell` is not a finite number, or None if it is one."""
    text = cell.strip()
    if not text:
        return "is empty; expected a number"
    shown = repr(abbreviate(text, 30))
    try:
        value = float(text)
    except ValueError:
        return f"{shown} is not a number"
    if "_" in text:  # float() accepts 1_000; a spreadsheet would not
        return f"{shown} is not a number"
    if not math.isfinite(value):
        return f"{shown} is not a finite number"
    return None


def write_csv(path: str | os.PathLike[str], document: Document) -> None:
    """Writes the document's data (generated data as generated) to `path` atomically: the
    header of `column_names`, then one row per sample, numbers that read back exactly.
    Raises CsvError if the file cannot be written."""
    file = os.fsdecode(path)
    inputs, targets = document.dataset()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    input_names, target_names = column_names(document)
    writer.writerow([*input_names, *target_names])
    writer.writerows([list(map(repr, row)) for row in np.hstack([inputs, targets]).tolist()])
    try:
        atomic_write_text(file, buffer.getvalue())
    except OSError as e:
        raise CsvError(file, [write_problem(e)]) from None
