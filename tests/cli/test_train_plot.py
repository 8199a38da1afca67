"""`bpstudio train --plot`: the loss curve as a PNG or a real SVG, written without a display,
next to a `--history` CSV; and a plot is refused before any training when its name is wrong."""

from __future__ import annotations

import csv
import struct
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"
HEADLESS = {"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}


def _png_size(path) -> tuple[int, int]:
    """Width and height from the PNG header, read without Qt."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_xor_loss_curve_as_svg_without_a_display(tmp_path, run_cli, examples):
    done = run_cli(
        "train", examples / "xor.bpnet", "--epochs", 300, "--plot", tmp_path / "loss.svg",
        "--history", tmp_path / "h.csv", env=HEADLESS,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    root = ET.parse(tmp_path / "loss.svg").getroot()
    assert root.tag == f"{SVG}svg"
    longest = max(len(p.get("d", "").split("L")) for p in root.iter(f"{SVG}path"))
    assert longest >= 301  # one vertex per epoch 0..300
    words = ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]
    assert "epoch" in words and any(w.startswith("loss (") for w in words)
    with open(tmp_path / "h.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss"] and len(rows) == 302


def test_loss_curve_as_png(tmp_path, run_cli, examples):
    done = run_cli(
        "train", examples / "seed-2-two-neurons.bpnet", "--epochs", 50,
        "--plot", tmp_path / "loss.png", env=HEADLESS,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    width, height = _png_size(tmp_path / "loss.png")
    assert width >= 1200 and height >= 600  # twice the panel's size: sharp in print


@pytest.mark.parametrize("name", ["loss.jpg", "loss"])
def test_plot_needs_a_png_or_svg_name(tmp_path, run_cli, examples, name):
    done = run_cli(
        "train", examples / "xor.bpnet", "--epochs", 5, "--plot", tmp_path / name,
        "--out", tmp_path / "out.bpnet",
    )  # fmt: skip
    assert done.code == 2
    assert done.stderr.startswith("bpstudio: error: --plot") and ".png or .svg" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
