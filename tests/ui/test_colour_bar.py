"""The colour bar beside a heatmap: its tick labels are distinct, readable numbers however
narrow the range (the spiral's landscape spans 0.70809 to 0.70884), and they are drawn, not
left out for want of room."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter

from bpstudio.ui.plots.landscape_panel import LandscapePanel
from bpstudio.ui.plots.style import tick_strings


@pytest.mark.parametrize(
    ("values", "spacing", "expected"),
    [
        ([0.0, 0.02, 0.04, 0.06], 0.02, ["0", "0.02", "0.04", "0.06"]),
        ([0.7082, 0.7084, 0.7086], 0.0002, ["0.7082", "0.7084", "0.7086"]),
        ([0.69, 0.7, 0.71], 0.01, ["0.69", "0.70", "0.71"]),
        ([-0.5, 0.0, 0.5], 0.5, ["-0.5", "0", "0.5"]),
        ([0.0, 5e-14, 1e-13, 1.5e-13], 5e-14, ["0", "5e-14", "1e-13", "1.5e-13"]),
        ([1e5, 2e5, 3e5], 1e5, ["1e+05", "2e+05", "3e+05"]),
        ([100.0, 200.0], 100.0, ["100", "200"]),
        ([0.70812, 0.70814], 2e-5, ["0.70812", "0.70814"]),
    ],
)
def test_tick_labels_are_the_shortest_that_tell_the_ticks_apart(values, spacing, expected):
    assert tick_strings(values, spacing) == expected


def _drawn_labels(panel: LandscapePanel) -> list[str]:
    axis = panel.colour_bar.axis
    image = QImage(200, 400, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        texts = axis.generateDrawSpecs(painter)[2]
    finally:
        painter.end()
    return [text for _, _, text in texts]


@pytest.mark.parametrize(("low", "span"), [(0.7080891970754671, 0.000755), (0.0, 0.0566)])
def test_the_landscape_colour_bar_draws_distinct_values_in_its_range(qtbot, low, span):
    panel = LandscapePanel()
    qtbot.addWidget(panel)
    panel.resize(450, 260)
    panel.show()
    qtbot.waitExposed(panel)
    xs = ys = np.linspace(-1.0, 1.0, 41)
    loss = low + span * np.add.outer(ys**2, xs**2) / 2
    panel.show_landscape(("w[1][0][0]", "b[1][0]"), xs, ys, loss, (0.0, 0.0), "bce")
    qtbot.wait(50)
    labels = _drawn_labels(panel)
    assert len(labels) >= 3 and len(set(labels)) == len(labels)
    values = [float(label) for label in labels]
    assert all(low <= v <= low + span for v in values)
    assert max(values) - min(values) >= span / 2
