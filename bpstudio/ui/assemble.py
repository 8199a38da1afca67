"""The composition root of the window: the model, the undo stack and the file service, the
layout (MainWindow), and each controller given only what it uses. The app, the self-test and
tests build the window here."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack

from bpstudio.document.disk import Fingerprint
from bpstudio.document.files import FileService, RecentFiles
from bpstudio.document.model import Document
from bpstudio.document.session import DocumentModel
from bpstudio.ui.compare_dock import install_compare
from bpstudio.ui.export_actions import ExportActions, redraw_on_palette
from bpstudio.ui.file_actions import FileActions
from bpstudio.ui.graph_view import GraphView
from bpstudio.ui.help_menu import HelpMenu
from bpstudio.ui.landscape_dock import install_landscape
from bpstudio.ui.lesson import LessonController
from bpstudio.ui.main_window import MainWindow, new_document
from bpstudio.ui.panels import install_panels
from bpstudio.ui.plots import install_plots
from bpstudio.ui.presentation import Presentation
from bpstudio.ui.recovery import RecoveryController
from bpstudio.ui.show import show_lesson_view
from bpstudio.ui.step_view import StepView
from bpstudio.ui.structure_actions import StructureActions
from bpstudio.ui.undo import push

RECENT_KEY = "recent_files"
PLOT_EXPORTS = (
    ("loss", "Loss Plot"),
    ("activation", "Activation Plot"),
    ("parameters", "Parameter Plot"),
    ("decision", "Decision Boundary"),
    ("gradients", "Gradient Flow"),
    ("confusion", "Confusion Matrix"),
)


def build_window(
    settings: QSettings | None = None, opened: tuple[Document, Path] | None = None
) -> MainWindow:
    """The main window on a new network, or on `opened` (a document loaded from its file,
    shown from the start: the views are built once, for it)."""
    settings = settings or QSettings()
    doc, path = opened if opened is not None else (new_document(), None)
    model = DocumentModel(doc, path)
    window = MainWindow(model, QUndoStack(), settings)
    _files(window, settings)
    _lesson_and_canvas(window, settings)
    window.plots = install_plots(
        window, window.lesson, window.model, window.canvas, window.settings, window.view_menu
    )
    _exports(window)
    window.compare = install_compare(window, window.lesson.tools_menu.addMenu("&Compare Runs"))
    window.landscape = install_landscape(window)
    window.files.replaced.append(partial(show_lesson_view, window))
    window.arrange_docks(window.lesson.dock)
    window.file_actions.fill_recent_menu()
    window.recovery = RecoveryController(
        model, window.undo_stack, window.files, window, window.lesson.runner.stopped
    )
    window.recovery.prepare = window.file_actions.prepare
    window.closed.connect(window.file_actions.loader.cancel)
    window.closed.connect(window.recovery.discard)
    window.closed.connect(window.exports.cancel_slides)
    window.closed.connect(window.compare.cancel)  # else it trains on for as long as asked
    window.help = HelpMenu(window)  # the last menu
    window.step_view.show_step()  # the views were built for the document: no `changed` yet
    if path is not None:
        window.show_document()
        window.files.opened(path, Fingerprint.of(path))
    return window


def _files(window: MainWindow, settings: QSettings) -> None:
    """The file service and File menu; the start page opens through them."""
    recent = RecentFiles(
        lambda: settings.value(RECENT_KEY, []), lambda paths: settings.setValue(RECENT_KEY, paths)
    )
    files = FileService(window.model, window.undo_stack, window, recent, new_document)
    files.replaced.append(window.show_document)
    window.files = files
    window.may_close = files.maybe_save
    file_actions = FileActions(
        files,
        window.file_menu,
        window.action,
        window,
        window.show_start_page,
        window.start_page.set_recent,
        window.undo_stack.cleanChanged,
    )
    recent.written.append(file_actions.fill_recent_menu)
    window.file_actions = file_actions
    window.start_page.open_requested.connect(file_actions.open_path_asking)
    window.start_page.new_requested.connect(file_actions.new)
    window.file_dropped.connect(file_actions.open_path_asking)


def _lesson_and_canvas(window: MainWindow, settings: QSettings) -> None:
    """The Network menu and toolbar, the settings and data docks, the lesson and its view
    over the canvas, presentation mode."""
    structure = StructureActions(window.model, window.push, window.canvas, window.action, window)
    bar = window.menuBar()
    bar.insertMenu(window.view_menu.menuAction(), structure.menu)
    window.addToolBar(structure.toolbar)
    window.view_menu.addAction(structure.toolbar.toggleViewAction())
    window.structure_actions = structure
    push_edit = partial(push, window.undo_stack, window.model)
    window.panels = install_panels(
        window, window.model, push_edit, window.view_menu, window.file_menu
    )
    lesson = LessonController(window.model, window.push, settings, window, [window.canvas])
    window.lesson = lesson
    window.step_view = StepView(window.model, lesson, window.canvas)
    window.overlay = window.step_view.overlay
    window.presentation = Presentation(window, lesson, window.canvas, window.view_menu)
    _graph_tab(window)
    window.files.settle = lesson.runner.pause
    window.file_actions.prepare = lambda loaded: lesson.session.prepare(loaded.walk)


def _graph_tab(window: MainWindow) -> None:
    """The computational graph, a tab beside the canvas, and View ▸ Computational Graph
    (Ctrl+G) switching between the two."""
    view = GraphView(window.model, window.lesson)
    window.graph_view = view
    window.lesson.add_lesson_view(view)
    index = window.views.addTab(view, "Computational Graph")
    window.views.setTabToolTip(
        index, "The lesson's sample as a graph of operations, with values and gradients"
    )
    action = window.action(
        "Computational &Graph",
        lambda on: window.views.setCurrentIndex(index if on else 0),
        "Ctrl+G",
        "Show the computational graph of the lesson's sample instead of the network",
    )
    action.setCheckable(True)
    window.views.currentChanged.connect(lambda current: action.setChecked(current == index))
    window.view_menu.insertAction(window.presentation.action, action)
    window.presentation.action.toggled.connect(view.set_presentation)


def _exports(window: MainWindow) -> None:
    """File ▸ Export and Export to PDF: the network diagram and each plot."""
    exports = ExportActions(
        window.file_actions.export_menu,
        window.file_actions.pdf_menu,
        view=window,
        action=window.action,
        model=window.model,
        settings=window.settings,
        lesson=window.lesson,
        plots=window.plots,
        canvas=window.canvas,
        overlay=window.overlay,
        presentation=window.presentation,
    )
    window.exports = exports
    exports.add_view(
        "network",
        "Network Diagram",
        lambda: window.canvas,
        "Ctrl+Shift+E",
        restyle=redraw_on_palette(window.canvas),
        diagram=True,
    )
    window.structure_actions.context_extras.append(exports.views["network"].context_action)
    for key, title in PLOT_EXPORTS:
        exports.add_view(
            key,
            title,
            lambda key=key: window.plots.panel(key).plot,
            restyle=lambda key=key: window.plots.panel(key).restyle(),
            twin=(lambda: window.plots.loss.twin()) if key == "loss" else None,
        )
    window.plots.built.connect(lambda key, panel: exports.add_plot_menu(key, panel.plot))
