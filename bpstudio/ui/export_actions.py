"""File ▸ Export and the panels' context menus: every view (the network diagram, each plot)
as PNG at a chosen size or as SVG, the training history as CSV, the training step being
shown as a worked solution in Markdown (LaTeX maths) or HTML, and the lesson's slides into a
folder. The dialogs sit behind small methods (`ask_path`, `ask_image_size`, `ask_folder`) so
tests can patch them."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QPoint, QSize, QStandardPaths, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QGraphicsView, QMenu, QProgressDialog

from bpstudio.document.atomic import atomic_write_text
from bpstudio.document.history_csv import write_history_csv
from bpstudio.engine import report
from bpstudio.ui.export import save_png, save_svg, visible_size
from bpstudio.ui.image_size_dialog import ImageSizeDialog
from bpstudio.ui.slides import SlideDeck, SlideExport, SlideOptions

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow

IMAGE_FILTERS = "PNG image (*.png);;SVG vector image (*.svg)"
FOLDER_KEY = "export/folder"
SLIDES_KEY = "export/slides_folder"
SIZE_KEY = "export/png_scale"
HISTORY_SLICE = 2000  # epochs replayed between two looks at the event loop
DEFAULT_SCALE = 2.0  # a PNG at twice the screen size prints sharply in a report


@dataclass(frozen=True)
class ExportView:
    key: str  # also the default file name: "network", "loss", ...
    title: str  # "Network Diagram"
    view: Callable[[], QGraphicsView]  # builds the view if it was not yet (a plot panel)
    action: QAction  # in File ▸ Export
    context_action: QAction  # in the view's right-click menu


class ExportActions(QObject):
    """Owns the File ▸ Export menu (`menu`). `add_view` registers a view; `add_plot_menu`
    gives a pyqtgraph view, once built, the entry in its right-click menu, in place of
    pyqtgraph's own exporter."""

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu
        self.menu.setToolTipsVisible(True)
        self.views: dict[str, ExportView] = {}
        self._view_end = self.menu.addSeparator()
        self.history_action = window.action(
            "Training &History as CSV…",
            self.export_history,
            None,
            "Save epoch, loss and every weight and bias after each epoch as CSV",
        )
        self.markdown_action = window.action(
            "Worked Solution as &Markdown…",
            lambda: self.export_derivation("md"),
            None,
            "Save the training step being shown, every calculation with its numbers, "
            "as Markdown with LaTeX maths",
        )
        self.html_action = window.action(
            "Worked Solution as H&TML…",
            lambda: self.export_derivation("html"),
            None,
            "Save the training step being shown, every calculation with its numbers, as a web page",
        )
        self.slides_action = window.action(
            "Lesson &Slides…",
            self.export_slides,
            None,
            "Save the canvas as the lesson shows each step of this training step, one PNG "
            "per step, with index.md listing each step's calculation, into a folder",
        )
        self.menu.addActions(
            [self.history_action, self.markdown_action, self.html_action, self.slides_action]
        )
        self.slides_job: SlideExport | None = None

    # registering views ---------------------------------------------------------------------
    def add_view(
        self, key: str, title: str, view: Callable[[], QGraphicsView], shortcut=None
    ) -> QAction:
        action = self.window.action(
            f"{title}…",
            lambda: self.export_view(key),
            shortcut,
            f"Save the {title.lower()} as a PNG picture or an SVG drawing",
        )
        self.menu.insertAction(self._view_end, action)
        entry = QAction("Export as PNG or SVG…", self)
        entry.setToolTip(action.toolTip())
        entry.triggered.connect(lambda: self.export_view(key))
        self.views[key] = ExportView(key, title, view, action, entry)
        return action

    def add_plot_menu(self, key: str, view: QGraphicsView) -> None:
        """The right-click menu of pyqtgraph view `view` (registered as `key`) offers its
        export, in place of pyqtgraph's exporter (if that were ever enabled)."""
        entry = self.views[key].context_action
        view.scene().contextMenu = [entry]
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(lambda at: self._on_plot_menu(view, entry, at))

    def _on_plot_menu(self, view: QGraphicsView, entry: QAction, at: QPoint) -> None:
        menu = QMenu(view)
        menu.setToolTipsVisible(True)
        menu.addAction(entry)
        self.popup(menu, view.mapToGlobal(at))
        menu.deleteLater()

    def popup(self, menu: QMenu, at: QPoint) -> None:
        """Shows `menu` until it closes (patched in tests: a real popup blocks)."""
        menu.exec(at)

    # exports -----------------------------------------------------------------------------
    def export_view(self, key: str) -> bool:
        """Asks where (and for a PNG how big), then writes. Returns whether a file was written."""
        item = self.views[key]
        view = item.view()
        self.window.plots.flush()  # a hidden panel is brought up to date first
        path = self._ask_file(f"Export {item.title}", f"{self._stem()}-{key}.png", IMAGE_FILTERS)
        if not path:
            return False
        if Path(path).suffix.lower() == ".svg":
            return self._write(path, lambda: save_svg(view, path, self._title(item.title)))
        size = self.ask_image_size(self._default_size(view))
        if size is None:
            return False
        scale = size.width() / max(1, visible_size(view).width())
        self.window.settings.setValue(SIZE_KEY, round(scale, 3))
        return self._write(path, lambda: save_png(view, path, size.width(), size.height()))

    def export_history(self) -> bool:
        """Every epoch with a known loss (a reopened file's saved history too) and the
        parameters after each. Parameters of earlier sessions were not saved: their cells stay
        empty. Long runs are replayed in slices with a progress dialog that can cancel."""
        walk = self.window.lesson.walk
        path = self._ask_file(
            "Export Training History", f"{self._stem()}-history.csv", "CSV (*.csv)"
        )
        if not path:
            return False
        epochs, loss = walk.full_loss_history()
        names = walk.net.parameter_names()
        values = self._parameter_rows(walk, len(names))
        if values is None:
            return False
        earlier = np.full((len(epochs) - len(values), len(names)), np.nan)
        values = np.vstack([earlier, values])
        return self._write(path, lambda: write_history_csv(path, epochs, loss, names, values))

    def _parameter_rows(self, walk, count: int) -> np.ndarray | None:
        """The walk's parameters after each of its epochs, `(epochs, count)`; None if cancelled."""
        first = walk.trainer.history.first_epoch
        last = walk.last_epoch
        progress = QProgressDialog(
            "Replaying the training run…", "Cancel", first, last, self.window
        )
        progress.setWindowTitle("Export Training History")
        progress.setMinimumDuration(300)
        parts = []
        for start in range(first, last + 1, HISTORY_SLICE):
            end = min(last, start + HISTORY_SLICE - 1)
            parts.append(walk.parameter_history(range(count), start, end)[1])
            progress.setValue(end)
            QApplication.processEvents()
            if progress.wasCanceled():
                return None
        progress.close()
        return np.vstack(parts)

    def export_derivation(self, kind: str) -> bool:
        walk = self.window.lesson.walk
        doc = self.window.document
        ext, name = ("md", "Markdown (*.md)") if kind == "md" else ("html", "Web page (*.html)")
        path = self._ask_file("Export Worked Solution", f"{self._stem()}-step.{ext}", name)
        if not path:
            return False
        render = report.to_markdown if kind == "md" else report.to_html
        decimals = self.window.lesson.panel.decimals
        text = render(walk.sequence, walk.config, doc.name, decimals)
        return self._write(path, lambda: atomic_write_text(path, text))

    def export_slides(self) -> bool:
        """Asks for a folder, then draws the slides into it step by step behind a progress
        dialog (see SlideExport); the result is reported when it ends. The slides show the
        walk's samples and the panel's decimals, in presentation mode at its size. Returns
        whether the export started."""
        settings = self.window.settings
        start = settings.value(SLIDES_KEY, "") or settings.value(FOLDER_KEY, "")
        folder = self.ask_folder(
            "Export Lesson Slides into a Folder", str(start or _documents_folder())
        )
        if not folder:
            return False
        self.window.settings.setValue(SLIDES_KEY, folder)
        lesson = self.window.lesson
        options = SlideOptions(
            presentation=self.window.presentation.active, decimals=lesson.panel.decimals
        )
        deck = SlideDeck(self.window.document, lesson.walk.samples, options)
        self.slides_job = SlideExport(deck, folder, self.window)
        self.slides_job.finished.connect(lambda error: self._on_slides_done(folder, error))
        self.slides_job.start()
        return True

    def _on_slides_done(self, folder: str, error: str | None) -> None:
        count = len(self.slides_job.deck) if self.slides_job else 0
        self.slides_job = None
        if error:
            self.window.show_error("Export failed", f"{folder}: {error}")
        elif error is None:
            self.window.statusBar().showMessage("Lesson slides cancelled", 5000)
        else:
            self.window.statusBar().showMessage(
                f"Exported {count} lesson slides and index.md into {folder}", 10000
            )

    # dialogs (patched in tests) ------------------------------------------------------------
    def ask_path(self, caption: str, suggested: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.window, caption, suggested, filters)
        return path

    def ask_folder(self, caption: str, start: str) -> str:
        """An existing folder, or "" (the dialog can make a new one)."""
        return QFileDialog.getExistingDirectory(self.window, caption, start)

    def ask_image_size(self, default: QSize) -> QSize | None:
        dialog = ImageSizeDialog(default, self.window)
        return dialog.size_chosen() if dialog.exec() else None

    # helpers -------------------------------------------------------------------------------
    def _ask_file(self, caption: str, name: str, filters: str) -> str:
        folder = str(self.window.settings.value(FOLDER_KEY, "") or _documents_folder())
        path = self.ask_path(caption, os.path.join(folder, name), filters)
        if not path:
            return ""
        if not Path(path).suffix:  # the chosen filter's extension
            path += "." + filters.split("*.")[1].split(")")[0]
        self.window.settings.setValue(FOLDER_KEY, os.path.dirname(os.path.abspath(path)))
        return path

    def _write(self, path: str, write) -> bool:
        try:
            write()
        except (OSError, UnicodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.window.show_error("Export failed", f"{path}: {reason}")
            return False
        self.window.statusBar().showMessage(f"Exported {path}", 5000)
        return True

    def _default_size(self, view: QGraphicsView) -> QSize:
        scale = float(self.window.settings.value(SIZE_KEY, DEFAULT_SCALE))
        return visible_size(view) * max(0.1, min(scale, 10.0))

    def _stem(self) -> str:
        path = self.window.path
        return path.stem if path else "network"

    def _title(self, view_title: str) -> str:
        return f"{self.window.document.name or 'bpstudio'}: {view_title}"


def _documents_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
