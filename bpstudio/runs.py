"""Training a document for a number of epochs without a window, as `bpstudio train` does:
shared by `train` and `compare`, so a compared run's losses are exactly train's. Qt-free."""

from __future__ import annotations

import numpy as np

from bpstudio.document.model import Document, History
from bpstudio.engine.training import Divergence, Trainer


class Diverged(Exception):
    """Training (or the one step of trace and steps) produced a non-finite value."""


def train_document(doc: Document, epochs: int) -> tuple[Document, Divergence | None]:
    """`doc` trained for `epochs` more epochs, its history extended; and where training
    diverged (it then keeps the last finite state), or None. Diverged if the loss is not
    finite before training starts."""
    x, y = doc.dataset()
    net = doc.build_network()
    trainer = Trainer(net, x, y, doc.training_config(), epoch=doc.next_epoch() - 1)
    start = float(trainer.history.loss.values[0])
    if not np.isfinite(start):  # no finite state to keep, and a history of inf can't be saved
        raise Diverged(
            f"training diverged at epoch {trainer.epoch}: the loss is {start} before training "
            "(an output saturates or overflows); change the weights or scale the data"
        )
    divergence = trainer.run(epochs)
    trained = doc.with_network(net)
    trained.history = merged_history(doc, trainer)
    return trained, divergence


def merged_history(doc: Document, trainer: Trainer) -> History:
    """The document's history followed by the epochs just trained."""
    old = doc.history or History()
    epochs = [int(e) for e in trainer.history.epochs]
    loss = [float(v) for v in trainer.history.loss.values]
    if old.epoch:  # the trainer's first row repeats the document's last epoch
        epochs, loss = epochs[1:], loss[1:]
    return History(old.epoch + epochs, old.loss + loss)
