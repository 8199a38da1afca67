"""The document's file: open, save, save as, revert, the recent files and a change made on
disk by another program. Qt-free: the questions go to a `FileView` (the window's dialogs) and
the undo history is anything with QUndoStack's methods, so tests run it with plain fakes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bpstudio.document.disk import Fingerprint, changed_on_disk
from bpstudio.document.format import DocumentError, load
from bpstudio.document.model import Document
from bpstudio.document.session import DocumentModel
from bpstudio.resources import is_bundled

CANNOT_OPEN = "Cannot open the network"
MAX_RECENT = 10


class FileView(Protocol):
    """The questions and messages of the file operations (dialogs in the window)."""

    def show_error(self, title: str, text: str) -> None: ...

    def ask_unsaved_changes(self) -> str:
        """ "save", "discard" or "cancel", for a document with unsaved changes."""
        ...

    def ask_save_path(self) -> str:
        """The path to save to, or "" if none was chosen."""
        ...

    def ask_file_changed(self, path: Path) -> str:
        """ "overwrite", "save_as" or "cancel", for a file another program changed."""
        ...

    def ask_yes_no(self, title: str, text: str) -> bool: ...


class UndoHistory(Protocol):
    """The undo stack, by QUndoStack's names."""

    def isClean(self) -> bool: ...

    def setClean(self) -> None: ...

    def resetClean(self) -> None: ...

    def canUndo(self) -> bool: ...

    def undo(self) -> None: ...

    def clear(self) -> None: ...

    def index(self) -> int: ...


class RecentFiles:
    """The files opened or saved last, newest first, at most `limit`. `read()` gives the
    stored list (a single path may come as a str), `write(paths)` stores it; each of
    `written` is called after."""

    def __init__(
        self,
        read: Callable[[], object],
        write: Callable[[list[str]], None],
        limit: int = MAX_RECENT,
    ) -> None:
        self._read, self._write, self.limit = read, write, limit
        self.written: list[Callable[[], None]] = []

    def paths(self) -> list[str]:
        """The stored paths that are still files."""
        value = self._read()
        paths = [value] if isinstance(value, str) else list(value or [])
        return [p for p in paths if Path(p).is_file()]

    def remember(self, path: str | Path) -> None:
        """Puts `path` (made absolute) first; the oldest beyond the limit drop out."""
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.paths() if p != path]
        self._write(paths[: self.limit])
        for slot in self.written:
            slot()


class FileService:
    """The file behind `model`. `on_disk` is what that file looked like when it was opened or
    last saved here. `settle()` is called before the document is judged for unsaved changes
    (running training puts its epochs into the document); each of `replaced` is called after
    another document took the place of the current one."""

    def __init__(
        self,
        model: DocumentModel,
        history: UndoHistory,
        view: FileView,
        recent: RecentFiles,
        new_document: Callable[[], Document],
        settle: Callable[[], None] = lambda: None,
    ) -> None:
        self.model, self.history, self.view, self.recent = model, history, view, recent
        self.new_document = new_document
        self.settle = settle
        self.on_disk: Fingerprint | None = None
        self.replaced: list[Callable[[], None]] = []
        self._loading_from = 0  # the undo index when the running background load started

    @property
    def path(self) -> Path | None:
        return Path(self.model.path) if self.model.path else None

    def maybe_save(self) -> bool:
        """True if the current document may be closed: it is unchanged, saved now, or the
        user chose to discard the changes."""
        self.settle()
        if self.history.isClean():
            return True
        answer = self.view.ask_unsaved_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new(self) -> bool:
        """A new network, after asking about unsaved changes. Returns whether it replaced."""
        if not self.maybe_save():
            return False
        self.replace(self.new_document(), None)
        return True

    def open_path(self, path: str | Path) -> bool:
        """Loads `path` now (no question about unsaved changes); on a bad file shows why and
        keeps the current document. Returns whether it opened."""
        try:
            doc = load(path)
        except DocumentError as exc:
            self.view.show_error(CANNOT_OPEN, str(exc))
            return False
        self.replace(doc, Path(path))
        self.opened(Path(path), Fingerprint.of(path))
        return True

    def loading(self) -> None:
        """A background load starts now (see `loaded`)."""
        self._loading_from = self.history.index()

    def loaded(
        self,
        doc: Document,
        path: Path,
        on_disk: Fingerprint | None,
        before: Callable[[], None] = lambda: None,
    ) -> bool:
        """A document read in the background replaces the current one, unless that was
        changed while the file loaded and the user now keeps the change. `before` is called
        just before it replaces."""
        self.settle()
        if self.history.index() != self._loading_from and not self.maybe_save():
            return False
        before()
        self.replace(doc, path)
        self.opened(path, on_disk)
        return True

    def opened(self, path: Path, on_disk: Fingerprint | None) -> None:
        """The document now shown was read from `path`, which looked like `on_disk`."""
        self.on_disk = on_disk
        self.recent.remember(path)

    def replace(self, doc: Document, path: Path | None) -> None:
        self.model.replace(doc, path)
        self.history.clear()
        self.on_disk = None
        for slot in self.replaced:
            slot()

    def restore(self, doc: Document, original: str | None, on_disk: Fingerprint | None) -> None:
        """Opens a recovered document as modified, belonging to its original file."""
        self.replace(doc, Path(original) if original else None)
        self.on_disk = on_disk
        self.history.resetClean()

    def save(self) -> bool:
        """Saves to the document's file, after asking if another program changed it. A
        bundled example is a template: saving it asks for a file of the student's own."""
        path = self.path
        if path is None or is_bundled(path):
            return self.save_as()
        if changed_on_disk(path, self.on_disk):
            answer = self.view.ask_file_changed(path)
            if answer == "save_as":
                return self.save_as()
            if answer != "overwrite":
                return False
        return self._save_to(path)

    def save_as(self) -> bool:
        path = self.view.ask_save_path()
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.model.save(path)
        except DocumentError as exc:
            self.view.show_error("Cannot save the network", f"{exc}. The network is not saved.")
            return False
        self.on_disk = Fingerprint.of(path)
        self.history.setClean()
        self.recent.remember(path)
        return True

    def revert(self) -> None:
        """Back to the file on disk (or the new network), after asking."""
        if self.history.isClean():
            return
        if self.view.ask_yes_no("Revert", "Discard all changes since the last save?"):
            while not self.history.isClean() and self.history.canUndo():
                self.history.undo()
