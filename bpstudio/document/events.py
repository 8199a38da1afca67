"""Named notifications from the document to its views: a tiny observer. Must not import Qt.

Views connect a callable to a `Signal`; the model emits only when a value really changed.
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from collections.abc import Callable, Iterator
from inspect import ismethod
from typing import Any

Slot = Callable[..., object]


class Signal:
    """One named notification. `connect(slot)` adds a callable; `emit(*args)` calls every
    connected slot in connection order. A bound method is held weakly, so a view that is
    gone no longer receives notifications and is not kept alive by the document."""

    def __init__(self, name: str, hub: DocumentEvents) -> None:
        self.name = name
        self._hub = hub
        self._slots: list[Slot | weakref.WeakMethod[Slot]] = []

    def connect(self, slot: Slot) -> Slot:
        """Adds `slot` (also usable as a decorator); returns it."""
        self._slots.append(weakref.WeakMethod(slot) if ismethod(slot) else slot)
        return slot

    def disconnect(self, slot: Slot) -> None:
        """Removes `slot`; ValueError if it is not connected."""
        for i, held in enumerate(self._slots):
            if (held() if isinstance(held, weakref.WeakMethod) else held) == slot:
                del self._slots[i]
                return
        raise ValueError(f"{slot!r} is not connected to {self.name}")

    def emit(self, *args: Any) -> None:
        """Calls every slot with `args`. A slot that raises is reported to sys.excepthook and
        the others still run, as with Qt's signals: a broken view must not leave an edit
        half applied."""
        if self._hub._silenced:
            return
        self._hub.emitted += 1
        for held in list(self._slots):
            slot = held() if isinstance(held, weakref.WeakMethod) else held
            if slot is None:
                self._slots.remove(held)
                continue
            try:
                slot(*args)
            except Exception:
                sys.excepthook(*sys.exc_info())


class DocumentEvents:
    """The notifications of one DocumentModel. Layer indices are the document's (0 is the
    input layer), neuron indices 0-based.

    - `structure_changed()`: layers were added or removed, or a layer's size changed;
      every layer, weight and bias may be new.
    - `value_changed(kind, layer, neuron, source)`: one parameter changed; `kind` is
      "weight" (`source` the neuron of layer `layer - 1`) or "bias" (`source` None).
    - `parameters_changed()`: many weights and biases changed at once; sizes did not.
    - `layer_changed(layer, key)`: the layer's "activation" or "train_biases" changed.
    - `settings_changed(key)`: "name", "description", "loss", or a training setting (a
      field of TrainingSpec, as in validate.TRAINING_KEYS).
    - `data_changed()`: the data set changed (kind, values, rows or columns).
    - `history_changed()`: the training history (the loss curve) changed.
    - `document_replaced()`: a different document was opened or created; re-read all.
    - `path_changed(path)`: the file the document belongs to, a str or None.
    """

    def __init__(self) -> None:
        self._silenced = False
        self.emitted = 0  # emissions so far: lets the model tell whether an edit changed anything
        self.structure_changed = Signal("structure_changed", self)
        self.value_changed = Signal("value_changed", self)
        self.parameters_changed = Signal("parameters_changed", self)
        self.layer_changed = Signal("layer_changed", self)
        self.settings_changed = Signal("settings_changed", self)
        self.data_changed = Signal("data_changed", self)
        self.history_changed = Signal("history_changed", self)
        self.document_replaced = Signal("document_replaced", self)
        self.path_changed = Signal("path_changed", self)

    def signals(self) -> dict[str, Signal]:
        """Every notification, by name."""
        return {name: value for name, value in vars(self).items() if isinstance(value, Signal)}

    @contextlib.contextmanager
    def silenced(self) -> Iterator[None]:
        """Nothing is emitted inside the block (used for trial runs that change nothing)."""
        before, self._silenced = self._silenced, True
        try:
            yield
        finally:
            self._silenced = before
