"""MainWindow: the layout around one DocumentModel and its QUndoStack: the central canvas
(behind it the start page), the About and history docks, the File, Edit and View menus and
the status line. The composition root (assemble.py) builds the controllers around it and
keeps them here. Its dialogs (dialogs.py) sit behind small methods so tests can patch them."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QTextBrowser,
    QUndoView,
)

from bpstudio.document.edits import Edit
from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec
from bpstudio.document.session import DocumentModel
from bpstudio.ui.canvas.network_canvas import NetworkCanvas
from bpstudio.ui.derivation_panel import DERIVATION_WIDTH
from bpstudio.ui.dialogs import WindowDialogs
from bpstudio.ui.elided_label import ElidedLabel
from bpstudio.ui.file_opening import dropped_document
from bpstudio.ui.start_page import StartPage
from bpstudio.ui.undo import push as push_to_stack

if TYPE_CHECKING:
    from bpstudio.document.files import FileService
    from bpstudio.ui.compare_dock import CompareRuns
    from bpstudio.ui.export_actions import ExportActions
    from bpstudio.ui.file_actions import FileActions
    from bpstudio.ui.graph_view import GraphView
    from bpstudio.ui.help_menu import HelpMenu
    from bpstudio.ui.landscape_dock import LandscapeView
    from bpstudio.ui.lesson import LessonController
    from bpstudio.ui.panels import Panels
    from bpstudio.ui.plots import Plots
    from bpstudio.ui.presentation import Presentation
    from bpstudio.ui.recovery import RecoveryController
    from bpstudio.ui.step_overlay import StepOverlay
    from bpstudio.ui.step_view import StepView
    from bpstudio.ui.structure_actions import StructureActions


def new_document() -> Document:
    """What "New network" starts from: one input, one sigmoid neuron, one sample."""
    return Document(
        layers=[LayerSpec(1), LayerSpec(1, "sigmoid")],
        loss="sse",
        training=TrainingSpec(learning_rate=0.1),
        data=DataSpec(inputs=np.array([[0.5]]), targets=np.array([[1.0]])),
        name="Untitled network",
    )


class MainWindow(WindowDialogs, QMainWindow):
    """`file_dropped(path)`: a .bpnet was dropped on the window. `closed`: the window closes
    (after `may_close()` allowed it and its geometry was saved)."""

    file_dropped = Signal(str)
    closed = Signal()

    # the controllers, built by the composition root (assemble.py) and kept for the app, the
    # self-test and tests; the window itself uses none of them
    files: FileService
    file_actions: FileActions
    structure_actions: StructureActions
    panels: Panels
    lesson: LessonController
    step_view: StepView
    graph_view: GraphView
    overlay: StepOverlay
    presentation: Presentation
    plots: Plots
    exports: ExportActions
    compare: CompareRuns
    landscape: LandscapeView
    recovery: RecoveryController
    help: HelpMenu

    def __init__(self, model: DocumentModel, undo_stack: QUndoStack, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.model = model
        self.undo_stack = undo_stack
        undo_stack.setParent(self)
        undo_stack.cleanChanged.connect(self._update_title)
        self.may_close: Callable[[], bool] = lambda: True
        self.canvas = NetworkCanvas(model, self.push, self)
        self.start_page = StartPage(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_page)
        self.views = QTabWidget()  # the canvas, and the computational graph beside it
        self.views.setDocumentMode(True)
        self.views.setTabPosition(QTabWidget.TabPosition.South)
        self.views.addTab(self.canvas, "Network")
        self.views.setTabToolTip(0, "The network: neurons, weights and the lesson's values")
        self.pages.addWidget(self.views)
        self.setCentralWidget(self.pages)
        self.about = QTextBrowser()
        self.about_dock = self._dock("About this network", "about_dock", self.about)
        self.history_dock = self._dock("Edit history", "history_dock", QUndoView(undo_stack))
        self.tabifyDockWidget(self.about_dock, self.history_dock)
        self.about_dock.raise_()
        self.setAcceptDrops(True)  # a dropped .bpnet opens (dragEnterEvent, dropEvent)
        self.canvas.setAcceptDrops(False)  # the canvas takes no drops: they reach the window
        self.canvas.viewport().setAcceptDrops(False)
        self.status = ElidedLabel()
        self.statusBar().addWidget(self.status, 1)
        self._build_menus()
        events = model.events
        for signal in (
            events.document_replaced,
            events.structure_changed,
            events.settings_changed,
            events.path_changed,
        ):
            signal.connect(self._on_document_changed)
        self._on_document_changed()

    @property
    def document(self) -> Document:
        return self.model.document

    @property
    def path(self) -> Path | None:
        return Path(self.model.path) if self.model.path else None

    # building ----------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        """A window-wide action with a tooltip (and the shortcut in it)."""
        action = QAction(text, self)
        tip = tip or text.replace("&", "").rstrip("…")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            tip += f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        """File (filled by FileActions), Edit and View."""
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        key = QKeySequence.StandardKey
        self.edit_menu = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(key.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(key.Redo)  # the platform's own: Ctrl+Y on Windows, Ctrl+Shift+Z on X11
        for a in (undo, redo):
            self.addAction(a)
            self.edit_menu.addAction(a)
        view = self.view_menu = bar.addMenu("&View")
        view.addAction(self.action("Zoom &In", self.canvas.zoom_in, "Ctrl++"))
        view.addAction(self.action("Zoom &Out", self.canvas.zoom_out, "Ctrl+-"))
        view.addAction(
            self.action(
                "&Fit Network", self.canvas.fit, "Ctrl+0", "Fit the whole network into the window"
            )
        )
        view.addSeparator()
        view.addAction(self.about_dock.toggleViewAction())
        view.addAction(self.history_dock.toggleViewAction())

    def arrange_docks(self, lead: QDockWidget) -> None:
        """First-run layout (a saved one replaces it): one dock area on the right, so the
        canvas keeps most of the width; `lead` (the derivation) leads, with settings, data,
        the description and the edit history as tabs behind it."""
        docks = {d.objectName(): d for d in self.findChildren(QDockWidget)}
        for name in ("settings_dock", "data_dock", "about_dock", "history_dock"):
            if name in docks:
                _shorten_tab_title(docks[name])
                self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[name])
                self.tabifyDockWidget(lead, docks[name])
        lead.raise_()
        self.resizeDocks([lead], [DERIVATION_WIDTH], Qt.Orientation.Horizontal)
        self._restore_state()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._hide_stray_tab_bars)

    def _hide_stray_tab_bars(self) -> None:
        """Qt leaves the tab bar of each intermediate tabify step of `arrange_docks` and
        `install_plots` on screen, where it shows clipped tab titles over the canvas and the
        docks. The tab bars in use sit beside their docks; any that overlaps the central
        widget or a shown dock is a leftover."""
        taken = [self.centralWidget().geometry()] + [
            d.geometry() for d in self.findChildren(QDockWidget) if d.isVisible()
        ]
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isVisible() and any(bar.geometry().intersects(r) for r in taken):
                bar.hide()

    # edits -------------------------------------------------------------------------------
    def push(self, edit: Edit) -> bool:
        """Applies `edit` through the undo stack. A refused edit shows its message and changes
        nothing. Returns whether it was accepted."""
        refusal = push_to_stack(self.undo_stack, self.model, edit)
        if refusal is not None:
            self.show_error("That change is not possible", str(refusal))
        return refusal is None

    # pages and drops -----------------------------------------------------------------------
    def show_start_page(self, recent: list[str]) -> None:
        self.start_page.set_recent(recent)
        self.pages.setCurrentWidget(self.start_page)

    def show_document(self) -> None:
        """The canvas, fitted; a lesson opens on its introduction (the first step brings the
        maths forward)."""
        self.pages.setCurrentWidget(self.views)
        self.canvas.fit()
        if self.document.description:
            self.about_dock.raise_()

    def dragEnterEvent(self, event) -> None:
        if dropped_document(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        path = dropped_document(event.mimeData())
        if not path:
            event.ignore()
            return
        event.acceptProposedAction()
        self.activateWindow()
        QTimer.singleShot(0, lambda: self.file_dropped.emit(path))  # not inside the drag

    # window state ----------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_close():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.closed.emit()
        event.accept()

    # views of the document ------------------------------------------------------------------
    def _on_document_changed(self, *_args) -> None:
        doc = self.document
        self.about.setHtml(_about_html(doc))
        sizes = "-".join(str(s) for s in doc.sizes)
        self.status.setText(
            f"{sizes} network · {doc.parameter_count} parameters · "
            f"loss {doc.loss} · learning rate {doc.training.learning_rate:g}"
        )
        self._update_title()

    def _update_title(self, *_args) -> None:
        name = self.path.name if self.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — bpstudio")
        self.setWindowModified(not self.undo_stack.isClean())


# Tab titles short enough that the five tabs of the right dock area show whole in its first
# width (460 px); the View menu keeps the full names.
TAB_TITLES = {
    "Training settings": "Settings",
    "About this network": "About",
    "Edit history": "History",
}


def _shorten_tab_title(dock: QDockWidget) -> None:
    full = dock.windowTitle()
    if full in TAB_TITLES:
        dock.setWindowTitle(TAB_TITLES[full])
        dock.toggleViewAction().setText(full)


def _about_html(doc: Document) -> str:
    title = escape(doc.name or "Untitled network")
    body = escape(doc.description or "").replace("\n\n", "</p><p>").replace("\n", " ")
    return f"<h2>{title}</h2><p>{body}</p>"
