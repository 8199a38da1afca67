"""The global exception hook: an exception nobody caught (in a slot, an event handler, a
document view, a worker thread) is recorded, written with its traceback to the log, and shown
in a non-modal message with Copy Details; the app carries on. The real app in a child process
prints no traceback to the terminal."""

from __future__ import annotations

import sys
import threading
import warnings

import pytest
from PySide6.QtCore import Qt, QTimer, qWarning
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from bpstudio.resources import examples_dir
from bpstudio.ui import crash_handler as crash
from bpstudio.ui.crash_handler import CrashHandler


@pytest.fixture
def handler(data_folder, qtbot):
    """An installed handler logging into the test's data folder; uninstalled afterwards."""
    hook = CrashHandler()
    hook.install()
    yield hook
    hook.uninstall()
    if hook.dialog is not None:
        hook.dialog.close()


def raise_in_slot(message: str) -> None:
    def slot():
        raise ValueError(message)

    QTimer.singleShot(0, slot)


def test_an_exception_in_a_slot_is_logged_shown_and_the_app_carries_on(
    qtbot, handler, data_folder, capsys
):
    assert handler.log_file == data_folder / "logs" / "bpstudio.log"
    with qtbot.waitSignal(handler.error_recorded, timeout=5000):
        raise_in_slot("a bug")
    [error] = handler.errors
    assert error.summary == "ValueError: a bug" and error.thread == "MainThread"
    log = handler.log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "ValueError: a bug" in log
    dialog = handler.dialog
    assert dialog.isVisible() and not dialog.isModal()
    assert "a bug" in dialog.label.text() and str(handler.log_file) in dialog.label.text()
    dialog.copy_button.click()
    assert "raise ValueError(message)" in QApplication.clipboard().text()
    assert dialog.isVisible()  # copying does not close it
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected error (ValueError: a bug)" in err
    ticks = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1])  # the event loop still runs


def test_repeated_errors_share_one_message(qtbot, handler):
    for n in range(3):
        with qtbot.waitSignal(handler.error_recorded, timeout=5000):
            raise_in_slot(f"bug {n}")
    assert len(handler.errors) == 3
    assert "bug 2" in handler.dialog.label.text()
    assert "2 more since this message appeared" in handler.dialog.label.text()
    assert handler.dialog.details().count("Traceback") == 3
    handler.dialog.close()
    with qtbot.waitSignal(handler.error_recorded, timeout=5000):
        raise_in_slot("after closing")
    assert handler.dialog.isVisible() and "more since" not in handler.dialog.label.text()


def test_an_exception_in_a_worker_thread_is_shown_on_the_gui_thread(qtbot, handler):
    def work():
        raise RuntimeError("in a thread")

    with qtbot.waitSignal(handler.error_recorded, timeout=5000) as signal:
        threading.Thread(target=work, name="worker").start()
    assert signal.args[0].thread == "worker"
    assert handler.dialog.isVisible()


def test_an_exception_in_a_document_view_is_recorded_and_the_edit_completes(
    qtbot, handler, quiet_main_window
):
    """Document events report a failing view to the hook; the other views still update."""
    from bpstudio.document.edits import SetWeight

    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")

    def broken(*_args):
        raise KeyError("broken view")

    window.model.events.value_changed.connect(broken)
    with qtbot.waitSignal(handler.error_recorded, timeout=5000):
        assert window.push(SetWeight(1, 0, 0, 0.25))
    assert window.document.layers[1].weights[0, 0] == 0.25
    assert handler.errors[0].summary == "KeyError: 'broken view'"
    handler.dialog.close()  # before the window fixture checks for leftover windows


def test_warnings_go_to_the_log_not_the_terminal(handler, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("something odd", RuntimeWarning, stacklevel=1)
    assert "RuntimeWarning: something odd" in handler.log_file.read_text(encoding="utf-8")
    assert "something odd" not in capsys.readouterr().err


def test_the_log_is_rotated_and_limited(handler):
    assert (handler.file_handler.maxBytes, handler.file_handler.backupCount) == (
        crash.MAX_LOG_BYTES,
        crash.LOG_BACKUPS,
    )
    handler.file_handler.maxBytes = 2000
    for n in range(40):
        handler._append(f"line {n} " + "x" * 300)
    names = sorted(p.name for p in handler.folder.iterdir())
    assert names == ["bpstudio.log", "bpstudio.log.1", "bpstudio.log.2", "bpstudio.log.3"]
    assert all(p.stat().st_size < 2000 + 400 for p in handler.folder.iterdir())
    assert "line 39" in handler.log_file.read_text(encoding="utf-8")


def test_qt_warnings_reach_the_log(handler, main_window, qtbot):
    """An ambiguous shortcut, as Redo's was on X11, is Qt's own warning: it is in the log."""
    window = main_window()
    for name in ("One", "Two"):
        action = QAction(name, window)
        action.setShortcut(QKeySequence("Ctrl+Alt+F9"))
        window.addAction(action)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window, Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    qWarning("a message from Qt")
    log = handler.log_file.read_text(encoding="utf-8")
    assert "WARNING bpstudio.qt: a message from Qt" in log
    assert "Ambiguous shortcut overload: Ctrl+Alt+F9" in log


def test_an_unwritable_log_folder_still_records_and_shows(qtbot, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    hook = CrashHandler(blocker / "logs")
    hook.install()
    try:
        with qtbot.waitSignal(hook.error_recorded, timeout=5000):
            raise_in_slot("no log")
    finally:
        hook.uninstall()
    assert hook.errors[0].summary == "ValueError: no log"
    hook.dialog.close()


def test_uninstall_restores_the_previous_hooks(data_folder):
    before = (sys.excepthook, threading.excepthook, warnings.showwarning)
    hook = CrashHandler()
    hook.install()
    assert sys.excepthook == hook.excepthook
    hook.uninstall()
    assert (sys.excepthook, threading.excepthook, warnings.showwarning) == before


def test_the_real_app_logs_faults_and_prints_no_traceback(data_folder, run_app_driver):
    """`bpstudio` (app.run) with a bug in a slot and one in a thread keeps running, prints
    one line per error and no traceback, and the log holds both tracebacks."""
    result = run_app_driver("fault", str(examples_dir() / "xor.bpnet"), "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "still running"
    assert "Traceback" not in result.stderr
    assert result.stderr.count("bpstudio: unexpected error") == 2
    log = (data_folder / "logs" / "bpstudio.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError: a bug in a slot" in log
    assert "[worker] Traceback" in log and "RuntimeError: a bug in a worker thread" in log
