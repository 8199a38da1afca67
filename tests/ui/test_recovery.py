"""Recovery copies in the window: written while there are unsaved changes (on the timer and
when training pauses), removed when the work is saved or the window closes cleanly, offered
at the next start after a crash or a kill (SIGKILL of a real child process), restored as
modified and belonging to the original file, deleted when declined."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from held_read import HeldRead, dropped, progress_dialog
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton

from bpstudio.app import offer_recovery_then_open
from bpstudio.document import recovery as recovery_files
from bpstudio.document.edits import SetTraining, SetWeight
from bpstudio.document.format import load, save
from bpstudio.document.recovery import RecoveryStore, read_document, read_info
from bpstudio.resources import examples_dir

SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"
DRIVER = Path(__file__).with_name("app_driver.py")
REPO = str(Path(__file__).resolve().parents[2])


def driver(*argv: str) -> subprocess.Popen:
    """The app driver in a child process, importing this checkout's bpstudio."""
    path = os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, str(DRIVER), *argv],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
    )


@pytest.fixture(scope="module")
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def copies(data_folder: Path) -> list[Path]:
    folder = data_folder / "recovery"
    return sorted(folder.glob("*.bprecover")) if folder.exists() else []


def edited(window, path=SEED3):
    assert window.files.open_path(path)
    assert window.push(SetWeight(1, 0, 0, 0.75))
    return window.document.copy()


def offer(qtbot, window) -> bool:
    """Offers the stale copies as the app does at start-up (each read on a worker thread)
    and waits until the offers are over; returns whether one was restored."""
    with qtbot.waitSignal(window.recovery.offered, timeout=20_000) as offered:
        window.recovery.offer_restore()
    return offered.args[0]


def test_an_unsaved_change_is_written_on_the_timer_and_removed_on_save(
    qtbot, main_window, data_folder, tmp_path
):
    window = main_window()
    window.recovery.timer.setInterval(20)
    with qtbot.waitSignal(window.recovery.written, timeout=5000):
        expected = edited(window)
    [copy] = copies(data_folder)
    info = read_info(copy)
    assert info.original == str(SEED3) and info.pid == os.getpid()
    assert read_document(info) == expected
    window.ask_save_path = lambda: str(tmp_path / "saved.bpnet")
    assert window.files.save_as()
    window.recovery.flush()
    assert copies(data_folder) == []


def test_pausing_training_writes_the_trained_document(qtbot, main_window, data_folder):
    window = main_window()
    assert window.files.open_path(SEED3)
    window.lesson.run_controls.set_speed(0)  # as fast as possible
    window.lesson.toggle_run()
    qtbot.waitUntil(lambda: window.lesson.walk.epoch >= 20, timeout=10_000)
    with qtbot.waitSignal(window.recovery.written, timeout=5000):
        window.lesson.toggle_run()
    [copy] = copies(data_folder)
    assert read_document(read_info(copy)) == window.document
    assert window.document.history.epoch[-1] >= 20


def test_undoing_back_to_the_saved_state_removes_the_copy(qtbot, main_window, data_folder):
    window = main_window()
    edited(window)
    window.recovery.write_now()
    window.recovery.flush()
    assert len(copies(data_folder)) == 1
    window.undo_stack.undo()
    window.recovery.flush()
    assert copies(data_folder) == []


def test_a_clean_exit_with_discarded_changes_removes_the_copy(qtbot, main_window, data_folder):
    window = main_window()
    edited(window)
    window.recovery.write_now()
    window.recovery.flush()
    assert len(copies(data_folder)) == 1
    window.ask_unsaved_changes = lambda: "discard"
    window.close()
    assert copies(data_folder) == []


def test_two_windows_keep_two_copies_and_neither_offers_the_others(qtbot, main_window, data_folder):
    first, second = main_window(), main_window()
    edited(first)
    edited(second, examples_dir() / "xor.bpnet")
    for window in (first, second):
        window.recovery.write_now()
        window.recovery.flush()
    assert len(copies(data_folder)) == 2
    second.ask_restore_recovery = lambda info: pytest.fail("a live window's copy was offered")
    assert not offer(qtbot, second)


def stale_copy(data_folder: Path, pid: int, original: str | None, saved_at: float = 1e9):
    doc = load(SEED3)
    doc.layers[1].weights[0, 0] = 0.5
    doc.name = f"recovered {saved_at}"
    RecoveryStore(data_folder / "recovery", pid=pid).write(doc, original, None, saved_at)
    return doc


def test_a_stale_copy_is_offered_and_restored_as_modified_into_its_file(
    qtbot, main_window, data_folder, dead_pid, tmp_path
):
    original = tmp_path / "mine.bpnet"
    save(load(SEED3), original)
    expected = stale_copy(data_folder, dead_pid, str(original), saved_at=1_700_000_000)
    window = main_window()
    offered = []
    window.ask_restore_recovery = lambda info: offered.append(info) or True
    assert offer(qtbot, window)
    assert [(i.original, i.saved_at) for i in offered] == [(str(original), 1_700_000_000)]
    assert window.document == expected
    assert window.path == original and window.isWindowModified()
    assert window.windowTitle() == "mine.bpnet[*] — bpstudio"
    window.recovery.flush()
    [own] = copies(data_folder)
    assert own.name.startswith(f"{os.getpid()}-")  # the old copy is gone, this window's is there
    assert window.files.save()
    assert load(original) == expected


def test_declining_deletes_the_copy_and_offers_the_next(qtbot, main_window, data_folder, dead_pid):
    stale_copy(data_folder, dead_pid, None, saved_at=100)
    newer = stale_copy(data_folder, dead_pid, "/somewhere/net.bpnet", saved_at=200)
    window = main_window()
    answers = iter([False, True])
    offered = []
    window.ask_restore_recovery = lambda info: offered.append(info.saved_at) or next(answers)
    assert offer(qtbot, window)
    assert offered == [200, 100]
    assert window.document.name == "recovered 100"
    assert window.path is None and window.isWindowModified()
    window.ask_restore_recovery = lambda info: pytest.fail("offered twice")
    assert not offer(qtbot, window)
    assert newer.name == "recovered 200"


def test_the_ask_restore_dialog_says_when_and_which_file(qtbot, main_window, dead_pid, data_folder):
    """The real question (not patched) names the file and the time; Delete Copy declines."""
    from PySide6.QtWidgets import QApplication

    stale_copy(data_folder, dead_pid, "/home/student/net.bpnet", saved_at=1_700_000_000)
    window = main_window()
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if "Delete" in b.text()).click()

    QTimer.singleShot(0, answer)
    assert not offer(qtbot, window)
    assert "/home/student/net.bpnet" in seen[0] and "2023" in seen[0]
    assert copies(data_folder) == []


def test_a_recovery_copy_that_cannot_be_written_is_reported_in_the_status_line(
    qtbot, main_window, data_folder, monkeypatch
):
    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recovery_files, "atomic_write_text", full)
    window = main_window()
    edited(window)
    with qtbot.waitSignal(window.recovery.failed, timeout=5000):
        window.recovery.write_now()
    qtbot.waitUntil(lambda: "recovery copy" in window.statusBar().currentMessage())
    assert "No space left on device" in window.statusBar().currentMessage()
    assert copies(data_folder) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_killed_instance_s_unsaved_work_is_offered_by_the_next(
    qtbot, main_window, data_folder, tmp_path
):
    """A real bpstudio process (app.run) edits a file without saving, its recovery timer
    writes the copy, and it is killed with SIGKILL; a new window offers that copy and the
    restored document equals the one the killed window held."""
    original = tmp_path / "work.bpnet"
    save(load(SEED3), original)
    expected = tmp_path / "expected.bpnet"
    child = driver("unsaved", str(original), str(expected))
    watchdog = threading.Timer(120, child.kill)
    watchdog.start()
    try:
        assert child.stdout.readline().strip() == "ready"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        watchdog.cancel()
    assert child.returncode == -signal.SIGKILL
    [left] = copies(data_folder)
    assert left.name.startswith(f"{child.pid}-")
    window = main_window()
    offered = []
    window.ask_restore_recovery = lambda info: offered.append(info) or True
    assert offer(qtbot, window)
    assert offered[0].original == str(original)
    assert window.document == load(expected)
    assert window.document.training.learning_rate == 0.25
    assert window.document.layers[1].weights[0, 0] == 0.123456789
    assert window.path == original and window.isWindowModified()
    assert load(original) == load(SEED3)  # the user's file was never touched


def test_a_copy_and_its_document_survive_a_restore_of_a_generated_data_set(
    qtbot, main_window, data_folder, dead_pid
):
    """Generated data, a history and settings come back exactly."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "spiral.bpnet")
    window.lesson.run_epoch()
    window.push(SetTraining("momentum", 0.5))
    window.recovery.write_now()
    window.recovery.flush()
    expected = window.document.copy()
    [copy] = copies(data_folder)
    copy.rename(copy.with_name(f"{dead_pid}-abc.bprecover"))
    other = main_window()
    other.ask_restore_recovery = lambda info: True
    assert offer(qtbot, other)
    assert other.document == expected


def test_closing_while_training_pauses_and_asks_about_the_trained_epochs(qtbot, main_window):
    """Epochs trained but not yet written into the document are changes too: closing pauses
    the training, puts them in the document and asks before they are lost."""
    window = main_window()
    assert window.files.open_path(SEED3)
    window.lesson.toggle_run()
    qtbot.waitUntil(lambda: window.lesson.walk.epoch >= 5, timeout=10_000)
    asked = []
    window.ask_unsaved_changes = lambda: asked.append(1) or "cancel"
    assert not window.close()
    assert asked == [1] and not window.lesson.runner.running
    assert window.document.history.epoch[-1] >= 5


def test_a_copy_is_read_off_the_gui_thread_while_the_window_answers(
    qtbot, main_window, data_folder, dead_pid
):
    """While the copy is held back on the worker, a timer of the window keeps ticking and a
    progress dialog says what is read; the question comes once it is read."""
    expected = stale_copy(data_folder, dead_pid, None)
    window = main_window()
    window.recovery.loader.read = read = HeldRead(then=recovery_files.read_copy)
    asked = []
    window.ask_restore_recovery = lambda info: asked.append(info) or True
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    window.recovery.offer_restore()
    qtbot.waitUntil(lambda: len(ticks) >= 20 and progress_dialog(window) is not None)
    assert "recovery copy" in progress_dialog(window).labelText() and asked == []
    with qtbot.waitSignal(window.recovery.offered, timeout=20_000) as offered:
        read.release()
    assert offered.args == [True] and len(asked) == 1
    assert read.threads[0] is not threading.main_thread()
    assert window.document == expected and window.isWindowModified()
    assert progress_dialog(window) is None


def test_cancel_while_a_copy_is_read_keeps_the_copies_for_the_next_start(
    qtbot, main_window, data_folder, dead_pid
):
    stale_copy(data_folder, dead_pid, None, saved_at=100)
    stale_copy(data_folder, dead_pid, None, saved_at=200)
    window = main_window()
    window.recovery.loader.read = read = HeldRead(then=recovery_files.read_copy)
    window.ask_restore_recovery = lambda info: pytest.fail("asked after Cancel")
    window.recovery.offer_restore()
    qtbot.waitUntil(lambda: progress_dialog(window) is not None)
    button = progress_dialog(window).findChild(QPushButton)
    with qtbot.waitSignal(window.recovery.offered) as offered:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert offered.args == [False]
    read.release()
    qtbot.waitUntil(lambda: bool(read.made))
    qtbot.waitUntil(lambda: dropped(next(iter(read.made.values()))))
    assert window.document.sizes == (1, 1) and not window.isWindowModified()
    assert len(copies(data_folder)) == 2  # offered again once this process is gone


def test_a_damaged_copy_is_reported_once_set_aside_and_the_next_offered(
    qtbot, quiet_main_window, data_folder, dead_pid
):
    older = stale_copy(data_folder, dead_pid, None, saved_at=100)
    stale_copy(data_folder, dead_pid, None, saved_at=200)
    newer = next(c for c in copies(data_folder) if read_info(c).saved_at == 200)
    header = newer.read_text(encoding="utf-8").partition("\n")[0]
    newer.write_text(header + '\n{"layers": [', encoding="utf-8")
    window = quiet_main_window()
    offered = []
    window.ask_restore_recovery = lambda info: offered.append(info.saved_at) or True
    assert offer(qtbot, window)
    assert offered == [100] and window.document == older
    [error] = window.errors
    [damaged] = (data_folder / "recovery").glob("*.damaged")
    assert damaged.stem in error and "Traceback" not in error
    window.recovery.flush()
    assert [c.name.startswith(f"{os.getpid()}-") for c in copies(data_folder)] == [True]


@pytest.mark.parametrize("restore", [True, False])
def test_the_command_line_s_file_opens_after_the_offers_unless_one_was_restored(
    qtbot, quiet_main_window, data_folder, dead_pid, restore
):
    """As `bpstudio FILE` starts: the copy is offered first; FILE is read only once the
    offers are over, and not at all if the copy was restored."""
    expected = stale_copy(data_folder, dead_pid, None)
    window = quiet_main_window()
    loading = []
    window.ask_restore_recovery = lambda info: loading.append(file_actions.loader.busy()) or restore
    file_actions = window.file_actions
    with qtbot.waitSignal(window.recovery.offered):
        offer_recovery_then_open(window, str(SEED3))
    assert loading == [False]
    if restore:
        qtbot.wait(50)
        assert not file_actions.loader.busy() and window.document == expected
    else:
        qtbot.waitUntil(lambda: window.path == SEED3)
        assert window.document == load(SEED3)


@pytest.mark.parametrize("answer", ["cancel", "discard"])
def test_a_change_made_while_the_copy_is_read_is_asked_about_before_the_restore(
    qtbot, main_window, data_folder, dead_pid, answer
):
    """The window answers while the copy is read, so the user may change the network then:
    Restore asks about that change first. Cancel keeps it, and the copy for the next start;
    Discard restores the copy."""
    expected = stale_copy(data_folder, dead_pid, None)
    window = main_window()
    window.recovery.loader.read = read = HeldRead(then=recovery_files.read_copy)
    window.ask_restore_recovery = lambda info: True
    asked = []
    window.ask_unsaved_changes = lambda: asked.append(1) or answer
    window.recovery.offer_restore()
    assert window.push(SetTraining("learning_rate", 0.75))
    with qtbot.waitSignal(window.recovery.offered, timeout=20_000) as offered:
        read.release()
    assert asked == [1] and offered.args == [answer == "discard"]
    if answer == "cancel":
        assert window.document.training.learning_rate == 0.75 and window.isWindowModified()
        kept = [read_document(read_info(c)) for c in copies(data_folder)]
        assert expected in kept  # offered again once this process is gone
    else:
        assert window.document == expected and window.isWindowModified()
