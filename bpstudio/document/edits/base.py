"""The edit protocol (apply, revert, describe, merge), compound edits, and the helpers the edit
kinds share. Must not import Qt: the GUI wraps each edit in one generic QUndoCommand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bpstudio.document.edits.rules import EditError
from bpstudio.document.model import DataSpec, Document, LayerSpec

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel


class Edit(ABC):
    """One undoable change of the document.

    `apply(model)` checks the edit against the document first and raises EditError (a
    ValueError) without changing anything if the rules forbid it; otherwise it changes the
    document, remembering what it overwrote, and emits the model's events for what really
    changed. `revert(model)`, called on the state `apply` left, restores the document bit
    for bit. `apply` after `revert` gives the same document as the first `apply`.

    `merge_id` works as QUndoCommand.id(): -1 never merges; two successive edits with the
    same non-negative id are offered to `merge`, which folds the later one into this one
    (e.g. a drag or repeated typing in one field becomes one undo step).
    """

    merge_id: int = -1

    @abstractmethod
    def apply(self, model: DocumentModel) -> None: ...

    @abstractmethod
    def revert(self, model: DocumentModel) -> None: ...

    @abstractmethod
    def describe(self, document: Document) -> str:
        """The undo history's text for this edit applied to `document`."""

    def merge(self, other: Edit) -> bool:
        """Folds `other`, applied right after this edit, into this edit; False if it can't."""
        return False


class MacroEdit(Edit):
    """Several edits as one undo step, applied in order and reverted in reverse order. If one
    fails, those already applied are reverted and the error propagates."""

    def __init__(self, text: str, edits: Sequence[Edit]) -> None:
        self.text = text
        self.edits = list(edits)

    def apply(self, model: DocumentModel) -> None:
        done: list[Edit] = []
        try:
            for edit in self.edits:
                edit.apply(model)
                done.append(edit)
        except BaseException:
            for edit in reversed(done):
                edit.revert(model)
            raise

    def revert(self, model: DocumentModel) -> None:
        for edit in reversed(self.edits):
            edit.revert(model)

    def describe(self, document: Document) -> str:
        return self.text


class Swap(Edit):
    """An edit that replaces the document's layer list and/or data spec with new objects and
    reverts by putting the old objects back. Subclasses build the new ones in `rebuilt`."""

    _old: tuple[list[LayerSpec], DataSpec]

    @abstractmethod
    def rebuilt(self, document: Document) -> tuple[list[LayerSpec], DataSpec]:
        """The new layers and data (the current objects where unchanged), or EditError."""

    def apply(self, model: DocumentModel) -> None:
        doc = model.document
        layers, data = self.rebuilt(doc)
        self._old = (doc.layers, doc.data)
        swap(model, layers, data)

    def revert(self, model: DocumentModel) -> None:
        swap(model, *self._old)


def swap(model: DocumentModel, layers: list[LayerSpec], data: DataSpec) -> None:
    """Puts `layers` and `data` into the document; emits for those that are new objects."""
    doc = model.document
    new_layers, new_data = layers is not doc.layers, data is not doc.data
    doc.layers, doc.data = layers, data
    if new_layers:
        model.events.structure_changed.emit()
    if new_data:
        model.events.data_changed.emit()


def index(value: int, place: str, count: int, noun: str) -> int:
    """`value` if it is an index in range(count), or EditError."""
    if not 0 <= value < count:
        raise EditError(place, f"has no {noun} {value}: there are {count} (0 to {count - 1})")
    return value


def layer_index(
    document: Document, layer: int, first: int = 0, last: int | None = None, rule: str = ""
) -> int:
    """`layer` as a document layer index from `first` to `last` (default: the output layer);
    outside that range the EditError states `rule` (e.g. "it has no weights")."""
    count = len(document.layers)
    i = index(layer, "layers", count, "layer")
    if not first <= i <= (count - 1 if last is None else last):
        raise EditError(f"layers[{i}]", f"is {layer_name(document, i)}: {rule}")
    return i


def layer_name(document: Document, layer: int) -> str:
    """'the input layer', 'hidden layer 2' or 'the output layer'."""
    if layer == 0:
        return "the input layer"
    if layer == len(document.layers) - 1:
        return "the output layer"
    return f"hidden layer {layer}"
