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
    assert done.stderr.startswith("bpstudio: error: --plot") and ".png, .svg or .pdf" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _png_dpi(path) -> float:
    """Dots per inch from the PNG's pHYs chunk (pixels per metre), read without Qt."""
    data = path.read_bytes()
    at = data.index(b"pHYs")
    per_metre_x, per_metre_y, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    assert unit == 1 and per_metre_x == per_metre_y
    return per_metre_x * 0.0254


def test_plot_size_in_centimetres_with_a_dpi(tmp_path, run_cli, examples):
    done = run_cli(
        "train", examples / "xor.bpnet", "--epochs", 20, "--plot", tmp_path / "loss.png",
        "--plot-size", "8x5cm", "--dpi", 300, env=HEADLESS,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert _png_size(tmp_path / "loss.png") == (945, 591)  # 8 / 2.54 * 300, 5 / 2.54 * 300
    assert round(_png_dpi(tmp_path / "loss.png")) == 300


def test_default_plot_is_document_style_and_says_its_dpi(tmp_path, run_cli, examples):
    from PySide6.QtGui import QColor, QImage

    for style in ("document", "window"):
        done = run_cli(
            "train", examples / "xor.bpnet", "--epochs", 20, "--plot-style", style,
            "--plot", tmp_path / f"{style}.png", env=HEADLESS,
        )  # fmt: skip
        assert done.code == 0, done.stderr
    assert _png_size(tmp_path / "document.png") == (1280, 800)
    assert round(_png_dpi(tmp_path / "document.png")) == 192
    corner = QColor(QImage(str(tmp_path / "document.png")).pixel(1, 1))
    assert corner == QColor("#ffffff")
    assert QColor(QImage(str(tmp_path / "window.png")).pixel(1, 1)) != corner


def test_plot_as_pdf_keeps_text_as_text(tmp_path, run_cli, examples):
    from pypdf import PdfReader

    done = run_cli(
        "train", examples / "xor.bpnet", "--epochs", 20, "--plot", tmp_path / "loss.pdf",
        "--plot-size", "6x4in", env=HEADLESS,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    (page,) = PdfReader(tmp_path / "loss.pdf").pages
    assert [round(float(v)) for v in page.mediabox] == [0, 0, 432, 288]
    assert "epoch" in page.extract_text()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--plot-size", "big", "--plot-size big: write it as WIDTHxHEIGHT"),
        ("--plot-size", "2x2", "--plot-size 2x2: gives 2 x 2 pixels"),
        ("--dpi", "0", "--dpi 0: must be 10 to 2400"),
    ],
)
def test_bad_plot_options_are_refused_before_training(
    tmp_path, run_cli, examples, option, value, message
):
    done = run_cli(
        "train", examples / "xor.bpnet", "--epochs", 5, "--plot", tmp_path / "a.png",
        option, value, "--out", tmp_path / "out.bpnet",
    )  # fmt: skip
    assert done.code == 2
    assert done.stderr.startswith(f"bpstudio: error: {message}")
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
