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
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsTextItem,
)

from bpstudio.maths.formula import format_number
from bpstudio.maths.graph import LEAVES, Edge, Graph, Key, Node
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


@dataclass
class _Record:
    """The items of one node: its rectangle, its frame, and one text per line."""

    rect: QGraphicsRectItem
    frame: QGraphicsRectItem
    lines: list[QGraphicsTextItem]
    state: tuple = ()  # what the items show: skipped while it stays the same


@dataclass
class _Wire:
    """The items of one edge: its path, arrow head, local derivative's label and plate."""

    path: QGraphicsPathItem
    head: QGraphicsPolygonItem
    label: QGraphicsTextItem
    plate: QGraphicsRectItem
    state: tuple = ()


class GraphScene(QGraphicsScene):
    """`draw` builds the items when the graph's layout changes (`rebuild`), and otherwise
    only rewrites what a step changes: which lines and labels are written, their numbers,
    the frames and colours. `texts` lists the written texts, `labels` maps each (plain) to
    its item, `records` each node id to its record, `framed` lists the framed nodes."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.text_font = QFont()
        self.text_font.setPixelSize(round(VALUE_PX))
        self.line = QFontMetricsF(self.text_font).lineSpacing()
        self.records: dict[str, QGraphicsRectItem] = {}
        self.framed: list[str] = []
        self._widths: dict[str, float] = {}
        self._layout: tuple | None = None
        self._nodes: dict[str, _Record] = {}
        self._wires: dict[tuple[str, str], _Wire] = {}

    @property
    def texts(self) -> list[QGraphicsTextItem]:
        shown = [line for record in self._nodes.values() for line in record.lines]
        shown += [wire.label for wire in self._wires.values()]
        return [item for item in shown if item.isVisible()]

    @property
    def labels(self) -> dict[str, QGraphicsTextItem]:
        return {item.toPlainText(): item for item in self.texts}

    def clear(self) -> None:
        super().clear()
        self.records, self.framed, self._nodes, self._wires = {}, [], {}, {}
        self._layout = None

    def draw(self, graph: Graph, shown: Shown) -> None:
        """Shows `graph` as far as `shown` says, building the items only if its layout
        differs from the one drawn (another subgraph, or wider numbers)."""
        self.shown, self.graph, self.colours = shown, graph, _palette()
        if self._layout_key() != self._layout:
            self.rebuild(graph, shown)
        else:
            self._apply()

    def rebuild(self, graph: Graph, shown: Shown) -> None:
        """Builds every item afresh: every record with all its lines and every edge with its
        label, each written or blank as `_apply` then decides."""
        self.clear()
        self.shown, self.graph, self.colours = shown, graph, _palette()
        widths = self._column_widths()
        lane = self._lane_width()
        gap = lane + self.line
        lefts = [sum(widths[:c]) + c * gap for c in range(len(widths))]
        boxes = self._boxes(lefts, widths)
        for node_id, box in boxes.items():
            self._record(graph.nodes[node_id], box)
        for node_id, box in boxes.items():
            self._inputs(node_id, box, boxes, lane)
        self._layout = self._layout_key()
        self._apply()
        self.setSceneRect(self.itemsBoundingRect().adjusted(-PAD, -PAD, PAD, PAD))

    def _layout_key(self) -> tuple:
        """What the items' places depend on: the nodes and edges, the widest number and the
        decimals, the edge labels' lane, and the palette."""
        graph = self.graph
        nodes = tuple(
            (n.id, n.symbol, n.op, n.total is None, n.new is None) for n in graph.nodes.values()
        )
        edges = tuple((e.source, e.target) for e in graph.edges)
        palette = tuple(c.name() for c in self.colours)
        return nodes, edges, self.shown.widest, self.shown.decimals, self._lane_width(), palette

    def _apply(self) -> None:
        """Writes the lines and labels the lesson has reached, with this step's numbers,
        and frames the nodes the current step computes."""
        text, backward, background, highlight = self.colours
        shown, graph = self.shown, self.graph
        framed = set(graph.computed_by(shown.current)) if shown.current else set()
        self.framed = [n for n in self._nodes if n in framed]
        frame_pen = QPen(backward if shown.backward else highlight, 3.0)
        for node_id, record in self._nodes.items():
            node = graph.nodes[node_id]
            state = (
                node,
                node_id in framed,
                shown.backward,
                [k in shown.known for k in node.steps],
            )
            if state == record.state:
                continue
            record.state = state
            fill = (
                blend(background, highlight, CURRENT_TINT)
                if node_id in framed
                else QColor(background)
            )
            if node.kind in LEAVES and node_id not in framed:
                fill = blend(background, text, 0.06)  # leaves: given, not computed
            record.rect.setBrush(QBrush(fill))
            record.rect.setToolTip(self._tip(node))
            record.frame.setVisible(node_id in framed)
            record.frame.setPen(frame_pen)
            for item, (html, _, step) in zip(record.lines, self._lines(node), strict=True):
                reached = step is None or step in shown.known
                if reached:
                    _set_text(item, html)
                item.setVisible(reached)
        for edge in graph.edges:
            self._apply_edge(edge, self._wires[edge.source, edge.target])

    def _apply_edge(self, edge: Edge, wire: _Wire) -> None:
        text, backward = self.colours[0], self.colours[1]
        reached = edge.step is not None and edge.step in self.shown.known
        if (edge, reached) == wire.state:
            return
        wire.state = (edge, reached)
        colour = backward if reached else text
        wire.path.setPen(QPen(colour, 1.5))
        wire.head.setPen(QPen(colour))
        wire.head.setBrush(QBrush(colour))
        wire.label.setVisible(reached)
        wire.plate.setVisible(reached)
        if reached:
            _set_text(wire.label, escape(self._number(edge.local)))
            wire.plate.setRect(wire.label.sceneBoundingRect().adjusted(-2, 0, 2, 0))
            wire.label.setToolTip(
                f"local derivative ∂{self.graph.nodes[edge.target].name}"
                f"/∂{self.graph.nodes[edge.source].name} = {format_number(edge.local)}"
            )

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
    def _record(self, node: Node, box: QRectF) -> None:
        text = self.colours[0]
        rect = self.addRect(box, QPen(text, 1.0))
        self.records[node.id] = rect
        # the frame stands clear of the record: close to its text, OCR loses it
        frame = self.addRect(box.adjusted(-FRAME_GAP, -FRAME_GAP, FRAME_GAP, FRAME_GAP))
        lines = []
        y = box.top() + PAD
        for html, colour, _ in self._lines(node):
            lines.append(self._text(html, QPointF(box.left() + PAD, y), colour or text))
            y += self.line
        self._nodes[node.id] = _Record(rect, frame, lines)

    def _text(self, html: str, at: QPointF, colour: QColor) -> QGraphicsTextItem:
        item = self.addText("")
        item.document().setDocumentMargin(0)
        item.setFont(self.text_font)
        item.setDefaultTextColor(colour)
        _set_text(item, html)
        item.setPos(at)
        item.setZValue(2)
        return item

    def _inputs(self, node_id: str, box: QRectF, boxes: dict[str, QRectF], lane: float) -> None:
        """The edges into a node, one port each down its left side, ordered like their
        sources; each slants to the lane before the node, then runs level into its port
        under its local derivative (written once the backward pass uses it)."""
        edges = sorted(self.graph.inputs[node_id], key=lambda e: boxes[e.source].center().y())
        backward = self.colours[1]
        backing = QColor(self.colours[2])
        backing.setAlpha(PLATE_ALPHA)
        for i, edge in enumerate(edges):
            y = box.top() + PAD + self.line + i * self._port_step()
            source = boxes[edge.source]
            bend = QPointF(box.left() - lane, y)
            path = QPainterPath(QPointF(source.right(), source.center().y()))
            path.lineTo(bend)
            path.lineTo(QPointF(box.left() - 1, y))
            line = self.addPath(path)
            line.setZValue(1)
            head = self._arrow_head(QPointF(box.left() - 1, y))
            label = self._text("", QPointF(bend.x() + PAD, y - self.line - 2), backward)
            plate = self.addRect(QRectF(), QPen(Qt.PenStyle.NoPen), QBrush(backing))
            plate.setZValue(1.5)
            self._wires[edge.source, edge.target] = _Wire(line, head, label, plate)

    def _arrow_head(self, tip: QPointF) -> QGraphicsPolygonItem:
        back = QLineF(tip, tip - QPointF(ARROW - 2, 0))
        left, right = QLineF(back), QLineF(back)
        left.setAngle(back.angle() + 25)
        right.setAngle(back.angle() - 25)
        head = self.addPolygon(QPolygonF([tip, left.p2(), right.p2()]))
        head.setZValue(1)
        return head

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


def _set_text(item: QGraphicsTextItem, html: str) -> None:
    """Writes `html` into `item` unless it is there already (Qt's layout is slow)."""
    if item.data(0) != html:
        item.setData(0, html)
        item.setHtml(html) if "<" in html else item.setPlainText(html)


def _palette() -> tuple[QColor, QColor, QColor, QColor]:
    """Text, backward pass, background and highlight colours of the current theme."""
    t = theme.current()
    return (t.text, BACKWARD_DARK if t.dark else BACKWARD, t.background, t.highlight)
