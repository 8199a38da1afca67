"""Runs the real bpstudio app (`bpstudio.app.run`, with its crash handler and recovery) in a
child process, for tests that need a process of their own. Not a test module.

    python app_driver.py unsaved FILE EXPECTED   edit FILE without saving; once the timer
        has written the recovery copy, save what the window holds to EXPECTED (for the test
        to compare) and print "ready"; then keep running until killed.
    python app_driver.py fault FILE -            raise in a slot and in a thread, print
        "still running" once both were handled, and quit.
    python app_driver.py close FILE -            with reading FILE made to never end, close
        the window while it is being read (printing "closed while loading"), and quit.

The recovery and log folders come from BPSTUDIO_DATA_DIR, as the test sets it.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpstudio import app as bpstudio_app  # noqa: E402
from bpstudio.document import format as document_format  # noqa: E402
from bpstudio.document.edits import SetTraining, SetWeight  # noqa: E402
from bpstudio.document.format import save  # noqa: E402
from bpstudio.ui.main_window import MainWindow  # noqa: E402


def main_window(qt: QApplication) -> MainWindow:
    return next(w for w in qt.topLevelWidgets() if isinstance(w, MainWindow))


def unsaved(qt: QApplication, expected: str) -> None:
    window = main_window(qt)
    if (
        window.file_actions.loader.busy()
    ):  # FILE is read on a worker thread: edit it once it is shown
        window.file_actions.loader.loaded.connect(lambda _loaded: unsaved(qt, expected))
        return

    def on_written() -> None:
        save(window.document, expected)
        print("ready", flush=True)

    window.recovery.written.connect(on_written)
    window.push(SetWeight(1, 0, 0, 0.123456789))
    window.push(SetTraining("learning_rate", 0.25))
    window.recovery.timer.start(100)  # the 30 s timer, shortened


def fault(qt: QApplication) -> None:
    handler_seen = []

    def in_slot() -> None:
        raise ZeroDivisionError("a bug in a slot")

    def in_thread() -> None:
        raise RuntimeError("a bug in a worker thread")

    def check() -> None:
        handler_seen.append(1)
        if len(handler_seen) == 2:
            print("still running", flush=True)
            QTimer.singleShot(0, qt.quit)

    main_window(qt)  # the window exists: the hook is installed
    crash_handler = sys.excepthook.__self__  # the app's CrashHandler
    crash_handler.error_recorded.connect(check)
    QTimer.singleShot(0, in_slot)
    threading.Thread(target=in_thread, name="worker").start()


def close_while_loading(qt: QApplication) -> None:
    window = main_window(qt)
    if window.file_actions.loader.busy():
        print("closed while loading", flush=True)
    window.close()


def never_parsed(_text, _file):
    threading.Event().wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("unsaved", "fault", "close"))
    parser.add_argument("file")
    parser.add_argument("expected")
    args = parser.parse_args()
    qt = QApplication(sys.argv[:1])
    if args.mode == "unsaved":
        QTimer.singleShot(0, lambda: unsaved(qt, args.expected))
    elif args.mode == "close":
        document_format.loads = never_parsed
        QTimer.singleShot(0, lambda: close_while_loading(qt))
    else:
        QTimer.singleShot(0, lambda: fault(qt))
    run_args = argparse.Namespace(
        file=args.file, screenshot=None, step=0, presentation=False, self_test=False, show=None
    )
    return bpstudio_app.run(run_args)


if __name__ == "__main__":
    sys.exit(main())
