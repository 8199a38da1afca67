"""The network document: the editable, in-memory form of a `.bpnet` file.

Qt-free and JSON-free (format.py reads and writes files). Arrays are float64; shapes follow
the spec: layer l's `weights` is `(size(l), size(l-1))`, its `biases` `(size(l),)`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from bpstudio.engine import datasets
from bpstudio.engine.init import init_layer_weights
from bpstudio.engine.network import Network
from bpstudio.engine.training import TrainingConfig


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b))
        )
    return bool(a == b)


class _ExactEquality:
    """Field-by-field equality of a dataclass in which arrays compare exactly (same shape,
    same values), so undo and save/load round trips can be checked with `==`."""

    __hash__ = None  # type: ignore[assignment]  # mutable: never a dict key

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))


@dataclass(eq=False)
class LayerSpec(_ExactEquality):
    """One layer. Layer 0 is the input layer: only `size` and `labels` apply to it.
    `weights` `(size, size of the layer before)` and `biases` `(size,)` may be None:
    absent in the file, drawn or zeroed when a network is built."""

    size: int
    activation: str | None = None
    weights: np.ndarray | None = None
    biases: np.ndarray | None = None
    train_biases: bool = True
    labels: list[str] | None = None


@dataclass(eq=False)
class TrainingSpec(_ExactEquality):
    learning_rate: float
    momentum: float = 0.0
    batch_size: int | None = None  # None: the full batch
    shuffle: bool = False
    seed: int = 0
    init: str = "xavier"
    weight_decay: float = 0.0  # version 2
    stop_loss: float | None = None  # version 2


@dataclass(eq=False)
class DataSpec(_ExactEquality):
    """Either explicit `inputs` `(N, input size)` and `targets` `(N, output size)`, or a
    `generator` name with `samples`, `noise` and an optional `seed` (None: training.seed).
    The held-out test set (version 2) is `test_inputs` and `test_targets` beside inline
    data, or `test_samples` more samples from the generator."""

    inputs: np.ndarray | None = None
    targets: np.ndarray | None = None
    generator: str | None = None
    samples: int | None = None
    noise: float = 0.0
    seed: int | None = None
    test_inputs: np.ndarray | None = None
    test_targets: np.ndarray | None = None
    test_samples: int | None = None

    def __post_init__(self) -> None:
        # a read-only view (Document.dataset of another document) becomes data of its own
        for name in ("inputs", "targets", "test_inputs", "test_targets"):
            value = getattr(self, name)
            if isinstance(value, np.ndarray) and not value.flags.writeable:
                setattr(self, name, value.copy())


@dataclass(eq=False)
class History(_ExactEquality):
    """`loss[e]` is the loss over the whole data set after epoch `epoch[e]` (0: untrained).
    Version 2 adds `test_loss` (with a test set) and `accuracy`, `test_accuracy` (for a
    classifier), each one entry per epoch, or None."""

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    test_loss: list[float] | None = None
    accuracy: list[float] | None = None
    test_accuracy: list[float] | None = None

    def shallow_copy(self) -> History:
        """A copy with lists of its own holding the same numbers (which cannot change): a
        deep copy of a long history takes about half a second per million epochs."""
        lists = {f.name: getattr(self, f.name) for f in fields(self)}
        return History(**{key: None if v is None else list(v) for key, v in lists.items()})


@dataclass(eq=False)
class Document(_ExactEquality):
    """A whole network document. `extra` holds unknown top-level keys, in file order, so
    that a file written by a newer bpstudio keeps them when re-saved. Its values are
    read-only: they are shared between copies."""

    layers: list[LayerSpec]
    loss: str
    training: TrainingSpec
    data: DataSpec
    name: str | None = None
    description: str | None = None
    history: History | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(layer.size for layer in self.layers)

    @property
    def activation_names(self) -> tuple[str, ...]:
        """One activation name per non-input layer."""
        return tuple(str(layer.activation) for layer in self.layers[1:])

    @property
    def parameter_count(self) -> int:
        sizes = self.sizes
        return sum(sizes[i] * sizes[i - 1] + sizes[i] for i in range(1, len(sizes)))

    def build_network(self) -> Network:
        """A new Network with this document's parameters. Absent weights are drawn by
        `training.init` from `training.seed`; absent biases are zeros."""
        hidden = self.layers[1:]
        drawn: list[np.ndarray] = []
        if any(layer.weights is None for layer in hidden):
            drawn = init_layer_weights(self.training.init, self.training.seed, self.sizes)
        weights = [
            layer.weights if layer.weights is not None else drawn[i]
            for i, layer in enumerate(hidden)
        ]
        biases = [
            layer.biases if layer.biases is not None else np.zeros(layer.size) for layer in hidden
        ]
        train_biases = [layer.train_biases for layer in hidden]
        return Network(self.sizes, self.activation_names, weights, biases, train_biases)

    def dataset(self) -> tuple[np.ndarray, np.ndarray]:
        """The training data, x `(N, input size)` and y `(N, output size)`, float64: read-only
        views of inline data (a copy of 100,000 rows of 1,024 inputs is 800 MB), or new
        arrays from the generator."""
        data = self.data
        if data.generator is not None:
            seed = data.seed if data.seed is not None else self.training.seed
            return datasets.generate(data.generator, int(data.samples or 0), data.noise, seed)
        if data.inputs is None or data.targets is None:
            raise ValueError("the document has no data: neither inputs and targets nor a generator")
        return _read_only(data.inputs), _read_only(data.targets)

    def test_set(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The held-out test set, x and y as `dataset` gives them, or None without one."""
        data = self.data
        if data.generator is not None and data.test_samples:
            seed = data.seed if data.seed is not None else self.training.seed
            name, noise = data.generator, data.noise
            return datasets.generate(name, int(data.test_samples), noise, seed, test=True)
        if data.test_inputs is None or data.test_targets is None:
            return None
        return _read_only(data.test_inputs), _read_only(data.test_targets)

    @property
    def version(self) -> int:
        """2 if the document uses a key of version 2 (spec section 7), else 1."""
        t, d, h = self.training, self.data, self.history
        scores = h is not None and (h.test_loss, h.accuracy, h.test_accuracy) != (None,) * 3
        test = d.test_inputs is not None or d.test_samples is not None
        return 2 if t.weight_decay or t.stop_loss is not None or test or scores else 1

    def training_config(self) -> TrainingConfig:
        """The engine's settings for training this document: its loss and the training
        settings the engine takes (all but `init`, which only draws weights)."""
        keys = [config.name for config in fields(TrainingConfig) if config.name != "loss"]
        return TrainingConfig(loss=self.loss, **{key: getattr(self.training, key) for key in keys})

    def next_epoch(self) -> int:
        """The number of the epoch that training this document would run next."""
        return self.history.epoch[-1] + 1 if self.history and self.history.epoch else 1

    def set_parameters_from(self, net: Network) -> None:
        """Writes copies of `net`'s weights and biases into the layers (e.g. after training)."""
        if net.sizes != self.sizes:
            raise ValueError(f"network sizes {net.sizes} differ from the document's {self.sizes}")
        for layer, w, b in zip(self.layers[1:], net.w, net.b, strict=True):
            layer.weights = np.array(w, dtype=float)
            layer.biases = np.array(b, dtype=float)

    def with_network(self, net: Network) -> Document:
        """A deep copy of this document holding `net`'s weights and biases."""
        result = self.copy()
        result.set_parameters_from(net)
        return result

    def copy(self) -> Document:
        """A deep copy: no array or list is shared with this document, except the values of
        unknown top-level keys, which bpstudio never changes, only writes back (copying a
        50 MB one took seconds and a GB)."""
        return copy.deepcopy(self, {id(self.extra): dict(self.extra)})


def _read_only(values: np.ndarray) -> np.ndarray:
    view = np.asarray(values, dtype=float).view()
    view.flags.writeable = False
    return view
