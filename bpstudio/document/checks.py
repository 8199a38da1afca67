"""Generic checks of parsed JSON values, each failure naming the exact JSON place.

Qt-free and document-agnostic: validate.py applies these to the `.bpnet` rules. A failure
raises `Invalid(place, problem)`: `place` is the JSON path of the offending value
(`layers[2].weights[1][0]`, '' for the whole document) and `problem` a phrase that reads
as a sentence after it ("has 3 rows, expected 4").
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

MAX_DEPTH = 64  # JSON nesting; the spec's own structure needs 4

_NUMBER_TYPES = {int, float}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Invalid(Exception):
    """A document breaks a rule of the format at `place`."""

    def __init__(self, place: str, problem: str) -> None:
        super().__init__(place, problem)
        self.place = place
        self.problem = problem


class Rejected:
    """Stands in for a JSON value the parser refused (NaN, Infinity, an integer with too
    many digits) until the scan reports it at its place."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


class DuplicateKeys(dict):
    """A JSON object that had `key` more than once; the scan reports it at its place."""

    def __init__(self, pairs: Iterable[tuple[str, Any]], key: str) -> None:
        super().__init__(pairs)
        self.key = key


def abbreviate(text: str, limit: int = 40) -> str:
    """`text` cut to about `limit` characters, for messages."""
    return text if len(text) <= limit else f"{text[: limit - 3]}... ({len(text):,} characters)"


def quote(text: str, limit: int = 40) -> str:
    """`text` as a short JSON string literal for messages, kept on one line: characters
    that do not print (line separators, controls) are escaped."""
    literal = json.dumps(abbreviate(text, limit), ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in literal)


def describe(value: Any) -> str:
    """A short name for a JSON value in messages: `null`, `true`, `2.5`, `"abc"`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        # 1e999 in a file reads as an infinity too
        return f"{'-' if value < 0 else ''}Infinity (or a number beyond 1.8e308)"
    if isinstance(value, int) and value.bit_length() > 1000:  # repr refuses > 4300 digits
        return f"an integer of {value.bit_length():,} bits"
    if isinstance(value, int | float):
        return abbreviate(repr(value), 24)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a Python {type(value).__name__}"


def child(place: str, key: str) -> str:
    """The JSON path of `key` inside the object at `place`."""
    if not _IDENTIFIER.fullmatch(key):
        return f"{place}[{quote(key, 1000)}]"
    return f"{place}.{key}" if place else key


# --- the whole tree: JSON values only, finite, not too deep ------------------------------


def _all_plain_numbers(items: Iterable[Any]) -> bool:
    """True when every item is a finite int or float (not a bool). May say False for finite
    numbers whose sum overflows; callers then check item by item."""
    values = list(items)
    if not set(map(type, values)) <= _NUMBER_TYPES:
        return False
    try:
        return math.isfinite(sum(values))  # a NaN or an infinity makes the sum non-finite
    except OverflowError:
        return False


def _numbers_or_rows(items: list[Any]) -> bool:
    """True for a list of finite numbers or of lists of finite numbers (data, weights)."""
    if items and all(type(item) is list for item in items):
        return _all_plain_numbers(itertools.chain.from_iterable(items))
    return _all_plain_numbers(items)


def scan(root: Any) -> None:
    """Rejects anything in the tree that is not a plain, finite JSON value: parser
    rejects, duplicate or non-string keys, lone surrogates, containers nested deeper
    than MAX_DEPTH. Of several problems, the first in document order is reported."""
    _check_node(root, None, 0)
    if not isinstance(root, dict | list):
        return
    # One iterator per open container: memory follows the depth, not the number of values,
    # and a place's text is made only for a value that is refused (a 50 MB file may hold
    # millions of values).
    stack: list[tuple[Iterator[tuple[str | int, Any]], Place, int]] = [
        (_children(root, None, 0), None, 1)
    ]
    while stack:
        children, parent, depth = stack[-1]
        for key, value in children:
            place = (parent, key)
            _check_node(value, place, depth)
            if isinstance(value, dict | list):
                stack.append((_children(value, place, depth), place, depth + 1))
                break
        else:
            stack.pop()


# A place as a chain (parent, key) of dict keys (str) and list indices (int), turned into
# text such as `layers[2].weights` only when a problem is reported there.
Place = tuple[Any, str | int] | None


def _place_text(place: Place) -> str:
    keys: list[str | int] = []
    while place is not None:
        place, key = place
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text = f"{text}[{key}]" if isinstance(key, int) else child(text, key)
    return text


def _check_node(value: Any, place: Place, depth: int) -> None:
    """The checks of one value itself (its children are visited by `scan`)."""
    if isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            raise Invalid(_place_text(place), f"is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, DuplicateKeys):
            text = _place_text(place)
            subject = "" if text else "the document "
            raise Invalid(text, f"{subject}has the key {quote(value.key)} more than once")
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    raise Invalid(_place_text(place), f"has a key that is not a string: {key!r}")
                _check_text(key, place)
    else:
        _check_scalar(value, place)


def _children(value: dict | list, place: Place, depth: int) -> Iterator[tuple[str | int, Any]]:
    """The (key or index, value) pairs of a container that `scan` must visit: none for a
    list of numbers or of rows of numbers, checked at once (data, weights)."""
    if isinstance(value, dict):
        return iter(value.items())
    if depth < MAX_DEPTH and _numbers_or_rows(value):
        return iter(())
    return enumerate(value)


def _check_scalar(value: Any, place: Place) -> None:
    if isinstance(value, Rejected):
        raise Invalid(_place_text(place), value.problem)
    if isinstance(value, str):
        _check_text(value, place)
    elif isinstance(value, float) and not math.isfinite(value):
        raise Invalid(_place_text(place), f"must be a finite number, not {describe(value)}")
    elif value is not None and type(value) not in (bool, int, float):
        raise Invalid(_place_text(place), f"is not a JSON value but {describe(value)}")


def _check_text(text: str, place: Place) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(
            _place_text(place), "contains a lone surrogate, which is not valid Unicode"
        ) from None


# --- scalars --------------------------------------------------------------------------


def required(obj: dict[str, Any], key: str, place: str) -> Any:
    if key not in obj:
        raise Invalid(child(place, key), "is missing")
    return obj[key]


def as_object(value: Any, place: str, allowed: Sequence[str]) -> dict[str, Any]:
    """`value` if it is an object whose keys are all `allowed`."""
    if not isinstance(value, dict):
        raise Invalid(place, f"must be an object, not {describe(value)}")
    for key in value:
        if key not in allowed:
            hint = _suggestion(key, allowed) or "; allowed: " + ", ".join(allowed)
            raise Invalid(place, f"has unknown key {quote(key)}{hint}")
    return value


def _suggestion(word: str, choices: Sequence[str]) -> str:
    """` (did you mean "x"?)` for a likely typo of one of `choices`, else ''."""
    close = difflib.get_close_matches(word, choices, n=1) if len(word) <= 40 else []
    return f' (did you mean "{close[0]}"?)' if close else ""


def as_list(value: Any, place: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(place, f"must be a list, not {describe(value)}")
    return value


def as_string(value: Any, place: str) -> str:
    if not isinstance(value, str):
        raise Invalid(place, f"must be a string, not {describe(value)}")
    return value


def as_bool(value: Any, place: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(place, f"must be true or false, not {describe(value)}")
    return value


def as_choice(value: Any, place: str, names: Iterable[str]) -> str:
    names = tuple(names)
    if not isinstance(value, str) or value not in names:
        hint = _suggestion(value, names) if isinstance(value, str) else ""
        raise Invalid(place, f"must be one of {', '.join(names)}, not {describe(value)}{hint}")
    return value


def as_int(value: Any, place: str, low: int | None = None, high: int | None = None) -> int:
    """`value` if it is an integer (JSON `true` is not) within [low, high]."""
    if type(value) is not int:
        raise Invalid(place, f"must be an integer, not {describe(value)}")
    if low is not None and high is not None and not low <= value <= high:
        raise Invalid(place, f"must be between {low:,} and {high:,}, not {describe(value)}")
    if low is not None and value < low:
        raise Invalid(place, f"must be at least {low:,}, not {describe(value)}")
    return value


def as_number(value: Any, place: str) -> float:
    """`value` as a float if it is a finite JSON number (JSON `true` is not)."""
    if type(value) not in _NUMBER_TYPES:
        raise Invalid(place, f"must be a number, not {describe(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise Invalid(place, f"is too large a number: {describe(value)}") from None
    if not math.isfinite(number):
        raise Invalid(place, f"must be a finite number, not {describe(value)}")
    return number


# --- vectors and matrices ----------------------------------------------------------------


def as_vector(value: Any, place: str, length: int | None, noun: str, hint: str = "") -> np.ndarray:
    """`value` as a float64 vector `(length,)`; fails at the first entry that is wrong."""
    items = as_list(value, place)
    if length is not None and len(items) != length:
        raise Invalid(place, f"has {len(items):,} {noun}, expected {length:,}{hint}")
    if _all_plain_numbers(items):
        try:
            return np.array(items, dtype=float).reshape(len(items))
        except OverflowError:
            pass  # an integer beyond float range: found and named below
    return np.array([as_number(v, f"{place}[{k}]") for k, v in enumerate(items)], dtype=float)


def as_matrix(
    value: Any, place: str, rows: int | None, cols: int, noun: str, hint: str = ""
) -> np.ndarray:
    """`value` as a float64 matrix `(rows, cols)` given as a list of rows."""
    items = as_list(value, place)
    if rows is not None and len(items) != rows:
        raise Invalid(place, f"has {len(items):,} rows, expected {rows:,}")
    matrix = np.empty((len(items), cols))
    fast = all(type(row) is list and len(row) == cols for row in items)
    if fast and _all_plain_numbers(itertools.chain.from_iterable(items)):
        try:
            for j, row in enumerate(items):  # row by row: other threads run in between
                matrix[j] = row
            return matrix
        except OverflowError:
            pass  # an integer beyond float range: found and named below
    for j, row in enumerate(items):
        matrix[j] = as_vector(row, f"{place}[{j}]", cols, noun, hint)
    return matrix
