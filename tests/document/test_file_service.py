"""Tests for the file service (bpstudio.document.files): open, save, save as, revert, the
recent files and a file changed on disk, with a scripted view and undo history. Headless."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from edit_cases import network_231

from bpstudio.document.edits import SetWeight
from bpstudio.document.files import CANNOT_OPEN, MAX_RECENT, FileService, RecentFiles
from bpstudio.document.format import load
from bpstudio.document.session import DocumentModel
from bpstudio.resources import examples_dir


class History:
    """An undo stack with QUndoStack's methods: `push` applies an edit to the model."""

    def __init__(self, model: DocumentModel) -> None:
        self.model, self.edits, self.clean_at = model, [], 0

    def push(self, edit) -> None:
        self.model.apply(edit)
        self.edits.append(edit)

    def index(self) -> int:
        return len(self.edits)

    def isClean(self) -> bool:  # QUndoStack's name
        return self.clean_at == len(self.edits)

    def setClean(self) -> None:
        self.clean_at = len(self.edits)

    def resetClean(self) -> None:
        self.clean_at = -1

    def canUndo(self) -> bool:
        return bool(self.edits)

    def undo(self) -> None:
        self.model.revert(self.edits.pop())

    def clear(self) -> None:
        self.edits, self.clean_at = [], 0


class View:
    """Answers the questions from its lists, in order, and records what it was asked."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.asked: list[str] = []
        self.unsaved: list[str] = []
        self.save_paths: list[str] = []
        self.changed: list[str] = []
        self.yes_no: list[bool] = []

    def show_error(self, title: str, text: str) -> None:
        self.errors.append((title, text))

    def ask_unsaved_changes(self) -> str:
        self.asked.append("unsaved")
        return self.unsaved.pop(0)

    def ask_save_path(self) -> str:
        self.asked.append("save path")
        return self.save_paths.pop(0)

    def ask_file_changed(self, path: Path) -> str:
        self.asked.append(f"changed {path.name}")
        return self.changed.pop(0)

    def ask_yes_no(self, title: str, text: str) -> bool:
        self.asked.append(title)
        return self.yes_no.pop(0)


@pytest.fixture
def stored() -> dict:
    return {}


@pytest.fixture
def files(stored) -> FileService:
    model = DocumentModel(network_231())
    recent = RecentFiles(lambda: stored.get("recent", []), lambda p: stored.update(recent=p))
    return FileService(model, History(model), View(), recent, network_231)


def weight(files: FileService) -> float:
    return float(files.model.document.layers[1].weights[0, 0])


def change(files: FileService, value: float = 9.0) -> None:
    files.history.push(SetWeight(1, 0, 0, value))


def saved_file(files: FileService, tmp_path: Path, name: str = "net.bpnet") -> Path:
    path = tmp_path / name
    files.view.save_paths.append(str(path))
    assert files.save()
    return path


# opening -------------------------------------------------------------------------------------
def test_open_path_replaces_the_document_and_remembers_the_file(files, stored):
    xor = examples_dir() / "xor.bpnet"
    change(files)
    assert files.open_path(xor)
    assert files.path == xor and files.model.document.name == load(xor).name
    assert files.history.isClean() and files.history.index() == 0
    assert files.on_disk is not None and files.on_disk.size == xor.stat().st_size
    assert stored["recent"] == [str(xor.resolve())]


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: tmp / "missing.bpnet", "no such file"),
        (lambda tmp: tmp, "not a regular file"),
        (lambda tmp: _written(tmp / "bad.bpnet", b"{not json"), "not valid json"),
    ],
    ids=["missing", "folder", "damaged"],
)
def test_a_file_that_cannot_be_read_shows_why_and_keeps_the_document(files, tmp_path, make, says):
    change(files)
    assert not files.open_path(make(tmp_path))
    [(title, text)] = files.view.errors
    assert title == CANNOT_OPEN and says in text.lower()
    assert weight(files) == 9.0 and not files.history.isClean() and files.path is None


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_background_load_asks_only_if_the_document_changed_meanwhile(files, tmp_path):
    xor = examples_dir() / "xor.bpnet"
    files.loading()
    assert files.loaded(load(xor), xor, None)
    assert files.view.asked == [] and files.path == xor
    files.loading()
    change(files)
    files.view.unsaved.append("cancel")
    assert not files.loaded(network_231(), tmp_path / "other.bpnet", None)
    assert files.view.asked == ["unsaved"] and files.path == xor and weight(files) == 9.0


def test_a_background_load_calls_before_only_when_it_replaces_and_before_replacing(files):
    """The lesson takes the walk made on the worker in `before`: a refused load must not hand
    it over, and an accepted one hands it over while the old document is still shown."""
    xor = examples_dir() / "xor.bpnet"
    shown_then = []
    before = lambda: shown_then.append(files.path)  # noqa: E731
    files.loading()
    change(files)
    files.view.unsaved.append("cancel")
    assert not files.loaded(load(xor), xor, None, before)
    assert shown_then == []
    files.view.unsaved.append("discard")
    assert files.loaded(load(xor), xor, None, before)
    assert shown_then == [None] and files.path == xor


def test_replace_tells_each_listener_after_the_document_is_in_place(files):
    seen = []
    files.replaced.append(lambda: seen.append(files.model.document.name))
    files.replace(network_231(), None)
    assert seen == [network_231().name]


# unsaved changes -----------------------------------------------------------------------------
def test_an_unchanged_document_closes_without_asking_after_settling(files):
    settled = []
    files.settle = lambda: settled.append(1)
    assert files.maybe_save() and files.view.asked == [] and settled == [1]


@pytest.mark.parametrize(("answer", "closes"), [("discard", True), ("cancel", False)])
def test_unsaved_changes_are_asked_about(files, answer, closes):
    change(files)
    files.view.unsaved.append(answer)
    assert files.maybe_save() is closes
    assert files.view.asked == ["unsaved"] and weight(files) == 9.0


def test_choosing_save_for_unsaved_changes_saves_first(files, tmp_path):
    change(files)
    files.view.unsaved.append("save")
    files.view.save_paths.append(str(tmp_path / "kept.bpnet"))
    assert files.maybe_save()
    assert load(tmp_path / "kept.bpnet").layers[1].weights[0, 0] == 9.0


def test_new_replaces_the_document_unless_cancelled(files):
    change(files)
    files.view.unsaved.append("cancel")
    assert not files.new() and weight(files) == 9.0
    files.view.unsaved.append("discard")
    assert files.new() and weight(files) == 0.1 and files.history.isClean()


# saving --------------------------------------------------------------------------------------
def test_save_without_a_file_asks_where_and_marks_the_document_clean(files, tmp_path, stored):
    change(files)
    path = saved_file(files, tmp_path)
    assert files.view.asked == ["save path"]
    assert files.path == path and files.history.isClean()
    assert load(path).layers[1].weights[0, 0] == 9.0
    assert files.on_disk is not None and files.on_disk.size == path.stat().st_size
    assert stored["recent"] == [str(path.resolve())]
    change(files, 2.0)
    assert files.save() and files.view.asked == ["save path"]  # its own file: no question
    assert load(path).layers[1].weights[0, 0] == 2.0


def test_save_as_cancelled_writes_nothing(files, tmp_path):
    files.view.save_paths.append("")
    assert not files.save_as()
    assert list(tmp_path.iterdir()) == [] and files.path is None


def test_a_bundled_example_is_saved_under_a_new_name(files, tmp_path):
    xor = examples_dir() / "xor.bpnet"
    before = xor.read_bytes()
    files.open_path(xor)
    path = saved_file(files, tmp_path, "mine.bpnet")
    assert files.view.asked == ["save path"] and files.path == path
    assert xor.read_bytes() == before


def test_a_failed_save_says_why_and_stays_modified(files, tmp_path):
    change(files)
    files.view.save_paths.append(str(tmp_path / "no" / "such" / "folder" / "net.bpnet"))
    assert not files.save()
    [(title, text)] = files.view.errors
    assert title == "Cannot save the network" and text.endswith("The network is not saved.")
    assert not files.history.isClean() and files.path is None and files.on_disk is None


def _change_on_disk(path: Path) -> bytes:
    theirs = path.read_bytes() + b"\n "
    path.write_bytes(theirs)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    return theirs


def test_a_file_changed_on_disk_is_kept_when_the_user_cancels(files, tmp_path):
    path = saved_file(files, tmp_path)
    theirs = _change_on_disk(path)
    change(files)
    files.view.changed.append("cancel")
    assert not files.save()
    assert files.view.asked[-1] == "changed net.bpnet" and path.read_bytes() == theirs
    assert not files.history.isClean()


def test_a_file_changed_on_disk_is_overwritten_when_chosen(files, tmp_path):
    path = saved_file(files, tmp_path)
    _change_on_disk(path)
    change(files)
    files.view.changed.append("overwrite")
    assert files.save() and load(path).layers[1].weights[0, 0] == 9.0
    change(files, 3.0)
    assert files.save()  # the file now is as saved: no second question
    assert files.view.asked == ["save path", "changed net.bpnet"]


def test_a_file_changed_on_disk_can_be_saved_elsewhere(files, tmp_path):
    path = saved_file(files, tmp_path)
    theirs = _change_on_disk(path)
    change(files)
    files.view.changed.append("save_as")
    files.view.save_paths.append(str(tmp_path / "copy.bpnet"))
    assert files.save()
    assert path.read_bytes() == theirs and files.path == tmp_path / "copy.bpnet"


def test_a_touched_file_with_the_same_bytes_is_not_asked_about(files, tmp_path):
    path = saved_file(files, tmp_path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    change(files)
    assert files.save() and files.view.asked == ["save path"]


# reverting and restoring ---------------------------------------------------------------------
def test_revert_undoes_every_change_since_the_save_after_asking(files, tmp_path):
    saved_file(files, tmp_path)
    change(files, 4.0)
    change(files, 5.0)
    files.view.yes_no.append(False)
    files.revert()
    assert weight(files) == 5.0
    files.view.yes_no.append(True)
    files.revert()
    assert weight(files) == 0.1 and files.history.isClean()
    files.revert()  # clean: nothing to ask
    assert files.view.asked == ["save path", "Revert", "Revert"]


def test_a_restored_document_is_modified_and_belongs_to_its_file(files, tmp_path):
    path = saved_file(files, tmp_path)
    recorded = files.on_disk
    files.replace(network_231(), None)
    files.restore(load(path), str(path), recorded)
    assert files.path == path and files.on_disk == recorded and not files.history.isClean()


# recent files --------------------------------------------------------------------------------
def test_recent_files_are_newest_first_without_repeats(tmp_path, stored):
    recent = RecentFiles(lambda: stored.get("recent"), lambda p: stored.update(recent=p))
    a, b = _written(tmp_path / "a.bpnet", b""), _written(tmp_path / "b.bpnet", b"")
    for path in (a, b, a):
        recent.remember(path)
    assert recent.paths() == [str(a.resolve()), str(b.resolve())]


def test_recent_files_keep_the_newest_up_to_the_limit(tmp_path, stored):
    recent = RecentFiles(lambda: stored.get("recent"), lambda p: stored.update(recent=p))
    paths = [_written(tmp_path / f"{i}.bpnet", b"") for i in range(MAX_RECENT + 2)]
    for path in paths:
        recent.remember(path)
    assert recent.paths() == [str(p.resolve()) for p in reversed(paths[2:])]


def test_recent_files_leave_out_missing_entries_and_take_a_single_path(tmp_path):
    kept = _written(tmp_path / "kept.bpnet", b"")
    stored = [str(tmp_path / "gone.bpnet"), str(tmp_path), str(kept)]
    assert RecentFiles(lambda: stored, lambda p: None).paths() == [str(kept)]
    assert RecentFiles(lambda: str(kept), lambda p: None).paths() == [str(kept)]
    assert RecentFiles(lambda: None, lambda p: None).paths() == []


def test_recent_files_tell_their_listeners_after_each_write(tmp_path, stored):
    recent = RecentFiles(lambda: stored.get("recent"), lambda p: stored.update(recent=p))
    seen = []
    recent.written.append(lambda: seen.append(recent.paths()))
    recent.remember(_written(tmp_path / "a.bpnet", b""))
    assert seen == [[str((tmp_path / "a.bpnet").resolve())]]
