"""File ▸ New, Open, Open Recent, Open Example, Start Page, Close, Save, Save As and Revert,
over the Qt-free file service (document/files.py); a file opens on a worker thread
(loading.py). The questions are the window's dialogs (`view`: ask_open_path and the FileView).
Must not import the canvas, the panels or the lesson."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from bpstudio.document.files import CANNOT_OPEN, FileService
from bpstudio.ui.file_opening import fill_example_menu
from bpstudio.ui.loading import DocumentLoader, Loaded

MakeAction = Callable[..., QAction]  # MainWindow.action: (text, slot, shortcut, tip)


class FileActions(QObject):
    """Fills `menu` (the File menu): the file actions, the Export and Export to PDF menus
    (`export_menu`, `pdf_menu`, for ExportActions) and Quit, after a separator. `clean_changed`
    is the undo stack's: Revert is enabled while there are changes.
    `view` is the window (parent of the loader's progress dialog): its dialogs are looked up
    when asked, so tests can patch them. `show_start_page(recent)` turns to the start page,
    `show_recent(recent)` puts the recent files on it. `prepare(loaded)` is called just before
    a document read in the background replaces the current one (the lesson takes its walk)."""

    def __init__(
        self,
        files: FileService,
        menu: QMenu,
        action: MakeAction,
        view: QWidget,
        show_start_page: Callable[[list[str]], None],
        show_recent: Callable[[list[str]], None],
        clean_changed: SignalInstance,
    ) -> None:
        super().__init__(view)
        self.files, self.view = files, view
        self._show_start_page, self._show_recent = show_start_page, show_recent
        self.loader = DocumentLoader(view)
        self.prepare: Callable[[Loaded], None] = lambda loaded: None
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(lambda text: self.view.show_error(CANNOT_OPEN, text))
        files.replaced.insert(0, self.loader.cancel)  # another document ends a load running
        self._fill(menu, action)
        self.revert_action.setEnabled(not files.history.isClean())
        clean_changed.connect(lambda clean: self.revert_action.setEnabled(not clean))

    def _fill(self, menu: QMenu, action: MakeAction) -> None:
        key = QKeySequence.StandardKey
        menu.addAction(
            action("&New Network", self.new, key.New, "Start a new network from a single neuron")
        )
        menu.addAction(action("&Open…", self.open, key.Open, "Open a .bpnet network"))
        self.recent_menu = menu.addMenu("Open &Recent")
        self.example_menu = menu.addMenu("Open E&xample")
        fill_example_menu(self.example_menu, self.open_path_asking)
        menu.addAction(
            action("&Start Page", self.show_start_page, None, "Lessons, examples and recent files")
        )
        self.close_action = action(
            "&Close", self.close_document, None, "Close the network and show the start page"
        )
        self.close_action.setShortcuts(key.Close)  # Ctrl+W (and Ctrl+F4 on Windows)
        menu.addAction(self.close_action)
        menu.addSeparator()
        menu.addAction(action("&Save", self.files.save, key.Save, "Save the network"))
        menu.addAction(
            action("Save &As…", self.files.save_as, key.SaveAs, "Save the network under a new name")
        )
        self.revert_action = action(
            "Re&vert", self.files.revert, None, "Discard all changes since the last save"
        )
        menu.addAction(self.revert_action)
        menu.addSeparator()
        self.export_menu = menu.addMenu("&Export")
        self.pdf_menu = menu.addMenu("Export to P&DF")
        menu.addSeparator()
        menu.addAction(action("&Quit", self.view.close, key.Quit))

    def new(self) -> None:
        self.files.new()

    def open(self) -> None:
        if self.files.maybe_save():
            path = self.view.ask_open_path()
            if path:
                self.open_in_background(path)

    def open_path_asking(self, path: str) -> None:
        if self.files.maybe_save():
            self.open_in_background(path)

    def open_in_background(self, path: str | Path) -> None:
        """Reads `path` on a worker thread while the window keeps answering, then shows it;
        on a bad file shows the loader's message and keeps the current document untouched.
        The window's ways of opening a file come here, after asking about unsaved changes. A
        load still running is abandoned: the file asked for last is the one that opens."""
        self.files.loading()
        self.loader.start(path)

    def _on_loaded(self, loaded: Loaded) -> None:
        before = partial(self.prepare, loaded)
        self.files.loaded(loaded.document, loaded.path, loaded.on_disk, before)

    def close_document(self) -> bool:
        """File ▸ Close: after asking about unsaved changes, the start page, with a new
        network behind it. Returns whether the document was closed."""
        if not self.files.new():
            return False
        self.show_start_page()
        return True

    def show_start_page(self) -> None:
        self._show_start_page(self.files.recent.paths())

    def fill_recent_menu(self) -> None:
        """The recent files, in the menu and on the start page."""
        self.recent_menu.clear()
        paths = self.files.recent.paths()
        for path in paths:
            act = self.recent_menu.addAction(Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_path_asking(p))
        self.recent_menu.setEnabled(bool(paths))
        self._show_recent(paths)
