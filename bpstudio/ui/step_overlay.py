"""StepOverlay: draws the lesson's state over the network canvas — the active neuron or
edge highlighted, the values computed so far beside their neurons and edges, and nothing
that is not computed yet, so a student can predict it. The backward pass is drawn in its
own colour with arrows pointing back towards the input."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsItemGroup

from bpstudio.document.walkthrough import Walkthrough
from bpstudio.engine.formula import format_number
from bpstudio.engine.notation import Notation
from bpstudio.ui import theme
from bpstudio.ui.canvas.items import NeuronItem, Target, TextLabel

BACKWARD = QColor("#c2185b")  # magenta: clearly not the forward blue/orange of weights
BACKWARD_DARK = QColor("#ff6fae")
ROWS = {"z": 0, "a": 1, "delta": 2, "loss": 3}  # lines beside the neuron (loss: the output's)
NUDGES = 1  # lines a label under an edge may move down to clear another (no further:
# far from its edge, it would seem to belong to another)
LEADING = 2.0  # a text's box is this much taller than its letters, above and below


class StepOverlay:
    """Rebuilt after every move and after every redraw of the canvas."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        self.group: QGraphicsItemGroup | None = None
        self.decimals: int | None = 4
        self.visible = True
        self._taken: list[QRectF] = []  # the labels drawn so far
        self._marks: list[QGraphicsItem] = []  # the active step's rings and arrows

    def clear(self) -> None:
        if self.group is not None and self.group.scene() is not None:
            self.group.scene().removeItem(self.group)
        self.group = None

    def show(self, walk: Walkthrough, decimals: int | None) -> None:
        self.clear()
        if not self.visible:
            return
        self.decimals = decimals
        self.group = QGraphicsItemGroup()
        self.group.setZValue(10)
        self.canvas.scene().addItem(self.group)
        self._taken = []
        self._marks = []
        sample = self._sample(walk)
        known = [
            (key, value) for key, value in walk.known_values().items() if key[4] in (None, sample)
        ]
        known.sort(key=lambda entry: entry[0][0] not in ROWS)  # lines beside neurons first:
        shares = any(key[0] == "loss" and key[4] is not None for key, _ in known)
        for (kind, layer, neuron, source, s), value in known:  # the others make way for them
            if kind == "loss":
                self._loss(value, s, walk, shares)
            else:
                self._value(kind, layer, neuron, source, value, walk)
        step = walk.current
        if step is not None:
            self._highlight(step)

    @staticmethod
    def _sample(walk: Walkthrough) -> int | None:
        step = walk.current
        if step is not None and step.sample is not None:
            return step.sample
        chosen = walk.chosen_samples(len(walk.sequence.result.x))
        return None if chosen is None else chosen[0]

    # values ----------------------------------------------------------------------------
    def _value(self, kind, layer, neuron, source, value, walk) -> None:
        text = format_number(value, self.decimals)
        if kind in ROWS:
            at = self.canvas.value_row(layer, neuron, ROWS[kind])
            label = {"z": "z", "a": "a", "delta": "δ"}[kind]
            colour = BACKWARD if kind == "delta" else None
            self._label(f"{label} = {text}", at, colour)
        elif kind in ("grad_w", "update_w"):
            self._edge_value(kind, layer, neuron, source, text, walk)
        else:
            centre, r = self.canvas.neuron_geometry(layer, neuron)
            line = self.canvas.value_line() if kind == "update_b" else 0.0  # under ∂L/∂b
            prefix = (
                "∂L/∂b = " if kind == "grad_b" else f"b: {self._old(walk, kind, layer, neuron)} → "
            )
            colour = BACKWARD if kind == "grad_b" else None
            self._label(prefix + text, centre + QPointF(-r, r * 1.9 + line), colour)

    def _loss(self, value: float, sample: int | None, walk, shares: bool) -> None:
        """The loss beside the first output neuron: the shown sample's share, L^[p], and
        under it the whole batch's L once that is known."""
        symbol = Notation.loss(sample).text()
        row = ROWS["loss"] + int(sample is None and shares)
        at = self.canvas.value_row(len(walk.net.sizes) - 1, 0, row)
        text = format_number(value, self.decimals)
        self._label(f"{symbol} = {text}", at, None, bold=True)

    def _old(self, walk, kind, layer, neuron, source=None) -> str:
        for step in walk.sequence:
            if (step.kind, step.layer, step.neuron, step.source) == (kind, layer, neuron, source):
                return format_number(step.old, self.decimals)
        return "?"

    def _edge_value(self, kind, layer, neuron, source, text, walk) -> None:
        if not self.canvas.shows_edge_labels():
            return
        at = self.canvas.scene_point(Target(layer, neuron, source))  # the weight's label
        line = self.canvas.value_line()  # centred below it: the gradient, then the update
        if kind == "grad_w":
            below = at + QPointF(0, 0.5 * line)
            self._label(f"∂L/∂w = {text}", below, BACKWARD, centre=True, nudge=True)
        else:
            old = self._old(walk, kind, layer, neuron, source)
            below = at + QPointF(0, 1.5 * line)
            self._label(f"{old} → {text}", below, None, bold=True, centre=True, nudge=True)

    def _label(
        self,
        text: str,
        at: QPointF,
        colour: QColor | None,
        bold: bool = False,
        centre: bool = False,
        nudge: bool = False,
    ) -> None:
        """A label at `at` on a box of the background colour. With `nudge`, a label that
        would cover one drawn before it, a neuron or a label of the canvas moves down a
        line at a time, up to NUDGES lines, to the first place where it covers least."""
        t = theme.current()
        colour = colour or t.text
        if colour == BACKWARD and t.dark:
            colour = BACKWARD_DARK
        item = self.canvas.scene().addSimpleText(text)
        font = QFont(item.font())
        font.setPointSizeF(11 * self.canvas.scale_factor)
        font.setBold(bold)
        item.setFont(font)
        item.setBrush(colour)
        bounds = item.boundingRect()
        start = at - QPointF(bounds.width() / 2 if centre else 0, 0)
        if nudge:
            places = [start + QPointF(0, k * bounds.height()) for k in range(NUDGES + 1)]
            start = min(places, key=lambda place: self._covered(bounds.translated(place)))
        item.setPos(start)
        backing = QColor(t.background)
        backing.setAlpha(225)  # legible over the edges it crosses
        rect = item.sceneBoundingRect().adjusted(-2, 0, 2, 0)
        box = self.canvas.scene().addRect(rect, QPen(Qt.PenStyle.NoPen), QBrush(backing))
        self._taken.append(rect)
        self.group.addToGroup(box)
        self.group.addToGroup(item)

    def _covered(self, rect: QRectF) -> float:
        """How much of `rect` the labels drawn so far, the neurons and the canvas's labels
        cover (the area of each overlap, added up)."""
        rect = rect.adjusted(0, LEADING, 0, -LEADING)  # lines that only touch don't overlap
        others = [
            item.sceneBoundingRect()
            for item in self.canvas.scene().items(rect)
            if isinstance(item, TextLabel | NeuronItem) and item.isVisible()
        ]
        overlaps = (rect.intersected(other) for other in [*self._taken, *others])
        return sum(overlap.width() * overlap.height() for overlap in overlaps)

    # the active step -------------------------------------------------------------------
    def _highlight(self, step) -> None:
        t = theme.current()
        backward = step.phase in ("backward", "combine")
        colour = (BACKWARD_DARK if t.dark else BACKWARD) if backward else t.highlight
        pen = QPen(colour, 4)
        if step.kind in ("grad_w", "update_w"):
            a, ra = self.canvas.neuron_geometry(step.layer - 1, step.source)
            b, rb = self.canvas.neuron_geometry(step.layer, step.neuron)
            line = QLineF(a + QPointF(ra, 0), b - QPointF(rb, 0))
            self._add(self.canvas.scene().addLine(line, pen))
            if backward:
                self._arrow(line.p2(), line.p1(), colour)
        elif step.kind == "loss":
            centre, r = self.canvas.neuron_geometry(len(self.canvas.layer_sizes()) - 1, 0)
            self._ring(centre, r, pen)
        else:
            centre, r = self.canvas.neuron_geometry(step.layer, step.neuron)
            self._ring(centre, r, pen)
            if step.kind == "delta":
                self._arrow(
                    centre + QPointF(r * 2.2, -r * 1.4), centre + QPointF(r * 1.1, -r * 0.8), colour
                )

    def _ring(self, centre: QPointF, r: float, pen: QPen) -> None:
        self._add(
            self.canvas.scene().addEllipse(
                centre.x() - r - 4, centre.y() - r - 4, 2 * r + 8, 2 * r + 8, pen
            )
        )

    def _arrow(self, start: QPointF, end: QPointF, colour: QColor) -> None:
        """An arrow from `start` to `end` (the direction information flows backward)."""
        path = QPainterPath(start)
        path.lineTo(end)
        self._add(self.canvas.scene().addPath(path, QPen(colour, 3)))
        head = QLineF(end, start)
        head.setLength(14)
        left, right = QLineF(head), QLineF(head)
        left.setAngle(head.angle() + 25)
        right.setAngle(head.angle() - 25)
        polygon = QPolygonF([end, left.p2(), right.p2()])
        self._add(self.canvas.scene().addPolygon(polygon, QPen(colour), QBrush(colour)))

    def _add(self, item: QGraphicsItem) -> None:
        self.group.addToGroup(item)
        self._marks.append(item)

    def set_marks_visible(self, on: bool) -> None:
        """Shows or hides the active step's highlight (an exported diagram leaves it out);
        the values stay."""
        for mark in self._marks:
            mark.setVisible(on)
