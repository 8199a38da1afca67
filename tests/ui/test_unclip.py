"""Where a view that follows the current value stops (ui/canvas/unclip.py): as few texts
cut by its edges as the current value allows, by the smallest move among equals."""

from PySide6.QtCore import QRectF

from bpstudio.ui.canvas.unclip import MARGIN, unclipped_offset

VIEW = QRectF(0, 0, 100, 50)
FOCUS = QRectF(10, 10, 20, 10)  # x 10..30


def rect(left: float, right: float, top: float = 20, bottom: float = 30) -> QRectF:
    return QRectF(left, top, right - left, bottom - top)


def test_a_text_cut_at_the_right_edge_is_left_out_when_taking_it_in_would_lose_the_focus():
    # taking [90, 120] in needs the view at 26..126, which loses the focus at 10
    move = unclipped_offset(VIEW, [rect(90, 120)], FOCUS)
    assert (move.x(), move.y()) == (90 - MARGIN - 100, 0)


def test_texts_cut_at_both_edges_are_settled_with_the_fewest_cuts_then_the_least_move():
    # leaving [90, 120] out (-16) still cuts [-20, 5]; taking [-20, 5] in (-26) cuts neither
    move = unclipped_offset(VIEW, [rect(90, 120), rect(-20, 5)], FOCUS)
    assert move.x() == -20 - MARGIN


def test_nothing_moves_when_no_text_is_cut_or_no_move_keeps_the_focus():
    assert unclipped_offset(VIEW, [rect(20, 40), rect(60, 99)], FOCUS).isNull()
    wide_focus = QRectF(-5, 10, 110, 10)  # wider than the view: any move would lose it
    assert unclipped_offset(VIEW, [rect(90, 120)], wide_focus).isNull()


def test_the_vertical_edges_are_settled_the_same_way():
    below = rect(40, 60, 45, 70)  # cut by the bottom edge
    move = unclipped_offset(VIEW, [below], FOCUS)
    assert (move.x(), move.y()) == (0, 45 - MARGIN - 50)
