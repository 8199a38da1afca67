"""Undoable edits of the document: each has apply(model), revert(model), describe(document),
merge_id and merge(other). Must not import Qt; ui/undo.py wraps them in QUndoCommands.
"""

from bpstudio.document.edits.base import Edit, MacroEdit
from bpstudio.document.edits.data import (
    AddDataRow,
    HoldOut,
    RemoveDataRow,
    SetData,
    SetDataCell,
    SetNoise,
)
from bpstudio.document.edits.rules import EditError
from bpstudio.document.edits.settings import (
    SetActivation,
    SetInfo,
    SetLoss,
    SetTrainBiases,
    SetTraining,
)
from bpstudio.document.edits.structure import AddNeuron, InsertLayer, RemoveLayer, RemoveNeuron
from bpstudio.document.edits.values import (
    RedrawWeights,
    ResetParameters,
    SetBias,
    SetParameters,
    SetWeight,
)

__all__ = [
    "AddDataRow",
    "AddNeuron",
    "Edit",
    "EditError",
    "HoldOut",
    "InsertLayer",
    "MacroEdit",
    "RedrawWeights",
    "RemoveDataRow",
    "RemoveLayer",
    "RemoveNeuron",
    "ResetParameters",
    "SetActivation",
    "SetBias",
    "SetData",
    "SetDataCell",
    "SetInfo",
    "SetLoss",
    "SetNoise",
    "SetParameters",
    "SetTrainBiases",
    "SetTraining",
    "SetWeight",
]
