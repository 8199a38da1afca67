"""`bpstudio FILE --screenshot OUT.png --show NAME`, in this process: the view NAME is in
front in the picture (the loss landscape computed, with its path and arrow; the graph in
place of the canvas; the data panel in front of the derivation), and a name
that is not a view is refused with the list of views."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from bpstudio.ui.show import VIEWS

PLOT_ROW = (0, 540, 500, 160)  # x, y, width, height of the plots under the canvas, left
CANVAS = (0, 90, 880, 360)  # the central tabs: the network canvas or the graph
DOCK = (930, 100, 340, 500)  # the tabbed docks on the right: the derivation, or the data


def colours_in(path, region=PLOT_ROW) -> set[int]:
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    x0, y0, w, h = region
    return {image.pixel(x, y) for x in range(x0, x0 + w, 2) for y in range(y0, y0 + h, 2)}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_show_brings_the_view_to_the_front_of_the_screenshot(run_main, examples, tmp_path, name):
    plain, shown = tmp_path / "plain.png", tmp_path / f"{name}.png"
    xor = examples / "xor.bpnet"
    assert run_main(xor, "--screenshot", plain).code == 0
    done = run_main(xor, "--screenshot", shown, "--show", name)
    assert done.code == 0, done.stderr
    region = {"graph": CANVAS, "data": DOCK}.get(name, PLOT_ROW)
    before, after = colours_in(plain, region), colours_in(shown, region)
    assert after != before
    assert len(after) > (400 if name == "landscape" else 5)  # a heatmap has many shades


def test_show_refuses_an_unknown_view(run_main, examples, tmp_path):
    done = run_main(examples / "xor.bpnet", "--screenshot", tmp_path / "x.png", "--show", "nope")
    assert done.code == 2
    assert "gradients" in done.stderr and "landscape" in done.stderr
