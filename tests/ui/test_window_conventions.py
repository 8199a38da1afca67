"""The window behaves as desktop apps do: presentation gives back the window state it found,
a long export blocks the window it works for, files open by drag and drop, by the system's
file-open event and from File ▸ Open Example, and File ▸ Close closes the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFileOpenEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QProgressDialog

from bpstudio.document.edits import SetWeight
from bpstudio.document.format import load
from bpstudio.resources import examples_dir
from bpstudio.ui.file_opening import FileOpenEvents
from bpstudio.ui.start_page import LESSONS


def test_presentation_gives_back_a_maximised_window(main_window, qtbot):
    window = main_window()
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized)
    window.presentation.enter()
    qtbot.waitUntil(window.isFullScreen)
    window.presentation.leave()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert window.isMaximized()


def test_presentation_gives_back_a_normal_window(main_window, qtbot):
    window = main_window()
    window.presentation.enter()
    qtbot.waitUntil(window.isFullScreen)
    window.presentation.leave()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not window.isMaximized()


def test_history_export_progress_blocks_the_window(quiet_main_window, monkeypatch, tmp_path):
    """While the run is replayed for the CSV, the document cannot be edited."""
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    window.lesson.walk.train(3)
    seen = []
    replay = window.lesson.walk.parameter_history

    def watched(*args):
        seen.extend(d.windowModality() for d in window.findChildren(QProgressDialog))
        return replay(*args)

    monkeypatch.setattr(window.lesson.walk, "parameter_history", watched)
    monkeypatch.setattr(window.exports, "ask_path", lambda *_: str(tmp_path / "h.csv"))
    assert window.exports.export_history()
    assert seen and all(m == m.WindowModal for m in seen)


def _drag_data(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drop(window, mime: QMimeData) -> bool:
    """Drags `mime` over the window's centre and drops it; whether the window took it."""
    at = QPointF(window.rect().center())
    action = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at.toPoint(), action, mime, buttons, mods)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(at, action, mime, buttons, mods)
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def test_a_dropped_bpnet_file_opens(quiet_main_window, qtbot):
    window = quiet_main_window()
    path = examples_dir() / "xor.bpnet"
    assert _drop(window, _drag_data(path))
    qtbot.waitUntil(lambda: window.path == path)
    assert window.document.sizes == load(path).sizes
    assert (
        window.pages.currentWidget() is window.views
        and window.views.currentWidget() is window.canvas
    )


def test_a_drop_on_the_canvas_reaches_the_window(quiet_main_window, qtbot):
    """The canvas takes no drops itself, so Qt hands a drop over it to the window."""
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-1-one-neuron.bpnet")
    assert not window.canvas.acceptDrops() and not window.canvas.viewport().acceptDrops()


def test_a_drop_asks_about_unsaved_changes_and_cancel_keeps_the_document(quiet_main_window, qtbot):
    window = quiet_main_window()
    window.push(SetWeight(1, 0, 0, 0.625))
    asked = []

    def cancel():
        asked.append(True)
        return "cancel"

    window.ask_unsaved_changes = cancel
    assert _drop(window, _drag_data(examples_dir() / "xor.bpnet"))
    qtbot.waitUntil(lambda: bool(asked))
    assert window.path is None and window.document.layers[1].weights[0, 0] == 0.625


@pytest.mark.parametrize("name", ["notes.txt", "two files", "folder.bpnet"])
def test_other_drops_are_refused(quiet_main_window, tmp_path, name):
    window = quiet_main_window()
    first = tmp_path / "a.bpnet"
    first.write_text(examples_dir().joinpath("xor.bpnet").read_text())
    if name == "two files":
        mime = _drag_data(first, examples_dir() / "gauss.bpnet")
    elif name == "folder.bpnet":
        (tmp_path / name).mkdir()
        mime = _drag_data(tmp_path / name)
    else:
        (tmp_path / name).write_text("hello")
        mime = _drag_data(tmp_path / name)
    assert not _drop(window, mime)
    assert window.path is None


def test_the_file_open_event_opens_its_file(quiet_main_window, qtbot):
    """macOS sends QFileOpenEvent to the application for a Finder double-click."""
    window = quiet_main_window()
    events = FileOpenEvents(window.file_actions.open_path_asking, window)
    QApplication.instance().installEventFilter(events)
    try:
        path = examples_dir() / "gauss.bpnet"
        QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(path)))
        qtbot.waitUntil(lambda: window.path == path)
    finally:
        QApplication.instance().removeEventFilter(events)


def test_open_example_lists_the_lessons_then_the_examples(quiet_main_window, qtbot):
    window = quiet_main_window()
    actions = [a for a in window.file_actions.example_menu.actions() if not a.isSeparator()]
    files = [Path(a.toolTip()).name for a in actions]
    bundled = sorted(p.name for p in examples_dir().glob("*.bpnet"))
    assert files[:3] == list(LESSONS) and sorted(files) == bundled
    assert window.file_actions.example_menu.actions()[3].isSeparator()
    actions[1].trigger()
    qtbot.waitUntil(lambda: window.path == examples_dir() / LESSONS[1])
    assert window.document.name == load(examples_dir() / LESSONS[1]).name


def test_close_asks_then_shows_the_start_page_with_a_new_network(quiet_main_window, qtbot):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    window.push(SetWeight(1, 0, 0, 0.625))
    answers = ["cancel", "discard"]
    window.ask_unsaved_changes = lambda: answers.pop(0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    close = QKeySequence(QKeySequence.StandardKey.Close)[0]
    qtbot.keyClick(window.canvas, close.key(), close.keyboardModifiers())
    assert window.path == examples_dir() / "xor.bpnet"  # cancelled: nothing changed
    qtbot.keyClick(window.canvas, close.key(), close.keyboardModifiers())
    assert window.path is None and window.undo_stack.isClean()
    assert window.pages.currentWidget() is window.start_page
    assert tuple(window.document.sizes) == (1, 1)
