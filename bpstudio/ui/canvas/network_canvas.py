"""NetworkCanvas: the view and editor of the document's network. Click to select a neuron,
a layer or an edge, double-click to type a weight or bias, right-click for the structure
menu; Ctrl+wheel zooms. Every change goes to `push` as an edit; the canvas follows the
document's events. Must not import the engine's training code."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPixmapCache,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QLineEdit,
    QToolTip,
)

from bpstudio.document.edits import Edit, SetBias, SetWeight
from bpstudio.document.session import DocumentModel
from bpstudio.maths.formula import format_number
from bpstudio.maths.notation import Notation
from bpstudio.ui.canvas import texts
from bpstudio.ui.canvas.editor import ValueEditor
from bpstudio.ui.canvas.items import EdgeMap, NeuronItem, Target, TextLabel, target_of
from bpstudio.ui.canvas.layout import Layout
from bpstudio.ui.canvas.scene import NetworkScene
from bpstudio.ui.canvas.unclip import unclipped_offset

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 12.0
EDGE_PICK_PX = 5.0  # how near (screen pixels) a click must be to an edge to hit it
EDIT_KINDS = ("weight", "bias")
SETTLE_MS = 150  # after the last zoom step, dense edges are redrawn antialiased
MAX_FIT_ZOOM = 1.6
FIT_MARGIN = 2  # px between a fitted network and the view's frame
PRESENTATION_ZOOM = 1.6  # presentation mode draws this much larger than fitting would
READABLE_VALUE_PX = 13.0  # a lesson under way never draws its values smaller than this
PIXMAP_CACHE_KB = 64 * 1024  # the edge bundles' cached pixels must fit (Qt's default: 10 MB)


class NetworkCanvas(QGraphicsView):
    """Shows the model's network and edits it through `push`.

    `selection_changed` fires when the selection changes; `context_menu_requested(global
    position)` after a right click has selected what is under it; `redrawn` after every
    full redraw (a new document or structure), for overlays that place items by neuron."""

    selection_changed = Signal()
    context_menu_requested = Signal(QPoint)
    redrawn = Signal()

    def __init__(self, model: DocumentModel, push: Callable[[Edit], bool], parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.push = push
        self.net_scene = NetworkScene(model, self)
        self.setScene(self.net_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Network canvas")
        if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:  # else caches evict each other per frame
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
        self.presentation = False
        self._focus: QRectF | None = None  # what a fit keeps in view (`follow`)
        self.lesson_tip: Callable[[Target], str] = lambda _target: ""  # set by the lesson
        self._selection: Target | None = None
        self._editor: ValueEditor | None = None
        self._editing: Target | None = None
        self._user_zoomed = False
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._on_zoom_settled)
        events = model.events
        events.document_replaced.connect(self._on_document_replaced)
        events.structure_changed.connect(self._on_structure_changed)
        events.value_changed.connect(self._on_value_changed)
        events.parameters_changed.connect(self._on_parameters_changed)
        events.layer_changed.connect(self._on_layer_changed)
        self._redraw()

    # the items, by document place (for tests and overlays) -------------------------------
    @property
    def neurons(self) -> dict[tuple[int, int], NeuronItem]:
        return self.net_scene.neurons

    @property
    def biases(self) -> dict[tuple[int, int], TextLabel]:
        return self.net_scene.biases

    @property
    def edges(self) -> EdgeMap:
        return self.net_scene.edges

    def neuron_geometry(self, layer: int, neuron: int) -> tuple[QPointF, float]:
        """The scene centre and radius of a neuron."""
        return QPointF(*self.net_scene.layout.center(layer, neuron)), self.net_scene.layout.radius

    # the rooms of the lesson's values (see canvas/layout.py) -------------------------------
    def lesson_layout(self) -> bool:
        """Whether every lesson value has a room of its own (a small network), rather than
        the values of one neuron being shown on a card (`card_corner`)."""
        return self.layout.lesson

    @property
    def layout(self) -> Layout:
        """Where the scene puts things, the rooms of the lesson's values among them."""
        return self.net_scene.layout

    def card_corner(self) -> tuple[float, float]:
        """The top left of the room the scene keeps for the lesson's card (dense layout)."""
        return self.net_scene.card_corner

    def value_font(self, bold: bool = False):
        return self.net_scene.value_font(bold)

    def edge_line(self, layer: int, neuron: int, source: int):
        """The drawn line of an edge, between its source's values and its block."""
        return self.net_scene.bundles[layer].line(neuron, source)

    def label_of(self, target: Target) -> TextLabel | None:
        """The canvas's label of a weight or a bias, if it has one."""
        if target.kind == "edge":
            return self.net_scene.edge_labels.get((target.layer, target.neuron, target.source))
        return self.net_scene.biases.get((target.layer, target.neuron))

    def set_lesson_room(self, number: str, shares: bool) -> bool:
        """Makes every room of the lesson wide enough for `number`, the longest number the
        lesson writes (its digits as 0s), and for a sample's share of the loss (`shares`);
        True if that needed a redraw."""
        if (number, shares) == (self.net_scene.widest_number, self.net_scene.shares):
            return False
        self.net_scene.widest_number, self.net_scene.shares = number, shares
        self._redraw()  # the lesson layout's rooms, or a dense network's card, grow or shrink
        return True

    def layer_sizes(self) -> tuple[int, ...]:
        return self.model.document.sizes

    def set_presentation(self, on: bool) -> None:
        """Presentation mode draws PRESENTATION_ZOOM times larger than fitting the view
        would: every value is at least that much larger than in normal mode, in a window
        of any size. Where the network is then larger than the view, the view follows the
        lesson's step (`follow`)."""
        self.presentation = on
        self.fit()

    def follow(self, rect: QRectF | None) -> None:
        """Keeps the scene rectangle `rect` (the lesson's current value) in view, now and
        after every fit, if the fitted view does not show all of the network."""
        self._focus = rect
        if rect is not None and not self._user_zoomed:
            self._show_focus()

    def _show_focus(self) -> None:
        """Scrolls the current value into view, then on so that the view's edges cut no
        other value's text where they need not."""
        self.ensureVisible(self._focus, 40, 40)
        view = self.mapToScene(self.viewport().rect()).boundingRect()
        texts = [
            item.sceneBoundingRect()
            for item in self.scene().items(view)
            if isinstance(item, QGraphicsTextItem | QGraphicsSimpleTextItem) and item.isVisible()
        ]
        move = unclipped_offset(view, texts, self._focus)
        if not move.isNull():
            self.centerOn(view.center() + move)

    def tooltip_text(self, target: Target) -> str:
        """What hovering over `target` tells: its exact value, and what the lesson has
        computed for it so far (`lesson_tip`)."""
        extra = self.lesson_tip(target)
        text = self.net_scene.tooltip(target)
        return f"{text}\n\nThis step so far:\n{extra}" if extra else text

    def scene_point(self, target: Target) -> QPointF:
        """Where `target` is drawn in the scene (a click there hits it)."""
        return self.net_scene.anchor(target)

    # document events -------------------------------------------------------------------
    def _on_document_replaced(self) -> None:
        self._selection = None
        self.net_scene.highlighted = None
        self._redraw()
        self.selection_changed.emit()

    def _on_structure_changed(self) -> None:
        self._redraw()

    def _on_value_changed(self, kind: str, layer: int, neuron: int, source: int | None) -> None:
        if kind == "weight" and source is not None:
            self.net_scene.update_weight(layer, neuron, source)
        elif kind == "bias":
            self.net_scene.update_bias(layer, neuron)

    def _on_parameters_changed(self) -> None:
        self.net_scene.restyle()

    def _on_layer_changed(self, layer: int, key: str) -> None:
        self.net_scene.update_layer(layer)

    def _redraw(self) -> None:
        self.close_editor()
        old = self._selection
        self.net_scene.build()
        kept = self._surviving(old)
        self._selection = kept
        self.net_scene.highlight(kept)
        if self._user_zoomed:
            self._on_zoomed()
        else:
            self.fit()
        if kept != old:
            self.selection_changed.emit()
        self.redrawn.emit()

    def _surviving(self, target: Target | None) -> Target | None:
        """`target` if it still exists, else its layer if that does, else None."""
        if target is not None and not self.net_scene.exists(target):
            target = Target(target.layer)
        return target if target is not None and self.net_scene.exists(target) else None

    # selection -------------------------------------------------------------------------
    def selection(self) -> Target | None:
        return self._selection

    def selected_layer(self) -> int | None:
        """The selected layer, or the layer of the selected neuron or edge (an edge's layer
        is the one whose weights it is)."""
        return None if self._selection is None else self._selection.layer

    def selected_neuron(self) -> tuple[int, int] | None:
        target = self._selection
        if target is None or target.kind != "neuron":
            return None
        assert target.neuron is not None
        return target.layer, target.neuron

    def selected_edge(self) -> tuple[int, int, int] | None:
        target = self._selection
        if target is None or target.kind != "edge":
            return None
        assert target.neuron is not None and target.source is not None
        return target.layer, target.neuron, target.source

    def select(self, target: Target | None) -> None:
        """Selects `target` (a bias selects its neuron); None clears the selection."""
        if target is not None and target.bias:
            target = Target(target.layer, target.neuron)
        if target is not None and not self.net_scene.exists(target):
            raise ValueError(f"the network has no {target}")
        if target == self._selection:
            return
        self._selection = target
        self.net_scene.highlight(target)
        self.selection_changed.emit()

    def target_at(self, pos: QPoint) -> Target | None:
        """What is under the viewport point `pos`: a neuron, bias or edge label first, then
        the nearest edge, then a layer's band or header."""
        layer = None
        for item in self.items(pos):
            target = target_of(item)
            if target is not None and target.kind != "layer":
                return target
            layer = layer or target
        tolerance = EDGE_PICK_PX / max(self.transform().m11(), 1e-9)
        edge = self.net_scene.edge_at(self.mapToScene(pos), tolerance)
        return edge or layer

    # editing values --------------------------------------------------------------------
    @property
    def editor(self) -> ValueEditor | None:
        """The open inline editor, if any."""
        return self._editor

    def edit_value(
        self, kind: str, layer: int, neuron: int, source: int | None = None
    ) -> QLineEdit:
        """Opens the inline editor on weight (layer, neuron, source) or on the bias of
        (layer, neuron), holding its exact value; returns the editor. ValueError if the
        network has no such value."""
        if kind not in EDIT_KINDS or (kind == "weight") != (source is not None):
            raise ValueError(f"edit a 'weight' (with its source) or a 'bias', not {kind!r}")
        weight = kind == "weight"
        target = Target(layer, neuron, source) if weight else Target(layer, neuron, bias=True)
        if not self.net_scene.exists(target):
            raise ValueError(f"the network has no {kind} at layer {layer}, neuron {neuron}")
        return self._open_editor(target)

    def editable_selection(self) -> Target | None:
        """The value the selection lets one edit (see `_editable`), or None."""
        return self._editable(self._selection)

    def _editable(self, target: Target | None) -> Target | None:
        """The value a double-click on `target` edits: an edge's weight or a bias (a
        neuron's editable value is its bias); None for the input layer and layers."""
        if target is None or target.kind == "layer" or target.layer == 0:
            return None
        if target.kind == "neuron":
            return Target(target.layer, target.neuron, bias=True)
        return target

    def _value(self, target: Target) -> float:
        doc = self.model.document
        assert target.neuron is not None
        if target.source is not None:
            return texts.weight(doc, target.layer, target.neuron, target.source)
        return texts.bias(doc, target.layer, target.neuron)

    def _open_editor(self, target: Target) -> ValueEditor:
        self.close_editor()
        self.select(target)
        at = self.net_scene.anchor(target)
        self.ensureVisible(QRectF(at - QPointF(70, 30), QSizeF(140, 60)))
        note = Notation(self.model.document.sizes)
        assert target.neuron is not None
        symbol = (
            note.w(target.layer, target.neuron, target.source)
            if target.source is not None
            else note.b(target.layer, target.neuron)
        )
        editor = ValueEditor(self.viewport(), format_number(self._value(target)), symbol.text())
        editor.committed.connect(self._on_editor_committed)
        editor.cancelled.connect(self._on_editor_cancelled)
        self._editor, self._editing = editor, target
        self._place_editor()
        editor.show()
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        return editor

    def _place_editor(self) -> None:
        if self._editor is not None and self._editing is not None:
            self._editor.place(self.mapFromScene(self.net_scene.anchor(self._editing)))

    def close_editor(self) -> None:
        """Closes the inline editor without changing anything."""
        editor, self._editor, self._editing = self._editor, None, None
        if editor is not None:
            had_focus = editor.hasFocus()
            editor.close_editor()
            if had_focus:
                self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_editor_cancelled(self) -> None:
        self.close_editor()

    def _on_editor_committed(self, value: float) -> None:
        target = self._editing
        self.close_editor()
        if target is None:
            return
        old = self._value(target)
        if value == old and math.copysign(1.0, value) == math.copysign(1.0, old):
            return  # nothing changes: no undo step
        assert target.neuron is not None
        if target.source is not None:
            self.push(SetWeight(target.layer, target.neuron, target.source, value))
        else:
            self.push(SetBias(target.layer, target.neuron, value))

    def edit_selection(self) -> bool:
        """Opens the editor on the selected edge's weight or neuron's bias; False if the
        selection has no editable value."""
        target = self._editable(self._selection)
        if target is None:
            return False
        self._open_editor(target)
        return True

    # input -----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            self.select(self.target_at(event.position().toPoint()))
        super().mousePressEvent(event)  # a left drag pans the view, on items or not

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = self.target_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton:
            self.select(hit)  # as the press before it did, if there was one
            if (value := self._editable(hit)) is not None:
                self._open_editor(value)
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            self.select(self.target_at(event.pos()))
        self.context_menu_requested.emit(event.globalPos())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            target = self.target_at(event.pos())
            if target is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_text(target), self.viewport())
            return True
        return super().viewportEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and self.edit_selection():
            return
        if key == Qt.Key.Key_Escape and self._selection is not None:
            self.select(None)
            return
        if key == Qt.Key.Key_Equal and mods & Qt.KeyboardModifier.ControlModifier:
            self.zoom_in()  # Ctrl+= : zoom in without Shift on keyboards where + needs it
            return
        super().keyPressEvent(event)

    # navigation ------------------------------------------------------------------------
    def fit(self) -> None:
        """Fit the whole network into the view (Ctrl+0), but in the lesson layout not so
        small that its values are less than READABLE_VALUE_PX tall: a network too large for
        the view then shows its start (the inputs), or the lesson's current value."""
        self._user_zoomed = False
        self.resetTransform()
        rect = self.scene().sceneRect()
        if rect.isValid() and not rect.isEmpty():
            # measured without the scroll bars, so that showing or hiding them cannot
            # change the zoom (else each resize could toggle them again, for ever)
            room = self.contentsRect().adjusted(FIT_MARGIN, FIT_MARGIN, -FIT_MARGIN, -FIT_MARGIN)
            fitted = min(room.width() / rect.width(), room.height() / rect.height())
            zoom = min(max(fitted, self._min_fit_zoom()), MAX_FIT_ZOOM)  # small: not blown up
            zoom *= PRESENTATION_ZOOM if self.presentation else 1.0
            self.scale(zoom, zoom)
            self.centerOn(rect.center())
            # wider than the view: from the inputs, where the lesson starts, to its value
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())
            if self._focus is not None:
                self._show_focus()
        self._on_zoomed()

    def _min_fit_zoom(self) -> float:
        if self.lesson_layout():
            return READABLE_VALUE_PX / self.layout.value_px
        return MIN_ZOOM

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = min(max(factor, MIN_ZOOM / current), MAX_ZOOM / current)
        self._user_zoomed = True
        self.net_scene.set_smooth(False, current * factor)  # fast frames, crisp once settled
        self._settle.start()
        self.scale(factor, factor)
        self._on_zoomed()

    def zoom_in(self) -> None:
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom(1 / ZOOM_STEP)

    def _on_zoom_settled(self) -> None:
        self.net_scene.set_smooth(True)

    def _on_zoomed(self) -> None:
        self.net_scene.set_zoom(self.transform().m11())
        self._place_editor()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(math.pow(ZOOM_STEP, event.angleDelta().y() / 120))
            event.accept()
        else:
            super().wheelEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._place_editor()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:
            self.fit()
        self._place_editor()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: new colours
            self._redraw()
