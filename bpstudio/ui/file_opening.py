"""Opening documents the ways a desktop offers besides File ▸ Open: a `.bpnet` dragged onto
the window, the system's file-open event (macOS sends it for a Finder double-click or a drop
on the Dock icon), and File ▸ Open Example. Each goes through FileActions'
`open_path_asking`, which asks about unsaved changes first, as File ▸ Open does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QMenu

from bpstudio.ui.start_page import bundled_examples, example_title

SUFFIX = ".bpnet"


def dropped_document(mime: QMimeData) -> str | None:
    """The path of the one local `.bpnet` file being dragged, else None (several files, a
    folder, a web address or text are not taken)."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = urls[0].toLocalFile()
    return path if path.lower().endswith(SUFFIX) and Path(path).is_file() else None


class FileOpenEvents(QObject):
    """Installed on the QApplication: a QFileOpenEvent's file goes to `open_path(str)`."""

    def __init__(self, open_path: Callable[[str], None], parent: QObject) -> None:
        super().__init__(parent)
        self.open_path = open_path

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            if event.file():
                self.open_path(event.file())
                return True
        return super().eventFilter(watched, event)


def fill_example_menu(menu: QMenu, open_path) -> None:
    """The bundled lessons, the lessons on the gradient, then the other examples;
    `open_path(str)` opens one."""
    for group in bundled_examples():
        if menu.actions() and group:
            menu.addSeparator()
        for path in group:
            action = menu.addAction(example_title(path))
            action.setToolTip(str(path))
            action.setStatusTip(f"Open the example {path.name}")
            action.triggered.connect(lambda _=False, p=str(path): open_path(p))
    menu.setToolTipsVisible(True)
