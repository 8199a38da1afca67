"""The Comparison dock: loss curves of several runs on one plot (a ComparePanel), filled by
Compare… with the current run (its whole loss history) or another .bpnet file, trained for
a chosen number of epochs exactly as `bpstudio train` trains it. That training runs on a
worker thread, with a progress dialog that can cancel; the window keeps answering. The
plot exports like any other (File ▸ Export, Export to PDF, its right-click menu)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QMenu,
    QProgressDialog,
    QToolButton,
    QWidget,
)

from bpstudio.document.format import DocumentError, load
from bpstudio.maths.formula import format_number
from bpstudio.runs import Cancelled, Diverged, train_document
from bpstudio.ui.plots.compare_panel import ComparePanel

if TYPE_CHECKING:
    from bpstudio.document.model import Document
    from bpstudio.ui.main_window import MainWindow

DEFAULT_EPOCHS = 1000
MAX_EPOCHS = 10_000_000


class _Bridge(QObject):
    """Carries the worker thread's news to the GUI thread (queued signals)."""

    progressed = Signal(int)
    finished = Signal(object, object)  # the trained Document, its Divergence or None
    failed = Signal(str)


class CompareRuns(QObject):
    """Owns the dock, its panel and the Compare… actions (put into `menu`). `built(panel)`
    fires when the panel is first built."""

    built = Signal(object)

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.add_current_action = window.action(
            "Add the &Current Run",
            self.add_current_run,
            None,
            "Add the loss history of the network being trained to the comparison",
        )
        self.add_file_action = window.action(
            "Add a &Network File…",
            self.add_file,
            None,
            "Train another .bpnet for a number of epochs (as `bpstudio train` does) and add "
            "its loss curve to the comparison",
        )
        self.remove_action = window.action(
            "&Remove the Last Run", self.remove_last, None, "Take the last curve off the plot"
        )
        self.clear_action = window.action(
            "C&lear the Comparison", self.clear, None, "Take every curve off the plot"
        )
        for action in (self.add_current_action, self.add_file_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addActions([self.remove_action, self.clear_action])
        self._menu = menu
        self._panel: ComparePanel | None = None
        self.dock = QDockWidget("Comparison", window)
        self.dock.setObjectName("compare_dock")
        self.dock.setWidget(QWidget())  # the panel is built when first needed
        self.dock.toggleViewAction().setToolTip("Show or hide the comparison of runs")
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.plots.loss_dock, self.dock)
        window.plots.loss_dock.raise_()
        window.view_menu.addAction(self.dock.toggleViewAction())
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None
        self._progress: QProgressDialog | None = None
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self._on_progressed)
        self._bridge.finished.connect(self._on_finished)
        self._bridge.failed.connect(self._on_failed)
        self._pending_name = ""
        self.remove_action.setEnabled(False)
        self.clear_action.setEnabled(False)

    @property
    def panel(self) -> ComparePanel:
        """The comparison plot, built the first time it is needed (shown, filled or
        exported), like the other plot panels."""
        if self._panel is None:
            button = QToolButton()
            button.setText("Compare…")
            button.setToolTip("Add the current run or another network file to the comparison")
            button.setMenu(self._menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            self._panel = ComparePanel(extra=[button])
            self._panel.changed.connect(self._on_runs_changed)
            self.dock.setWidget(self._panel)
            self.built.emit(self._panel)
        return self._panel

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.panel  # noqa: B018 (builds it)

    # actions ------------------------------------------------------------------------------
    def add_current_run(self) -> None:
        """The window's run: every epoch with a known loss, named after the document and
        its learning rate."""
        epochs, loss = self.window.lesson.walk.full_loss_history()
        doc = self.window.document
        self.panel.set_loss_name(doc.loss)
        self.panel.add_run(self._name(doc, doc.name or "network"), epochs, loss)
        self._show()

    def add_file(self) -> bool:
        """Asks for a .bpnet and the epochs, then trains it off the GUI thread. Returns
        whether training started."""
        if self.busy():
            return False
        path = self.ask_network_path()
        if not path:
            return False
        try:
            doc = load(path)
        except DocumentError as exc:
            self.window.show_error("Cannot compare this file", str(exc))
            return False
        epochs = self.ask_epochs(DEFAULT_EPOCHS)
        if epochs is None:
            return False
        self._pending_name = self._name(doc, Path(path).stem)
        self.panel.set_loss_name(doc.loss)
        self._start(doc, epochs)
        return True

    def remove_last(self) -> None:
        if self._panel is not None and self.panel.runs:
            self.panel.remove_run(len(self.panel.runs) - 1)

    def clear(self) -> None:
        if self._panel is not None:
            self.panel.clear()

    def busy(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def cancel(self) -> None:
        """Stops a training run (its curve is not added)."""
        self._cancel.set()

    # dialogs (patched in tests) -----------------------------------------------------------
    def ask_network_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Compare a Network", "", "bpstudio network (*.bpnet)"
        )
        return path

    def ask_epochs(self, default: int) -> int | None:
        epochs, ok = QInputDialog.getInt(
            self.window, "Compare a Network", "Train for this many epochs:", default, 0, MAX_EPOCHS
        )
        return epochs if ok else None

    # the worker ---------------------------------------------------------------------------
    def _start(self, doc: Document, epochs: int) -> None:
        self._cancel.clear()
        progress = QProgressDialog(
            f"Training {self._pending_name}…", "Cancel", 0, max(1, epochs), self.window
        )
        progress.setWindowTitle("Compare a Network")
        progress.setMinimumDuration(300)
        progress.canceled.connect(self.cancel)
        self._progress = progress
        self._worker = threading.Thread(target=self._work, args=(doc, epochs), daemon=True)
        self._worker.start()

    def _work(self, doc: Document, epochs: int) -> None:
        """On the worker thread: never touches a widget, only emits."""

        def progress(done: int) -> bool:
            self._bridge.progressed.emit(done)
            return self._cancel.is_set()

        try:
            trained, divergence = train_document(doc, epochs, progress)
        except Cancelled:
            self._bridge.failed.emit("")
        except (Diverged, ValueError, MemoryError) as exc:
            self._bridge.failed.emit(str(exc))
        else:
            self._bridge.finished.emit(trained, divergence)

    def _on_progressed(self, done: int) -> None:
        if self._progress is not None:
            self._progress.setValue(done)

    def _on_finished(self, trained: Document, divergence) -> None:
        self._close_progress()
        history = trained.history
        self.panel.add_run(self._pending_name, history.epoch, history.loss)
        self._show()
        if divergence is not None:
            self.window.show_error(
                "Training diverged", f"{self._pending_name}: {divergence.message()}"
            )

    def _on_failed(self, message: str) -> None:
        self._close_progress()
        if message:  # (empty: cancelled)
            self.window.show_error("Cannot compare this file", f"{self._pending_name}: {message}")

    def _close_progress(self) -> None:
        self._worker = None
        if self._progress is not None:
            self._progress.canceled.disconnect(self.cancel)
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    # helpers ------------------------------------------------------------------------------
    def _name(self, doc: Document, label: str) -> str:
        return f"{label} η={format_number(doc.training.learning_rate)}"

    def _show(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def _on_runs_changed(self) -> None:
        has_runs = bool(self.panel.runs)
        self.remove_action.setEnabled(has_runs)
        self.clear_action.setEnabled(has_runs)


def install_compare(window: MainWindow, menu: QMenu) -> CompareRuns:
    """The comparison dock behind the loss plot, its actions in `menu`, and its plot among
    the exports."""
    compare = CompareRuns(window, menu)
    window.exports.add_view(
        "compare",
        "Comparison Plot",
        lambda: compare.panel.plot,
        restyle=lambda: compare.panel.restyle(),
        twin=lambda: compare.panel.twin(),
    )
    compare.built.connect(lambda panel: window.exports.add_plot_menu("compare", panel.plot))
    return compare
