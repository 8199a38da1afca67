"""The graphics items of the network canvas: neurons, text labels, layer bands and the edge
bundles, each knowing the document place (`Target`) it shows. Qt only: no document, no
engine."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QStyleOptionGraphicsItem,
)

from bpstudio.maths.formula import Sym

# stacking order, bottom to top
Z_BAND, Z_EDGES, Z_EDGE_MARK, Z_LABEL, Z_NEURON, Z_TEXT = -3.0, -1.0, -0.5, 1.0, 2.0, 3.0
DENSE_EDGES = 256  # a bundle of more edges is a mesh: antialiased only when zoomed in,
DENSE_AA_ZOOM = 1.0  # from this zoom on, and not while the zoom is changing
MAX_SNAPSHOT_PX = 2048  # the longest side of a bundle's picture while zooming
SNAPSHOT_RENEW = 2.0  # zoomed in this much past the picture's resolution: draw a new one
WIDTH_STEP = 0.5  # edge widths are rounded to this, so a bundle needs only a few pens


@dataclass(frozen=True)
class Target:
    """A place on the canvas, in document indices: a layer; a neuron of it; that neuron's
    bias (`bias`); or the edge from neuron `source` of layer `layer - 1` into `neuron`."""

    layer: int
    neuron: int | None = None
    source: int | None = None
    bias: bool = False

    @property
    def kind(self) -> str:
        if self.source is not None:
            return "edge"
        if self.neuron is None:
            return "layer"
        return "bias" if self.bias else "neuron"


def target_of(item: QGraphicsItem | None) -> Target | None:
    """The Target of `item` or of the nearest item it belongs to."""
    while item is not None:
        target = getattr(item, "target", None)
        if isinstance(target, Target):
            return target
        item = item.parentItem()
    return None


class Root(QGraphicsItem):
    """The invisible parent of everything the canvas draws, so a redraw removes exactly the
    canvas's items and leaves other items in the scene (a lesson's overlay) alone."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None) -> None:  # ItemHasNoContents: never called
        pass


class SceneTip:
    """An item whose tooltip is its scene's words for its target (`scene().tooltip`), made
    when asked: made up front for every neuron and bias of a network of ten thousand
    neurons, they took most of a second of building it."""

    target: Target | None

    def toolTip(self) -> str:
        scene = self.scene()
        return "" if scene is None or self.target is None else scene.tooltip(self.target)


class TextLabel(SceneTip, QGraphicsSimpleTextItem):
    """One line of text on a soft box of the background colour, kept centred on its anchor
    (`center`), hanging below it (`top`) or starting at it (`left`, the anchor its top
    left), and shrunk to `max_width` if it is wider."""

    def __init__(
        self,
        parent: QGraphicsItem,
        target: Target | None,
        px: float,
        mode: str,
        max_width: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.target = target
        self.mode = mode
        self.max_width = max_width
        self.anchor = QPointF()
        font = self.font()
        font.setPixelSize(max(1, round(px)))
        self.setFont(font)
        self.box = QGraphicsRectItem(self)
        self.box.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.box.setPen(Qt.PenStyle.NoPen)
        self.setZValue(Z_LABEL)

    def style(self, colour: QColor, background: QColor) -> None:
        self.setBrush(colour)
        soft = QColor(background)
        soft.setAlpha(215)
        self.box.setBrush(soft)

    def place(self, anchor: QPointF) -> None:
        self.anchor = QPointF(anchor)
        self._reposition()

    def set_text(self, text: str) -> None:
        if text != self.text():
            self.setText(text)
            self._reposition()

    def _reposition(self) -> None:
        rect = self.boundingRect()
        fit = 1.0
        if self.max_width is not None and rect.width() > self.max_width:
            fit = self.max_width / rect.width()
        self.setScale(fit)
        dy = rect.height() * fit / 2 if self.mode == "center" else 0.0
        dx = 0.0 if self.mode == "left" else rect.width() * fit / 2
        self.setPos(self.anchor.x() - dx, self.anchor.y() - dy)
        self.box.setRect(rect.adjusted(-3, -1, 3, 1))


class NeuronItem(SceneTip, QGraphicsEllipseItem):
    """A neuron: a circle with its symbol (a⁽²⁾₁) inside, shrunk to fit the circle. The
    symbol is rich text (a true superscript and subscript), or with `rich` False, the same
    symbol in Unicode's raised and lowered digits, five times cheaper to make: a network of
    ten thousand neurons took 0.65 s for its rich symbols."""

    def __init__(
        self, parent: QGraphicsItem, target: Target, centre: QPointF, r: float, rich: bool = True
    ):
        super().__init__(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r), parent)
        self.target = target
        self.centre = QPointF(centre)
        self.radius = r
        self.label = QGraphicsTextItem(self) if rich else QGraphicsSimpleTextItem(self)
        self.setZValue(Z_NEURON)

    def set_symbol(self, symbol: Sym, px: float, colour: QColor) -> None:
        font = self.label.font()
        font.setPixelSize(max(1, round(px)))
        self.label.setFont(font)
        if isinstance(self.label, QGraphicsTextItem):
            self.label.setDefaultTextColor(colour)
            self.label.document().setDocumentMargin(0)
            self.label.setHtml(symbol.html())
        else:
            self.label.setBrush(colour)
            self.label.setText(symbol.text())
        rect = self.label.boundingRect()
        fit = min(1.0, 1.8 * self.radius / max(rect.width(), rect.height(), 1e-9))
        self.label.setScale(fit)
        self.label.setPos(
            self.centre.x() - rect.width() * fit / 2, self.centre.y() - rect.height() * fit / 2
        )

    def style(self, edge: QColor, fill: QColor, width: float) -> None:
        self.setPen(QPen(edge, width))
        self.setBrush(QBrush(fill))


class LayerBand(QGraphicsRectItem):
    """The column behind a layer: invisible until the layer, or a neuron of it, is selected;
    clicking it selects the layer."""

    def __init__(self, parent: QGraphicsItem, layer: int, rect: QRectF) -> None:
        super().__init__(rect, parent)
        self.target = Target(layer)
        self.setZValue(Z_BAND)
        self.show_level(0, QColor())

    def show_level(self, level: int, colour: QColor) -> None:
        """0: not selected; 1: a neuron of the layer is; 2: the layer itself is."""
        if level == 0:
            self.setPen(Qt.PenStyle.NoPen)
            self.setBrush(Qt.BrushStyle.NoBrush)
            return
        fill = QColor(colour)
        fill.setAlpha(28 if level == 1 else 55)
        pen = QPen(colour, 1.5, Qt.PenStyle.SolidLine if level == 2 else Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(fill)


@dataclass(frozen=True)
class EdgeStyle:
    positive: QColor
    negative: QColor
    max_width: float  # scene units, for the largest |w|; the smallest is 1


class EdgeBundle(QGraphicsItem):
    """Every edge from layer `layer - 1` into layer `layer`, painted together: a network of
    10 layers of 32 neurons has 9,216 edges, too many for an item each. Edges are grouped
    by pen (sign, rounded width) so a paint is a few drawLines calls, thick edges last, and
    a paint draws only the edges that cross the exposed area. Qt caches the item's pixels
    (in device coordinates, only the visible part of a large item), so hovering, selecting
    and panning repaint few edges or none."""

    def __init__(
        self,
        parent: QGraphicsItem,
        layer: int,
        xs: tuple[float, float],
        y0,
        y1,
        tails: np.ndarray | None = None,
    ):
        """Edges from (x0, y0[k]) to (x1, y1[j]), or to (x1, y1[j, k]) when every edge ends
        at a place of its own; `tails` (j-major rows of x1, y1, x2, y2) continue them into
        their neurons."""
        super().__init__(parent)
        self.layer = layer
        self.x0, self.x1 = xs
        self.y0 = np.asarray(y0, dtype=float)  # sources k
        y1 = np.asarray(y1, dtype=float)  # targets j (by source k too, as a matrix)
        self.y1 = y1 if y1.ndim == 2 else np.repeat(y1[:, None], len(self.y0), axis=1)
        self.lines = _segments(self.x0, self.x1, self.y0, self.y1)
        self.tails = np.empty((0, 4)) if tails is None else np.asarray(tails, dtype=float)
        self.weights = np.zeros(self.y1.shape)
        self.widths = np.ones_like(self.weights)
        self.style: EdgeStyle | None = None
        self.smooth = True  # False while zooming: a dense bundle then shows `snapshot`
        self.snapshot: QImage | None = None
        self.snapshot_scale = 1.0
        self.groups: list[tuple[QPen, np.ndarray, np.ndarray]] = []  # pen, indices, segments
        self.setZValue(Z_EDGES)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # exposedRect
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def matrix_shape(self) -> tuple[int, int]:
        return self.weights.shape

    def restyle(self, weights: np.ndarray, scale: float, style: EdgeStyle) -> None:
        """Takes new weights (copied), the |w| drawn widest, and the colours."""
        self.prepareGeometryChange()
        self.weights = np.array(weights, dtype=float)
        self.style = style
        # |w| / scale first: it is at most 1, so a weight near 1e308 cannot overflow
        width = 1.0 + (style.max_width - 1.0) * (np.abs(self.weights) / scale)
        self.widths = np.round(width / WIDTH_STEP) * WIDTH_STEP
        keys = ((self.widths / WIDTH_STEP).astype(int) * 2 + (self.weights < 0)).ravel()
        self.groups = []
        # ascending width: the strongest edges end on top (bincount: np.unique imports numpy.ma)
        for key in np.flatnonzero(np.bincount(keys)):
            pen = self._pen(float(key // 2) * WIDTH_STEP, bool(key % 2))
            indices = np.flatnonzero(keys == key)
            lines = self.lines[indices]
            if len(self.tails):
                lines = np.concatenate((lines, self.tails[indices]))
            self.groups.append((pen, indices, lines))
        if self.snapshot is not None:
            self.snapshot = self._picture()
        self.update()

    @property
    def dense(self) -> bool:
        return len(self.lines) > DENSE_EDGES

    def set_smooth(self, smooth: bool, zoom: float = 1.0) -> None:
        """True: draw crisp (antialiased when zoomed in), cached at screen resolution.
        False, while the zoom changes: a dense bundle is drawn, aliased, into a picture at
        `zoom`'s resolution, which the following frames only scale; zooming on past twice
        that resolution draws a new one. (Qt's ItemCoordinateCache would do this, but in Qt
        6.11 it draws such an item misplaced.)"""
        was, self.smooth = self.smooth, smooth
        if not self.dense or (smooth and was):
            return
        if smooth:
            self.snapshot = None
            self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        elif was or self._scale_for(zoom) > SNAPSHOT_RENEW * self.snapshot_scale:
            self.snapshot_scale = self._scale_for(zoom)
            self.snapshot = self._picture()
            self.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        else:
            return
        self.update()

    def _scale_for(self, zoom: float) -> float:
        rect = self.boundingRect()
        return min(zoom, MAX_SNAPSHOT_PX / max(rect.width(), rect.height()))

    def _picture(self) -> QImage:
        """The bundle drawn into an image at `snapshot_scale` pixels per scene unit."""
        rect = self.boundingRect()
        width = max(1, math.ceil(rect.width() * self.snapshot_scale))
        height = max(1, math.ceil(rect.height() * self.snapshot_scale))
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.scale(width / rect.width(), height / rect.height())
        painter.translate(-rect.topLeft())
        for pen, _indices, lines in self.groups:
            painter.setPen(pen)
            draw_segments(painter, lines)
        painter.end()
        return image

    def set_weight(self, j: int, k: int, value: float, scale: float) -> None:
        weights = self.weights.copy()
        weights[j, k] = value
        assert self.style is not None
        self.restyle(weights, scale, self.style)

    def _pen(self, width: float, negative: bool) -> QPen:
        assert self.style is not None
        pen = QPen(self.style.negative if negative else self.style.positive, width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # round caps cost 4x: ends hide in neurons
        return pen

    def pen(self, j: int, k: int) -> QPen:
        return self._pen(float(self.widths[j, k]), bool(self.weights[j, k] < 0))

    def line(self, j: int, k: int) -> QLineF:
        return QLineF(*self.lines[j * len(self.y0) + k])

    def drawn(self) -> list[QLineF]:
        """Every line the bundle draws: its edges, then their tails."""
        return [QLineF(*row) for row in np.concatenate((self.lines, self.tails)).tolist()]

    def boundingRect(self) -> QRectF:
        top = float(min(self.y0.min(), self.y1.min()))
        bottom = float(max(self.y0.max(), self.y1.max()))
        m = self.style.max_width if self.style else 1.0
        rect = QRectF(self.x0, top, self.x1 - self.x0, bottom - top)
        if len(self.tails):
            xs, ys = self.tails[:, 0::2], self.tails[:, 1::2]
            left, right = float(xs.min()), float(xs.max())
            rect = rect.united(QRectF(left, ys.min(), right - left, ys.max() - ys.min()))
        return rect.adjusted(-m, -m, m, m)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.snapshot is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.boundingRect(), self.snapshot)
            return
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if self.dense and not (self.smooth and lod >= DENSE_AA_ZOOM):
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        crossing = None if len(self.tails) else self._crossing(option.exposedRect)
        for pen, indices, lines in self.groups:
            if crossing is not None:
                shown = indices[crossing[indices]]
                if not shown.size:
                    continue
                lines = self.lines[shown]
            painter.setPen(pen)
            draw_segments(painter, lines)

    def _crossing(self, rect: QRectF) -> np.ndarray | None:
        """Which edges (j * K + k) pass through `rect`; None if all of them do."""
        left, right = max(rect.left(), self.x0), min(rect.right(), self.x1)
        if left > right:
            return np.zeros(len(self.lines), dtype=bool)
        dx, rise = self.x1 - self.x0, self.y1 - self.y0[None, :]
        at_left = self.y0[None, :] + rise * ((left - self.x0) / dx)
        at_right = self.y0[None, :] + rise * ((right - self.x0) / dx)
        low = np.minimum(at_left, at_right) - self.widths / 2
        high = np.maximum(at_left, at_right) + self.widths / 2
        crossing = ((high >= rect.top()) & (low <= rect.bottom())).ravel()
        return None if crossing.all() else crossing

    def edge_at(self, point: QPointF, tolerance: float) -> tuple[float, int, int] | None:
        """(distance, j, k) of the edge nearest `point` if within `tolerance` of its stroke."""
        dx = self.x1 - self.x0
        t = (point.x() - self.x0) / dx
        if not 0.0 <= t <= 1.0:
            return None
        dy = self.y1 - self.y0[None, :]
        y_at = self.y0[None, :] + dy * t
        distance = np.abs(point.y() - y_at) * dx / np.hypot(dx, dy) - self.widths / 2
        j, k = np.unravel_index(int(np.argmin(distance)), distance.shape)
        best = float(distance[j, k])
        return (best, int(j), int(k)) if best <= tolerance else None


def _segments(x0: float, x1: float, y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """The edges' lines as rows of x1, y1, x2, y2, j-major: a million edges are a 32 MB array
    made in milliseconds, where a QLineF each took 1.2 s to make and 100 MB to keep."""
    rows, cols = y1.shape
    lines = np.empty((rows, cols, 4))
    lines[..., 0], lines[..., 1], lines[..., 2], lines[..., 3] = x0, y0[None, :], x1, y1
    return lines.reshape(rows * cols, 4)


def draw_segments(painter: QPainter, lines: np.ndarray) -> None:
    """Draws rows of x1, y1, x2, y2 in one call, straight from the array's memory: Qt's
    QLineF is four doubles, so a C-contiguous float64 array is an array of QLineF, and the
    pointer overload of drawLines reads it with no Python object per line."""
    lines = np.ascontiguousarray(lines, dtype=np.float64)
    if len(lines):
        painter.drawLines(shiboken6.wrapInstance(lines.ctypes.data, QLineF), len(lines))


class EdgeHandle:
    """One edge of a bundle, with the few QGraphicsLineItem-like reads tests and overlays
    use: `pen()`, `line()`, `toolTip()`."""

    def __init__(self, bundle: EdgeBundle, j: int, k: int, tip: Callable[[], str]) -> None:
        self.bundle, self.j, self.k, self._tip = bundle, j, k, tip

    @property
    def value(self) -> float:
        return float(self.bundle.weights[self.j, self.k])

    def pen(self) -> QPen:
        return self.bundle.pen(self.j, self.k)

    def line(self) -> QLineF:
        return self.bundle.line(self.j, self.k)

    def toolTip(self) -> str:
        return self._tip()


class EdgeMap(Mapping[tuple[int, int, int], EdgeHandle]):
    """The edges by (layer, neuron, source), made on demand from the bundles."""

    def __init__(self, bundles: dict[int, EdgeBundle], tip: Callable[[Target], str]) -> None:
        self._bundles = bundles
        self._tip = tip

    def __getitem__(self, key: tuple[int, int, int]) -> EdgeHandle:
        layer, j, k = key
        bundle = self._bundles.get(layer)
        rows, cols = (0, 0) if bundle is None else bundle.matrix_shape
        if bundle is None or not (0 <= j < rows and 0 <= k < cols):
            raise KeyError(key)
        return EdgeHandle(bundle, j, k, lambda: self._tip(Target(layer, j, k)))

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        for layer, bundle in sorted(self._bundles.items()):
            rows, cols = bundle.matrix_shape
            for j in range(rows):
                for k in range(cols):
                    yield layer, j, k

    def __len__(self) -> int:
        return sum(b.weights.size for b in self._bundles.values())
