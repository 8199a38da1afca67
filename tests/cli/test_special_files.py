"""Special files and output sets (spec section 5): anything that is not a regular file is
refused as input without waiting on it; an output that is a device or a pipe is written
through and never replaced by a regular file; `train`'s outputs are checked before training
and written all or none; errors name the user's file on one line. Headless: no Qt."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from bpstudio.resources import examples_dir

XOR = examples_dir() / "xor.bpnet"
FULL, NULL = (1, 7), (1, 3)  # Linux device numbers of /dev/full and /dev/null

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def _one_error(result, *parts: str) -> str:
    assert result.code == 2, result
    assert result.stderr.count("\n") == 1, result.stderr
    line = result.stderr.rstrip("\n")
    assert line.startswith("bpstudio: error: "), line
    for part in parts:
        assert part in line, line
    assert ".tmp" not in line, line
    return line


def _device(path: Path, numbers: tuple[int, int]) -> Path:
    """A character device at `path` (a copy of /dev/full or /dev/null); skips without the
    right to make one."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*numbers))
    except (PermissionError, AttributeError):
        pytest.skip("making a device needs root")
    return path


@posix_only
@pytest.mark.parametrize(
    "args",
    [["trace"], ["steps"], ["train", "--epochs", "1"]],
    ids=["trace", "steps", "train"],
)
def test_a_fifo_as_the_document_is_refused_at_once(tmp_path, run_cli, args):
    """A FIFO named as FILE: exit 2 and one line saying what it is, with no writer ever
    opening it (the old code waited for one forever)."""
    fifo = tmp_path / "p.bpnet"
    os.mkfifo(fifo)
    command, *options = args
    result = run_cli(command, fifo, *options)
    _one_error(result, f"{fifo}: ", "named pipe (FIFO), not a regular file")


def test_a_device_as_the_document_is_refused(run_cli):
    result = run_cli("trace", "/dev/zero")
    _one_error(result, "/dev/zero: ", "character device, not a regular file")


def test_history_onto_a_full_device_keeps_the_device_and_writes_nothing(tmp_path, run_cli):
    """The issue's case: --history onto a copy of /dev/full. The device is written through
    (so the disk-full error comes from it), stays a device, and --out is not written."""
    device = _device(tmp_path / "h.csv", FULL)
    out = tmp_path / "out.bpnet"
    result = run_cli("train", XOR, "--epochs", 2, "--out", out, "--history", device)
    _one_error(result, f"{device}: ", "No space left on device")
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["h.csv"]


def test_out_onto_a_null_device_is_written_through(tmp_path, run_cli):
    device = _device(tmp_path / "null", NULL)
    result = run_cli("train", XOR, "--epochs", 2, "--out", device, "--history", tmp_path / "h.csv")
    assert result.code == 0, result
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert (tmp_path / "h.csv").read_text().splitlines()[0] == "epoch,loss"


def test_history_onto_standard_output_follows_what_was_printed(tmp_path, run_cli):
    """`--history /dev/stdout`: the CSV goes through standard output, before the final line."""
    result = run_cli("train", XOR, "--epochs", 2, "--history", "/dev/stdout")
    assert result.code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "epoch,loss"
    assert [int(line.split(",")[0]) for line in lines[1:4]] == [0, 1, 2]
    assert lines[-1].startswith("final loss: ") and len(lines) == 5


@posix_only
def test_history_into_a_fifo_that_is_read_arrives_and_the_fifo_stays(tmp_path, run_cli):
    fifo = tmp_path / "h.csv"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    result = run_cli("train", XOR, "--epochs", 3, "--history", fifo)
    reader.join(timeout=60)
    assert result.code == 0, result
    assert received[0].splitlines()[0] == "epoch,loss" and len(received[0].splitlines()) == 5
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@posix_only
def test_a_fifo_nobody_reads_is_an_error_not_a_hang_and_nothing_is_written(tmp_path, run_cli):
    fifo = tmp_path / "h.csv"
    os.mkfifo(fifo)
    out = tmp_path / "out.bpnet"
    result = run_cli("train", XOR, "--epochs", 2, "--out", out, "--history", fifo)
    _one_error(result, f"{fifo}: ", "nobody reads")
    assert sorted(os.listdir(tmp_path)) == ["h.csv"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_read_only_history_is_refused_before_training_and_out_is_not_written(tmp_path, run_cli):
    """The issue's half-written set: a read-only h.csv after --out. Now refused up front."""
    csv = tmp_path / "h.csv"
    csv.write_text("keep\n")
    csv.chmod(0o444)
    out = tmp_path / "out.bpnet"
    result = run_cli("train", XOR, "--epochs", 2, "--out", out, "--history", csv)
    _one_error(result, f"--history {csv}: ", "read-only")
    assert not out.exists() and csv.read_text() == "keep\n"


@pytest.mark.parametrize("second", ["--history", "--plot"])
def test_the_same_path_twice_is_refused(tmp_path, run_cli, second):
    target = tmp_path / "x.svg"
    result = run_cli("train", XOR, "--epochs", 1, "--out", target, second, target)
    _one_error(result, f"{second} {target}: ", "also given as --out")
    assert os.listdir(tmp_path) == []


def test_the_same_file_through_a_link_is_refused(tmp_path, run_cli):
    (tmp_path / "real.csv").write_text("old\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    result = run_cli(
        "train",
        XOR,
        "--epochs",
        1,
        "--out",
        tmp_path / "real.csv",
        "--history",
        tmp_path / "link.csv",
    )
    _one_error(result, "also given as --out")
    assert (tmp_path / "real.csv").read_text() == "old\n"


def test_an_existing_block_device_or_socket_is_never_replaced(tmp_path, run_cli):
    import socket

    path = tmp_path / "s.csv"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = run_cli("train", XOR, "--epochs", 1, "--history", path)
    finally:
        server.close()
    _one_error(result, f"--history {path}: ", "it is a socket")
    assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path, run_cli):
    name = tmp_path / "two\nlines.bpnet"
    result = run_cli("trace", name)
    _one_error(result, "two\\nlines.bpnet: ", "No such file")
    folder = tmp_path / "a\nb"
    result = run_cli("train", XOR, "--epochs", 1, "--out", folder / "x.bpnet")
    _one_error(result, "a\\nb", "does not exist")


def test_a_missing_descriptor_is_refused_before_training(tmp_path, run_cli):
    result = run_cli("train", XOR, "--epochs", 1, "--history", "/dev/fd/57")
    _one_error(result, "--history /dev/fd/57: ", "Bad file descriptor")


def test_outputs_written_all_together_are_complete_and_valid(tmp_path, run_cli):
    """The all-or-none writer still writes every output, leaving no temporary file."""
    out, csv, plot = tmp_path / "o.bpnet", tmp_path / "h.csv", tmp_path / "l.svg"
    result = run_cli("train", XOR, "--epochs", 3, "--out", out, "--history", csv, "--plot", plot)
    assert result.code == 0, result
    assert sorted(os.listdir(tmp_path)) == ["h.csv", "l.svg", "o.bpnet"]
    history = json.loads(out.read_text())["history"]
    assert csv.read_text().splitlines()[1:] == [
        f"{e},{v!r}" for e, v in zip(history["epoch"], history["loss"], strict=True)
    ]
    assert plot.read_bytes().lstrip().startswith(b"<?xml")


def test_a_socket_as_the_document_is_named_as_one(tmp_path, run_cli):
    import socket

    path = tmp_path / "s.bpnet"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = run_cli("trace", path)
    finally:
        server.close()
    _one_error(result, f"{path}: ", "it is a socket, not a regular file")
