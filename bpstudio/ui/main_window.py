"""MainWindow: the composition of canvas, docks, menus and files around one DocumentModel
and its QUndoStack. Dialogs sit behind small methods (`ask_open_path`, `ask_save_path`,
`ask_unsaved_changes`, `show_error`) so tests can patch them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QDateTime, QLocale, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTabBar,
    QTextBrowser,
    QUndoView,
)

from bpstudio.document.disk import Fingerprint, changed_on_disk
from bpstudio.document.edits import Edit, EditError
from bpstudio.document.format import DocumentError, load
from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec
from bpstudio.document.recovery import RecoveryInfo
from bpstudio.document.session import DocumentModel
from bpstudio.resources import examples_dir, is_bundled
from bpstudio.ui.canvas.network_canvas import NetworkCanvas
from bpstudio.ui.compare_dock import install_compare
from bpstudio.ui.elided_label import ElidedLabel
from bpstudio.ui.export_actions import ExportActions, redraw_on_palette
from bpstudio.ui.file_opening import dropped_document, fill_example_menu
from bpstudio.ui.help_menu import HelpMenu
from bpstudio.ui.landscape_dock import install_landscape
from bpstudio.ui.lesson import LessonController
from bpstudio.ui.loading import DocumentLoader, Loaded
from bpstudio.ui.panels import install_panels
from bpstudio.ui.plots import install_plots
from bpstudio.ui.presentation import Presentation
from bpstudio.ui.recovery import RecoveryController
from bpstudio.ui.start_page import StartPage
from bpstudio.ui.step_overlay import StepOverlay
from bpstudio.ui.structure_actions import install_structure_actions
from bpstudio.ui.undo import EditCommand

FILE_FILTER = "bpstudio networks (*.bpnet);;All files (*)"
CANNOT_OPEN = "Cannot open the network"
MAX_RECENT = 10


def new_document() -> Document:
    """What "New network" starts from: one input, one sigmoid neuron, one sample."""
    return Document(
        layers=[LayerSpec(1), LayerSpec(1, "sigmoid")],
        loss="sse",
        training=TrainingSpec(learning_rate=0.1),
        data=DataSpec(inputs=np.array([[0.5]]), targets=np.array([[1.0]])),
        name="Untitled network",
    )


class MainWindow(QMainWindow):
    """`opened`: a document loaded from its file, shown from the start (the command line's
    FILE: the views are built once, for it, not first for a new network)."""

    def __init__(
        self, settings: QSettings | None = None, opened: tuple[Document, Path] | None = None
    ) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        doc, path = opened if opened is not None else (new_document(), None)
        self.model = DocumentModel(doc, path)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._update_title)
        self.canvas = NetworkCanvas(self.model, self.push, self)
        self.start_page = StartPage(self)
        self.start_page.open_requested.connect(self.open_path_asking)
        self.start_page.new_requested.connect(self.new)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(self.canvas)
        self.setCentralWidget(self.pages)
        self.about = QTextBrowser()
        self.about_dock = self._dock("About this network", "about_dock", self.about)
        self.history_dock = self._dock("Edit history", "history_dock", QUndoView(self.undo_stack))
        self.tabifyDockWidget(self.about_dock, self.history_dock)
        self.about_dock.raise_()
        self.setAcceptDrops(True)  # a dropped .bpnet opens (dragEnterEvent, dropEvent)
        self.canvas.setAcceptDrops(False)  # the canvas takes no drops: they reach the window
        self.canvas.viewport().setAcceptDrops(False)
        self.status = ElidedLabel()
        self.statusBar().addWidget(self.status, 1)
        self._build_menus()
        self.exports.add_view(
            "network",
            "Network Diagram",
            lambda: self.canvas,
            "Ctrl+Shift+E",
            restyle=redraw_on_palette(self.canvas),
            diagram=True,
        )
        install_structure_actions(self)
        install_panels(self)
        self.lesson = LessonController(self)
        self.overlay = StepOverlay(self.canvas)
        self.lesson.changed.connect(self._show_step)
        self.canvas.redrawn.connect(self._show_step)
        self.lesson.panel.decimals_changed.connect(self._show_step)
        self.canvas.selection_changed.connect(self._on_canvas_selection)
        self.presentation = Presentation(self, self.lesson)
        self.plots = install_plots(self)
        for key, title in (
            ("loss", "Loss Plot"),
            ("activation", "Activation Plot"),
            ("parameters", "Parameter Plot"),
            ("decision", "Decision Boundary"),
        ):
            self.exports.add_view(
                key,
                title,
                lambda key=key: self.plots.panel(key).plot,
                restyle=lambda key=key: self.plots.panel(key).restyle(),
                twin=(lambda: self.plots.loss.twin()) if key == "loss" else None,
            )
        self.plots.built.connect(lambda key, panel: self.exports.add_plot_menu(key, panel.plot))
        self.compare = install_compare(self, self._tools_menu().addMenu("&Compare Runs"))
        self.landscape = install_landscape(self)
        self._arrange_docks()
        for signal in (
            self.model.events.document_replaced,
            self.model.events.structure_changed,
            self.model.events.settings_changed,
            self.model.events.path_changed,
        ):
            signal.connect(self._on_document_changed)
        self._on_document_changed()
        self.on_disk: Fingerprint | None = None  # the file as opened or last saved
        self.loader = DocumentLoader(self)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(lambda text: self.show_error(CANNOT_OPEN, text))
        self._loading_from = 0  # the undo stack's index when the running load started
        self.recovery = RecoveryController(self)
        self.help = HelpMenu(self)  # the last menu
        self._show_step()  # the views were built for the document: no `changed` came yet
        if path is not None:
            self._show_document()
            self._opened_file(path, Fingerprint.of(path))

    @property
    def document(self) -> Document:
        return self.model.document

    @property
    def path(self) -> Path | None:
        return Path(self.model.path) if self.model.path else None

    # building ----------------------------------------------------------------------------
    def _tools_menu(self) -> QMenu:
        """The Tools menu (the lesson controller adds it to the menu bar)."""
        for action in self.menuBar().actions():
            if action.menu() is not None and action.text() == "&Tools":
                return action.menu()
        return self.menuBar().addMenu("&Tools")

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
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        key = QKeySequence.StandardKey
        file_menu.addAction(
            self.action(
                "&New Network", self.new, key.New, "Start a new network from a single neuron"
            )
        )
        file_menu.addAction(self.action("&Open…", self.open, key.Open, "Open a .bpnet network"))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.example_menu = file_menu.addMenu("Open E&xample")
        fill_example_menu(self.example_menu, self.open_path_asking)
        file_menu.addAction(
            self.action(
                "&Start Page", self.show_start_page, None, "Lessons, examples and recent files"
            )
        )
        self.close_action = self.action(
            "&Close", self.close_document, None, "Close the network and show the start page"
        )
        self.close_action.setShortcuts(key.Close)  # Ctrl+W (and Ctrl+F4 on Windows)
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.action("&Save", self.save, key.Save, "Save the network"))
        file_menu.addAction(
            self.action("Save &As…", self.save_as, key.SaveAs, "Save the network under a new name")
        )
        self.revert_action = self.action(
            "Re&vert", self.revert, None, "Discard all changes since the last save"
        )
        file_menu.addAction(self.revert_action)
        file_menu.addSeparator()
        self.exports = ExportActions(
            self, file_menu.addMenu("&Export"), file_menu.addMenu("Export to P&DF")
        )
        file_menu.addSeparator()
        file_menu.addAction(self.action("&Quit", self.close, key.Quit))
        edit = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(key.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(key.Redo)  # the platform's own: Ctrl+Y on Windows, Ctrl+Shift+Z on X11
        for a in (undo, redo):
            self.addAction(a)
            edit.addAction(a)
        self.edit_menu = edit
        view = bar.addMenu("&View")
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
        self.view_menu = view

    def _arrange_docks(self) -> None:
        """First-run layout (a saved one replaces it): one dock area on the right, so the
        canvas keeps most of the width; the derivation leads, with settings, data, the
        description and the edit history as tabs behind it."""
        docks = {d.objectName(): d for d in self.findChildren(QDockWidget)}
        derivation = self.lesson.dock
        for name in ("settings_dock", "data_dock", "about_dock", "history_dock"):
            if name in docks:
                _shorten_tab_title(docks[name])
                self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[name])
                self.tabifyDockWidget(derivation, docks[name])
        derivation.raise_()
        self.resizeDocks([derivation], [460], Qt.Orientation.Horizontal)
        self._restore_state()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._hide_stray_tab_bars)

    def _hide_stray_tab_bars(self) -> None:
        """Qt leaves the tab bar of each intermediate tabify step of `_arrange_docks` and
        `install_plots` on screen, where it shows clipped tab titles over the canvas and the
        docks. The tab bars in use sit beside their docks; any that overlaps the central
        widget or a shown dock is a leftover."""
        taken = [self.centralWidget().geometry()] + [
            d.geometry() for d in self.findChildren(QDockWidget) if d.isVisible()
        ]
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isVisible() and any(bar.geometry().intersects(r) for r in taken):
                bar.hide()

    def _show_step(self, *_args) -> None:
        """Draws the lesson's current step over the canvas (not while training runs: the
        step sequence would be rebuilt every frame for a state that is gone the next). After
        a structure edit the canvas redraws before the lesson has its new walk: the old walk's
        values are not drawn onto the new layout (the lesson's `changed` follows)."""
        stale = self.lesson.walk.net.sizes != self.document.sizes
        if stale or self.lesson.runner.running or not self.lesson.ready():
            self.overlay.clear()
            self.canvas.follow(None)
            return
        self.overlay.show(
            self.lesson.walk, self.lesson.panel.decimals, self.lesson.panel.is_hidden()
        )
        current = self.overlay.current
        self.canvas.follow(None if current is None else current.sceneBoundingRect())

    def _on_canvas_selection(self) -> None:
        """A dense network's lesson card shows the neuron clicked on."""
        if not self.canvas.lesson_layout():
            self._show_step()

    # edits -------------------------------------------------------------------------------
    def push(self, edit: Edit) -> bool:
        """Checks `edit` and pushes it onto the undo stack (which applies it). A refused edit
        shows its message and changes nothing. Returns whether it was applied."""
        try:
            self.model.check(edit)
        except EditError as exc:
            self.show_error("That change is not possible", str(exc))
            return False
        self.undo_stack.push(EditCommand(self.model, edit))
        return True

    # dialogs (patched in tests) ------------------------------------------------------------
    def ask_open_path(self) -> str:
        start = str(self.path.parent if self.path else examples_dir())
        return QFileDialog.getOpenFileName(self, "Open network", start, FILE_FILTER)[0]

    def ask_save_path(self) -> str:
        start = str(self.path or Path.home() / f"{self.document.name or 'network'}.bpnet")
        path = QFileDialog.getSaveFileName(self, "Save network", start, FILE_FILTER)[0]
        if path and not Path(path).suffix:
            path += ".bpnet"
        return path

    def ask_unsaved_changes(self) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel, for a document with unsaved changes."""
        name = self.path.name if self.path else "this network"
        return QMessageBox.warning(
            self,
            "Unsaved changes",
            f"Save the changes to {name} before closing it?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def ask_yes_no(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def ask_file_changed(self, path: Path) -> str:
        """The user's choice for a file another program changed since it was opened or last
        saved here: "overwrite", "save_as" or "cancel"."""
        box = QMessageBox(QMessageBox.Icon.Warning, "File changed on disk", "", parent=self)
        box.setText(
            f"{path} was changed by another program since bpstudio opened or saved it. "
            "Saving now replaces those changes."
        )
        overwrite = box.addButton("&Overwrite", QMessageBox.ButtonRole.DestructiveRole)
        save_as = box.addButton("Save &As…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save_as)
        box.exec()
        return {overwrite: "overwrite", save_as: "save_as"}.get(box.clickedButton(), "cancel")

    def ask_restore_recovery(self, info: RecoveryInfo) -> bool:
        """Whether to restore the recovery copy `info` (declining deletes it)."""
        when = QLocale().toString(
            QDateTime.fromMSecsSinceEpoch(int(info.saved_at * 1000)),
            QLocale.FormatType.LongFormat,
        )
        name = f"“{info.name}”" if info.name else "a network"
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?", "", parent=self)
        box.setText(
            f"bpstudio was closed without saving {name}.\n\n"
            f"File: {info.original or 'never saved'}\nCopy saved: {when}\n\n"
            "Restore it? If not, the copy is deleted."
        )
        restore = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Delete Copy", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.exec()
        return box.clickedButton() is restore

    # files -------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True if the current document may be closed: it is unchanged, saved now, or the
        user chose to discard the changes. Running training pauses first, so the epochs
        trained so far are in the document and count as changes."""
        self.lesson.runner.pause()
        if self.undo_stack.isClean():
            return True
        answer = self.ask_unsaved_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new(self) -> None:
        if self.maybe_save():
            self._replace(new_document(), None)

    def open(self) -> None:
        if self.maybe_save():
            path = self.ask_open_path()
            if path:
                self.open_in_background(path)

    def open_path_asking(self, path: str) -> None:
        if self.maybe_save():
            self.open_in_background(path)

    def close_document(self) -> bool:
        """File ▸ Close: after asking about unsaved changes, the start page, with a new
        network behind it. Returns whether the document was closed."""
        if not self.maybe_save():
            return False
        self._replace(new_document(), None)
        self.show_start_page()
        return True

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
        QTimer.singleShot(0, lambda: self.open_path_asking(path))  # not inside the drag

    def open_in_background(self, path: str | Path) -> None:
        """Reads `path` on a worker thread while the window keeps answering, then shows it;
        on a bad file shows the loader's message and keeps the current document untouched.
        The window's ways of opening a file come here, after asking about unsaved changes. A
        load still running is abandoned: the file asked for last is the one that opens."""
        self._loading_from = self.undo_stack.index()
        self.loader.start(path)

    def _on_loaded(self, loaded: Loaded) -> None:
        """A document read in the background replaces the current one, unless it was changed
        while the file loaded and the user now keeps the change."""
        self.lesson.runner.pause()
        if self.undo_stack.index() != self._loading_from and not self.maybe_save():
            return
        self.lesson.session.prepare(loaded.walk)
        self._replace(loaded.document, loaded.path)
        self._opened_file(loaded.path, loaded.on_disk)

    def open_path(self, path: str | Path) -> bool:
        """Loads `path` on this thread, for the self-test and scripts that need the document
        at once; otherwise as `open_in_background`. Returns whether it opened."""
        try:
            doc = load(path)
        except DocumentError as exc:
            self.show_error(CANNOT_OPEN, str(exc))
            return False
        self._replace(doc, Path(path))
        self._opened_file(Path(path), Fingerprint.of(path))
        return True

    def _opened_file(self, path: Path, on_disk: Fingerprint | None) -> None:
        self.on_disk = on_disk
        self._remember_recent(str(path.resolve()))

    def _replace(self, doc: Document, path: Path | None) -> None:
        """Any other document the window shows now ends a load still running."""
        self.loader.cancel()
        self.model.replace(doc, path)
        self.undo_stack.clear()
        self.on_disk = None
        self._show_document()

    def _show_document(self) -> None:
        """The canvas, fitted; a lesson opens on its introduction (the first step brings the
        maths forward)."""
        self.pages.setCurrentWidget(self.canvas)
        self.canvas.fit()
        if self.document.description:
            self.about_dock.raise_()

    def save(self) -> bool:
        """Saves to the document's file, after asking if another program changed it. A
        bundled example is a template: saving it asks for a file of the student's own."""
        if self.path is None or is_bundled(self.path):
            return self.save_as()
        if changed_on_disk(self.path, self.on_disk):
            answer = self.ask_file_changed(self.path)
            if answer == "save_as":
                return self.save_as()
            if answer != "overwrite":
                return False
        return self._save_to(self.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.model.save(path)
        except DocumentError as exc:
            self.show_error("Cannot save the network", f"{exc}. The network is not saved.")
            return False
        self.on_disk = Fingerprint.of(path)
        self.undo_stack.setClean()
        self._remember_recent(str(path.resolve()))
        self._update_title()
        return True

    def offer_recovery(self) -> bool:
        """At start-up: offers the unsaved work of an instance that crashed or was killed."""
        return self.recovery.offer_restore()

    def restore_recovered(self, doc: Document, info: RecoveryInfo) -> None:
        """Opens a recovered document as modified, belonging to its original file."""
        self._replace(doc, Path(info.original) if info.original else None)
        self.on_disk = info.on_disk
        self.undo_stack.resetClean()
        self._update_title()

    def revert(self) -> None:
        """Back to the file on disk (or the new network), after asking."""
        if self.undo_stack.isClean():
            return
        if self.ask_yes_no("Revert", "Discard all changes since the last save?"):
            while not self.undo_stack.isClean() and self.undo_stack.canUndo():
                self.undo_stack.undo()

    def show_start_page(self) -> None:
        self.start_page.set_recent(self.recent_files())
        self.pages.setCurrentWidget(self.start_page)

    # recent files and window state ---------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        paths = [value] if isinstance(value, str) else list(value or [])
        return [p for p in paths if Path(p).is_file()]

    def _remember_recent(self, path: str) -> None:
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", paths[:MAX_RECENT])
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_files()
        for path in paths:
            act = self.recent_menu.addAction(Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_path_asking(p))
        self.recent_menu.setEnabled(bool(paths))
        self.start_page.set_recent(paths)

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self._fill_recent_menu()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.loader.cancel()
        self.recovery.discard()
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
        self.revert_action.setEnabled(not self.undo_stack.isClean())
        self._update_title()

    def _update_title(self, *_args) -> None:
        name = self.path.name if self.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — bpstudio")
        self.setWindowModified(not self.undo_stack.isClean())
        self.revert_action.setEnabled(not self.undo_stack.isClean())


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
    from html import escape

    title = escape(doc.name or "Untitled network")
    body = escape(doc.description or "").replace("\n\n", "</p><p>").replace("\n", " ")
    return f"<h2>{title}</h2><p>{body}</p>"
