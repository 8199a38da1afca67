"""Special files in the window and in `--screenshot`: a FIFO is refused without waiting on it,
the screenshot is written atomically and never replaces a device, and `--step` beyond the
end of the first training step is refused instead of running on for ever."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bpstudio.resources import examples_dir

SEED2 = examples_dir() / "seed-2-two-neurons.bpnet"
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def _bpstudio(*args: object) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "bpstudio", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _one_error(done: subprocess.CompletedProcess, *parts: str) -> None:
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("bpstudio: error: ")
    for part in parts:
        assert part in done.stderr, done.stderr


@posix_only
def test_file_open_refuses_a_fifo_and_keeps_the_document(main_window, tmp_path):
    window = main_window()
    assert window.files.open_path(SEED2)
    shown = []
    window.show_error = lambda title, text: shown.append(text)
    fifo = tmp_path / "p.bpnet"
    os.mkfifo(fifo)
    before = window.document.copy()
    assert not window.files.open_path(fifo)
    assert len(shown) == 1 and "p.bpnet" in shown[0] and "named pipe (FIFO)" in shown[0]
    assert window.document == before and window.path == SEED2


@posix_only
def test_screenshot_of_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "p.bpnet"
    os.mkfifo(fifo)
    done = _bpstudio(fifo, "--screenshot", tmp_path / "out.png")
    _one_error(done, "p.bpnet", "named pipe (FIFO)")
    assert os.listdir(tmp_path) == ["p.bpnet"]


@pytest.mark.parametrize("step", [99999999999, 100, -1])
def test_screenshot_step_beyond_the_training_step_is_refused(tmp_path, step):
    """seed-2 has one sample through 1-1-1 neurons: 2 z, 2 a, 1 loss, 2 delta, 2 grad_w,
    2 grad_b, then 2 weight and 2 bias updates: 15 micro-steps."""
    done = _bpstudio(SEED2, "--screenshot", tmp_path / "out.png", "--step", step)
    _one_error(done, f"--step {step}: ", "has 15 micro-steps", "0 to 15")
    assert os.listdir(tmp_path) == []


def test_screenshot_at_the_last_step_is_written(tmp_path):
    done = _bpstudio(SEED2, "--screenshot", tmp_path / "out.png", "--step", 15)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_screenshot_never_overwrites_a_read_only_image(tmp_path):
    """Written atomically: a read-only file in the way is refused and kept as it was."""
    out = tmp_path / "out.png"
    out.write_bytes(b"keep")
    out.chmod(0o444)
    done = _bpstudio(SEED2, "--screenshot", out)
    _one_error(done, "out.png", "read-only")
    assert out.read_bytes() == b"keep" and os.listdir(tmp_path) == ["out.png"]


@posix_only
def test_screenshot_into_a_fifo_nobody_reads_is_an_error_not_a_hang(tmp_path):
    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)
    done = _bpstudio(SEED2, "--screenshot", fifo)
    _one_error(done, "out.png", "nobody reads")


def test_file_open_refuses_a_history_epoch_of_2_63_with_one_message(main_window, tmp_path):
    """Such a file gave seven "Something went wrong" messages; now it is one clear refusal."""
    import json

    obj = json.loads(SEED2.read_text())
    obj["history"] = {"epoch": [0, 2**63], "loss": [0.5, 0.25]}
    path = tmp_path / "late.bpnet"
    path.write_text(json.dumps(obj))
    window = main_window()
    shown = []
    window.show_error = lambda title, text: shown.append(text)
    assert not window.files.open_path(path)
    assert (
        len(shown) == 1 and "late.bpnet: history.epoch[1] is 9,223,372,036,854,775,808" in shown[0]
    )
