"""The Comparison dock: loss curves of several runs on one plot (a ComparePanel), filled by
Compare… with the current run (its whole loss history) or another .bpnet file, trained for
a chosen number of epochs exactly as `bpstudio train` trains it. Reading and checking that
file (up to 50 MB) and training it run on a worker thread, with a progress dialog that can
cancel; the window keeps answering. The
plot exports like any other (File ▸ Export, Export to PDF, its right-click menu)."""

from __future__ import annotations

import threading
from collections.abc import Callable
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


class _Job:
    """One file to compare: `path` read, checked and trained for `epochs`. `cancel` tells the
    worker to stop; the news of a job that is no longer the running one is dropped."""

    def __init__(self, path: Path, epochs: int) -> None:
        self.path, self.epochs = path, epochs
        self.cancel = threading.Event()


class _Bridge(QObject):
    """Carries the worker thread's news of a _Job to the GUI thread (queued signals). It has
    no parent: the worker's reference keeps it alive even if the window is gone first."""

    read = Signal(object, str)  # the file is read and checked: the run's name
    progressed = Signal(object, int)  # epochs trained
    finished = Signal(object, str, object, object)  # the name, trained Document, Divergence
    failed = Signal(object, object)  # a message naming the file, or the exception of a bug


class CompareRuns(QObject):
    """Owns the dock, its panel and the Compare… actions (put into `menu`). `built(panel)`
    fires when the panel is first built. `read(path)` reads a file to compare (on the worker
    thread); it raises DocumentError for a file it cannot compare."""

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
        self.read: Callable[[Path], Document] = load  # tests give slower ones
        self._job: _Job | None = None
        self._progress: QProgressDialog | None = None
        self._bridge = _Bridge()
        self._bridge.read.connect(self._on_read)
        self._bridge.progressed.connect(self._on_progressed)
        self._bridge.finished.connect(self._on_finished)
        self._bridge.failed.connect(self._on_failed)
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
        self.panel.add_run(_run_name(doc, doc.name or "network"), epochs, loss)
        self._show()

    def add_file(self) -> bool:
        """Asks for a .bpnet and the epochs, then reads, checks and trains it off the GUI
        thread (a file that cannot be read is reported then). Returns whether that started."""
        if self.busy():
            return False
        path = self.ask_network_path()
        if not path:
            return False
        epochs = self.ask_epochs(DEFAULT_EPOCHS)
        if epochs is None:
            return False
        self._start(_Job(Path(path), epochs))
        return True

    def remove_last(self) -> None:
        if self._panel is not None and self.panel.runs:
            self.panel.remove_run(len(self.panel.runs) - 1)

    def clear(self) -> None:
        if self._panel is not None:
            self.panel.clear()

    def busy(self) -> bool:
        return self._job is not None

    def cancel(self) -> None:
        """Abandons the running comparison: its curve is not added. Training stops at once; a
        read of the file under way ends unseen."""
        if self._job is not None:
            self._job.cancel.set()
        self._close_progress()

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
    def _start(self, job: _Job) -> None:
        self._job = job
        progress = QProgressDialog(f"Reading {job.path.name}…", "Cancel", 0, 0, self.window)
        progress.setWindowTitle("Compare a Network")
        progress.setMinimumDuration(300)
        progress.canceled.connect(self.cancel)
        self._progress = progress
        worker = threading.Thread(
            target=_work, args=(job, self.read, self._bridge), name="compare", daemon=True
        )
        worker.start()  # a daemon: closing the window never waits for a long read

    def _on_read(self, job: _Job, name: str) -> None:
        if job is self._job and self._progress is not None:
            self._progress.setLabelText(f"Training {name}…")
            self._progress.setRange(0, max(1, job.epochs))

    def _on_progressed(self, job: _Job, done: int) -> None:
        if job is self._job and self._progress is not None:
            self._progress.setValue(done)

    def _on_finished(self, job: _Job, name: str, trained: Document, divergence) -> None:
        if job is not self._job:
            return
        self._close_progress()
        history = trained.history
        self.panel.set_loss_name(trained.loss)
        self.panel.add_run(name, history.epoch, history.loss)
        self._show()
        if divergence is not None:
            self.window.show_error("Training diverged", f"{name}: {divergence.message()}")

    def _on_failed(self, job: _Job, outcome: str | Exception) -> None:
        if job is not self._job:
            return
        self._close_progress()
        if isinstance(outcome, Exception):
            raise outcome  # a bug: the crash handler reports it on the GUI thread
        self.window.show_error("Cannot compare this file", outcome)

    def _close_progress(self) -> None:
        self._job = None
        if self._progress is not None:
            self._progress.canceled.disconnect(self.cancel)
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    # helpers ------------------------------------------------------------------------------
    def _show(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def _on_runs_changed(self) -> None:
        has_runs = bool(self.panel.runs)
        self.remove_action.setEnabled(has_runs)
        self.clear_action.setEnabled(has_runs)


def _run_name(doc: Document, label: str) -> str:
    return f"{label} η={format_number(doc.training.learning_rate)}"


def _work(job: _Job, read: Callable[[Path], Document], bridge: _Bridge) -> None:
    """On the worker thread: reads and checks the file, then trains it. It never touches a
    widget, only emits; after a cancel it says nothing more."""
    name = job.path.name
    try:
        doc = read(job.path)
        name = _run_name(doc, job.path.stem)
        if job.cancel.is_set():
            return
        bridge.read.emit(job, name)

        def progress(done: int) -> bool:
            bridge.progressed.emit(job, done)
            return job.cancel.is_set()

        trained, divergence = train_document(doc, job.epochs, progress)
    except Cancelled:
        return
    except DocumentError as exc:  # it names the file
        bridge.failed.emit(job, str(exc))
    except (Diverged, ValueError, MemoryError) as exc:
        bridge.failed.emit(job, f"{name}: {exc}")
    except Exception as exc:  # handed to the GUI thread, and raised there
        bridge.failed.emit(job, exc)
    else:
        bridge.finished.emit(job, name, trained, divergence)


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
