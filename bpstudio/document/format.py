"""Reading and writing `.bpnet` files: JSON text <-> Document, with every error as one
DocumentError that names the file and the exact place. Qt-free.

The rules themselves live in validate.py; this module handles files, bytes and JSON text.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np

from bpstudio.document import collector, validate
from bpstudio.document.atomic import atomic_write_text, file_kind, write_problem
from bpstudio.document.checks import DuplicateKeys, Invalid, Rejected
from bpstudio.document.model import DataSpec, Document, History, LayerSpec, TrainingSpec
from bpstudio.document.validate import FORMAT

MAX_FILE_BYTES = 50_000_000  # 50 MB: larger files are refused before they are read
LINE_WIDTH = 100  # containers that fit are written on one line
ROW_PIECE = 5000  # numbers formatted per piece of a long row (see _number_row)
# Inline data of more numbers is checked and written a slice of rows at a time (dumps)
LARGE_DATA = 1_000_000
COMPACT_FROM = 1_000_000  # characters from which an unknown top-level value is one line


class DocumentError(Exception):
    """A document cannot be read, is invalid, or cannot be written.

    `file` is the path as given, `place` the JSON path of the offending value
    (`layers[2].weights[1][0]`, `training.learning_rate`; '' for the file as a whole) and
    `problem` a phrase that completes the sentence. `str()` is one line:
    `"{file}: {place} {problem}"`, e.g. `spiral.bpnet: layers[2].weights has 3 rows,
    expected 4`, or `"{file}: {problem}"` when there is no place, e.g.
    `spiral.bpnet: cannot read the file (No such file or directory)`.
    """

    def __init__(self, file: str, place: str, problem: str) -> None:
        self.file = file
        self.place = place
        self.problem = problem
        text = f"{place} {problem}" if place else problem
        super().__init__(f"{file}: {text}" if file else text)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.file, self.place, self.problem)


# --- reading ------------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Document:
    """Reads and validates the document at `path`. Raises only DocumentError."""
    file = os.fsdecode(path)
    return loads(_read(file), file)


def _read(file: str) -> bytes:
    """The file's bytes. Anything but a regular file (a FIFO, a device, a folder, a socket) is
    refused before it is read: opening without blocking and asking the open file what it is
    never waits on a FIFO's writer, and leaves no window for the path to be swapped."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                what = file_kind(info.st_mode)
                problem = f"cannot read the file (it is {what}, not a regular file)"
                raise DocumentError(file, "", problem)
            if info.st_size > MAX_FILE_BYTES:
                raise _too_large(file, info.st_size)
            data = _read_all(fd, MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)
    except IsADirectoryError:  # Windows opens no folder; POSIX stops at fstat above
        raise DocumentError(file, "", "cannot read the file (it is a folder)") from None
    except OSError as e:
        raise DocumentError(file, "", f"cannot read the file ({_why(file, e)})") from None
    if len(data) > MAX_FILE_BYTES:  # it grew while being read
        raise _too_large(file, len(data))
    return data


def _why(file: str, error: OSError) -> str:
    """Why a file could not be opened: what it is, if it is no regular file (a socket cannot
    even be opened, and says only "No such device or address"), else the system's reason."""
    try:
        mode = os.stat(file).st_mode
    except OSError:
        return str(error.strerror or error)
    if stat.S_ISREG(mode):
        return str(error.strerror or error)
    return f"it is {file_kind(mode)}, not a regular file"


def _read_all(fd: int, limit: int) -> bytes:
    """At most `limit` bytes from `fd`, read to its end."""
    chunks, left = [], limit
    while left and (chunk := os.read(fd, min(left, 1 << 24))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _too_large(file: str, size: int) -> DocumentError:
    return DocumentError(
        file,
        "",
        f"the file is {size / 1e6:,.1f} MB; documents larger than "
        f"{MAX_FILE_BYTES // 1_000_000} MB are refused",
    )


def loads(text: str | bytes, file: str = "<string>") -> Document:
    """The document in `text` (UTF-8 bytes or str; a leading byte order mark is allowed).
    `file` names it in error messages. Raises only DocumentError."""
    if len(text) > MAX_FILE_BYTES:
        raise _too_large(file, len(text))
    if isinstance(text, bytes | bytearray | memoryview):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            bad = e.object[e.start]
            problem = f"is not UTF-8 text (byte 0x{bad:02x} at offset {e.start:,})"
            raise DocumentError(file, "", problem) from None
    return from_dict(_parse_json(text.removeprefix("\ufeff"), file), file)


def _parse_json(text: str, file: str) -> Any:
    try:
        with collector.paused():
            return json.loads(
                text,
                parse_constant=_rejected_constant,
                parse_int=_checked_int,
                parse_float=_float,
                object_pairs_hook=_object_without_duplicates,
            )
    except json.JSONDecodeError as e:
        problem = f"is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})"
        raise DocumentError(file, "", problem) from None
    except RecursionError:
        raise DocumentError(file, "", "is JSON nested too deeply to be a document") from None


def _rejected_constant(name: str) -> Rejected:
    return Rejected(f"must be a finite number, not {name}")


def _float(text: str) -> float:
    """A float, converted in Python rather than inside the JSON scanner: each call lets the
    interpreter switch threads, so a window reading a document on a worker thread keeps
    answering. Without it the scanner held the interpreter's lock through all of a file's
    floats (1.6 s for 49 MB); with it, another thread waited under 0.1 s, and the floats took
    about a third longer to parse."""
    return float(text)


def _checked_int(text: str) -> int | Rejected:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return Rejected(f"is an integer of {len(text):,} digits, too long to read")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    counts = Counter(key for key, _ in pairs)
    return DuplicateKeys(pairs, next(key for key, count in counts.items() if count > 1))


def from_dict(obj: Any, file: str = "<dict>") -> Document:
    """The Document described by a parsed JSON value. Raises only DocumentError."""
    try:
        return validate.document(obj)
    except Invalid as e:
        raise DocumentError(file, e.place, e.problem) from None


# --- writing ------------------------------------------------------------------------------


def to_dict(doc: Document) -> dict[str, Any]:
    """The JSON object of `doc`, keys in the spec's order, unknown top-level keys last.
    Absent values (None) are left out; nothing is validated here."""
    obj: dict[str, Any] = {"format": FORMAT, "version": doc.version}
    if doc.name is not None:
        obj["name"] = doc.name
    if doc.description is not None:
        obj["description"] = doc.description
    obj["layers"] = [_layer_to_dict(layer) for layer in doc.layers]
    obj["loss"] = doc.loss
    obj["training"] = _training_to_dict(doc.training)
    obj["data"] = _data_to_dict(doc.data)
    if doc.history is not None:
        obj["history"] = _history_to_dict(doc.history)
    obj.update((k, v) for k, v in doc.extra.items() if k not in validate.TOP_KEYS)
    return obj


def _history_to_dict(history: History) -> dict[str, Any]:
    out: dict[str, Any] = {
        "epoch": list(map(int, history.epoch)),
        "loss": list(map(float, history.loss)),
    }
    for key in validate.SCORE_KEYS:
        if (values := getattr(history, key)) is not None:
            out[key] = list(map(float, values))
    return out


def _numbers(array: Any) -> Any:
    """The array as nested lists of floats, a matrix row by row: one tolist() of a million
    weights holds Python's lock for ~40 ms, which a recovery copy's worker thread would take
    from the window."""
    array = np.asarray(array, dtype=float)
    return [row.tolist() for row in array] if array.ndim == 2 else array.tolist()


def _layer_to_dict(layer: LayerSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"size": int(layer.size)}
    if layer.activation is not None:
        out["activation"] = layer.activation
    if layer.weights is not None:
        out["weights"] = _numbers(layer.weights)
    if layer.biases is not None:
        out["biases"] = _numbers(layer.biases)
    if not layer.train_biases:
        out["train_biases"] = False
    if layer.labels is not None:
        out["labels"] = list(layer.labels)
    return out


def _training_to_dict(training: TrainingSpec) -> dict[str, Any]:
    """The training settings; the keys of version 2 only where they are used."""
    out: dict[str, Any] = {
        "learning_rate": float(training.learning_rate),
        "momentum": float(training.momentum),
        "batch_size": None if training.batch_size is None else int(training.batch_size),
        "shuffle": bool(training.shuffle),
        "seed": int(training.seed),
        "init": training.init,
    }
    if training.weight_decay:
        out["weight_decay"] = float(training.weight_decay)
    if training.stop_loss is not None:
        out["stop_loss"] = float(training.stop_loss)
    return out


def _data_to_dict(data: DataSpec) -> dict[str, Any]:
    if data.generator is None:
        arrays = {"inputs": data.inputs, "targets": data.targets}
        inline = {key: _numbers(array) for key, array in arrays.items() if array is not None}
        if data.test_inputs is not None and data.test_targets is not None:
            inline["test"] = {
                "inputs": _numbers(data.test_inputs),
                "targets": _numbers(data.test_targets),
            }
        return inline
    out: dict[str, Any] = {
        "generator": data.generator,
        "samples": None if data.samples is None else int(data.samples),
        "noise": float(data.noise),
    }
    if data.seed is not None:
        out["seed"] = int(data.seed)
    if data.test_samples is not None:
        out["test_samples"] = int(data.test_samples)
    return out


def dumps(doc: Document, file: str = "<document>") -> str:
    """`doc` as `.bpnet` text: indented JSON whose short containers and number rows stay on
    one line, floats written so that they read back exactly. The text is validated first,
    so what is written can always be read back; an invalid `doc` raises DocumentError."""
    data = doc.data
    rows = None
    if data.inputs is not None and data.targets is not None:
        x, y = np.asarray(data.inputs, dtype=float), np.asarray(data.targets, dtype=float)
        rows = max(1, LARGE_DATA // (x.shape[-1] + y.shape[-1]))
        rows = rows if len(x) > rows else None
    try:
        if rows is None:
            obj = to_dict(doc)
            from_dict(obj, file)
            return _render(obj, 0, expand=True) + "\n"
        for start in range(0, len(x), rows):  # every rule of the format, a slice at a time
            part = slice(start, start + rows)
            obj = to_dict(replace(doc, data=replace(data, inputs=x[part], targets=y[part])))
            _check_slice(obj, file, start)
    except (TypeError, ValueError) as e:
        raise DocumentError(file, "", f"cannot be written: {e}") from None
    if len(x) != len(y) or len(x) > validate.MAX_SAMPLES:
        raise DocumentError(file, "data", f"has {len(x):,} inputs and {len(y):,} targets")
    obj["data"] = {"inputs": _Rows(x), "targets": _Rows(y)} | (
        {"test": obj["data"]["test"]} if "test" in obj["data"] else {}
    )
    return _render(obj, 0, expand=True) + "\n"


def _check_slice(obj: dict[str, Any], file: str, start: int) -> None:
    """from_dict on a document whose data rows are a slice from row `start`: a problem is
    named at its row in the whole data."""
    try:
        from_dict(obj, file)
    except DocumentError as e:
        match = re.fullmatch(r"(data\.(?:inputs|targets)\[)(\d+)(\].*)", e.place)
        if match is None:
            raise
        head, row, tail = match.groups()
        raise DocumentError(file, f"{head}{int(row) + start}{tail}", e.problem) from None


class _Rows:
    """A matrix of inline data, rendered a row at a time: as one nested list of Python
    floats, 24 million numbers took 800 MB."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _render(value: Any, indent: int, expand: bool = False) -> str:
    """`value` as JSON text starting at column `indent`: on one line if it is a scalar, a
    row of scalars, or fits in LINE_WIDTH; otherwise one item per line."""
    if isinstance(value, _Rows):
        pad = " " * (indent + 2)
        lines = (f"{pad}[{_number_row(row.tolist())}]" for row in value.array)
        return "[\n" + ",\n".join(lines) + "\n" + " " * indent + "]"
    if not expand or not isinstance(value, dict | list) or not value:
        if isinstance(value, list) and set(map(type, value)) <= {int, float}:
            return "[" + _number_row(value) + "]"
        flat = isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)
        scalar = not isinstance(value, dict | list)
        if flat or scalar or not _longer_than(value, LINE_WIDTH - indent):
            compact = json.dumps(
                value, ensure_ascii=False, allow_nan=False, separators=(", ", ": ")
            )
            if flat or scalar or indent + len(compact) <= LINE_WIDTH:
                return compact
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{pad}{json.dumps(key, ensure_ascii=False)}: {_render_item(key, item, indent)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _render(item, indent + 2) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def _render_item(key: str, item: Any, indent: int) -> str:
    """An object's item: an unknown top-level key's huge value is one compact line (a line
    per item took a Python string each: gigabytes for 50 MB of `[],`); all else as above."""
    if indent == 0 and key not in validate.TOP_KEYS and isinstance(item, dict | list):
        if _longer_than(item, COMPACT_FROM):
            return json.dumps(item, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _render(item, indent + 2)


def _longer_than(value: dict | list, width: int) -> bool:
    """Whether `value` in compact JSON is certainly longer than `width` characters, from a
    lower bound on its length counted only as far as needed (encoding a long history just to
    measure it held Python's lock for 160 ms)."""
    length, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Rows):
            return True  # many rows, one per line
        if isinstance(item, dict):
            length += 2 + sum(len(key) + 4 for key in item)  # {} and "key": per key
        elif isinstance(item, list):
            length += 2 + 2 * max(len(item) - 1, 0)  # [] and ", " between items
        else:
            length += 1
        if length > width:
            return True
        if isinstance(item, dict | list):
            stack.extend(item.values() if isinstance(item, dict) else item)
    return False


def _number_row(numbers: list) -> str:
    """The numbers as json writes them (repr), comma-separated, joined in pieces: one join
    over a long history holds Python's lock throughout (a recovery copy written on a worker
    thread after 300,000 epochs stalled the window for 170-230 ms)."""
    return ", ".join(
        ", ".join(map(repr, numbers[i : i + ROW_PIECE])) for i in range(0, len(numbers), ROW_PIECE)
    )


def save(doc: Document, path: str | os.PathLike[str]) -> None:
    """Writes `doc` to `path` atomically (see atomic.py): either the whole new document is
    there afterwards or the old file is untouched, with no temporary file left behind.
    Every failure, invalid document or OS error, raises DocumentError naming `path`."""
    file = os.fsdecode(path)
    text = dumps(doc, file)
    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise DocumentError(file, "", write_problem(e)) from None
