"""Where a view that follows the lesson's current value should stop so that its edges cut
no text: a number cut in half at the edge of a projected canvas cannot be read. Geometry
only (Qt's rectangles); no widgets."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

MARGIN = 6.0  # scene units kept between a text and the edge it was moved clear of


def _cut(low: float, high: float, spans: list[tuple[float, float]]) -> int:
    """How many of `spans` an edge of the window [low, high] cuts through."""
    return sum(a < low < b or a < high < b for a, b in spans)


def _shift(low: float, high: float, spans: list[tuple[float, float]], keep: tuple) -> float:
    """The move of the window [low, high] along one axis that cuts fewest spans, the smallest
    move among equals; the window must still hold `keep` whole."""
    candidates = {0.0}
    for a, b in spans:
        for edge in (low, high):
            if a < edge < b:  # take the span in, or leave it out, at either edge
                candidates |= {a - MARGIN - low, b + MARGIN - high, b + MARGIN - low}
                candidates |= {a - MARGIN - high}
    fits = [d for d in candidates if low + d <= keep[0] and keep[1] <= high + d] or [0.0]
    return min(fits, key=lambda d: (_cut(low + d, high + d, spans), abs(d)))


def unclipped_offset(view: QRectF, texts: list[QRectF], focus: QRectF) -> QPointF:
    """How far to move the visible scene rectangle `view` so that its edges cut as few of
    the `texts` as they can while `focus` stays inside it."""
    across = [r for r in texts if r.bottom() > view.top() and r.top() < view.bottom()]
    down = [r for r in texts if r.right() > view.left() and r.left() < view.right()]
    dx = _shift(
        view.left(),
        view.right(),
        [(r.left(), r.right()) for r in across],
        (focus.left(), focus.right()),
    )
    dy = _shift(
        view.top(),
        view.bottom(),
        [(r.top(), r.bottom()) for r in down],
        (focus.top(), focus.bottom()),
    )
    return QPointF(dx, dy)
