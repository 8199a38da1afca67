"""RecoveryController: keeps a recovery copy of the window's document while it has unsaved
changes (every 30 s and whenever training pauses), removes it on a clean exit, and offers the
copies of crashed or killed instances at the next start. The files themselves are handled by
the Qt-free document/recovery.py; writing and reading happen on worker threads so a large
document never stalls the window. Must not import the canvas, the panels or the engine.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal, SignalInstance
from PySide6.QtGui import QUndoStack

from bpstudio.document.disk import Fingerprint
from bpstudio.document.files import FileService
from bpstudio.document.format import DocumentError
from bpstudio.document.model import Document
from bpstudio.document.recovery import RecoveryInfo, RecoveryStore, read_copy
from bpstudio.document.session import DocumentModel
from bpstudio.ui.crash_handler import data_folder
from bpstudio.ui.loading import DocumentLoader, Loaded

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow

INTERVAL_MS = 30_000
STATUS_MS = 10_000
# The copy after training pauses waits until the lesson has put the result in the document
# and the panels have redrawn it: the worker writing it shares Python's lock with them, and
# slowed that redraw to 0.2-0.3 s after 300,000 epochs.
AFTER_PAUSE_MS = 500


def recovery_folder() -> Path:
    """`$BPSTUDIO_DATA_DIR/recovery`, else the app's data folder (e.g.
    ~/.local/share/bpstudio/bpstudio/recovery): never beside the user's own files."""
    return data_folder("recovery", QStandardPaths.StandardLocation.AppDataLocation)


class RecoveryController(QObject):
    """`written` is emitted (on the GUI thread) after each copy is on disk, `failed(text)` when
    one could not be written (the window's status line says so), `offered(restored)` when the
    offers of stale copies are over. `files` knows the document's file; `view` (the window)
    asks and tells; `training_stopped` is the lesson runner's. `prepare(loaded)` is called just
    before a restored copy replaces the document (the lesson takes the walk made with it)."""

    written = Signal()
    failed = Signal(str)
    offered = Signal(bool)

    def __init__(
        self,
        model: DocumentModel,
        undo_stack: QUndoStack,
        files: FileService,
        view: MainWindow,
        training_stopped: SignalInstance,
        folder: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(view)
        self.model, self.undo_stack, self.files, self.view = model, undo_stack, files, view
        self.store = RecoveryStore(recovery_folder() if folder is None else folder)
        self.last_error = ""
        self._closed = False
        self._written: tuple[int, int] | None = None  # the state the copy on disk shows
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="bpstudio-recovery")
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.write_now)
        self.timer.start()
        undo_stack.cleanChanged.connect(self._on_clean_changed)
        training_stopped.connect(self._on_training_paused)
        self.failed.connect(self._on_failed)
        self.prepare: Callable[[Loaded], None] = lambda loaded: None
        self._offers: list[RecoveryInfo] | None = None  # the copies still to offer, if offering
        self._claimed: RecoveryInfo | None = None  # the copy being read
        self.loader = DocumentLoader(view, read_copy, "Restore Unsaved Work", _describe)
        self.loader.fingerprint = lambda path: None  # the original's is in the copy
        self.loader.loaded.connect(self._on_copy_read)
        self.loader.failed.connect(self._on_copy_damaged)
        self.loader.cancelled.connect(lambda: self._finish(False))

    def _state(self) -> tuple[int, int]:
        """Changes whenever the document or the undo stack does."""
        return self.model.events.emitted, self.undo_stack.index()

    def write_now(self) -> None:
        """Writes the copy if the document has unsaved changes not in the copy yet; removes
        it if there are none."""
        if self._closed:
            return
        if self.undo_stack.isClean():
            self._remove()
            return
        if self._state() == self._written:
            return
        self._written = self._state()
        snapshot = _snapshot(self.model.document)
        self._submit(self._write, snapshot, self.model.path, self.files.on_disk)

    def _write(self, document: Document, original: str | None, on_disk: Fingerprint | None):
        try:
            self.store.write(document, original, on_disk)
        except (OSError, DocumentError, UnicodeError) as exc:
            self.failed.emit(f"{self.store.file}: {exc}")
            return
        except Exception:  # reported like any other unexpected error; the app carries on
            sys.excepthook(*sys.exc_info())
            return
        self.written.emit()

    def _remove(self) -> None:
        self._written = None
        if not self._closed:
            self._submit(self.store.remove)

    def _submit(self, job, *args) -> None:
        """Runs `job` on the worker, in order with the jobs before it; in this thread if the
        worker has stopped (the interpreter is shutting down)."""
        try:
            self._worker.submit(job, *args)
        except RuntimeError:
            job(*args)

    def flush(self) -> None:
        """Waits until every write and removal asked for so far is done."""
        if not self._closed:
            done: Future[None] = self._worker.submit(lambda: None)
            done.result()

    def discard(self) -> None:
        """A clean exit: removes this window's copy, stops writing and offering."""
        self._offers = None
        self.loader.cancel()
        self.timer.stop()
        self._remove()
        self._closed = True
        self._worker.shutdown(wait=True)

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self._remove()

    def _on_training_paused(self, _divergence: object) -> None:
        QTimer.singleShot(AFTER_PAUSE_MS, self.write_now)

    def _on_failed(self, text: str) -> None:
        self.last_error = text
        self._written = None  # try again next time
        self.view.statusBar().showMessage(f"Could not write the recovery copy: {text}", STATUS_MS)

    # restoring -----------------------------------------------------------------------------
    def offer_restore(self) -> None:
        """Offers the stale copies (of instances that are gone), newest first, until one is
        restored; each declined one is removed, each damaged one is shown as an error and
        renamed to .damaged. A copy is read on a worker thread (it may hold 50 MB), so the
        window answers meanwhile; Cancel in the progress dialog ends the offers and leaves
        that copy and the ones after it for the next start. `offered(restored)` follows."""
        if self._offers is not None:
            return
        self._offers = self.store.stale()
        self._offer_next()

    def _offer_next(self) -> None:
        while self._offers:
            claimed = self.store.claim(self._offers.pop(0))
            if claimed is not None:  # else another instance starting now took it
                self._claimed = claimed
                self.loader.start(claimed.file)
                return
        self._finish(False)

    def _finish(self, restored: bool) -> None:
        if self._offers is not None:
            self._offers = None
            self.offered.emit(restored)

    def _on_copy_read(self, loaded: Loaded) -> None:
        claimed = self._claimed
        if not self.view.ask_restore_recovery(claimed):
            _unlink(claimed.file)
            self._offer_next()
            return
        if not self.files.maybe_save():  # changed while the copy was read: asked, and kept
            self._finish(False)  # the copy is offered again at the next start
            return
        self.prepare(loaded)
        self.files.restore(loaded.document, claimed.original, claimed.on_disk)
        self.write_now()  # this window's own copy first, then the old one goes
        self._submit(_unlink, claimed.file)
        self._finish(True)

    def _on_copy_damaged(self, text: str) -> None:
        self.view.show_error("Cannot restore the recovery copy", text)
        with contextlib.suppress(OSError):
            os.replace(self._claimed.file, self._claimed.file.with_suffix(".damaged"))
        self._offer_next()


def _snapshot(document: Document) -> Document:
    """A copy of `document` for the worker to write: deep, except that the history's lists
    are copied shallowly (their ints and floats cannot change). A deep copy of a long history
    would take the GUI thread about half a second per million epochs."""
    history = document.history
    snapshot = replace(document, history=None).copy()
    if history is not None:
        snapshot.history = history.shallow_copy()
    return snapshot


def _describe(path: Path) -> str:
    return f"Reading the recovery copy {path.name}…"


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
