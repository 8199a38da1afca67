"""Reading a document on a worker thread, so that the window keeps answering while a big file
is parsed and checked: after a moment a progress dialog names the file and offers Cancel.
The worker never touches a widget; the finished document reaches the GUI thread through a
queued signal, and only there is it put into the window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from bpstudio.document.disk import Fingerprint
from bpstudio.document.format import DocumentError, load
from bpstudio.document.model import Document
from bpstudio.document.walkthrough import Walkthrough

PROGRESS_AFTER_MS = 300  # a load that takes longer shows the progress dialog


@dataclass(frozen=True)
class Loaded:
    """A document read from `path`, with the fingerprint of the file it came from and the
    lesson's walk through it (its first loss over every sample took 20 s for 100,000 samples
    of a network near the parameter limit, and 70 s for 100 layers of 100)."""

    document: Document
    path: Path
    on_disk: Fingerprint | None
    walk: Walkthrough


class _Job:
    """One load. `outcome` is a Loaded, or the exception the reading raised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.outcome: Loaded | Exception | None = None


class _Bridge(QObject):
    """Carries a finished job to the GUI thread (a queued signal). It has no parent: the
    worker's reference keeps it alive even if the window is gone before the job ends."""

    done = Signal(object)


class DocumentLoader(QObject):
    """Loads one document at a time off the GUI thread. `loaded(Loaded)` or `failed(message)`
    follows `start`, unless `cancel` comes first (`cancelled` then); starting another load
    abandons the one running. `read(path)` is `format.load` and `walk_for(document)` makes the
    Walkthrough (tests give slower ones); `read` raises DocumentError for a file it cannot
    open. `fingerprint(path)` notes what the file looked like (None where nobody will compare
    it again, as for a recovery copy). Any other exception is raised again on the GUI thread,
    where the crash handler reports it as it would any bug. The progress dialog's title is
    `title` and its text `describe(path)`."""

    loaded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        window: QWidget,
        read: Callable[[Path], Document] = load,
        title: str = "Open Network",
        describe: Callable[[Path], str] = lambda path: f"Opening {path.name}…",
    ) -> None:
        super().__init__(window)
        self.window = window
        self.read = read
        self.title, self.describe = title, describe
        self.walk_for: Callable[[Document], Walkthrough] = Walkthrough
        self.fingerprint: Callable[[Path], Fingerprint | None] = Fingerprint.of
        self._job: _Job | None = None
        self._progress: QProgressDialog | None = None
        self._bridge = _Bridge()
        self._bridge.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PROGRESS_AFTER_MS)
        self._timer.timeout.connect(self._show_progress)

    def busy(self) -> bool:
        """Whether a load is running (and not cancelled)."""
        return self._job is not None

    def start(self, path: str | Path) -> None:
        self.cancel()
        job = _Job(Path(path))
        self._job = job
        worker = threading.Thread(
            target=_work,
            args=(job, self.read, self.fingerprint, self.walk_for, self._bridge),
            name="load document",
            daemon=True,
        )
        worker.start()  # a daemon: closing the window never waits for a long parse
        self._timer.start()

    def cancel(self) -> None:
        """Abandons the running load: its result, when the worker ends, is dropped."""
        running, self._job = self._job, None
        self._stop()
        if running is not None:
            self.cancelled.emit()

    def _stop(self) -> None:
        self._timer.stop()
        if self._progress is not None:
            self._progress.canceled.disconnect(self.cancel)
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    def _show_progress(self) -> None:
        progress = QProgressDialog(self.describe(self._job.path), "Cancel", 0, 0, self.window)
        progress.setWindowTitle(self.title)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.canceled.connect(self.cancel)
        progress.show()
        self._progress = progress

    def _on_done(self, job: _Job) -> None:
        outcome, job.outcome = job.outcome, None  # a late result is not kept
        if job is not self._job:
            return
        self._job = None
        self._stop()
        if isinstance(outcome, Loaded):
            self.loaded.emit(outcome)
        elif isinstance(outcome, DocumentError):
            self.failed.emit(str(outcome))
        else:
            raise outcome


def _work(
    job: _Job,
    read: Callable[[Path], Document],
    fingerprint: Callable[[Path], Fingerprint | None],
    walk_for: Callable[[Document], Walkthrough],
    bridge: _Bridge,
) -> None:
    """On the worker thread: reads, checks and builds the document, fingerprints its file
    (hashing 50 MB takes a while too) and makes the lesson's walk."""
    try:
        document = read(job.path)
        on_disk = fingerprint(job.path)
        job.outcome = Loaded(document, job.path, on_disk, walk_for(document))
    except Exception as exc:  # handed to the GUI thread, and raised there if it is a bug
        job.outcome = exc
    bridge.done.emit(job)
