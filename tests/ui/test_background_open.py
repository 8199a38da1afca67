"""Documents are read on a worker thread: the window keeps answering, a slow load shows a
progress dialog whose Cancel keeps the open document, a late result is dropped, errors read
as before, unsaved changes are asked about first, the file asked for last is the one that
opens, and closing the window while a file loads neither crashes nor hangs."""

from __future__ import annotations

import threading
import weakref

import numpy as np
import pytest
from held_read import WAIT_S, HeldRead, dropped, progress_dialog
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

from bpstudio.document.edits import SetWeight
from bpstudio.document.format import DocumentError, load
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.resources import examples_dir

SEED1 = examples_dir() / "seed-1-one-neuron.bpnet"
SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"
XOR = examples_dir() / "xor.bpnet"


def test_a_file_is_read_off_the_gui_thread_while_the_window_answers(quiet_main_window, qtbot):
    """File ▸ Open reads on another thread; a timer of the window keeps ticking meanwhile."""
    window = quiet_main_window()
    window.file_actions.loader.read = read = HeldRead(XOR)
    window.ask_open_path = lambda: str(XOR)
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    window.file_actions.open()
    qtbot.waitUntil(lambda: len(ticks) >= 20)
    assert window.file_actions.loader.busy() and window.path is None
    read.release()
    qtbot.waitUntil(lambda: window.path == XOR)
    assert read.threads and read.threads[0] is not threading.main_thread()
    assert window.document.name == load(XOR).name and window.undo_stack.isClean()
    assert (
        window.pages.currentWidget() is window.views
        and window.views.currentWidget() is window.canvas
    )
    assert window.files.recent.paths() == [str(XOR.resolve())]
    assert window.files.on_disk is not None and window.files.on_disk.size == XOR.stat().st_size


def test_a_slow_load_shows_a_progress_dialog_naming_the_file(quiet_main_window, qtbot):
    window = quiet_main_window()
    window.file_actions.loader.read = read = HeldRead(XOR)
    window.file_actions.open_path_asking(str(XOR))
    assert progress_dialog(window) is None  # not at once: most files load quicker than that
    qtbot.waitUntil(lambda: progress_dialog(window) is not None)
    dialog = progress_dialog(window)
    assert "xor.bpnet" in dialog.labelText()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    read.release()
    qtbot.waitUntil(lambda: window.path == XOR)
    assert progress_dialog(window) is None


def test_a_fast_load_shows_no_progress_dialog(quiet_main_window, qtbot):
    window = quiet_main_window()
    with qtbot.waitSignal(window.file_actions.loader.loaded):
        window.file_actions.open_path_asking(str(SEED1))
    qtbot.wait(500)
    assert window.findChildren(QProgressDialog) == []
    assert window.path == SEED1


def test_cancel_keeps_the_document_and_drops_the_late_result(quiet_main_window, qtbot):
    """Cancel in the progress dialog: the edited document stays as it was, undo and all;
    the document the worker finishes later is never shown, and its memory is freed."""
    window = quiet_main_window()
    assert window.files.open_path(SEED3)
    window.push(SetWeight(1, 0, 0, 0.75))
    edited = window.document.copy()
    window.file_actions.loader.read = read = HeldRead(XOR)
    window.file_actions.open_path_asking(str(XOR))  # Discard was answered, but nothing is lost yet
    qtbot.waitUntil(lambda: progress_dialog(window) is not None)
    qtbot.mouseClick(progress_dialog(window).findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert progress_dialog(window) is None and not window.file_actions.loader.busy()
    read.release()
    qtbot.waitUntil(lambda: XOR in read.made)
    qtbot.waitUntil(lambda: dropped(read.made[XOR]))
    assert window.document == edited and window.path == SEED3
    assert window.isWindowModified() and window.undo_stack.count() == 1
    assert window.errors == []


def test_a_bad_file_shows_the_loader_message_as_before(main_window, qtbot, tmp_path):
    window = main_window()
    assert window.files.open_path(SEED3)
    shown = []
    window.show_error = lambda title, text: shown.append((title, text))
    bad = tmp_path / "bad.bpnet"
    bad.write_text(SEED3.read_text(encoding="utf-8").replace('"sigmoid"', '"sigmod"', 1))
    with pytest.raises(DocumentError) as expected:
        load(bad)
    window.ask_open_path = lambda: str(bad)
    window.file_actions.open()
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == [("Cannot open the network", str(expected.value))]
    assert "layers[1].activation" in shown[0][1] and "Traceback" not in shown[0][1]
    assert window.path == SEED3 and window.document == load(SEED3)


@pytest.mark.parametrize("answer", ["Discard", "Cancel"])
def test_unsaved_changes_are_asked_about_before_the_file_is_read(quiet_main_window, qtbot, answer):
    window = quiet_main_window()
    window.push(SetWeight(1, 0, 0, 0.625))
    order = []
    window.file_actions.loader.read = lambda path: order.append("read") or load(path)
    window.ask_unsaved_changes = lambda: order.append("asked") or answer.lower()
    window.file_actions.open_path_asking(str(XOR))
    if answer == "Cancel":
        assert order == ["asked"] and not window.file_actions.loader.busy()
        assert window.document.layers[1].weights[0, 0] == 0.625
        return
    qtbot.waitUntil(lambda: window.path == XOR)
    assert order == ["asked", "read"]


def test_an_edit_made_while_the_file_loads_is_asked_about_again(quiet_main_window, qtbot):
    """The question came before the edit: Cancel now keeps the edit and drops the file."""
    window = quiet_main_window()
    window.file_actions.loader.read = read = HeldRead(XOR)
    window.file_actions.open_path_asking(str(XOR))
    window.push(SetWeight(1, 0, 0, 0.625))
    asked = []
    window.ask_unsaved_changes = lambda: asked.append(1) or "cancel"
    read.release()
    qtbot.waitUntil(lambda: bool(asked))
    assert window.path is None and window.document.layers[1].weights[0, 0] == 0.625


def test_the_file_asked_for_last_is_the_one_that_opens(quiet_main_window, qtbot):
    """Opening another file while one loads abandons the first load."""
    window = quiet_main_window()
    window.file_actions.loader.read = read = HeldRead(XOR)
    window.file_actions.open_path_asking(str(XOR))
    window.file_actions.open_path_asking(str(SEED1))
    qtbot.waitUntil(lambda: window.path == SEED1)
    read.release()
    qtbot.waitUntil(lambda: XOR in read.made)
    qtbot.waitUntil(lambda: dropped(read.made[XOR]))
    assert window.path == SEED1 and window.document.name == load(SEED1).name


def test_new_network_while_a_file_loads_abandons_the_load(quiet_main_window, qtbot):
    window = quiet_main_window()
    assert window.files.open_path(SEED3)
    window.file_actions.loader.read = read = HeldRead(XOR)
    window.file_actions.open_path_asking(str(XOR))
    window.files.new()
    read.release()
    qtbot.waitUntil(lambda: XOR in read.made)
    qtbot.waitUntil(lambda: dropped(read.made[XOR]))
    assert window.path is None and window.document.sizes == (1, 1)


def test_closing_the_window_while_a_file_loads(quiet_main_window, qtbot):
    window = quiet_main_window()
    window.file_actions.loader.read = read = HeldRead(XOR)
    window.file_actions.open_path_asking(str(XOR))
    qtbot.waitUntil(lambda: progress_dialog(window) is not None)
    assert window.close()
    assert progress_dialog(window) is None and not window.file_actions.loader.busy()
    read.release()
    qtbot.waitUntil(lambda: XOR in read.made)
    qtbot.waitUntil(lambda: dropped(read.made[XOR]))
    assert window.path is None


def test_the_real_app_quits_at_once_while_its_file_is_still_being_read(run_app_driver):
    """`bpstudio FILE` reads FILE on a worker thread; closing the window while that read
    never ends quits at once, with no traceback."""
    result = run_app_driver("close", str(XOR), "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "closed while loading"
    assert "Traceback" not in result.stderr


def test_a_bug_in_the_reader_is_raised_on_the_gui_thread(quiet_main_window, qtbot):
    """Not a bad file but a bug: it reaches the global hook, as it did before, and the
    window can open files again."""

    def broken(path):
        raise ZeroDivisionError("a bug in the reader")

    window = quiet_main_window()
    window.file_actions.loader.read = broken
    with qtbot.captureExceptions() as caught:
        window.file_actions.open_path_asking(str(XOR))
        qtbot.waitUntil(lambda: bool(caught))
    assert isinstance(caught[0][1], ZeroDivisionError)
    assert window.errors == [] and not window.file_actions.loader.busy() and window.path is None
    window.file_actions.loader.read = load
    window.file_actions.open_path_asking(str(XOR))
    qtbot.waitUntil(lambda: window.path == XOR)


class HeldWalk:
    """A loader's `walk_for` that holds back until `release()`, with a weak reference to
    each walk it made."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.made: list = []

    def __call__(self, document):
        assert self.gate.wait(WAIT_S)
        walk = Walkthrough(document)
        self.made.append(weakref.ref(walk))
        return walk

    def release(self) -> None:
        self.gate.set()


def test_the_lessons_walk_is_made_off_the_gui_thread_and_shown_as_is(quiet_main_window, qtbot):
    """The walk's first loss over every sample runs on the worker while the window's timer
    keeps ticking; the lesson then shows that walk, with the values one made afterwards has."""
    window = quiet_main_window()
    window.file_actions.loader.walk_for = walk_for = HeldWalk()
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    window.file_actions.open_path_asking(str(SEED3))
    qtbot.waitUntil(lambda: len(ticks) >= 20)
    assert window.file_actions.loader.busy() and window.path is None
    walk_for.release()
    qtbot.waitUntil(lambda: window.path == SEED3)
    walk = window.lesson.walk
    assert [made() for made in walk_for.made] == [walk]
    fresh = Walkthrough(window.document)
    assert np.array_equal(walk.full_loss_history()[1], fresh.full_loss_history()[1])
    assert np.array_equal(walk.net.params, fresh.net.params)


def test_cancel_while_the_walk_is_made_keeps_the_document(quiet_main_window, qtbot):
    window = quiet_main_window()
    assert window.files.open_path(SEED3)
    window.push(SetWeight(1, 0, 0, 0.75))
    edited, walk = window.document.copy(), window.lesson.walk
    window.file_actions.loader.walk_for = walk_for = HeldWalk()
    window.file_actions.open_path_asking(str(XOR))
    qtbot.waitUntil(lambda: progress_dialog(window) is not None)
    qtbot.mouseClick(progress_dialog(window).findChild(QPushButton), Qt.MouseButton.LeftButton)
    walk_for.release()
    qtbot.waitUntil(lambda: bool(walk_for.made))
    qtbot.waitUntil(lambda: dropped(walk_for.made[0]))  # the late result is not kept
    assert window.document == edited and window.path == SEED3 and window.undo_stack.count() == 1
    assert window.lesson.walk is walk and window.errors == []
