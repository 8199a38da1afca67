"""Training a document for a number of epochs without a window, as `bpstudio train` does:
shared by `train` and `compare`, so a compared run's losses are exactly train's. Qt-free."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bpstudio.document.model import Document, History
from bpstudio.engine.training import (
    Divergence,
    StepResult,
    Trainer,
    TrainingConfig,
    first_batch,
    step_divergence,
    training_step,
)

SLICE_EPOCHS = 200  # epochs between two calls of `progress`


class Diverged(Exception):
    """Training (or the one step of trace and steps) produced a non-finite value."""


class Cancelled(Exception):
    """`progress` asked training to stop."""


def train_document(
    doc: Document, epochs: int, progress: Callable[[int], bool] | None = None
) -> tuple[Document, Divergence | None]:
    """`doc` trained for `epochs` more epochs, its history extended; and where training
    diverged (it then keeps the last finite state), or None. Diverged if the loss is not
    finite before training starts. With `progress`, training goes in slices and after each
    `progress(epochs done)` may return True to stop it (Cancelled)."""
    x, y = doc.dataset()
    net = doc.build_network()
    trainer = Trainer(net, x, y, doc.training_config(), epoch=doc.next_epoch() - 1)
    start = float(trainer.history.loss.values[0])
    if not np.isfinite(start):  # no finite state to keep, and a history of inf can't be saved
        raise Diverged(
            f"training diverged at epoch {trainer.epoch}: the loss is {start} before training "
            "(an output saturates or overflows); change the weights or scale the data"
        )
    if progress is None:
        divergence = trainer.run(epochs)
    else:
        divergence, done = None, 0
        while done < epochs and divergence is None:
            step = min(SLICE_EPOCHS, epochs - done)
            divergence = trainer.run(step)
            done += step
            if progress(done):
                raise Cancelled
    trained = doc.with_network(net)
    trained.history = merged_history(doc, trainer)
    return trained, divergence


def first_step(doc: Document) -> tuple[StepResult, TrainingConfig]:
    """One training step of the document on the first batch of its next epoch; Diverged if
    it gives a non-finite loss or parameter."""
    config = doc.training_config()
    x, y = doc.dataset()
    epoch = doc.next_epoch()
    idx = first_batch(len(x), config, epoch)
    result = training_step(doc.build_network(), x[idx], y[idx], config)
    divergence = step_divergence(result, epoch)
    if divergence:
        raise Diverged(divergence.message())
    return result, config


def merged_history(doc: Document, trainer: Trainer) -> History:
    """The document's history followed by the epochs just trained."""
    old = doc.history or History()
    epochs = [int(e) for e in trainer.history.epochs]
    loss = [float(v) for v in trainer.history.loss.values]
    if old.epoch:  # the trainer's first row repeats the document's last epoch
        epochs, loss = epochs[1:], loss[1:]
    return History(old.epoch + epochs, old.loss + loss)
