"""GraphScene: the computational graph of one sample (maths/graph.py) drawn left to right,
micrograd's way: each node a record of its operation, its value and its gradient, each edge
with its local derivative. Only what the lesson has computed so far is written; the nodes the
current step computes are framed. Qt only; the graph's numbers come from maths/graph.py.

Legibility by construction: every text sits on a plate (a node's record, or an edge label's
plate) inside its column or in the lane before its target; every edge goes from one column to
the next, slanting only in the free part of the gap and running level under its own label
into its target, so no edge crosses a text and no text overlaps another.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsTextItem

from bpstudio.maths.formula import format_number
from bpstudio.maths.graph import LEAVES, Graph, Key, Node
from bpstudio.ui import theme
from bpstudio.ui.step_overlay import BACKWARD, BACKWARD_DARK, CURRENT_TINT, PLATE_ALPHA, blend

VALUE_PX = 15.0  # the scene's text height; the view never shows it below 13 px
PAD = 5.0  # inside a record, and around an edge label
ARROW = 12.0  # an arrow head's length, and a little room
FRAME_GAP = 4.0  # between a framed record and its frame


@dataclass(frozen=True)
class Shown:
    """What the lesson has reached: the keys of the steps whose values are written, the
    current step's key (its nodes framed), whether it is a backward step, the decimals, and
    the longest number of the training step (digits as 0s), which sizes the records."""

    known: frozenset[Key]
    current: Key | None
    backward: bool
    decimals: int | None
    widest: str


class GraphScene(QGraphicsScene):
    """Redrawn whole by `draw`. `texts` lists the written texts, `labels` maps each (plain)
    to its item, `records` each node id to its record, `framed` lists the framed nodes."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.text_font = QFont()
        self.text_font.setPixelSize(round(VALUE_PX))
        self.line = QFontMetricsF(self.text_font).lineSpacing()
        self.texts: list[QGraphicsTextItem] = []
        self.labels: dict[str, QGraphicsTextItem] = {}
        self.records: dict[str, QGraphicsRectItem] = {}
        self.framed: list[str] = []
        self._widths: dict[str, float] = {}

    def draw(self, graph: Graph, shown: Shown) -> None:
        self.clear()
        self.texts, self.labels, self.records, self.framed = [], {}, {}, []
        self.shown, self.graph = shown, graph
        t = theme.current()
        self.colours = (t.text, BACKWARD_DARK if t.dark else BACKWARD, t.background, t.highlight)
        widths = self._column_widths()
        lane = self._lane_width()
        gap = lane + self.line
        lefts = [sum(widths[:c]) + c * gap for c in range(len(widths))]
        boxes = self._boxes(lefts, widths)
        framed = set(graph.computed_by(shown.current)) if shown.current else set()
        for node_id, box in boxes.items():
            self._record(graph.nodes[node_id], box, node_id in framed)
        for node_id, box in boxes.items():
            self._inputs(node_id, box, boxes, lane)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-PAD, -PAD, PAD, PAD))

    # geometry -----------------------------------------------------------------------------
    def _lines(self, node: Node) -> list[tuple[str, QColor | None, Key | None]]:
        """The lines of a node's record as (HTML, colour, step that reveals it), the title
        first; a line whose step is not reached yet is left blank."""
        number, backward = self._number, self.colours[1]
        title = f"<b>{escape(node.op)}</b> {node.symbol}" if node.op else node.symbol
        lines: list[tuple[str, QColor | None, Key | None]] = [(title, None, None)]
        lines.append((f"value {number(node.value)}", None, node.value_step))
        if node.kind != "x":
            lines.append((f"grad {number(node.grad)}", backward, node.grad_step))
        if node.total is not None:
            lines.append((f"Σ<sub>p</sub> grad {number(node.total)}", backward, node.total_step))
        if node.new is not None:
            lines.append((f"new {number(node.new)}", None, node.new_step))
        return lines

    def _widest_lines(self, node: Node) -> list[str]:
        """The longest text each line of the record can ever hold in this training step."""
        wide = escape(self.shown.widest)
        lines = [self._lines(node)[0][0], f"value {wide}", f"grad {wide}"]
        if node.total is not None:
            lines.append(f"Σ<sub>p</sub> grad {wide}")
        return lines

    def _column_widths(self) -> list[float]:
        columns = self.graph.columns
        widths = [0.0] * (max(columns.values(), default=0) + 1)
        for node in self.graph.nodes.values():
            longest = max(self._text_width(text) for text in self._widest_lines(node))
            widths[columns[node.id]] = max(widths[columns[node.id]], longest + 2 * PAD)
        return widths

    def _lane_width(self) -> float:
        texts = [self._number(e.local) for e in self.graph.edges] or ["0"]
        return max(self._text_width(escape(t)) for t in texts) + 2 * PAD + ARROW

    def _text_width(self, html: str) -> float:
        if html in self._widths:  # most lines are alike ("value 0.0000"); Qt's layout is slow
            return self._widths[html]
        item = QGraphicsTextItem()
        item.document().setDocumentMargin(0)
        item.setFont(self.text_font)
        item.setHtml(html)
        self._widths[html] = item.boundingRect().width()
        return self._widths[html]

    def _height(self, node_id: str) -> float:
        """Room for every line of the record, and for a port per input, each with its
        label above it."""
        lines = len(self._lines(self.graph.nodes[node_id]))
        ports = len(self.graph.inputs[node_id])
        return max(lines * self.line, self.line + (ports - 1) * self._port_step()) + 2 * PAD

    def _port_step(self) -> float:
        return self.line + 6.0

    def _boxes(self, lefts: list[float], widths: list[float]) -> dict[str, QRectF]:
        """Each record's rectangle. The last column is stacked; each column before it, from
        the right, puts each node level with the middle of the nodes it feeds, moved down
        only as far as the node above it needs."""
        stacks: dict[int, list[str]] = {}
        for node_id in sorted(self.graph.nodes, key=lambda n: self.graph.rows[n]):
            stacks.setdefault(self.graph.columns[node_id], []).append(node_id)
        boxes: dict[str, QRectF] = {}
        for column in sorted(stacks, reverse=True):
            wanted = {}
            for node_id in stacks[column]:
                fed = [boxes[c].center().y() for c in self.graph.consumers[node_id] if c in boxes]
                middle = sum(fed) / len(fed) if fed else 0.0
                wanted[node_id] = middle - self._height(node_id) / 2
            bottom = float("-inf")
            for node_id in sorted(stacks[column], key=lambda n: (wanted[n], self.graph.rows[n])):
                top = max(wanted[node_id], bottom + self.line)
                height = self._height(node_id)
                boxes[node_id] = QRectF(lefts[column], top, widths[column], height)
                bottom = top + height
        return boxes

    # items --------------------------------------------------------------------------------
    def _record(self, node: Node, box: QRectF, framed: bool) -> None:
        text, backward, background, highlight = self.colours
        fill = blend(background, highlight, CURRENT_TINT) if framed else QColor(background)
        if node.kind in LEAVES and not framed:
            fill = blend(background, text, 0.06)  # leaves: given, not computed
        rect = self.addRect(box, QPen(text, 1.0), QBrush(fill))
        rect.setToolTip(self._tip(node))
        self.records[node.id] = rect
        if framed:  # the frame stands clear of the record: close to its text, OCR loses it
            frame = QPen(backward if self.shown.backward else highlight, 3.0)
            self.addRect(box.adjusted(-FRAME_GAP, -FRAME_GAP, FRAME_GAP, FRAME_GAP), frame)
            self.framed.append(node.id)
        y = box.top() + PAD
        for html, colour, step in self._lines(node):
            if step is None or step in self.shown.known:
                self._text(html, QPointF(box.left() + PAD, y), colour or text)
            y += self.line

    def _text(self, html: str, at: QPointF, colour: QColor) -> QGraphicsTextItem:
        item = self.addText("")
        item.document().setDocumentMargin(0)
        item.setFont(self.text_font)
        item.setDefaultTextColor(colour)
        item.setHtml(html) if "<" in html else item.setPlainText(html)
        item.setPos(at)
        item.setZValue(2)
        self.texts.append(item)
        self.labels[item.toPlainText()] = item
        return item

    def _inputs(self, node_id: str, box: QRectF, boxes: dict[str, QRectF], lane: float) -> None:
        """The edges into a node, one port each down its left side, ordered like their
        sources; each slants to the lane before the node, then runs level into its port
        under its local derivative."""
        edges = sorted(self.graph.inputs[node_id], key=lambda e: boxes[e.source].center().y())
        text, backward = self.colours[0], self.colours[1]
        for i, edge in enumerate(edges):
            y = box.top() + PAD + self.line + i * self._port_step()
            source = boxes[edge.source]
            bend = QPointF(box.left() - lane, y)
            path = QPainterPath(QPointF(source.right(), source.center().y()))
            path.lineTo(bend)
            path.lineTo(QPointF(box.left() - 1, y))
            shown = edge.step is not None and edge.step in self.shown.known
            pen = QPen(backward if shown else text, 1.5)
            self.addPath(path, pen).setZValue(1)
            self._arrow_head(QPointF(box.left() - 1, y), pen.color())
            if shown:
                at = QPointF(bend.x() + PAD, y - self.line - 2)
                label = self._text(escape(self._number(edge.local)), at, backward)
                self._plate(label)
                label.setToolTip(
                    f"local derivative ∂{self.graph.nodes[edge.target].name}"
                    f"/∂{self.graph.nodes[edge.source].name} = {format_number(edge.local)}"
                )

    def _arrow_head(self, tip: QPointF, colour: QColor) -> None:
        back = QLineF(tip, tip - QPointF(ARROW - 2, 0))
        left, right = QLineF(back), QLineF(back)
        left.setAngle(back.angle() + 25)
        right.setAngle(back.angle() - 25)
        polygon = QPolygonF([tip, left.p2(), right.p2()])
        self.addPolygon(polygon, QPen(colour), QBrush(colour)).setZValue(1)

    def _plate(self, item: QGraphicsTextItem) -> None:
        backing = QColor(self.colours[2])
        backing.setAlpha(PLATE_ALPHA)
        rect = item.sceneBoundingRect().adjusted(-2, 0, 2, 0)
        self.addRect(rect, QPen(Qt.PenStyle.NoPen), QBrush(backing)).setZValue(1.5)

    def _number(self, value: float) -> str:
        return format_number(value, self.shown.decimals)

    def _tip(self, node: Node) -> str:
        """A node's exact value and gradient, with what it is."""
        kind = {
            "x": "input",
            "w": "weight",
            "b": "bias",
            "mul": "product",
            "sum": "weighted sum",
            "act": "activation",
            "term": "one output's term of the loss",
            "loss": "loss",
        }[node.kind]
        name = node.name
        lines = [f"{name}: {kind}"]
        if node.value_step is None or node.value_step in self.shown.known:
            lines.append(f"{name} = {format_number(node.value)}")
        if node.grad_step in self.shown.known:
            lines.append(f"∂L/∂{name} = {format_number(node.grad)}")
        return "\n".join(lines)
