"""Edges drawn straight from a NumPy array (rows of x1, y1, x2, y2) paint exactly the pixels
that a list of QLineF paints, and a bundle's lines are where its ends are."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from bpstudio.ui.canvas.items import EdgeBundle, Root, draw_segments


def painted(draw) -> QImage:
    image = QImage(120, 90, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setPen(QPen(QColor("darkred"), 1.5))
    draw(painter)
    painter.end()
    return image


def test_an_array_of_segments_paints_what_a_list_of_lines_paints(qapp):
    rows = np.random.default_rng(3).uniform(0, 100, (400, 4))
    every_other = rows[::2]  # not contiguous: copied before it is handed to Qt
    expected = painted(lambda p: p.drawLines([QLineF(*r) for r in every_other.tolist()]))
    assert painted(lambda p: draw_segments(p, every_other)) == expected
    assert painted(lambda p: draw_segments(p, np.empty((0, 4)))) == painted(lambda p: None)


def test_a_bundle_s_edges_run_from_each_source_to_each_target(qapp):
    bundle = EdgeBundle(Root(), 1, (10.0, 70.0), [5.0, 25.0, 45.0], [15.0, 35.0])
    assert bundle.line(1, 2) == QLineF(10.0, 45.0, 70.0, 35.0)
    assert bundle.line(0, 0) == QLineF(10.0, 5.0, 70.0, 15.0)
    ends = {(ln.y1(), ln.y2()) for ln in bundle.drawn()}
    assert ends == {(a, b) for a in (5.0, 25.0, 45.0) for b in (15.0, 35.0)}
