"""Edits of single settings: a layer's activation or train_biases, the loss, a training
setting, the name or description. Must not import Qt.
"""

from __future__ import annotations

import operator
from abc import abstractmethod
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bpstudio.document.edits import rules
from bpstudio.document.edits.base import Edit, layer_index, layer_name
from bpstudio.document.model import Document, LayerSpec
from bpstudio.document.validate import TRAINING_KEYS
from bpstudio.maths.formula import format_number

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel

INFO_KEYS = ("name", "description")


class _SetField(Edit):
    """Sets one attribute, `attribute`, of an object of the document to a checked value."""

    attribute: str
    _old: Any

    def __init__(self, value: Any) -> None:
        self.value = value

    @abstractmethod
    def _holder(self, document: Document) -> Any:
        """The object that has the attribute; EditError if it doesn't exist."""

    @abstractmethod
    def _checked(self, document: Document) -> Any:
        """The new value, checked and normalised; EditError if the rules forbid it."""

    @abstractmethod
    def _notify(self, model: DocumentModel) -> None: ...

    def apply(self, model: DocumentModel) -> None:
        holder = self._holder(model.document)
        new = self._checked(model.document)
        self._old = getattr(holder, self.attribute)
        self._put(model, new)

    def revert(self, model: DocumentModel) -> None:
        self._put(model, self._old)

    def _put(self, model: DocumentModel, value: Any) -> None:
        holder = self._holder(model.document)
        if getattr(holder, self.attribute) != value:
            setattr(holder, self.attribute, value)
            self._notify(model)

    def merge(self, other: Edit) -> bool:
        """Successive settings of the same field (typing in it) become one step."""
        if type(other) is not type(self) or other.attribute != self.attribute:
            return False
        self.value = other.value
        return True


class _SetLayerField(_SetField):
    def __init__(self, layer: int, value: Any) -> None:
        super().__init__(value)
        self.layer = operator.index(layer)

    def _holder(self, document: Document) -> LayerSpec:
        i = layer_index(document, self.layer, 1, rule=f"it has no {self.attribute}")
        return document.layers[i]

    def _notify(self, model: DocumentModel) -> None:
        model.events.layer_changed.emit(self.layer, self.attribute)


class SetActivation(_SetLayerField):
    """Sets layer `layer`'s activation (softmax only on the output layer; cross_entropy
    needs a softmax output)."""

    attribute = "activation"

    def _checked(self, document: Document) -> str:
        return rules.activation(document.layers, self.layer, self.value, document.loss)

    def describe(self, document: Document) -> str:
        return f"Use {self.value} in {layer_name(document, self.layer)}"


class SetTrainBiases(_SetLayerField):
    """Sets whether training changes layer `layer`'s biases."""

    attribute = "train_biases"

    def _checked(self, document: Document) -> bool:
        return rules.flag(self.value, f"layers[{self.layer}].train_biases")

    def describe(self, document: Document) -> str:
        verb = "Train" if self.value else "Fix"
        return f"{verb} the biases of {layer_name(document, self.layer)}"


class SetLoss(_SetField):
    """Sets the loss function."""

    attribute = "loss"

    def _holder(self, document: Document) -> Document:
        return document

    def _checked(self, document: Document) -> str:
        return rules.loss(document.layers, document.data, self.value)

    def _notify(self, model: DocumentModel) -> None:
        model.events.settings_changed.emit("loss")

    def describe(self, document: Document) -> str:
        return f"Use the {self.value} loss"


class SetTraining(_SetField):
    """Sets one training setting, `key` in TRAINING_KEYS, with the loader's rules
    (learning_rate > 0, momentum in [0, 1), batch_size >= 1 or None, ...). Changing the
    seed or init does not re-draw the weights (RedrawWeights does)."""

    merge_id = 3

    def __init__(self, key: str, value: Any) -> None:
        if key not in TRAINING_KEYS:
            raise ValueError(f"unknown training setting {key!r}; one of {', '.join(TRAINING_KEYS)}")
        super().__init__(value)
        self.attribute = key

    def _holder(self, document: Document) -> Any:
        return document.training

    def _checked(self, document: Document) -> Any:
        candidate = replace(document.training, **{self.attribute: self.value})
        return getattr(rules.training(candidate), self.attribute)

    def _notify(self, model: DocumentModel) -> None:
        model.events.settings_changed.emit(self.attribute)
        data = model.document.data
        if self.attribute == "seed" and data.generator is not None and data.seed is None:
            model.events.data_changed.emit()  # the generator follows training.seed

    def describe(self, document: Document) -> str:
        key, value = self.attribute, self.value
        if key == "batch_size" and value is None:
            return "Train on the full batch"
        if key == "shuffle":
            return "Shuffle the batches" if value else "Take the batches in file order"
        shown = format_number(value) if isinstance(value, float) else str(value)
        return f"Set the {key.replace('_', ' ')} to {shown}"


class SetInfo(_SetField):
    """Sets the document's `name` or `description` (a string, or None for none)."""

    merge_id = 4

    def __init__(self, key: str, value: str | None) -> None:
        if key not in INFO_KEYS:
            raise ValueError(f"unknown document field {key!r}; one of {', '.join(INFO_KEYS)}")
        super().__init__(value)
        self.attribute = key

    def _holder(self, document: Document) -> Document:
        return document

    def _checked(self, document: Document) -> str | None:
        return rules.text(self.value, self.attribute)

    def _notify(self, model: DocumentModel) -> None:
        model.events.settings_changed.emit(self.attribute)

    def describe(self, document: Document) -> str:
        return "Rename the network" if self.attribute == "name" else "Edit the description"
