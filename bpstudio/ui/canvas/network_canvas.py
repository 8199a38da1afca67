"""NetworkCanvas: draws the document's network as columns of neurons joined by weighted
edges, in the article's notation. A view only: it reads the document and never edits it."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
)

from bpstudio.document.edits import Edit
from bpstudio.document.session import DocumentModel
from bpstudio.engine.formula import format_number
from bpstudio.engine.network import Network
from bpstudio.engine.notation import Notation
from bpstudio.ui import theme

COLUMN = 260.0  # scene units between layer columns
EDGE_LABEL_LIMIT = 24  # more edges than this: values by colour and width only
ZOOM_STEP = 1.25


def _radius(tallest: int) -> float:
    return 30.0 if tallest <= 6 else max(9.0, 30.0 * 6 / tallest)


class NetworkCanvas(QGraphicsView):
    """Shows the model's network and redraws it after every change of the document.
    `push` is how it hands edits to the window's undo stack."""

    def __init__(self, model: DocumentModel, push: Callable[[Edit], bool], parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.push = push
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setToolTip("")
        self.neurons: dict[tuple[int, int], QGraphicsEllipseItem] = {}
        self.edges: dict[tuple[int, int, int], QGraphicsLineItem] = {}
        self.biases: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        self._user_zoomed = False
        events = model.events
        for signal in (
            events.document_replaced,
            events.structure_changed,
            events.parameters_changed,
            events.value_changed,
            events.layer_changed,
        ):
            signal.connect(self._on_network_changed)
        self._on_network_changed()

    # drawing ---------------------------------------------------------------------------
    def _on_network_changed(self, *_args) -> None:
        self.draw(self.model.document.build_network())

    def draw(self, net: Network) -> None:
        scene = self.scene()
        scene.clear()
        self.neurons.clear()
        self.edges.clear()
        self.biases.clear()
        t = theme.current()
        scene.setBackgroundBrush(t.background)
        note = Notation(net.sizes)
        r = _radius(max(net.sizes))
        positions = self._positions(net.sizes, r)
        scale = max(float(np.max(np.abs(net.params))) if net.params.size else 0.0, 1e-12)
        labels = sum(w.size for w in net.w) <= EDGE_LABEL_LIMIT
        for layer in range(1, len(net.sizes)):
            w = net.w[layer - 1]
            for j in range(net.sizes[layer]):
                for k in range(net.sizes[layer - 1]):
                    self._edge(positions, layer, j, k, float(w[j, k]), scale, r, labels, note)
        for layer, size in enumerate(net.sizes):
            for j in range(size):
                bias = float(net.b[layer - 1][j]) if layer else None
                self._neuron(positions[layer][j], r, layer, j, bias, note)
        self._legend(positions, r)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-30, -30, 30, 30))
        if not self._user_zoomed:
            self.fit()

    @staticmethod
    def _positions(sizes: tuple[int, ...], r: float) -> list[list[QPointF]]:
        gap = max(3.2 * r, 56.0) if max(sizes) <= 6 else 2.6 * r + 8
        return [
            [QPointF(i * COLUMN, (j - (n - 1) / 2) * gap) for j in range(n)]
            for i, n in enumerate(sizes)
        ]

    def _edge(
        self,
        positions,
        layer: int,
        j: int,
        k: int,
        value: float,
        scale: float,
        r: float,
        label: bool,
        note: Notation,
    ) -> None:
        t = theme.current()
        a, b = positions[layer - 1][k], positions[layer][j]
        pen = QPen(t.positive if value >= 0 else t.negative, 1.0 + 6.0 * abs(value) / scale)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        line = self.scene().addLine(a.x() + r, a.y(), b.x() - r, b.y(), pen)
        line.setZValue(-1)
        name = note.w(layer, j, k).text()
        line.setToolTip(
            f"{name} = {format_number(value)}\nfrom neuron {k + 1} of layer "
            f"{layer - 1} into neuron {j + 1} of layer {layer}"
        )
        line.setAcceptHoverEvents(True)
        self.edges[(layer, j, k)] = line
        if label:
            frac = 0.3 if positions[layer - 1] and len(positions[layer]) > 1 else 0.5
            at = a + (b - a) * frac
            text = self._text(format_number(value, 2), 11, t.text)
            text.setToolTip(line.toolTip())
            rect = text.boundingRect()
            text.setPos(at.x() - rect.width() / 2, at.y() - rect.height() - 2)

    def _neuron(
        self, at: QPointF, r: float, layer: int, j: int, bias: float | None, note: Notation
    ) -> None:
        t = theme.current()
        item = self.scene().addEllipse(
            QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r),
            QPen(t.neuron_edge, 2.0),
            QBrush(t.neuron_fill),
        )
        symbol = note.a(layer, j)
        item.setToolTip(
            f"{symbol.text()}: neuron {j + 1} of layer {layer}"
            + ("" if bias is None else f"\nbias b = {format_number(bias)}")
        )
        self.neurons[(layer, j)] = item
        label = QGraphicsTextItem()
        label.setDefaultTextColor(t.text)
        label.setFont(QFont(label.font().family(), max(8, int(r * 0.45))))
        label.setHtml(symbol.html())
        label.setToolTip(item.toolTip())
        self.scene().addItem(label)
        rect = label.boundingRect()
        label.setPos(at.x() - rect.width() / 2, at.y() - rect.height() / 2)
        if bias is not None:
            text = self._text(f"b = {format_number(bias, 2)}", 10 if r < 20 else 11, t.muted)
            text.setToolTip(f"{note.b(layer, j).text()} = {format_number(bias)}")
            rect = text.boundingRect()
            text.setPos(at.x() - rect.width() / 2, at.y() + r + 2)
            self.biases[(layer, j)] = text

    def _text(self, text: str, size: int, color) -> QGraphicsSimpleTextItem:
        item = self.scene().addSimpleText(text)
        font = item.font()
        font.setPointSize(size)
        item.setFont(font)
        item.setBrush(color)
        return item

    def _legend(self, positions, r: float) -> None:
        t = theme.current()
        top = min(p.y() for col in positions for p in col) - r - 60
        x = positions[0][0].x() - r
        for i, (color, text) in enumerate(((t.positive, "w > 0"), (t.negative, "w < 0"))):
            y = top + i * 18
            self.scene().addLine(x, y + 8, x + 28, y + 8, QPen(color, 4))
            self._text(text, 10, t.muted).setPos(x + 34, y)
        self._text("thicker = larger |w|", 10, t.muted).setPos(x + 100, top)

    # navigation ------------------------------------------------------------------------
    def fit(self) -> None:
        """Fit the whole network into the view (Ctrl+0)."""
        self._user_zoomed = False
        self.resetTransform()
        rect = self.scene().sceneRect()
        if rect.isValid():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            if self.transform().m11() > 1.6:  # small networks: don't blow them up
                self.resetTransform()
                self.scale(1.6, 1.6)
            self.centerOn(rect.center())

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = min(max(factor, 0.05 / current), 12.0 / current)
        self._user_zoomed = True
        self.scale(factor, factor)

    def zoom_in(self) -> None:
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom(1 / ZOOM_STEP)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(math.pow(ZOOM_STEP, event.angleDelta().y() / 120))
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:
            self.fit()
