"""CrashHandler: the last line of defence of the GUI. An exception nobody caught (in a slot, an
event handler, a worker thread) is written with its traceback to a log file in the user's
log folder, recorded in `errors`, and shown in a small non-modal message with "Copy
details"; the app carries on. The log is the standard library's `logging` with a
RotatingFileHandler; Python's warnings reach it through `logging.captureWarnings`, and Qt's
own messages (warnings such as an ambiguous shortcut) through a Qt message handler, since
the windowed app has no terminal. Imported only by app.py and the tests; must not import the
document's edits or the engine.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import logging.handlers
import os
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from PySide6.QtCore import (
    QObject,
    QStandardPaths,
    Qt,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

DATA_DIR_VARIABLE = "BPSTUDIO_DATA_DIR"  # one folder for recovery copies and logs (tests)
LOG_NAME = "bpstudio.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3  # bpstudio.log.1 .. .3: at most 4 MB of logs in all
MESSAGE_WIDTH = 440  # pixels: the message's text wraps at this width
LOGGER = "bpstudio"  # unexpected errors; Qt's messages go to "bpstudio.qt"
WARNINGS_LOGGER = "py.warnings"  # where logging.captureWarnings sends warnings
QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
MEANINGLESS_QT = ("propagateSizeHints",)  # the offscreen platform's notice for every window


def data_folder(kind: str, location: QStandardPaths.StandardLocation) -> Path:
    """The folder for `kind` ("recovery", "logs"): `$BPSTUDIO_DATA_DIR/<kind>` if that is set,
    else `<location>/<kind>` of QStandardPaths (e.g. ~/.local/state/bpstudio/bpstudio/logs)."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override) / kind
    return Path(QStandardPaths.writableLocation(location)) / kind


def log_folder() -> Path:
    return data_folder("logs", QStandardPaths.StandardLocation.StateLocation)


@dataclass(frozen=True)
class RecordedError:
    """One exception that reached the hook: `summary` is `Kind: message`, `details` the whole
    traceback as text."""

    summary: str
    details: str
    thread: str
    time: float


class CrashHandler(QObject):
    """Install once (app.py); `errors` lists every exception recorded since. `error_recorded`
    is emitted on the GUI thread, whichever thread raised."""

    error_recorded = Signal(object)
    _arrived = Signal(object)  # from any thread, queued to the GUI thread

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self.folder = Path(folder) if folder is not None else log_folder()
        self.log_file = self.folder / LOG_NAME
        self.errors: list[RecordedError] = []
        self.window: QWidget | None = None  # the message's parent
        self.dialog: ErrorDialog | None = None
        self._saved: tuple[Any, Any, Any, Any] | None = None
        self.fatal_log: TextIO | None = None  # kept open while the app runs
        self.file_handler = _log_file_handler(self.log_file)  # None: the folder is unwritable
        self._arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        """Becomes sys.excepthook, threading.excepthook and Qt's message handler; Python's
        warnings go to the log (logging.captureWarnings)."""
        if self._saved is None:
            self._saved = (
                sys.excepthook,
                threading.excepthook,
                warnings.showwarning,
                qInstallMessageHandler(self._qt_message),
            )
        sys.excepthook = self.excepthook
        threading.excepthook = self._thread_hook
        logging.captureWarnings(True)
        for name in (LOGGER, WARNINGS_LOGGER):
            logger = logging.getLogger(name)
            logger.propagate = False  # the log, not the terminal
            if self.file_handler is not None and self.file_handler not in logger.handlers:
                logger.addHandler(self.file_handler)

    def enable_fatal_log(self) -> None:
        """Makes a hard crash (a fault inside Qt or NumPy) leave its Python traceback in
        faults.log beside the log (nothing happens if that file cannot be opened)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.fatal_log = open(self.folder / "faults.log", "a", encoding="utf-8")  # noqa: SIM115
        except OSError:
            return
        faulthandler.enable(self.fatal_log)

    def uninstall(self) -> None:
        """Puts back the hooks that were there before `install` and closes the log."""
        if self._saved is None:
            return
        logging.captureWarnings(False)
        sys.excepthook, threading.excepthook, showwarning, qt_handler = self._saved
        warnings.showwarning = showwarning
        qInstallMessageHandler(qt_handler)
        self._saved = None
        for name in (LOGGER, WARNINGS_LOGGER):
            logger = logging.getLogger(name)
            logger.propagate = True
            if self.file_handler is not None:
                logger.removeHandler(self.file_handler)
        if self.file_handler is not None:
            self.file_handler.close()

    def excepthook(
        self,
        kind: type[BaseException],
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):  # Ctrl+C in the terminal: just quit
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        summary = f"{kind.__name__}: {value}" if str(value) else kind.__name__
        record = RecordedError(summary, details, threading.current_thread().name, time.time())
        self.errors.append(record)
        written = self._append(f"[{record.thread}] {details}")
        where = self.log_file if written else "nowhere (the log folder cannot be written)"
        if sys.stderr is not None:  # None in a windowed (frozen) app on Windows
            print(f"bpstudio: unexpected error ({summary}); details in {where}", file=sys.stderr)
        with contextlib.suppress(RuntimeError):  # the app is being torn down: nothing to show
            self._arrived.emit(record)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _qt_message(self, kind: QtMsgType, _context, message: str) -> None:
        """Qt's own messages: to the log (debug messages and the offscreen notice dropped)
        and, where there is a terminal, to it as before."""
        if kind == QtMsgType.QtDebugMsg or any(m in message for m in MEANINGLESS_QT):
            return
        logging.getLogger(f"{LOGGER}.qt").log(QT_LEVELS.get(kind, logging.WARNING), message)
        if sys.stderr is not None:
            print(message, file=sys.stderr)

    def _append(self, text: str) -> bool:
        """Writes `text` to the log (rotated when full); False if it could not be written
        (the error is still recorded and shown)."""
        if self.file_handler is None:
            return False
        self.file_handler.failed = False
        logging.getLogger(LOGGER).error(text.rstrip("\n"))
        return not self.file_handler.failed

    def _on_arrived(self, record: RecordedError) -> None:
        try:
            self.show_message(record)
        except Exception:  # never a loop of errors about showing errors
            self._append("the message could not be shown:\n" + traceback.format_exc())
        self.error_recorded.emit(record)

    def show_message(self, record: RecordedError) -> None:
        """Shows (or adds to) the non-modal message; the app keeps running behind it."""
        if self.dialog is None:
            self.dialog = ErrorDialog(self.log_file, self.window or QApplication.activeWindow())
        if not self.dialog.isVisible():
            self.dialog.records.clear()  # a message closed earlier starts afresh
        self.dialog.add(record)
        self.dialog.show()
        self.dialog.raise_()


class ErrorDialog(QDialog):
    """ "Something went wrong" with the last error, how many there were, where the log is, and
    buttons to copy the details (the tracebacks) and to close."""

    def __init__(self, log_file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.setModal(False)
        self.log_file = log_file
        self.records: list[RecordedError] = []
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(MESSAGE_WIDTH)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copy Details")
        self.copy_button.setToolTip("Copy the technical details, to paste into a bug report")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setToolTip("Close this message; bpstudio carries on")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)

    def add(self, record: RecordedError) -> None:
        self.records.append(record)
        more = len(self.records) - 1
        again = f" ({more} more since this message appeared.)" if more else ""
        self.label.setText(
            f"bpstudio ran into an unexpected error and carries on: {record.summary}.{again}\n\n"
            f"Save your work to be safe (a recovery copy is kept as well). The details "
            f"are in {self.log_file}."
        )

    def details(self) -> str:
        return "\n".join(r.details for r in self.records)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details())
        self.copy_button.setText("Copied")


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file: at most LOG_BACKUPS + 1 files of MAX_LOG_BYTES. A failed write sets
    `failed` instead of printing logging's own error report to a terminal."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True


def _log_file_handler(log_file: Path) -> _LogFile | None:
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    handler = _LogFile(
        log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler
