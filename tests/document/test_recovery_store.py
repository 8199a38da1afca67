"""Recovery copies on disk (document/recovery.py) and file fingerprints (document/disk.py):
one copy per instance, stale copies found only for processes that are gone, claimed by one
instance only, damaged ones skipped; a file's change by another program is noticed, a mere
touch is not. Headless: no Qt."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from document_examples import generator_example, spec_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.document import recovery
from bpstudio.document.disk import Fingerprint, changed_on_disk
from bpstudio.document.format import DocumentError, dumps, from_dict
from bpstudio.document.recovery import RecoveryStore, is_running, read_document, read_info


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that has finished."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not is_running(child.pid)
    return child.pid


def doc(example=spec_example):
    return from_dict(example())


def test_a_copy_reads_back_with_its_metadata(tmp_path):
    store = RecoveryStore(tmp_path / "rec")
    print_ = Fingerprint(12, 34, "ab" * 32)
    store.write(doc(), "/home/student/net.bpnet", print_, saved_at=1_700_000_000.5)
    info = read_info(store.file)
    assert (info.pid, info.original, info.saved_at, info.on_disk) == (
        os.getpid(),
        "/home/student/net.bpnet",
        1_700_000_000.5,
        print_,
    )
    assert info.name == "Two neurons in series"
    assert read_document(info) == doc()
    assert store.file.name.startswith(f"{os.getpid()}-") and store.file.suffix == ".bprecover"


def test_the_metadata_is_read_from_the_first_line_alone(tmp_path, monkeypatch):
    """The folder is looked through at start-up, on the GUI thread: of a copy that may hold
    50 MB only the first line is read, at most the header's limit and its newline."""
    store = RecoveryStore(tmp_path)
    store.write(doc(generator_example), None, None, saved_at=5.0)
    asked = []

    class CountingFile(io.BytesIO):
        def read(self, size=-1):
            asked.append(size)
            return super().read(size)

    monkeypatch.setattr(
        recovery, "open", lambda path, mode: CountingFile(Path(path).read_bytes()), raising=False
    )
    assert read_info(store.file).saved_at == 5.0
    assert asked == [recovery.MAX_HEADER_BYTES + 1]
    assert read_document(read_info(store.file)) == doc(generator_example)
    assert asked[-1] > recovery.MAX_FILE_BYTES


def test_two_windows_of_one_process_keep_separate_copies(tmp_path):
    first, second = RecoveryStore(tmp_path), RecoveryStore(tmp_path)
    first.write(doc(), None, None)
    second.write(doc(generator_example), None, None)
    assert first.file != second.file
    assert read_document(read_info(first.file)) == doc()
    assert read_document(read_info(second.file)) == doc(generator_example)


def test_only_copies_of_finished_processes_are_stale_newest_first(tmp_path, dead_pid):
    mine = RecoveryStore(tmp_path)
    mine.write(doc(), None, None)
    alive = RecoveryStore(tmp_path, pid=os.getppid())  # the process that started pytest
    alive.write(doc(), None, None)
    older, newer = RecoveryStore(tmp_path, pid=dead_pid), RecoveryStore(tmp_path, pid=dead_pid)
    older.write(doc(), "old.bpnet", None, saved_at=100.0)
    newer.write(doc(), "new.bpnet", None, saved_at=200.0)
    assert [info.original for info in RecoveryStore(tmp_path).stale()] == [
        "new.bpnet",
        "old.bpnet",
    ]


def test_a_stale_copy_is_claimed_by_one_instance_only(tmp_path, dead_pid):
    RecoveryStore(tmp_path, pid=dead_pid).write(doc(), "a.bpnet", None)
    first, second = RecoveryStore(tmp_path), RecoveryStore(tmp_path)
    info = first.stale()[0]
    assert second.stale()[0] == info
    claimed = first.claim(info)
    assert second.claim(info) is None
    assert claimed.pid == os.getpid() and claimed.original == "a.bpnet"
    assert read_document(claimed) == doc()
    assert first.stale() == [] and second.stale() == []


def test_damaged_copies_are_skipped_and_kept(tmp_path, dead_pid):
    """A copy whose header or document cannot be read is not offered (and not deleted); an
    unfinished temporary file of a finished process is removed."""
    names = [f"{dead_pid}-{n:012x}.bprecover" for n in range(4)]
    (tmp_path / names[0]).write_text("no header line")
    (tmp_path / names[1]).write_text('{"bpstudio.recovery": 2}\n{}')
    (tmp_path / names[2]).write_text('{"bpstudio.recovery": 1, "saved_at": NaN}\n{}')
    (tmp_path / names[3]).write_bytes(b"\xff\xfe\n")
    temp = tmp_path / f".{dead_pid}-00ab.bprecover.x1y2.tmp"
    temp.write_text("half")
    live_temp = tmp_path / f".{os.getppid()}-00ab.bprecover.x1y2.tmp"
    live_temp.write_text("being written")
    assert RecoveryStore(tmp_path).stale() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, live_temp.name])


def test_a_copy_with_a_damaged_document_raises_document_error(tmp_path, dead_pid):
    path = tmp_path / f"{dead_pid}-00aa.bprecover"
    header = {"bpstudio.recovery": 1, "original": None, "saved_at": 1.0, "name": None}
    path.write_text(json.dumps(header) + "\n" + '{"format": "bpstudio.network"}')
    info = RecoveryStore(tmp_path).stale()[0]
    with pytest.raises(DocumentError, match=f"{path}: version is missing"):
        read_document(info)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 10_000), flips=st.lists(st.integers(0, 10_000), max_size=4))
def test_mutated_copies_give_only_document_errors(tmp_path, cut, flips):
    store = RecoveryStore(tmp_path / "m", pid=4_000_000)
    store.write(doc(generator_example), "x.bpnet", Fingerprint(1, 2, "00"))
    raw = bytearray(store.file.read_bytes())
    for at in flips:
        raw[at % len(raw)] ^= 0x24
    store.file.write_bytes(bytes(raw[: cut % (len(raw) + 1)]))
    try:
        read_document(read_info(store.file))
    except DocumentError:
        pass


def test_writing_into_a_folder_that_cannot_be_written_raises_and_leaves_nothing(
    tmp_path, monkeypatch
):
    store = RecoveryStore(tmp_path)

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recovery, "atomic_write_text", full)
    with pytest.raises(OSError, match="No space"):
        store.write(doc(), None, None)
    assert list(tmp_path.iterdir()) == []


def test_remove_deletes_only_this_instances_copy(tmp_path):
    mine, other = RecoveryStore(tmp_path), RecoveryStore(tmp_path)
    mine.write(doc(), None, None)
    other.write(doc(), None, None)
    mine.remove()
    mine.remove()  # nothing there: no error
    assert [p for p in tmp_path.iterdir()] == [other.file]


def test_running_and_finished_processes(dead_pid):
    assert is_running(os.getpid()) and is_running(os.getppid())
    assert not is_running(dead_pid) and not is_running(0) and not is_running(-5)


# --- fingerprints --------------------------------------------------------------------------


def test_a_touched_file_is_unchanged_an_edited_one_changed(tmp_path):
    path = tmp_path / "net.bpnet"
    path.write_text(dumps(doc()), encoding="utf-8")
    recorded = Fingerprint.of(path)
    assert not changed_on_disk(path, recorded)
    os.utime(path, ns=(recorded.mtime_ns + 5_000_000_000,) * 2)
    assert not changed_on_disk(path, recorded)
    path.write_text(dumps(doc()).replace("0.3", "0.4"), encoding="utf-8")
    assert changed_on_disk(path, recorded)


def test_nothing_recorded_or_no_file_means_nothing_to_lose(tmp_path):
    path = tmp_path / "gone.bpnet"
    assert Fingerprint.of(path) is None
    assert not changed_on_disk(path, None)
    assert not changed_on_disk(path, Fingerprint(1, 1, "x"))


def test_fingerprint_records_survive_their_dict_and_bad_ones_are_none():
    fp = Fingerprint(10, 20, "c0ffee")
    assert Fingerprint.from_dict(fp.to_dict()) == fp
    for bad in (None, [], {"size": 1}, {"size": "1", "mtime_ns": 2, "sha256": "x"},
                {"size": True, "mtime_ns": 2, "sha256": "x"}):  # fmt: skip
        assert Fingerprint.from_dict(bad) is None


def test_the_sha_is_of_the_bytes(tmp_path):
    path = Path(tmp_path / "b.bin")
    data = np.arange(300_000, dtype=np.uint8).tobytes()  # more than one read chunk
    path.write_bytes(data * 5)
    assert Fingerprint.of(path).sha256 == hashlib.sha256(data * 5).hexdigest()
