"""Saving when things go wrong: a full disk, a read-only folder, a read-only or locked file,
and a file another program changed since it was opened. Each time the window says which file
and what went wrong, the document stays modified, and the folder holds exactly what it held
before (no half-written file, no temporary file); a changed file is not overwritten without
asking."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from bpstudio.document import atomic
from bpstudio.document.edits import SetWeight
from bpstudio.document.format import load, save
from bpstudio.resources import examples_dir

SEED2 = examples_dir() / "seed-2-two-neurons.bpnet"


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def edited(quiet_main_window, tmp_path):
    """A window holding tmp_path/work/net.bpnet with one unsaved change."""
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "net.bpnet"
    save(load(SEED2), path)
    window = quiet_main_window()
    assert window.files.open_path(path)
    assert window.push(SetWeight(1, 0, 0, -0.625))
    return window, path


class _FullDisk:
    """A file object that writes half of what it is given, then fails as a full disk does."""

    def __init__(self, f) -> None:
        self._f = f

    def write(self, data: bytes) -> int:
        self._f.write(data[: len(data) // 2])
        self._f.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def fill_disk(monkeypatch) -> None:
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(real(fd, *a, **k)))


def assert_refused(window, path: Path, before: dict[str, bytes], problem: str) -> None:
    assert len(window.errors) == 1
    assert window.errors[0].startswith(f"{path}: cannot write the file (")
    assert problem in window.errors[0] and window.errors[0].endswith("The network is not saved.")
    assert window.isWindowModified() and not window.undo_stack.isClean()
    assert listing(path.parent) == before


def test_save_onto_a_full_disk(edited, monkeypatch):
    window, path = edited
    before = listing(path.parent)
    fill_disk(monkeypatch)
    assert not window.files.save()
    assert_refused(window, path, before, "No space left on device: the disk is full")


def test_save_as_a_new_file_onto_a_full_disk(edited, monkeypatch):
    window, path = edited
    target = path.with_name("new.bpnet")
    window.ask_save_path = lambda: str(target)
    before = listing(path.parent)
    fill_disk(monkeypatch)
    assert not window.files.save_as()
    assert_refused(window, target, before, "the disk is full")
    assert window.path == path  # still the file it came from


def test_save_into_a_read_only_folder_simulated(edited, monkeypatch):
    """What a read-only folder does (creating the temporary file fails), also as root."""
    window, path = edited

    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path.parent))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    before = listing(path.parent)
    assert not window.files.save()
    assert_refused(window, path, before, "the folder or the file is read-only")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_save_into_a_read_only_folder(edited):
    window, path = edited
    before = listing(path.parent)
    path.parent.chmod(0o555)
    try:
        assert not window.files.save()
    finally:
        path.parent.chmod(0o755)
    assert_refused(window, path, before, "Permission denied")


def test_save_onto_a_read_only_file(edited):
    """A file marked read-only is not replaced (even by root, who could)."""
    window, path = edited
    path.chmod(0o444)
    before = listing(path.parent)
    try:
        assert not window.files.save()
    finally:
        path.chmod(0o644)
    assert_refused(window, path, before, "the file is read-only")


def test_save_onto_a_locked_file(edited, monkeypatch):
    """Replacing a file another program holds open fails on Windows with 'Permission
    denied'; simulated here for every platform."""
    window, path = edited

    def locked(src, dst):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), dst)

    monkeypatch.setattr(atomic.os, "replace", locked)
    before = listing(path.parent)
    assert not window.files.save()
    assert_refused(window, path, before, "Permission denied")


def test_closing_when_the_save_fails_keeps_the_window_open(edited, monkeypatch):
    window, path = edited
    window.ask_unsaved_changes = lambda: "save"
    fill_disk(monkeypatch)
    assert not window.close()
    assert window.isVisible() and window.isWindowModified()
    monkeypatch.undo()
    assert window.files.save()
    assert load(path).layers[1].weights[0, 0] == -0.625


# --- a file changed by another program ----------------------------------------------------


def change_on_disk(path: Path) -> bytes:
    other = path.read_text(encoding="utf-8").replace('"name": "', '"name": "Changed: ')
    path.write_text(other, encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 2_000_000_000,) * 2)
    return path.read_bytes()


def test_a_file_changed_by_another_program_is_not_overwritten_on_cancel(edited):
    window, path = edited
    theirs = change_on_disk(path)
    asked = []
    window.ask_file_changed = lambda p: asked.append(p) or "cancel"
    assert not window.files.save()
    assert asked == [path]
    assert path.read_bytes() == theirs and window.isWindowModified()


def test_overwrite_replaces_the_changed_file(edited):
    window, path = edited
    change_on_disk(path)
    window.ask_file_changed = lambda p: "overwrite"
    assert window.files.save()
    assert load(path) == window.document and not window.isWindowModified()
    window.push(SetWeight(1, 0, 0, 0.5))
    window.ask_file_changed = lambda p: pytest.fail("asked although nobody changed the file")
    assert window.files.save()


def test_save_as_keeps_the_changed_file_and_saves_elsewhere(edited):
    window, path = edited
    theirs = change_on_disk(path)
    other = path.with_name("mine.bpnet")
    window.ask_file_changed = lambda p: "save_as"
    window.ask_save_path = lambda: str(other)
    assert window.files.save()
    assert path.read_bytes() == theirs and load(other) == window.document
    assert window.path == other


def test_a_touched_or_deleted_file_is_saved_without_asking(edited):
    window, path = edited
    window.ask_file_changed = lambda p: pytest.fail("asked about an unchanged file")
    os.utime(path, ns=(path.stat().st_mtime_ns + 5_000_000_000,) * 2)  # same bytes
    assert window.files.save()
    window.push(SetWeight(1, 0, 0, 0.25))
    path.unlink()
    assert window.files.save()
    assert load(path).layers[1].weights[0, 0] == 0.25


def test_the_real_question_offers_overwrite_save_as_and_cancel(edited, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    window, path = edited
    change_on_disk(path)
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append((box.text(), [b.text() for b in box.buttons()]))
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, answer)
    assert not window.files.save()
    text, buttons = seen[0]
    assert str(path) in text and "another program" in text
    assert {"&Overwrite", "Save &As…"} <= set(buttons)
