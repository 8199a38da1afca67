"""The main window opens documents, refuses bad ones without losing the open one, and its
canvas shows the network in the article's notation."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from bpstudio.resources import examples_dir

SEED2 = examples_dir() / "seed-2-two-neurons.bpnet"


def test_open_shows_every_neuron_edge_and_bias(main_window):
    """Example 2 (1-1-1) is drawn with 3 neurons, 2 edges and 2 biases, labelled x, a⁽²⁾₁, ŷ."""
    window = main_window()
    assert window.files.open_path(SEED2)
    canvas = window.canvas
    assert sorted(canvas.neurons) == [(0, 0), (1, 0), (2, 0)]
    assert sorted(canvas.edges) == [(1, 0, 0), (2, 0, 0)]
    assert canvas.biases[(1, 0)].text() == "b = 0.10"
    assert canvas.biases[(2, 0)].text() == "b = 0.40"
    assert canvas.edges[(1, 0, 0)].toolTip().startswith("w⁽¹⁾₁ = 0.3")
    assert canvas.neurons[(1, 0)].toolTip().startswith("a⁽²⁾₁")
    assert canvas.neurons[(2, 0)].toolTip().startswith("ŷ")
    assert window.windowTitle().startswith("seed-2-two-neurons.bpnet")


def test_positive_and_negative_weights_differ_in_colour_and_width(main_window, tmp_path):
    """Edges are coloured by sign and drawn thicker for larger |w|."""
    doc = tmp_path / "signs.bpnet"
    doc.write_text(
        '{"format": "bpstudio.network", "version": 1, "layers": [{"size": 2}, '
        '{"size": 1, "activation": "sigmoid", "weights": [[0.5, -2.0]]}], '
        '"loss": "sse", "training": {"learning_rate": 0.1}, '
        '"data": {"inputs": [[0, 1]], "targets": [[1]]}}'
    )
    window = main_window()
    assert window.files.open_path(doc)
    small, large = window.canvas.edges[(1, 0, 0)].pen(), window.canvas.edges[(1, 0, 1)].pen()
    assert small.color() != large.color()
    assert large.widthF() > small.widthF()


def test_bad_file_shows_the_loader_message_and_keeps_the_document(main_window, tmp_path):
    """Opening an invalid file reports the place and problem; the open network stays."""
    window = main_window()
    assert window.files.open_path(SEED2)
    shown = []
    window.show_error = lambda title, text: shown.append(text)
    bad = tmp_path / "bad.bpnet"
    bad.write_text(SEED2.read_text().replace('"sigmoid"', '"sigmod"', 1))
    before = window.document.copy()
    assert not window.files.open_path(bad)
    assert len(shown) == 1 and "bad.bpnet" in shown[0] and "layers[1].activation" in shown[0]
    assert window.document == before
    assert window.path == SEED2


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(p.name for p in examples_dir().glob("*.bpnet")))
def test_screenshot_renders_every_example(example, tmp_path):
    """`bpstudio FILE --screenshot OUT.png` writes a 1280x800 image of the real window."""
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "bpstudio", str(examples_dir() / example), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert "Traceback" not in result.stderr


def test_no_stray_tab_titles_over_the_canvas_or_the_docks(qtbot, main_window):
    """Qt leaves the tab bars of intermediate tabify steps on screen; none may show."""
    from PySide6.QtWidgets import QDockWidget, QTabBar

    window = main_window()

    def strays() -> list:
        taken = [window.centralWidget().geometry()] + [
            d.geometry() for d in window.findChildren(QDockWidget) if d.isVisible()
        ]
        return [
            b
            for b in window.findChildren(QTabBar)
            if b.isVisible() and any(b.geometry().intersects(r) for r in taken)
        ]

    qtbot.waitUntil(lambda: not strays())
    visible = [b for b in window.findChildren(QTabBar) if b.isVisible()]
    assert len(visible) == 3  # right-hand docks, loss/parameters, activation/decision
