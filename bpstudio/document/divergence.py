"""The way back from diverged training: one undoable edit that returns the document to the
last epoch whose values were all finite and lowers the learning rate. Must not import Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpstudio.document.edits import MacroEdit, SetParameters, SetTraining
from bpstudio.document.model import History
from bpstudio.document.validate import SCORE_KEYS
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.maths.formula import format_number

LOWER_BY = 10  # a tenth: one offer usually brings a diverging lesson back into range


@dataclass(frozen=True)
class Remedy:
    """Return to `epoch` (the last finite one) with `learning_rate`, as `edit`."""

    epoch: int
    learning_rate: float
    edit: MacroEdit


def remedy(walk: Walkthrough, had_history: bool, scores: bool = False) -> Remedy | None:
    """The edit for a walk whose training diverged: the parameters and loss history of its
    last completed (finite) epoch, and the learning rate divided by LOWER_BY. `had_history`:
    whether the document holds a history (a single epoch-0 row is not added to one that
    has none, as the lesson's own training edits do); `scores`: whether the history keeps the
    test loss and accuracies (a version 2 document). None if the loss of that epoch is not
    finite either (a weight, an input or a target too large for float64): no learning rate
    helps then."""
    epoch = walk.epoch
    epochs, losses = walk.loss_history()
    keep = epochs <= epoch
    if not np.isfinite(losses[keep][-1]):
        return None
    params, _ = walk.timeline.state_at(epoch, walk.trainer)
    net = walk.net.copy()
    net.params[:] = params
    rows = {key: getattr(walk.trainer.history, key) for key in SCORE_KEYS} if scores else {}
    kept = {key: row.values[keep].tolist() for key, row in rows.items() if row is not None}
    history = History([int(e) for e in epochs[keep]], [float(v) for v in losses[keep]], **kept)
    if len(history.epoch) == 1 and not had_history:
        history = None
    rate = walk.config.learning_rate / LOWER_BY
    text = f"Return to epoch {epoch} and lower the learning rate to {format_number(rate)}"
    parts = [
        SetParameters([w.copy() for w in net.w], [b.copy() for b in net.b], history, text=text),
        SetTraining("learning_rate", rate),
    ]
    return Remedy(epoch, rate, MacroEdit(text, parts))
