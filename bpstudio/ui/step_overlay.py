"""StepOverlay: draws the lesson's state over the network canvas — the active neuron or
edge highlighted, the values computed so far beside their neurons and edges, and nothing
that is not computed yet, so a student can predict it. The backward pass is drawn in its
own colour with arrows pointing back towards the input."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsItemGroup

from bpstudio.document.walkthrough import Walkthrough
from bpstudio.engine.formula import format_number
from bpstudio.ui import theme

BACKWARD = QColor("#c2185b")  # magenta: clearly not the forward blue/orange of weights
BACKWARD_DARK = QColor("#ff6fae")


class StepOverlay:
    """Rebuilt after every move and after every redraw of the canvas."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        self.group: QGraphicsItemGroup | None = None
        self.decimals: int | None = 4
        self.visible = True

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
        sample = self._sample(walk)
        for (kind, layer, neuron, source, s), value in walk.known_values().items():
            if s is None or s == sample:
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
        if kind in ("z", "a", "delta"):
            centre, r = self.canvas.neuron_geometry(layer, neuron)
            row = {"z": 0, "a": 1, "delta": 2}[kind]  # lines below the neuron's right side
            label = {"z": "z", "a": "a", "delta": "δ"}[kind]
            colour = BACKWARD if kind == "delta" else None
            line = 17 * self.canvas.scale_factor
            at = centre + QPointF(r + 3, -r + row * line)
            self._label(f"{label} = {text}", at, colour)
        elif kind == "loss":
            last = len(walk.net.sizes) - 1
            centre, r = self.canvas.neuron_geometry(last, 0)
            self._label(f"L = {text}", centre + QPointF(r + 4, -2.3 * r), None, bold=True)
        elif kind in ("grad_w", "update_w"):
            self._edge_value(kind, layer, neuron, source, text, walk)
        else:
            centre, r = self.canvas.neuron_geometry(layer, neuron)
            prefix = (
                "∂L/∂b = " if kind == "grad_b" else f"b: {self._old(walk, kind, layer, neuron)} → "
            )
            self._label(
                prefix + text,
                centre + QPointF(-r, r * 1.9 + (12 if kind == "update_b" else 0)),
                BACKWARD if kind == "grad_b" else None,
            )

    def _old(self, walk, kind, layer, neuron, source=None) -> str:
        for step in walk.sequence:
            if (step.kind, step.layer, step.neuron, step.source) == (kind, layer, neuron, source):
                return format_number(step.old, self.decimals)
        return "?"

    def _edge_value(self, kind, layer, neuron, source, text, walk) -> None:
        if not self.canvas.shows_edge_labels():
            return
        a, _ = self.canvas.neuron_geometry(layer - 1, source)
        b, _ = self.canvas.neuron_geometry(layer, neuron)
        at = a + (b - a) * 0.5  # centred below the edge, clear of both neurons
        if kind == "grad_w":
            self._label(f"∂L/∂w = {text}", at + QPointF(0, 6), BACKWARD, centre=True)
        else:
            old = self._old(walk, kind, layer, neuron, source)
            self._label(f"{old} → {text}", at + QPointF(0, 24), None, bold=True, centre=True)

    def _label(
        self,
        text: str,
        at: QPointF,
        colour: QColor | None,
        bold: bool = False,
        centre: bool = False,
    ) -> None:
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
        item.setPos(at - QPointF(item.boundingRect().width() / 2 if centre else 0, 0))
        backing = QColor(t.background)
        backing.setAlpha(225)  # legible over the edges it crosses
        box = self.canvas.scene().addRect(
            item.sceneBoundingRect().adjusted(-2, 0, 2, 0), QPen(Qt.PenStyle.NoPen), QBrush(backing)
        )
        self.group.addToGroup(box)
        self.group.addToGroup(item)

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
