"""The all-or-none writer (document/atomic.py): several files are renamed into place only
when all of them were written; errors name the user's file; devices are never replaced."""

from __future__ import annotations

import errno
import os

import pytest

from bpstudio.cli_outputs import one_line
from bpstudio.document import atomic
from bpstudio.document.atomic import atomic_write_bytes, write_all


def test_a_failure_in_the_second_file_leaves_the_first_untouched(tmp_path):
    first = tmp_path / "a.bpnet"
    first.write_bytes(b"old")
    with pytest.raises(OSError) as caught:
        write_all([(first, b"new"), (tmp_path / "missing" / "b.csv", b"x")])
    assert first.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.bpnet"]
    assert caught.value.filename == str(tmp_path / "missing" / "b.csv")


def test_a_failed_rename_names_the_users_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "h.csv"

    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src)

    monkeypatch.setattr(atomic.os, "replace", full)
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(target, b"1,2\n")
    assert caught.value.filename == str(target)
    assert caught.value.errno == errno.ENOSPC
    assert os.listdir(tmp_path) == []


def test_a_write_error_without_a_file_name_gets_the_users_file(tmp_path, monkeypatch):
    """`No space left on device` alone (from fsync) becomes an error naming the file."""

    def fails(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", fails)
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(tmp_path / "x.bpnet", b"{}")
    assert caught.value.filename == str(tmp_path / "x.bpnet")
    assert os.listdir(tmp_path) == []


def test_a_folder_in_place_of_the_file_is_not_replaced(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(OSError, match="it is a folder"):
        atomic_write_bytes(tmp_path / "x.csv", b"1")
    assert (tmp_path / "x.csv").is_dir()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a\nb", "a\\nb"),
        ("tab\there\r", "tab\\there\\r"),
        ("esc\x1b[31mred", "esc\\x1b[31mred"),
        ("line\u2028sep", "line\\u2028sep"),
        ("ünïcode ok", "ünïcode ok"),
    ],
)
def test_one_line_escapes_line_breaks_and_control_characters(text, expected):
    assert one_line(text) == expected
