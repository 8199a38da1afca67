"""Training a document for a number of epochs without a window, as `bpstudio train` does:
shared by `train` and `compare`, so a compared run's losses are exactly train's. Qt-free."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bpstudio.document.model import Document, History
from bpstudio.engine import metrics
from bpstudio.engine.network import loss_value, outputs
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


def headless_trainer(doc: Document) -> Trainer:
    """The Trainer of `doc` from its next epoch, as `train` and `compare` run it: without
    the gradient flow, which only the window shows (no file or printed output holds it)."""
    x, y = doc.dataset()
    config, start_epoch = doc.training_config(), doc.next_epoch() - 1
    return Trainer(
        doc.build_network(), x, y, config, start_epoch, test=doc.test_set(), record_flow=False
    )


def train_document(
    doc: Document, epochs: int, progress: Callable[[int], bool] | None = None
) -> tuple[Document, Divergence | None]:
    """`doc` trained for `epochs` more epochs (fewer if it reaches `training.stop_loss`), its
    history extended; and where training diverged (it then keeps the last finite state), or
    None. Diverged if the loss is not finite before training starts. With `progress`,
    training goes in slices and after each `progress(epochs done)` may return True to stop it
    (Cancelled)."""
    trainer = headless_trainer(doc)
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
        while done < epochs and divergence is None and not trainer.reached_stop_loss:
            step = min(SLICE_EPOCHS, epochs - done)
            divergence = trainer.run(step)
            done += step
            if progress(done):
                raise Cancelled
    trained = doc.with_network(trainer.net)
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
    """The document's history followed by the epochs just trained. The test loss and the
    accuracies go into a version 2 document's history only, so that training leaves a version
    1 document readable by an older bpstudio; and only where the history has them from its
    start (a test set added after some training has no test loss for those epochs)."""
    old = doc.history or History()
    skip = 1 if old.epoch else 0  # the trainer's first row repeats the document's last epoch
    h = trainer.history
    rows = {"loss": h.loss}
    if doc.version == 2:
        rows |= {"test_loss": h.test_loss, "accuracy": h.accuracy}
        rows["test_accuracy"] = h.test_accuracy
    merged = History(old.epoch + [int(e) for e in h.epochs[skip:]])
    for key, row in rows.items():
        earlier = getattr(old, key) if old.epoch else []
        if row is not None and earlier is not None:
            setattr(merged, key, earlier + [float(v) for v in row.values[skip:]])
    return merged


def scores(doc: Document) -> dict[str, float]:
    """The test loss and the accuracies of `doc`'s parameters, those that apply (a test set,
    a classifier), keyed as in the history."""
    net, (x, y), test = doc.build_network(), doc.dataset(), doc.test_set()
    classifier = metrics.is_classifier(doc.activation_names[-1], doc.loss)
    out = {}
    if test is not None:
        out["test_loss"] = loss_value(net, doc.loss, *test)
    if classifier:
        out["accuracy"] = metrics.accuracy(outputs(net, x), y)
    if classifier and test is not None:
        out["test_accuracy"] = metrics.accuracy(outputs(net, test[0]), test[1])
    return out
