"""GraphView: the tab beside the canvas that shows the computational graph of the lesson's
sample (ui/graph_scene.py), following the lesson step by step as the canvas does: the values
computed so far, the current step's nodes framed, the current value hidden in Check yourself
until answered. A network of more than 30 parameters shows the active neuron's subgraph.
Must not import the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsTextItem, QGraphicsView

from bpstudio.document.session import DocumentModel
from bpstudio.maths import graph
from bpstudio.ui.canvas.unclip import unclipped_offset
from bpstudio.ui.graph_scene import VALUE_PX, GraphScene, Shown
from bpstudio.ui.step_overlay import StepOverlay, widest_number

if TYPE_CHECKING:
    from bpstudio.ui.lesson import LessonController

READABLE_PX = 13.0  # values are never drawn smaller than this: the view scrolls instead
PRESENTATION_ZOOM = 1.6  # presentation mode draws this much larger than fitting would
MAX_FIT_ZOOM = 1.5  # a small graph is not blown up beyond this
FIT_MARGIN = 8


class GraphView(QGraphicsView):
    def __init__(self, model: DocumentModel, lesson: LessonController, parent=None) -> None:
        super().__init__(parent)
        self.model, self.lesson = model, lesson
        self.graph_scene = GraphScene(self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setToolTip(
            "The computational graph of one sample: every product, sum, activation and loss "
            "term as a node with its value and gradient, the local derivative on each edge"
        )
        self.presentation = False
        self.shown: Shown | None = None
        self.graph: graph.Graph | None = None
        self._drawn: tuple = ()  # what `graph` was built from
        lesson.changed.connect(self.show_step)
        lesson.panel.decimals_changed.connect(self.show_step)

    def set_presentation(self, on: bool) -> None:
        self.presentation = on
        self.fit()

    def show_step(self, *_args) -> None:
        """Draws the graph at the lesson's current step; nothing while training runs or
        while the lesson has no walk for the document's network. Drawn only when shown."""
        if not self.isVisible():
            return
        lesson = self.lesson
        stale = lesson.walk.net.sizes != self.model.document.sizes
        if stale or lesson.runner.running or not lesson.ready():
            self.graph_scene.clear()
            self.graph = self.shown = None
            return
        walk, decimals = lesson.walk, lesson.panel.decimals
        sequence, step = walk.sequence, walk.current
        done = walk.index + (0 if step is None or lesson.panel.is_hidden() else 1)
        sample = StepOverlay.sample_of(walk)
        drawn = (sequence, walk.config.loss, sample, graph.focus_for(sequence, walk.index))
        if not self._same_graph(drawn):
            self.graph, self._drawn = graph.build(*drawn), drawn
        self.shown = Shown(
            known=frozenset(s.key for s in sequence.steps[:done]),
            current=None if step is None else step.key,
            backward=step is not None and step.phase in ("backward", "combine"),
            decimals=decimals,
            widest=widest_number(walk, decimals),
        )
        self.graph_scene.draw(self.graph, self.shown)
        self.fit()

    def _same_graph(self, drawn: tuple) -> bool:
        """Whether `graph` is the one of `drawn` (the same step sequence, loss, sample and
        focus): the steps of one neuron share it."""
        return (
            self.graph is not None and drawn[0] is self._drawn[0] and drawn[1:] == self._drawn[1:]
        )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.show_step()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """The whole graph in the view, but its text never under READABLE_PX (the view then
        scrolls to the current step's nodes), and PRESENTATION_ZOOM larger in presentation."""
        self.resetTransform()
        rect = self.graph_scene.sceneRect()
        if not rect.isValid() or rect.isEmpty():
            return
        room = self.contentsRect().adjusted(FIT_MARGIN, FIT_MARGIN, -FIT_MARGIN, -FIT_MARGIN)
        fitted = min(room.width() / rect.width(), room.height() / rect.height())
        zoom = min(max(fitted, READABLE_PX / VALUE_PX), MAX_FIT_ZOOM)
        zoom *= PRESENTATION_ZOOM if self.presentation else 1.0
        self.scale(zoom, zoom)
        self.centerOn(rect.center())
        focus = self.focus_rect()
        if focus is not None:  # the step's nodes in view, and no text cut at the view's edges
            self.ensureVisible(focus, 20, 20)
            view = self.mapToScene(self.viewport().rect()).boundingRect()
            near = self.graph_scene.items(view.adjusted(-50, -50, 50, 50))
            written = [t for t in near if isinstance(t, QGraphicsTextItem) and t.isVisible()]
            texts = [t.sceneBoundingRect() for t in written]
            move = unclipped_offset(view, texts, focus)
            if not move.isNull():
                self.centerOn(view.center() + move)

    def focus_rect(self) -> QRectF | None:
        """The scene rectangle of the nodes the current step computes, if any."""
        records = [self.graph_scene.records[n] for n in self.graph_scene.framed]
        if not records:
            return None
        rect = records[0].sceneBoundingRect()
        for record in records[1:]:
            rect = rect.united(record.sceneBoundingRect())
        return rect
