"""File ▸ Export, File ▸ Export to PDF and the panels' context menus: every view (the network
diagram, each plot) as PNG, SVG or vector PDF at a chosen size and resolution, in the
document style (black on white) or the window's; the training history as CSV; the training
step being shown as a worked solution in Markdown (LaTeX maths) or HTML; and the lesson's
slides into a folder. A plot that has an offscreen twin (the loss, the comparison) is laid
out afresh at the picture's size, with a title. The dialogs sit behind small methods
(`ask_path`, `ask_export_options`, `ask_folder`) so tests can patch them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, QSize, QStandardPaths, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGraphicsView,
    QMenu,
    QProgressDialog,
    QWidget,
)

from bpstudio.document.atomic import atomic_write_text
from bpstudio.document.history_csv import write_history_csv
from bpstudio.maths import report
from bpstudio.ui.exercise_dialog import ExerciseExport
from bpstudio.ui.export import DEFAULT_DPI, STYLES, ExportOptions, printed, save_view, visible_size
from bpstudio.ui.image_size_dialog import ImageSizeDialog
from bpstudio.ui.loss_image import DEFAULT_OPTIONS, save_panel
from bpstudio.ui.slides import SlideDeck, SlideExport, SlideOptions

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel
    from bpstudio.ui.canvas.network_canvas import NetworkCanvas
    from bpstudio.ui.lesson import LessonController
    from bpstudio.ui.main_window import MainWindow
    from bpstudio.ui.plots import Plots
    from bpstudio.ui.presentation import Presentation
    from bpstudio.ui.step_overlay import StepOverlay

IMAGE_FILTERS = "PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf)"
PDF_FILTER = "PDF document (*.pdf)"
FOLDER_KEY = "export/folder"
SLIDES_KEY = "export/slides_folder"
SIZE_KEY = "export/png_scale"
DPI_KEY = "export/dpi"
STYLE_KEY = "export/style"
HIGHLIGHTS_KEY = "export/highlights"
HISTORY_SLICE = 2000  # epochs replayed between two looks at the event loop
DEFAULT_SCALE = 2.0  # a PNG at twice the screen size prints sharply in a report


@dataclass(frozen=True)
class ExportView:
    key: str  # also the default file name: "network", "loss", ...
    title: str  # "Network Diagram"
    view: Callable[[], QGraphicsView]  # builds the view if it was not yet (a plot panel)
    action: QAction  # in File ▸ Export
    context_action: QAction  # in the view's right-click menu
    pdf_action: QAction  # in File ▸ Export to PDF
    restyle: Callable[[], None] | None  # redraws the view in the current theme
    twin: Callable[[], QWidget] | None  # a fresh offscreen copy of the plot panel, if any
    diagram: bool  # the network diagram: selection and lesson highlights are optional


class ExportActions(QObject):
    """Owns the File ▸ Export menu (`menu`). `add_view` registers a view; `add_plot_menu`
    gives a pyqtgraph view, once built, the entry in its right-click menu, in place of
    pyqtgraph's own exporter. `view` (the window) parents the dialogs and shows errors and
    the status; `action` makes a window-wide action (MainWindow.action)."""

    def __init__(
        self,
        menu: QMenu,
        pdf_menu: QMenu,
        *,
        view: MainWindow,
        action: Callable[..., QAction],
        model: DocumentModel,
        settings: QSettings,
        lesson: LessonController,
        plots: Plots,
        canvas: NetworkCanvas,
        overlay: StepOverlay,
        presentation: Presentation,
    ) -> None:
        super().__init__(view)
        self.view, self._make_action, self.model, self.settings = view, action, model, settings
        self.lesson, self.plots, self.presentation = lesson, plots, presentation
        self.canvas, self.overlay = canvas, overlay
        self.menu = menu
        self.pdf_menu = pdf_menu
        self.menu.setToolTipsVisible(True)
        self.pdf_menu.setToolTipsVisible(True)
        self.views: dict[str, ExportView] = {}
        self._view_end = self.menu.addSeparator()
        self.exercise = ExerciseExport(view)
        self._make_document_actions(action)
        self.slides_job: SlideExport | None = None

    def _make_document_actions(self, action: Callable[..., QAction]) -> None:
        """The exports of the document rather than of a view, after the views."""
        self.history_action = action(
            "Training &History as CSV…",
            self.export_history,
            None,
            "Save epoch, loss and every weight and bias after each epoch as CSV",
        )
        self.markdown_action = action(
            "Worked Solution as &Markdown…",
            lambda: self.export_derivation("md"),
            None,
            "Save the training step being shown, every calculation with its numbers, "
            "as Markdown with LaTeX maths",
        )
        self.html_action = action(
            "Worked Solution as H&TML…",
            lambda: self.export_derivation("html"),
            None,
            "Save the training step being shown, every calculation with its numbers, as a web page",
        )
        self.exercise_action = action(
            "&Exercise Sheets…",
            self.exercise.run,
            None,
            "Write versions of this network with new starting values for pencil-and-paper "
            "work: each with a question sheet and its answer key (Markdown or PDF)",
        )
        self.slides_action = action(
            "Lesson &Slides…",
            self.export_slides,
            None,
            "Save the canvas as the lesson shows each step of this training step, one PNG "
            "per step, with index.md listing each step's calculation, into a folder",
        )
        self.menu.addActions(
            [
                self.history_action,
                self.markdown_action,
                self.html_action,
                self.exercise_action,
                self.slides_action,
            ]
        )

    # registering views ---------------------------------------------------------------------
    def add_view(
        self,
        key: str,
        title: str,
        view: Callable[[], QGraphicsView],
        shortcut=None,
        restyle: Callable[[], None] | None = None,
        twin: Callable[[], QWidget] | None = None,
        diagram: bool = False,
    ) -> QAction:
        action = self._make_action(
            f"{title}…",
            lambda: self.export_view(key),
            shortcut,
            f"Save the {title.lower()} as a PNG picture, an SVG drawing or a PDF",
        )
        self.menu.insertAction(self._view_end, action)
        entry = QAction("Export as PNG, SVG or PDF…", self)
        entry.setToolTip(action.toolTip())
        entry.triggered.connect(lambda: self.export_view(key))
        pdf = self._make_action(
            f"{title}…",
            lambda: self.export_view(key, pdf=True),
            None,
            f"Save the {title.lower()} as a vector PDF (text stays text), for print",
        )
        self.pdf_menu.addAction(pdf)
        self.views[key] = ExportView(key, title, view, action, entry, pdf, restyle, twin, diagram)
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
    def export_view(self, key: str, pdf: bool = False) -> bool:
        """Asks where and how (size, resolution, style), then writes. Returns whether a file
        was written."""
        item = self.views[key]
        view = item.view()
        self.plots.flush()  # a hidden panel is brought up to date first
        filters = PDF_FILTER if pdf else IMAGE_FILTERS
        suggested = f"{self._stem()}-{key}.{'pdf' if pdf else 'png'}"
        path = self._ask_file(f"Export {item.title}", suggested, filters)
        if not path:
            return False
        screen = visible_size(view)
        options = self.ask_export_options(self._default_options(item, screen), screen, item.diagram)
        if options is None:
            return False
        self._remember(item, options, screen)
        title = self._title(item.title)
        if item.twin is not None:
            panel = item.twin()
            plot_title = (
                f"{self.model.document.name}: {item.title}"
                if self.model.document.name
                else item.title
            )
            return self._write(
                path, lambda: save_panel(QApplication.instance(), panel, path, plot_title, options)
            )
        return self._write(path, lambda: self._save_live(item, view, path, options, title))

    def _save_live(
        self, item: ExportView, view: QGraphicsView, path: str, options: ExportOptions, title: str
    ) -> None:
        with ExitStack() as stack:
            stack.enter_context(printed(options.style, item.restyle))
            if item.diagram and not options.highlights:
                stack.enter_context(self._without_highlights())
            save_view(view, path, options, title)

    @contextmanager
    def _without_highlights(self) -> Iterator[None]:
        """The diagram without the selection's marks and the lesson's highlight meanwhile."""
        scene = self.canvas.net_scene
        kept = scene.highlighted
        scene.highlight(None)
        self.overlay.set_marks_visible(False)
        try:
            yield
        finally:
            self.overlay.set_marks_visible(True)
            scene.highlight(kept)

    def export_history(self) -> bool:
        """Every epoch with a known loss (a reopened file's saved history too), a version 2
        document's test loss and accuracies, and the parameters after each. Parameters of
        earlier sessions were not saved: their cells stay empty. Long runs are replayed in
        slices with a progress dialog that can cancel."""
        walk = self.lesson.walk
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
        scores = walk.full_scores() if self.model.document.version == 2 else {}  # as `train`
        return self._write(
            path, lambda: write_history_csv(path, epochs, loss, names, values, scores)
        )

    def _parameter_rows(self, walk, count: int) -> np.ndarray | None:
        """The walk's parameters after each of its epochs, `(epochs, count)`; None if cancelled."""
        first = walk.trainer.history.first_epoch
        last = walk.last_epoch
        progress = QProgressDialog("Replaying the training run…", "Cancel", first, last, self.view)
        progress.setWindowTitle("Export Training History")
        progress.setWindowModality(Qt.WindowModality.WindowModal)  # no edits during the replay
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
        walk = self.lesson.walk
        doc = self.model.document
        ext, name = ("md", "Markdown (*.md)") if kind == "md" else ("html", "Web page (*.html)")
        path = self._ask_file("Export Worked Solution", f"{self._stem()}-step.{ext}", name)
        if not path:
            return False
        render = report.to_markdown if kind == "md" else report.to_html
        decimals = self.lesson.panel.decimals
        text = render(walk.sequence, walk.config, doc.name, decimals)
        return self._write(path, lambda: atomic_write_text(path, text))

    def export_slides(self) -> bool:
        """Asks for a folder, then draws the slides into it step by step behind a progress
        dialog (see SlideExport); the result is reported when it ends. The slides show the
        walk's samples and the panel's decimals, in presentation mode at its size. Returns
        whether the export started."""
        settings = self.settings
        start = settings.value(SLIDES_KEY, "") or settings.value(FOLDER_KEY, "")
        folder = self.ask_folder(
            "Export Lesson Slides into a Folder", str(start or _documents_folder())
        )
        if not folder:
            return False
        self.settings.setValue(SLIDES_KEY, folder)
        lesson = self.lesson
        options = SlideOptions(
            presentation=self.presentation.active, decimals=lesson.panel.decimals
        )
        deck = SlideDeck(self.model.document, lesson.walk.samples, options)
        self.slides_job = SlideExport(deck, folder, self.view)
        self.slides_job.finished.connect(lambda error: self._on_slides_done(folder, error))
        self.slides_job.start()
        return True

    def cancel_slides(self) -> None:
        """Stops a slide export under way (the window is closing), as its Cancel does."""
        if self.slides_job is not None:
            self.slides_job.cancel()

    def _on_slides_done(self, folder: str, error: str | None) -> None:
        count = len(self.slides_job.deck) if self.slides_job else 0
        self.slides_job = None
        if error:
            self.view.show_error("Export failed", f"{folder}: {error}")
        elif error is None:
            self.view.statusBar().showMessage("Lesson slides cancelled", 5000)
        else:
            self.view.statusBar().showMessage(
                f"Exported {count} lesson slides and index.md into {folder}", 10000
            )

    # dialogs (patched in tests) ------------------------------------------------------------
    def ask_path(self, caption: str, suggested: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.view, caption, suggested, filters)
        return path

    def ask_export_options(
        self, default: ExportOptions, screen: QSize, diagram: bool
    ) -> ExportOptions | None:
        dialog = ImageSizeDialog(screen, self.view, default, diagram)
        return dialog.options() if dialog.exec() else None

    def ask_folder(self, caption: str, start: str) -> str:
        """An existing folder, or "" (the dialog can make a new one)."""
        return QFileDialog.getExistingDirectory(self.view, caption, start)

    # helpers -------------------------------------------------------------------------------
    def _ask_file(self, caption: str, name: str, filters: str) -> str:
        folder = str(self.settings.value(FOLDER_KEY, "") or _documents_folder())
        path = self.ask_path(caption, os.path.join(folder, name), filters)
        if not path:
            return ""
        if not Path(path).suffix:  # the chosen filter's extension
            path += "." + filters.split("*.")[1].split(")")[0]
        self.settings.setValue(FOLDER_KEY, os.path.dirname(os.path.abspath(path)))
        return path

    def _write(self, path: str, write) -> bool:
        try:
            write()
        except (OSError, UnicodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.view.show_error("Export failed", f"{path}: {reason}")
            return False
        self.view.statusBar().showMessage(f"Exported {path}", 5000)
        return True

    def _default_options(self, item: ExportView, screen: QSize) -> ExportOptions:
        """The last export's resolution, style and highlights; a live view at the last
        export's multiple of its screen size, a twin at the command line's default size."""
        settings = self.settings
        dpi = _number(settings.value(DPI_KEY), DEFAULT_DPI, 10, 2400)
        style = str(settings.value(STYLE_KEY, "document"))
        style = style if style in STYLES else "document"
        highlights = str(settings.value(HIGHLIGHTS_KEY, "false")).lower() == "true"
        if item.twin is not None:
            return ExportOptions(
                DEFAULT_OPTIONS.width, DEFAULT_OPTIONS.height, dpi, style, highlights
            )
        scale = _number(settings.value(SIZE_KEY), DEFAULT_SCALE, 0.1, 10.0)
        size = screen * scale
        return ExportOptions(size.width(), size.height(), dpi, style, highlights)

    def _remember(self, item: ExportView, options: ExportOptions, screen: QSize) -> None:
        settings = self.settings
        settings.setValue(DPI_KEY, options.dpi)
        settings.setValue(STYLE_KEY, options.style)
        if item.diagram:
            settings.setValue(HIGHLIGHTS_KEY, options.highlights)
        if item.twin is None:
            settings.setValue(SIZE_KEY, round(options.width / max(1, screen.width()), 3))

    def _stem(self) -> str:
        return Path(self.model.path).stem if self.model.path else "network"

    def _title(self, view_title: str) -> str:
        return f"{self.model.document.name or 'bpstudio'}: {view_title}"


def _number(value, default: float, low: float, high: float) -> float:
    try:
        return max(low, min(float(value), high))
    except (TypeError, ValueError):
        return default


def redraw_on_palette(widget: QWidget) -> Callable[[], None]:
    """A restyle for a view that redraws itself when its palette changes (the canvas)."""
    return lambda: QApplication.sendEvent(widget, QEvent(QEvent.Type.PaletteChange))


def _documents_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
