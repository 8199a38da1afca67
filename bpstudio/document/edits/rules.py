"""The document's rules for edits, taken from the loader (validate.py, checks.py) so that an
edit refuses exactly what a file may not hold, in the same words. Must not import Qt.

Every refusal is an EditError naming the place (`training.learning_rate`) and the rule. The
loader's per-part functions (`validate.check_training`, `check_layers`, `check_layer`,
`check_loss`, `check_data`, `check_explicit_data`, `check_history`) are used only here, so a
change to them is fixed in one place.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator, Sequence
from dataclasses import asdict, fields
from typing import Any

import numpy as np

from bpstudio.document import checks, validate
from bpstudio.document.checks import Invalid
from bpstudio.document.model import DataSpec, History, LayerSpec, TrainingSpec


class EditError(ValueError):
    """An edit that the document's rules forbid. `place` is the JSON path of the value, as
    in the loader's messages ('' for none); `problem` the phrase that follows it."""

    def __init__(self, place: str, problem: str) -> None:
        super().__init__(f"{place} {problem}" if place else problem)
        self.place = place
        self.problem = problem


@contextlib.contextmanager
def refused() -> Iterator[None]:
    """Turns the loader's Invalid into EditError."""
    try:
        yield
    except Invalid as e:
        raise EditError(e.place, e.problem) from None


def plain(value: Any) -> Any:
    """NumPy scalars as the Python bool, int or float the loader's checks expect."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def number(value: Any, place: str) -> float:
    """`value` as a float if it is a finite number."""
    with refused():
        return checks.as_number(plain(value), place)


def flag(value: Any, place: str) -> bool:
    with refused():
        return checks.as_bool(plain(value), place)


def text(value: str | None, place: str) -> str | None:
    """`value` if it is None or a string that can be saved (valid Unicode)."""
    if value is None:
        return None
    with refused():
        checks.as_string(value, place)
        checks.scan({place: value})
    return value


def training(spec: TrainingSpec) -> TrainingSpec:
    """`spec` checked and normalised as the loader reads `training`."""
    with refused():
        return validate.check_training({key: plain(value) for key, value in asdict(spec).items()})


def sizes(layers: Sequence[LayerSpec]) -> None:
    """2 to 100 layers, sizes within 1 to 1,024 and at most 1,000,000 parameters in all."""
    shapes: list[dict[str, Any]] = [{"size": plain(layer.size)} for layer in layers]
    shapes[1:] = [{**shape, "activation": "linear"} for shape in shapes[1:]]
    with refused():
        validate.check_layers(shapes)


def activation(layers: Sequence[LayerSpec], layer: int, name: str, loss: str) -> str:
    """`name` if layer `layer` may use it: a known activation, softmax only last, and the
    loss still fits the output layer."""
    sizes_ = [spec.size for spec in layers]
    with refused():
        checked = validate.check_layer({"size": sizes_[layer], "activation": name}, layer, sizes_)
        if layer == len(layers) - 1:
            validate.check_loss(loss, [*layers[:-1], checked])
    return str(checked.activation)


def loss(layers: Sequence[LayerSpec], data: DataSpec, name: str) -> str:
    """`name` if the output layer and the data suit it (e.g. bce targets in [0, 1])."""
    with refused():
        checked = validate.check_loss(name, list(layers))
    data_set(layers, checked, data)  # generated data is the same whatever the loss
    return checked


def data_set(
    layers: Sequence[LayerSpec], loss_name: str, data: DataSpec, training_seed: int = 0
) -> DataSpec:
    """`data` checked and normalised as the loader reads `data` (new float64 arrays), its test
    set too; generated data follows `training_seed` unless it has a seed of its own."""
    if data.generator is None:
        obj: dict[str, Any] = _tables(data.inputs, data.targets)
        if data.test_inputs is not None or data.test_targets is not None:
            obj["test"] = _tables(data.test_inputs, data.test_targets)
    else:
        obj = {"generator": data.generator, "samples": plain(data.samples)}
        obj["noise"] = plain(data.noise)
        if data.seed is not None:
            obj["seed"] = plain(data.seed)
        if data.test_samples is not None:
            obj["test_samples"] = plain(data.test_samples)
    with refused():
        return validate.check_data(obj, list(layers), loss_name, training_seed)


def _tables(inputs: Any, targets: Any) -> dict[str, Any]:
    """`{"inputs": ..., "targets": ...}` as nested lists of floats, leaving out a None."""
    tables = {"inputs": inputs, "targets": targets}
    return {key: np.asarray(t, dtype=float).tolist() for key, t in tables.items() if t is not None}


def data_row(
    layers: Sequence[LayerSpec], loss_name: str, row: int, x: Any, y: Any
) -> tuple[np.ndarray, np.ndarray]:
    """One row of data, inputs `x` and targets `y`, checked as row `row` of a table."""
    obj = {"inputs": [[plain(v) for v in x]], "targets": [[plain(v) for v in y]]}
    try:
        checked = validate.check_explicit_data(obj, list(layers), loss_name)
    except Invalid as e:
        place = e.place.replace("[0]", f"[{row}]", 1)
        raise EditError(place, e.problem) from None
    return checked.inputs[0], checked.targets[0]


def history(value: History) -> History:
    """`value` checked as the loader reads `history` (epochs >= 0, finite losses and scores)."""
    with refused():
        lists = {f.name: getattr(value, f.name) for f in fields(value)}
        return validate.check_history({k: list(v) for k, v in lists.items() if v is not None})


def matrix(value: Any, shape: tuple[int, ...], place: str) -> np.ndarray:
    """`value` as a new float64 array of `shape` holding only finite numbers."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise EditError(place, "must be an array of numbers") from None
    if array.shape != shape:
        raise EditError(place, f"has shape {array.shape}, expected {shape}")
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        at = "".join(f"[{i}]" for i in bad[0])
        value_text = checks.describe(float(array[tuple(bad[0])]))
        raise EditError(place + at, f"must be a finite number, not {value_text}")
    return array
