"""StepOverlay: draws the lesson's state over the network canvas — the active neuron or
edge highlighted, the values computed so far in the rooms the canvas keeps for them, the
current step's value marked, and nothing that is not computed yet, so a student can
predict it. The backward pass is drawn in its own colour, with arrows pointing back towards
the input. A dense network shows the values of one neuron on a card beside it instead."""

from __future__ import annotations

from html import escape

import shiboken6
from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsItemGroup,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
)

from bpstudio.document.walkthrough import Walkthrough
from bpstudio.maths.formula import format_number
from bpstudio.maths.images import grey_image
from bpstudio.maths.notation import Notation
from bpstudio.maths.steps import Step
from bpstudio.ui import theme
from bpstudio.ui.canvas.items import Target

BACKWARD = QColor("#c2185b")  # magenta: clearly not the forward blue/orange of weights
BACKWARD_DARK = QColor("#ff6fae")
ROWS = {"z": 0, "a": 1, "delta": 2, "loss": 3}  # lines beside the neuron (loss: the output's)
GRADIENTS = ("grad_w", "grad_b")
PLATE_ALPHA = 235  # a label's plate: edges and bands behind it don't show through
# The current value's plate: the highlight colour this much over the background. Darker, or
# framed, and OCR (tesseract, standing in for the back row) loses the number on it.
CURRENT_TINT = 0.2


def widest_number(walk: Walkthrough, decimals: int | None) -> str:
    """The longest number the lesson writes in this training step, its digits as 0s: the
    canvas makes every room wide enough for it."""
    seq = walk.sequence
    values = [s.value for s in seq] + [s.old for s in seq if s.old is not None]
    values += walk.sequence.result.x.ravel()[:64].tolist()
    texts = [format_number(v, decimals) for v in values] or ["0"]
    longest = max(texts, key=len)
    return "".join("0" if c.isdigit() else c for c in longest)


class StepOverlay:
    """Rebuilt after every move and after every redraw of the canvas. `labels` maps each
    value it writes (as plain text) to its item, for tests and screenshots."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        self.group: QGraphicsItemGroup | None = None
        self.decimals: int | None = 4
        self.visible = True
        self.labels: dict[str, QGraphicsTextItem] = {}
        self.current: QGraphicsTextItem | None = None  # the current step's value, if shown
        self.image: QGraphicsPixmapItem | None = None  # the sample as a picture, if square
        self._hidden_labels: list[QGraphicsItem] = []
        self._marks: list[QGraphicsItem] = []  # the active step's rings and arrows
        # the current value's plate, with its brush marked and plain
        self._plates: tuple[QGraphicsRectItem, QBrush, QBrush] | None = None

    def clear(self) -> None:
        if self.group is not None and self.group.scene() is not None:
            self.group.scene().removeItem(self.group)
        self.group = None
        self.labels = {}
        self.current = None
        self.image = None
        self._marks, self._plates = [], None
        self.canvas.lesson_tip = lambda _target: ""
        for item in self._hidden_labels:
            if shiboken6.isValid(item):  # else a redraw of the canvas has replaced it
                item.setVisible(True)
        self._hidden_labels = []

    def show(self, walk: Walkthrough, decimals: int | None, hide_current: bool = False) -> None:
        """Draws `walk`'s state: the values of the steps done and, unless `hide_current`
        (Check yourself before the answer), the current step's value, marked."""
        shares = any(s.sample is not None for s in walk.sequence)
        if self.canvas.set_lesson_room(widest_number(walk, decimals), shares):
            return  # the canvas redrew, and its `redrawn` has shown the step already
        self.clear()
        if not self.visible:
            return
        self.decimals = decimals
        self.group = QGraphicsItemGroup()
        self.group.setZValue(10)
        self.canvas.scene().addItem(self.group)
        step = walk.current
        done = walk.index + (0 if step is None or hide_current else 1)
        values = {s.key: s for s in walk.sequence.steps[:done]}
        sample = self.sample_of(walk)
        self.canvas.lesson_tip = lambda target: self._tip(target, values, sample)
        if self.canvas.lesson_layout():
            self._write_all(walk, values, sample, step if done > walk.index else None)
        else:
            self._write_card(walk, values, sample, step if done > walk.index else None)
        self._draw_image(walk.sequence.result.x[sample], sample)
        if step is not None:
            self._highlight(step)

    @staticmethod
    def sample_of(walk: Walkthrough) -> int:
        """The sample whose values are shown: the current step's, else the first walked."""
        step = walk.current
        if step is not None and step.sample is not None:
            return step.sample
        chosen = walk.chosen_samples(len(walk.sequence.result.x))
        return 0 if chosen is None else chosen[0]

    def _draw_image(self, x, sample: int) -> None:
        """The sample's inputs as a grey picture in the room the scene keeps left of the
        input layer, when they are the pixels of a square image (maths.images)."""
        rect = self.canvas.net_scene.image_rect
        if rect is None:
            return
        grey = grey_image(x)
        side = grey.shape[0]
        image = QImage(grey.tobytes(), side, side, side, QImage.Format.Format_Grayscale8)
        self.image = QGraphicsPixmapItem(QPixmap.fromImage(image))
        self.image.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.image.setScale(rect.width() / side)
        self.image.setPos(rect.topLeft())
        self.image.setToolTip(
            f"Sample {sample + 1} of the batch: its {side * side} inputs drawn as "
            f"{side}×{side} pixels, row by row (0 white, 1 black)"
        )
        self.group.addToGroup(self.image)
        frame = QGraphicsRectItem(rect)
        frame.setPen(QPen(theme.current().muted, 2.0))
        self.group.addToGroup(frame)
        caption = QGraphicsSimpleTextItem(f"x as {side}×{side}, sample {sample + 1}")
        font = caption.font()
        font.setPixelSize(max(1, round(rect.width() / 10)))
        caption.setFont(font)
        caption.setBrush(theme.current().text)
        caption.setPos(rect.left(), rect.top() - 1.4 * font.pixelSize())
        self.group.addToGroup(caption)

    # the lesson layout: every value in its own room ------------------------------------
    def _write_all(self, walk, values: dict, sample: int, current: Step | None) -> None:
        shares = any(key[0] == "loss" and key[4] is not None for key in values)
        note = Notation(walk.net.sizes)
        for k, x in enumerate(walk.sequence.result.x[sample]):
            at = QPointF(*self.canvas.layout.value_row(0, k, 0))
            self._label(f"{note.a(0, k).html()} = {self._number(x)}", at)
        for (kind, layer, neuron, source, s), step in values.items():
            if s not in (None, sample) or self._superseded(kind, layer, neuron, source, s, values):
                continue
            mark = step is current
            if kind == "loss":
                row = ROWS["loss"] + int(s is None and shares)
                at = QPointF(*self.canvas.layout.value_row(len(walk.net.sizes) - 1, 0, row))
                self._label(f"{Notation.loss(s).html()} = {self._number(step.value)}", at, mark)
            elif kind in ROWS:
                at = QPointF(*self.canvas.layout.value_row(layer, neuron, ROWS[kind]))
                name = {"z": "z", "a": "a", "delta": "δ"}[kind]
                colour = BACKWARD if kind == "delta" else None
                self._label(f"{name} = {self._number(step.value)}", at, mark, colour)
            else:
                self._write_parameter(step, mark)

    @staticmethod
    def _superseded(kind, layer, neuron, source, sample, values: dict) -> bool:
        """A sample's share of a gradient gives way to the combined gradient once that is
        known: both are written in the same room."""
        return (
            kind in GRADIENTS
            and sample is not None
            and (kind, layer, neuron, source, None) in values
        )

    def _write_parameter(self, step: Step, mark: bool) -> None:
        gradient = step.kind in GRADIENTS
        edge = step.kind.endswith("_w")
        row = 1 if gradient else 0
        if edge:
            at = QPointF(*self.canvas.layout.port_row(step.layer, step.neuron, step.source, row))
            target = Target(step.layer, step.neuron, step.source)
        else:
            at = QPointF(*self.canvas.layout.bias_row(step.layer, step.neuron, row))
            target = Target(step.layer, step.neuron, bias=True)
        self._label(self._parameter_text(step), at, mark, BACKWARD if gradient else None)
        if not gradient:  # the update takes the place of the value it replaces
            label = self.canvas.label_of(target)
            if label is not None and label.isVisible():
                label.setVisible(False)
                self._hidden_labels.append(label)

    def _parameter_text(self, step: Step) -> str:
        """`∂L/∂w = …` (a sample's share: `∂L^[p]/∂w = …`), `old → new`, `b: old → new`."""
        name = "w" if step.kind.endswith("_w") else "b"
        if step.kind in GRADIENTS:
            return f"∂{Notation.loss(step.sample).html()}/∂{name} = {self._number(step.value)}"
        change = f"{self._number(step.old)} → {self._number(step.value)}"
        return change if name == "w" else f"b: {change}"

    def _number(self, value: float) -> str:
        return escape(format_number(value, self.decimals))

    def _tip(self, target: Target, values: dict, sample: int) -> str:
        """The values of `target` (a neuron, its bias, or an edge) shown so far, a line
        each: what hovering over it adds to its tooltip."""
        if target.neuron is None:
            return ""
        if target.kind == "edge":
            kinds = ("grad_w", "update_w")
        elif target.kind == "bias":
            kinds = ("grad_b", "update_b")
        else:
            kinds = ("z", "a", "delta")
        lines = []
        for (kind, layer, neuron, source, s), step in values.items():
            place = (layer, neuron, source) == (target.layer, target.neuron, target.source)
            if kind in kinds and place and s in (None, sample):
                number = format_number(step.value, self.decimals)
                lines.append(f"{step.symbol.text()} = {number}")
        return "\n".join(lines)

    # the dense layout: the values of one neuron on a card --------------------------------
    def _write_card(self, walk, values: dict, sample: int, current: Step | None) -> None:
        layer, neuron = self._card_neuron(walk)
        note = Notation(walk.net.sizes)
        lines: list[tuple[str, Step | None]] = []
        title = f"<b>{note.a(layer, neuron).html()}</b>"
        lines.append((title, None))

        def known(kind, source=None):
            for s in (None, sample):
                found = values.get((kind, layer, neuron, source, s))
                if found is not None:
                    return found
            return None

        for kind in ("z", "a", "delta"):
            if (step := known(kind)) is not None:
                name = {"z": "z", "a": "a", "delta": "δ"}[kind]
                lines.append((f"{name} = {self._number(step.value)}", step))
        if layer == len(walk.net.sizes) - 1 and neuron == 0:
            for s in (sample, None):
                if (step := values.get(("loss", None, None, None, s))) is not None:
                    lines.append((f"{Notation.loss(s).html()} = {self._number(step.value)}", step))
        for kind in ("grad_b", "update_b"):
            if (step := known(kind)) is not None:
                lines.append((self._parameter_text(step), step))
        if layer > 0:
            x = walk.sequence.result.x[sample]
            for k in range(walk.net.sizes[layer - 1]):
                parts = []
                feed = known_value(values, "a", layer - 1, k, sample)
                if layer - 1 == 0:
                    parts.append(f"{note.a(0, k).html()} = {self._number(x[k])}")
                elif feed is not None:
                    parts.append(f"{note.a(layer - 1, k).html()} = {self._number(feed.value)}")
                marked = None
                for kind in ("grad_w", "update_w"):
                    if (step := known(kind, k)) is not None:
                        parts.append(self._parameter_text(step))
                        marked = step if step is current else marked
                if parts:
                    lines.append(
                        (f"{note.w(layer, neuron, k).html()}: " + " · ".join(parts), marked)
                    )
        self._card(lines, current)

    def _card_neuron(self, walk) -> tuple[int, int]:
        """The neuron the card shows: the one the canvas has selected, else the step's."""
        chosen = self.canvas.selection()
        if chosen is not None and chosen.neuron is not None:
            return chosen.layer, chosen.neuron
        step = walk.current or (walk.sequence[-1] if len(walk.sequence) else None)
        if step is None or step.layer is None:
            return len(walk.net.sizes) - 1, 0
        return step.layer, step.neuron

    def _card(self, lines: list[tuple[str, Step | None]], current: Step | None) -> None:
        left, top = self.canvas.card_corner()
        y = top
        for html, step in lines:
            self._label(html, QPointF(left, y), step is not None and step is current)
            y += self.canvas.layout.value_line * 1.15

    # labels -------------------------------------------------------------------------------
    def _label(
        self, html: str, at: QPointF, current: bool = False, colour: QColor | None = None
    ) -> None:
        """A line of text with its top left at `at`, on a plate of the background colour;
        the current step's value on a plate tinted with the highlight colour."""
        t = theme.current()
        colour = colour or t.text
        if colour == BACKWARD and t.dark:
            colour = BACKWARD_DARK
        item = QGraphicsTextItem()
        item.document().setDocumentMargin(0)
        item.setFont(self.canvas.value_font())
        item.setDefaultTextColor(colour)
        item.setHtml(html)
        item.setPos(at)
        rect = item.sceneBoundingRect().adjusted(-2, 0, 2, 0)
        backing = QColor(t.background)
        if current:  # light enough that the text keeps its contrast; a frame would touch it
            backing = blend(t.background, t.highlight, CURRENT_TINT)
        backing.setAlpha(255 if current else PLATE_ALPHA)
        box = self.canvas.scene().addRect(rect, QPen(Qt.PenStyle.NoPen), QBrush(backing))
        self.group.addToGroup(box)
        self.group.addToGroup(item)
        self.labels[item.toPlainText()] = item
        if current:
            self.current = item
            plain = QColor(t.background)
            plain.setAlpha(PLATE_ALPHA)
            self._plates = (box, QBrush(backing), QBrush(plain))

    # the active step -------------------------------------------------------------------
    def _highlight(self, step: Step) -> None:
        t = theme.current()
        backward = step.phase in ("backward", "combine")
        colour = (BACKWARD_DARK if t.dark else BACKWARD) if backward else t.highlight
        pen = QPen(colour, 4)
        if step.kind in ("grad_w", "update_w"):
            line = self.canvas.edge_line(step.layer, step.neuron, step.source)
            self._add(self.canvas.scene().addLine(line, pen))
            if backward:
                self._arrow(line.p2(), line.p1(), colour)
        elif step.kind == "loss":
            centre, r = self.canvas.neuron_geometry(len(self.canvas.layer_sizes()) - 1, 0)
            self._ring(centre, r, pen)
        else:
            centre, r = self.canvas.neuron_geometry(step.layer, step.neuron)
            self._ring(centre, r, pen)
            if step.kind == "delta" and step.layer < len(self.canvas.layer_sizes()) - 1:
                for j in range(self.canvas.layer_sizes()[step.layer + 1]):  # δ comes back
                    line = self.canvas.edge_line(step.layer + 1, j, step.neuron)
                    self._arrow(line.p2(), line.p1(), colour)

    def _ring(self, centre: QPointF, r: float, pen: QPen) -> None:
        self._add(
            self.canvas.scene().addEllipse(
                centre.x() - r - 4, centre.y() - r - 4, 2 * r + 8, 2 * r + 8, pen
            )
        )

    def _arrow(self, start: QPointF, end: QPointF, colour: QColor) -> None:
        """An arrow from `start` to `end` (the direction information flows backward); it
        stops short of `end`, so it touches nothing written there."""
        line = QLineF(start, end)
        line.setLength(max(line.length() - 4.0, 0.0))
        end = line.p2()
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
        """Shows or hides the active step's highlight (an exported diagram leaves it out):
        its rings and arrows, and the current value's coloured plate; the values stay."""
        for mark in self._marks:
            mark.setVisible(on)
        if self._plates is not None:
            box, marked, plain = self._plates
            box.setBrush(marked if on else plain)


def known_value(values: dict, kind: str, layer: int, neuron: int, sample: int) -> Step | None:
    return values.get((kind, layer, neuron, None, sample)) or values.get(
        (kind, layer, neuron, None, None)
    )


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )
