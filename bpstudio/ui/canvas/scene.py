"""NetworkScene: the canvas's items for the model's network, built once per structure and
then updated in place (one edge or one bias when a value changes). A view: it reads the
document and never edits it; must not import the engine's training code."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene, QGraphicsSimpleTextItem

from bpstudio.document.model import Document
from bpstudio.document.session import DocumentModel
from bpstudio.maths.images import square_side
from bpstudio.maths.notation import Notation
from bpstudio.ui import theme
from bpstudio.ui.canvas import texts
from bpstudio.ui.canvas.items import (
    Z_EDGE_MARK,
    Z_TEXT,
    EdgeBundle,
    EdgeMap,
    EdgeStyle,
    LayerBand,
    NeuronItem,
    Root,
    Target,
    TextLabel,
)
from bpstudio.ui.canvas.layout import EDGE_LABEL_SPOTS, VALUE_PX, Layout, TextRoom, layout_for

MARGIN = 12.0  # around the drawing
CARD_BLOCKS = 3.2  # the lesson's card (dense networks) is this many edge blocks wide
CARD_LINES = 12  # and at least this many lines high
IMAGE_SHARE = 0.3  # the input image's side, as a share of the input column's height
IMAGE_GAP = 40.0  # between the input image and the input column's band
PLAIN_SYMBOLS_FROM = 1000  # neurons: from this many, symbols are plain text (NeuronItem)
WIDEST_DEFAULT = "−0.0000"  # the widest number the lesson writes, until it says otherwise


def weight_scale(document: Document) -> float:
    """The largest |w| of the network: the edge drawn widest."""
    largest = max(float(np.max(np.abs(layer.weights))) for layer in document.layers[1:])
    return max(largest, 1e-12)


class NetworkScene(QGraphicsScene):
    """Items by document place: `neurons[(l, j)]`, `biases[(l, j)]`, `edges[(l, j, k)]`
    (handles into the per-layer `bundles`), `edge_labels`, `headers[l]`, `bands[l]`."""

    def __init__(self, model: DocumentModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.widest_number = WIDEST_DEFAULT
        self.shares = False  # whether the lesson writes a sample's share of the loss
        self.card_corner = (0.0, 0.0)
        self.image_rect: QRectF | None = None  # where the lesson draws a sample as an image
        self.layout: Layout = layout_for((1, 1))
        self.root: Root | None = None
        self.neurons: dict[tuple[int, int], NeuronItem] = {}
        self.biases: dict[tuple[int, int], TextLabel] = {}
        self.edge_labels: dict[tuple[int, int, int], TextLabel] = {}
        self.headers: dict[int, TextLabel] = {}
        self.bands: dict[int, LayerBand] = {}
        self.bundles: dict[int, EdgeBundle] = {}
        self.edges = EdgeMap(self.bundles, self.tooltip)
        self._texts: dict[str, list[QGraphicsSimpleTextItem]] = {}
        self._marks: list[QGraphicsLineItem] = []
        self._taken: list[QRectF] = []  # what edge labels must not cover
        self._scale = 1.0
        self._shown: tuple[bool, ...] | None = None
        self.highlighted: Target | None = None

    @property
    def document(self) -> Document:
        return self.model.document

    # building -------------------------------------------------------------------------
    def build(self) -> None:
        """Replaces every canvas item with new ones for the current document."""
        self._remove_items()
        doc, t = self.document, theme.current()
        self.setBackgroundBrush(t.background)
        self.layout = layout_for(doc.sizes, self.text_room())
        self.root = Root()
        self.addItem(self.root)
        self._scale = weight_scale(doc)
        for layer in range(len(doc.sizes)):
            self._add_column(layer)
        for layer in range(1, len(doc.sizes)):
            self._add_bundle(layer)
        self._add_legend()
        drawn = self.root.childrenBoundingRect()
        self.image_rect = self._image_room()
        if self.image_rect is not None:
            drawn = drawn.united(
                self.image_rect.adjusted(0, -0.15 * self.image_rect.height(), 0, 0)
            )
        self.card_corner = (drawn.right() + 50.0, self.layout.top)
        if not self.layout.lesson:  # room for the lesson's card of one neuron's values
            card = QRectF(*self.card_corner, CARD_BLOCKS * self.text_room().block, 0.0)
            drawn = drawn.united(card.adjusted(0, 0, 0, CARD_LINES * self.layout.value_line))
        self.setSceneRect(drawn.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        self._shown = None
        self.highlight(self.highlighted)

    def _image_room(self) -> QRectF | None:
        """A square left of the input column, centred on it, for the lesson's picture of a
        sample whose inputs are the pixels of a square image (its caption goes above it);
        None for other inputs."""
        lay = self.layout
        if square_side(lay.sizes[0]) is None:
            return None
        left = lay.column_rect(0)[0]
        height = lay.y(0, lay.sizes[0] - 1) - lay.y(0, 0) + 2 * lay.radius
        side = max(120.0, IMAGE_SHARE * height)
        return QRectF(left - IMAGE_GAP - side, -side / 2, side, side)

    def value_font(self, bold: bool = False) -> QFont:
        """The font of the lesson's values and of the weight and bias labels."""
        font = QFont()
        font.setPixelSize(round(VALUE_PX))
        font.setBold(bold)
        return font

    def text_room(self) -> TextRoom:
        """How wide the lesson's lines get when no number is wider than `widest_number`,
        with a sample's share (`L^[p]`) written only where a batch has several samples."""
        metrics = QFontMetricsF(self.value_font())
        n, share = self.widest_number, "L[9]" if self.shares else "L"
        slack = 6.0  # the label's plate, and rounding

        def widest(*texts: str) -> float:
            return max(metrics.horizontalAdvance(t) for t in texts) + slack

        return TextRoom(
            stack=widest("δ = " + n, f"{share} = {n}", "x9 = " + n),
            block=widest(f"∂{share}/∂w = {n}", f"{n} → {n}"),
            bias=widest(f"∂{share}/∂b = {n}", f"b: {n} → {n}"),
        )

    def _remove_items(self) -> None:
        for table in (self.neurons, self.biases, self.edge_labels, self.headers, self.bands):
            table.clear()
        self.bundles.clear()
        self._texts = {"symbol": [], "bias": [], "edge": [], "header": []}
        self._marks = []
        self._taken = []
        if self.root is not None:
            self.removeItem(self.root)  # deletes its children with it
            self.root = None

    def _add_column(self, layer: int) -> None:
        doc, lay, t = self.document, self.layout, theme.current()
        note = Notation(doc.sizes)
        x, y, w, h = lay.column_rect(layer)
        self.bands[layer] = LayerBand(self.root, layer, QRectF(x, y, w, h))
        head = TextLabel(self.root, Target(layer), lay.header_px, "center", lay.header_width)
        head.style(t.muted, t.background)
        head.set_text(texts.header(doc, layer))
        head.place(QPointF(lay.x(layer), lay.header_y))
        self.headers[layer] = head
        self._texts["header"].append(head)
        rich = sum(doc.sizes) < PLAIN_SYMBOLS_FROM
        for j in range(doc.sizes[layer]):
            self._add_neuron(layer, j, note, t, rich)

    def _add_neuron(self, layer: int, j: int, note: Notation, t: theme.Theme, rich: bool) -> None:
        lay = self.layout
        x, y = lay.center(layer, j)
        neuron = NeuronItem(self.root, Target(layer, j), QPointF(x, y), lay.radius, rich)
        neuron.style(t.neuron_edge, t.neuron_fill, 2.0)
        neuron.set_symbol(note.a(layer, j), lay.symbol_px, t.text)
        self.neurons[(layer, j)] = neuron
        self._texts["symbol"].append(neuron.label)
        if layer == 0:
            return
        mode = "left" if lay.lesson else "top"
        label = TextLabel(self.root, Target(layer, j, bias=True), lay.bias_px, mode)
        label.setZValue(Z_TEXT)
        label.style(t.muted, t.background)
        label.set_text(texts.bias_label(texts.bias(self.document, layer, j)))
        label.place(QPointF(*lay.bias_row(layer, j, 0)))
        self.biases[(layer, j)] = label
        self._texts["bias"].append(label)

    def _add_bundle(self, layer: int) -> None:
        lay, t = self.layout, theme.current()
        if lay.lesson:
            ends = [
                [lay.edge_end(layer, j, k) for k in range(lay.sizes[layer - 1])]
                for j in range(lay.sizes[layer])
            ]
            xs = (lay.stack_right(layer - 1), ends[0][0][0])
            tails = np.array(
                [lay.tail(layer, j, k) for j, row in enumerate(ends) for k in range(len(row))]
            )
            y1 = [[y for _x, y in row] for row in ends]
            bundle = EdgeBundle(self.root, layer, xs, lay.ys(layer - 1), y1, tails)
        else:
            xs = (lay.x(layer - 1), lay.x(layer))
            bundle = EdgeBundle(self.root, layer, xs, lay.ys(layer - 1), lay.ys(layer))
        weights = self.document.layers[layer].weights
        bundle.restyle(weights, self._scale, EdgeStyle(t.positive, t.negative, lay.max_edge_width))
        self.bundles[layer] = bundle
        if not lay.edge_labels:
            return
        for j in range(bundle.matrix_shape[0]):
            for k in range(bundle.matrix_shape[1]):
                self._add_edge_label(bundle, j, k, t)

    def _add_edge_label(self, bundle: EdgeBundle, j: int, k: int, t: theme.Theme) -> None:
        layer = bundle.layer
        lay = self.layout
        label = TextLabel(
            self.root, Target(layer, j, k), lay.value_px, "left" if lay.lesson else "center"
        )
        label.style(t.text, t.background)
        label.set_text(texts.weight_label(bundle.weights[j, k]))
        if lay.lesson:  # the first line of the edge's block
            label.place(QPointF(*lay.port_row(layer, j, k, 0)))
        else:
            self._place_edge_label(label, bundle.line(j, k), lay.edge_label_fraction(layer, j))
        self.edge_labels[(layer, j, k)] = label
        self._texts["edge"].append(label)

    def _place_edge_label(self, label: TextLabel, line: QLineF, preferred: float) -> None:
        """Puts `label` on its edge where it covers no neuron, bias or other edge label:
        the first free spot of `preferred` and then EDGE_LABEL_SPOTS, else `preferred`."""
        if not self._taken:
            self._taken = [item.sceneBoundingRect() for item in self.neurons.values()]
            self._taken += [item.sceneBoundingRect() for item in self.biases.values()]
        for spot in (preferred, *EDGE_LABEL_SPOTS, preferred):
            label.place(line.pointAt(spot))
            rect = label.sceneBoundingRect().adjusted(-3, -1, 3, 1)
            if not any(rect.intersects(taken) for taken in self._taken):
                break
        self._taken.append(rect)

    def _add_legend(self) -> None:
        lay, t = self.layout, theme.current()
        px = lay.header_px * 0.85
        x, top = lay.column_span(0)[0], lay.column_rect(0)[1] - 2.8 * px
        for i, (colour, text) in enumerate(((t.positive, "w > 0"), (t.negative, "w < 0"))):
            y = top + i * 1.3 * px
            QGraphicsLineItem(x, y + px / 2, x + 2 * px, y + px / 2, self.root).setPen(
                QPen(colour, max(3.0, px / 4))
            )
            self._legend_text(text, px, QPointF(x + 2.4 * px, y), t)
        self._legend_text("thicker = larger |w|", px, QPointF(x + 6.5 * px, top), t)

    def _legend_text(self, text: str, px: float, at: QPointF, t: theme.Theme) -> None:
        item = QGraphicsSimpleTextItem(text, self.root)
        font = item.font()
        font.setPixelSize(max(1, round(px)))
        item.setFont(font)
        item.setBrush(t.muted)
        item.setPos(at)

    # updating in place ------------------------------------------------------------------
    def update_weight(self, layer: int, j: int, k: int) -> None:
        """Re-reads one weight: its edge's width and colour, its label."""
        doc = self.document
        scale = weight_scale(doc)
        if scale != self._scale:  # every width is relative to the largest |w|
            self.restyle()
            return
        self.bundles[layer].set_weight(j, k, texts.weight(doc, layer, j, k), scale)
        label = self.edge_labels.get((layer, j, k))
        if label is not None:
            label.set_text(texts.weight_label(texts.weight(doc, layer, j, k)))
        if self.highlighted == Target(layer, j, k):
            self.highlight(self.highlighted)

    def update_bias(self, layer: int, j: int) -> None:
        doc = self.document
        label = self.biases[(layer, j)]
        label.set_text(texts.bias_label(texts.bias(doc, layer, j)))

    def restyle(self) -> None:
        """Re-reads every weight and bias (the sizes are unchanged)."""
        doc = self.document
        self._scale = weight_scale(doc)
        for layer, bundle in self.bundles.items():
            assert bundle.style is not None
            bundle.restyle(doc.layers[layer].weights, self._scale, bundle.style)
        for (layer, j, k), label in self.edge_labels.items():
            label.set_text(texts.weight_label(texts.weight(doc, layer, j, k)))
        for layer, j in self.biases:
            self.update_bias(layer, j)
        self.highlight(self.highlighted)

    def update_layer(self, layer: int) -> None:
        """Re-reads a layer's activation: its header (tooltips are made when shown)."""
        doc = self.document
        self.headers[layer].set_text(texts.header(doc, layer))

    # reading ---------------------------------------------------------------------------
    def tooltip(self, target: Target) -> str:
        doc = self.document
        if target.kind == "edge":
            assert target.neuron is not None and target.source is not None
            return texts.edge_tip(doc, target.layer, target.neuron, target.source)
        if target.kind == "bias":
            assert target.neuron is not None
            return texts.bias_tip(doc, target.layer, target.neuron)
        if target.kind == "neuron":
            assert target.neuron is not None
            return texts.neuron_tip(doc, target.layer, target.neuron)
        return texts.layer_tip(doc, target.layer)

    def exists(self, target: Target) -> bool:
        """Whether the current network has `target`."""
        sizes = self.document.sizes
        if not 0 <= target.layer < len(sizes):
            return False
        if target.neuron is not None and not 0 <= target.neuron < sizes[target.layer]:
            return False
        if target.bias and target.layer == 0:
            return False
        source = target.source
        return source is None or (target.layer > 0 and 0 <= source < sizes[target.layer - 1])

    def anchor(self, target: Target) -> QPointF:
        """A scene point that shows `target`: where a click hits it first."""
        lay = self.layout
        if target.kind == "edge":
            assert target.neuron is not None and target.source is not None
            label = self.edge_labels.get((target.layer, target.neuron, target.source))
            if label is not None:
                return label.sceneBoundingRect().center()
            line = self.bundles[target.layer].line(target.neuron, target.source)
            return line.pointAt(lay.edge_label_fraction(target.layer, target.neuron))
        if target.kind == "bias":
            assert target.neuron is not None
            return self.biases[(target.layer, target.neuron)].sceneBoundingRect().center()
        if target.kind == "neuron":
            assert target.neuron is not None
            return QPointF(*lay.center(target.layer, target.neuron))
        return self.headers[target.layer].sceneBoundingRect().center()

    def edge_at(self, point: QPointF, tolerance: float) -> Target | None:
        found = [
            (hit, layer)
            for layer, bundle in self.bundles.items()
            if (hit := bundle.edge_at(point, tolerance)) is not None
        ]
        if not found:
            return None
        (_, j, k), layer = min(found)
        return Target(layer, j, k)

    # showing -------------------------------------------------------------------------
    def highlight(self, target: Target | None) -> None:
        """Marks `target` (and its layer) as selected; None clears the marks."""
        t = theme.current()
        old = self.highlighted
        self.highlighted = target
        if old is not None and old.neuron is not None and old.source is None:
            neuron = self.neurons.get((old.layer, old.neuron))
            if neuron is not None:
                neuron.style(t.neuron_edge, t.neuron_fill, 2.0)
        for band in self.bands.values():
            band.show_level(0, t.highlight)
        for mark in self._marks:
            self.removeItem(mark)
        self._marks = []
        if target is None or not self.exists(target):
            return
        if target.kind == "edge":
            self._mark_edge(target, t)
            return
        self.bands[target.layer].show_level(2 if target.neuron is None else 1, t.highlight)
        if target.neuron is not None:
            self.neurons[(target.layer, target.neuron)].style(t.highlight, t.neuron_fill, 4.0)

    def _mark_edge(self, target: Target, t: theme.Theme) -> None:
        assert target.neuron is not None and target.source is not None
        bundle = self.bundles[target.layer]
        line, pen = (
            bundle.line(target.neuron, target.source),
            bundle.pen(target.neuron, target.source),
        )
        halo = QGraphicsLineItem(line, self.root)
        halo.setPen(QPen(t.highlight, pen.widthF() + 6.0))
        own = QGraphicsLineItem(line, self.root)
        own.setPen(pen)
        for z, mark in enumerate((halo, own)):
            mark.setZValue(Z_EDGE_MARK + 0.1 * z)
            self._marks.append(mark)

    def set_smooth(self, smooth: bool, zoom: float = 1.0) -> None:
        """False while the zoom changes (dense edges drawn fast), True when it settles."""
        for bundle in self.bundles.values():
            bundle.set_smooth(smooth, zoom)

    def set_zoom(self, zoom: float) -> None:
        """Hides text too small to read at `zoom` (device pixels per scene unit)."""
        lay = self.layout
        symbol = min((item.scale() for item in self._texts["symbol"]), default=1.0)
        shown = (
            lay.readable(lay.symbol_px * symbol, zoom),
            lay.readable(lay.bias_px, zoom),
            lay.readable(lay.value_px, zoom),
            lay.readable(lay.header_px, zoom),
        )
        if shown == self._shown:
            return
        self._shown = shown
        for kind, visible in zip(("symbol", "bias", "edge", "header"), shown, strict=True):
            for item in self._texts[kind]:
                item.setVisible(visible)
