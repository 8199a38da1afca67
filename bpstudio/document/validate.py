"""The rules of the `.bpnet` format (spec sections 1 and 5): checks a parsed JSON value and
builds the Document from it. Qt-free; reads no files and no JSON text (see format.py).

Every failure raises `checks.Invalid(place, problem)` naming the exact JSON place.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from bpstudio.document.checks import (
    MAX_DEPTH,
    DuplicateKeys,
    Invalid,
    Rejected,
    abbreviate,
    as_bool,
    as_choice,
    as_int,
    as_list,
    as_matrix,
    as_number,
    as_object,
    as_string,
    as_vector,
    child,
    describe,
    quote,
    required,
    scan,
)
from bpstudio.document.model import DataSpec, Document, History, LayerSpec, TrainingSpec
from bpstudio.engine.activations import ACTIVATIONS
from bpstudio.engine.datasets import GENERATORS, generate
from bpstudio.engine.init import INIT_SCHEMES
from bpstudio.engine.losses import LOSSES

# The generic checks are re-exported: edits and the CSV reader apply the same rules.
__all__ = [
    "DATA_KEYS",
    "FORMAT",
    "HISTORY_KEYS",
    "INPUT_LAYER_KEYS",
    "LAYER_KEYS",
    "MAX_DEPTH",
    "MAX_EPOCH",
    "MAX_LAYERS",
    "MAX_LAYER_SIZE",
    "MAX_PARAMETERS",
    "MAX_SAMPLES",
    "TOP_KEYS",
    "TRAINING_KEYS",
    "VERSION",
    "DuplicateKeys",
    "Invalid",
    "Rejected",
    "abbreviate",
    "as_bool",
    "as_choice",
    "as_int",
    "as_list",
    "as_matrix",
    "as_number",
    "as_object",
    "as_string",
    "as_vector",
    "child",
    "describe",
    "document",
    "quote",
    "required",
    "scan",
]

FORMAT = "bpstudio.network"
VERSION = 2  # the newest version read and written; a document without its keys is written as 1
MAX_LAYER_SIZE = 1024
MAX_SAMPLES = 100_000
MAX_PARAMETERS = 1_000_000
MAX_LAYERS = 100
MAX_EPOCH = 1_000_000_000  # far beyond any run; keeps epoch arithmetic in 64-bit integers

TOP_KEYS = (
    "format",
    "version",
    "name",
    "description",
    "layers",
    "loss",
    "training",
    "data",
    "history",
)
LAYER_KEYS = ("size", "activation", "weights", "biases", "train_biases", "labels")
INPUT_LAYER_KEYS = ("size", "labels")
TRAINING_KEYS = tuple(spec_field.name for spec_field in fields(TrainingSpec))
DATA_KEYS = ("inputs", "targets", "test", "generator", "samples", "noise", "seed", "test_samples")
TEST_KEYS = ("inputs", "targets")
HISTORY_KEYS = ("epoch", "loss", "test_loss", "accuracy", "test_accuracy")
SCORE_KEYS = HISTORY_KEYS[2:]


def document(obj: Any) -> Document:
    """The Document described by the parsed JSON value `obj`, or Invalid."""
    if not isinstance(obj, dict):
        raise Invalid("", f"the document must be a JSON object, not {describe(obj)}")
    _check_header(obj)
    scan(obj)
    layers = check_layers(required(obj, "layers", ""))
    loss = check_loss(required(obj, "loss", ""), layers)
    training = check_training(required(obj, "training", ""))
    data = check_data(required(obj, "data", ""), layers, loss, training.seed)
    history = check_history(obj["history"]) if "history" in obj else None
    # Kept as parsed, never copied: bpstudio only writes them back (a 49 MB unknown value
    # copied once more took seconds and another GB).
    extra = {key: value for key, value in obj.items() if key not in TOP_KEYS}
    return Document(
        layers=layers,
        loss=loss,
        training=training,
        data=data,
        name=as_string(obj["name"], "name") if "name" in obj else None,
        description=as_string(obj["description"], "description") if "description" in obj else None,
        history=history,
        extra=extra,
    )


def _check_header(obj: dict[str, Any]) -> None:
    """Format and version come first: a newer file must say so, whatever else it holds."""
    for key in ("format", "version"):
        if isinstance(obj.get(key), Rejected):
            raise Invalid(key, obj[key].problem)
    fmt = required(obj, "format", "")
    if fmt != FORMAT:
        raise Invalid("format", f"must be {quote(FORMAT)}, not {describe(fmt)}")
    version = as_int(required(obj, "version", ""), "version")
    if version > VERSION:
        raise Invalid(
            "version",
            f"is {describe(version)}: the file was written by a newer bpstudio "
            f"(this one reads version {VERSION}); update bpstudio to open it",
        )
    if version < 1:
        raise Invalid("version", f"must be 1 to {VERSION}, not {version}")


def check_layers(value: Any) -> list[LayerSpec]:
    items = as_list(value, "layers")
    if len(items) < 2:
        raise Invalid("layers", f"must hold at least 2 layers (input and output), not {len(items)}")
    if len(items) > MAX_LAYERS:
        raise Invalid(
            "layers",
            f"hold {len(items):,} layers; at most {MAX_LAYERS} are allowed "
            "(input and output included)",
        )
    sizes = [_layer_size(item, i) for i, item in enumerate(items)]
    count = sum(sizes[i] * sizes[i - 1] + sizes[i] for i in range(1, len(sizes)))
    if count > MAX_PARAMETERS:
        raise Invalid(
            "layers",
            f"describe a network of {count:,} parameters; at most {MAX_PARAMETERS:,} are allowed",
        )
    return [check_layer(item, i, sizes) for i, item in enumerate(items)]


def _layer_size(value: Any, index: int) -> int:
    """Checks the layer's keys and returns its size."""
    place = f"layers[{index}]"
    obj = as_object(value, place, LAYER_KEYS)
    if index == 0:
        for key in obj:
            if key not in INPUT_LAYER_KEYS:
                only = '"size" and "labels"'
                raise Invalid(place, f"is the input layer: it takes only {only}, not {quote(key)}")
    return as_int(required(obj, "size", place), f"{place}.size", 1, MAX_LAYER_SIZE)


def check_layer(obj: dict[str, Any], index: int, sizes: list[int]) -> LayerSpec:
    place = f"layers[{index}]"
    size = sizes[index]
    labels = _labels(obj["labels"], f"{place}.labels", size) if "labels" in obj else None
    if index == 0:
        return LayerSpec(size=size, labels=labels)
    activation = as_choice(required(obj, "activation", place), f"{place}.activation", ACTIVATIONS)
    if activation == "softmax" and index != len(sizes) - 1:
        raise Invalid(f"{place}.activation", "is softmax, which only the last layer may use")
    weights = None
    if "weights" in obj:
        hint = f" (one per neuron of layers[{index - 1}])"
        cols = sizes[index - 1]
        weights = as_matrix(obj["weights"], f"{place}.weights", size, cols, "columns", hint)
    biases = None
    if "biases" in obj:
        biases = as_vector(obj["biases"], f"{place}.biases", size, "numbers")
    train_biases = as_bool(obj.get("train_biases", True), f"{place}.train_biases")
    return LayerSpec(size, activation, weights, biases, train_biases, labels)


def _labels(value: Any, place: str, size: int) -> list[str]:
    items = as_list(value, place)
    if len(items) != size:
        raise Invalid(place, f"has {len(items):,} labels, expected {size:,} (one per neuron)")
    return [as_string(item, f"{place}[{i}]") for i, item in enumerate(items)]


def check_loss(value: Any, layers: list[LayerSpec]) -> str:
    loss = as_choice(value, "loss", LOSSES)
    output = layers[-1].activation
    if loss == "cross_entropy" and output != "softmax":
        raise Invalid(
            "loss",
            f"is cross_entropy, which needs a softmax output layer; "
            f"layers[{len(layers) - 1}].activation is {output}",
        )
    return loss


def check_training(value: Any) -> TrainingSpec:
    obj = as_object(value, "training", TRAINING_KEYS)
    raw_rate = required(obj, "learning_rate", "training")
    rate = as_number(raw_rate, "training.learning_rate")
    if rate <= 0:
        raise Invalid("training.learning_rate", f"must be greater than 0, not {describe(raw_rate)}")
    raw_momentum = obj.get("momentum", 0.0)
    momentum = as_number(raw_momentum, "training.momentum")
    if not 0.0 <= momentum < 1.0:
        raise Invalid("training.momentum", f"must be in [0, 1), not {describe(raw_momentum)}")
    batch = obj.get("batch_size")
    raw_decay = obj.get("weight_decay", 0.0)
    decay = as_number(raw_decay, "training.weight_decay")
    if decay < 0:
        raise Invalid("training.weight_decay", f"must be at least 0, not {describe(raw_decay)}")
    stop = obj.get("stop_loss")
    return TrainingSpec(
        learning_rate=rate,
        momentum=momentum,
        batch_size=None if batch is None else as_int(batch, "training.batch_size", low=1),
        shuffle=as_bool(obj.get("shuffle", False), "training.shuffle"),
        seed=as_int(obj.get("seed", 0), "training.seed"),
        init=as_choice(obj.get("init", "xavier"), "training.init", INIT_SCHEMES),
        weight_decay=decay,
        stop_loss=None if stop is None else as_number(stop, "training.stop_loss"),
    )


def check_data(value: Any, layers: list[LayerSpec], loss: str, training_seed: int = 0) -> DataSpec:
    """`data` checked; generated data is made (with `data.seed`, else `training_seed`) to
    prove that every number of it is finite."""
    obj = as_object(value, "data", DATA_KEYS)
    explicit = [key for key in ("inputs", "targets", "test") if key in obj]
    generated = [
        key for key in ("generator", "samples", "noise", "seed", "test_samples") if key in obj
    ]
    if explicit and generated:
        raise Invalid(
            "data",
            f"mixes {quote(explicit[0])} with {quote(generated[0])}: "
            'give either "inputs" and "targets" or a "generator"',
        )
    if not explicit and not generated:
        raise Invalid("data", 'needs either "inputs" and "targets" or a "generator"')
    if generated:
        return _generated_data(obj, layers, training_seed)
    return check_explicit_data(obj, layers, loss)


def check_explicit_data(obj: dict[str, Any], layers: list[LayerSpec], loss: str) -> DataSpec:
    x, y = _inline_rows(obj, "data", layers, loss)
    if "test" not in obj:
        return DataSpec(inputs=x, targets=y)
    test = as_object(obj["test"], "data.test", TEST_KEYS)
    test_x, test_y = _inline_rows(test, "data.test", layers, loss)
    return DataSpec(inputs=x, targets=y, test_inputs=test_x, test_targets=test_y)


def _inline_rows(
    obj: dict[str, Any], place: str, layers: list[LayerSpec], loss: str
) -> tuple[np.ndarray, np.ndarray]:
    """The checked `inputs` and `targets` of `obj`, found at `place`."""
    inputs = as_list(required(obj, "inputs", place), f"{place}.inputs")
    if not 1 <= len(inputs) <= MAX_SAMPLES:
        problem = f"has {len(inputs):,} rows; 1 to {MAX_SAMPLES:,} are allowed"
        raise Invalid(f"{place}.inputs", problem)
    n_in, n_out, last = layers[0].size, layers[-1].size, len(layers) - 1
    x = as_matrix(inputs, f"{place}.inputs", None, n_in, "numbers", " (the size of layers[0])")
    targets = required(obj, "targets", place)
    hint = f" (the size of layers[{last}])"
    y = as_matrix(targets, f"{place}.targets", len(inputs), n_out, "numbers", hint)
    if loss in ("bce", "cross_entropy"):
        outside = np.argwhere((y < 0.0) | (y > 1.0))
        if outside.size:
            p, k = outside[0]
            raise Invalid(
                f"{place}.targets[{p}][{k}]",
                f"must be between 0 and 1 for the {loss} loss, not {describe(float(y[p, k]))}",
            )
    return x, y


def _generated_data(obj: dict[str, Any], layers: list[LayerSpec], training_seed: int) -> DataSpec:
    name = as_choice(required(obj, "generator", "data"), "data.generator", GENERATORS)
    samples = as_int(required(obj, "samples", "data"), "data.samples", 1, MAX_SAMPLES)
    test_samples = obj.get("test_samples")
    if test_samples is not None:
        test_samples = as_int(test_samples, "data.test_samples", 1, MAX_SAMPLES)
    noise = as_number(obj.get("noise", 0.0), "data.noise")
    if noise < 0:
        raise Invalid("data.noise", f"must be at least 0, not {describe(obj['noise'])}")
    seed = obj.get("seed")
    if seed is not None:
        seed = as_int(seed, "data.seed")
    n_in, n_out = layers[0].size, layers[-1].size
    if (n_in, n_out) != (2, 1):
        raise Invalid(
            "data.generator",
            f"{quote(name)} makes 2 inputs and 1 target, but the network has "
            f"{n_in} input{'s' * (n_in != 1)} and {n_out} output{'s' * (n_out != 1)}",
        )
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the message below
        x, _ = generate(name, samples, noise, training_seed if seed is None else seed)
    if not np.isfinite(x).all():
        raise Invalid(
            "data.noise",
            f"is {describe(obj['noise'])}: the {quote(name)} points it makes overflow to "
            "infinity; use a noise of a few units at most",
        )
    return DataSpec(
        generator=name, samples=samples, noise=noise, seed=seed, test_samples=test_samples
    )


def check_history(value: Any) -> History:
    obj = as_object(value, "history", HISTORY_KEYS)
    epochs = as_list(required(obj, "epoch", "history"), "history.epoch")
    if not (set(map(type, epochs)) <= {int} and 0 <= min(epochs, default=0)):
        for i, e in enumerate(epochs):  # names the first entry that is wrong
            as_int(e, f"history.epoch[{i}]", low=0)
    if max(epochs, default=0) > MAX_EPOCH:
        i = next(i for i, e in enumerate(epochs) if e > MAX_EPOCH)
        raise Invalid(f"history.epoch[{i}]", f"is {epochs[i]:,}; epochs go up to {MAX_EPOCH:,}")
    steps = np.diff(np.asarray(epochs, dtype=np.int64)) if len(epochs) > 1 else np.empty(0)
    if (steps <= 0).any():
        i = int(np.flatnonzero(steps <= 0)[0]) + 1
        raise Invalid(
            f"history.epoch[{i}]",
            f"is {epochs[i]:,}, not after the epoch before it ({epochs[i - 1]:,}): "
            "epochs must be strictly increasing",
        )
    epoch = list(epochs)
    loss = as_vector(
        required(obj, "loss", "history"),
        "history.loss",
        len(epoch),
        "entries",
        " (one per entry of history.epoch)",
    )
    hint = " (one per entry of history.epoch)"
    scores = {
        key: as_vector(obj[key], f"history.{key}", len(epoch), "entries", hint).tolist()
        for key in SCORE_KEYS
        if key in obj
    }
    return History(epoch=epoch, loss=loss.tolist(), **scores)
