"""DocumentModel: the open document, its events, its file, and the one door edits go through.
Must not import Qt; the GUI's undo stack calls `apply` and `revert` here.
"""

from __future__ import annotations

import os

from bpstudio.document import format as document_format
from bpstudio.document.edits.base import Edit
from bpstudio.document.events import DocumentEvents
from bpstudio.document.model import Document

PathLike = str | os.PathLike[str]


class DocumentModel:
    """Holds the current Document, the DocumentEvents views connect to, the path of its file
    and the document as opened (for "reset the weights to the file's").

    `document` is live: read it freely, but change it only through edits, so that every
    change can be undone and is notified. On opening, absent weights are drawn (as the
    file would be trained) and absent biases set to zero, so every parameter can be edited.
    """

    def __init__(self, document: Document, path: PathLike | None = None) -> None:
        self.events = DocumentEvents()
        self._document = complete(document)
        self._opened = self._document.copy()
        self._path = None if path is None else os.fsdecode(path)

    @property
    def document(self) -> Document:
        return self._document

    @property
    def opened(self) -> Document:
        """The document as opened or created (completed as above); not changed by saving."""
        return self._opened

    @property
    def path(self) -> str | None:
        """The file the document was opened from or last saved to; None for a new one."""
        return self._path

    def replace(self, document: Document, path: PathLike | None = None) -> None:
        """Makes `document` (copied) the current and the opened document. Emits
        `document_replaced` and, if the path changed, `path_changed`. Edits made for the old
        document must be discarded (clear the undo stack)."""
        self._document = complete(document)
        self._opened = self._document.copy()
        self.events.document_replaced.emit()
        self._set_path(None if path is None else os.fsdecode(path))

    def open(self, path: PathLike) -> None:
        """Loads the file at `path` and `replace`s the document with it. Raises the loader's
        DocumentError (naming the file and the place) and then changes nothing."""
        self.replace(document_format.load(path), path)

    def save(self, path: PathLike | None = None) -> None:
        """Writes the document atomically to `path` (default: `self.path`) and remembers that
        path. Raises DocumentError; ValueError if there is no path at all."""
        target = self._path if path is None else os.fsdecode(path)
        if target is None:
            raise ValueError("the document has no file yet: give a path to save it to")
        document_format.save(self._document, target)
        self._set_path(target)

    def _set_path(self, path: str | None) -> None:
        if path != self._path:
            self._path = path
            self.events.path_changed.emit(path)

    def apply(self, edit: Edit) -> bool:
        """Applies `edit`; True if the document changed. On EditError (a ValueError) the
        document is unchanged."""
        before = self.events.emitted
        edit.apply(self)
        return self.events.emitted != before

    def revert(self, edit: Edit) -> None:
        """Undoes `edit`, the last edit applied."""
        edit.revert(self)

    def check(self, edit: Edit) -> None:
        """Raises EditError if `edit` cannot be applied now; changes and emits nothing.
        Call it before pushing an edit onto the undo stack, whose push applies it."""
        with self.events.silenced():
            edit.apply(self)
            edit.revert(self)

    def describe(self, edit: Edit) -> str:
        """The undo history's text for `edit` applied to the current document."""
        return edit.describe(self._document)

    def can_reset(self) -> bool:
        """Whether the layer sizes still match the opened document's, so its weights fit."""
        return self._document.sizes == self._opened.sizes


def complete(document: Document) -> Document:
    """A deep copy of `document` in which absent weights are drawn by the document's init
    scheme and seed, and absent biases are zeros: what `build_network` would use."""
    result = document.copy()
    if any(layer.weights is None or layer.biases is None for layer in result.layers[1:]):
        result.set_parameters_from(result.build_network())
    return result
