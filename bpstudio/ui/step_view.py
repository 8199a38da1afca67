"""StepView: the lesson's current step drawn over the canvas (a StepOverlay), following each
move, redraw and change of decimals. Must not import the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpstudio.document.session import DocumentModel
from bpstudio.ui.canvas.network_canvas import NetworkCanvas
from bpstudio.ui.step_overlay import StepOverlay

if TYPE_CHECKING:
    from bpstudio.ui.lesson import LessonController


class StepView:
    def __init__(
        self, model: DocumentModel, lesson: LessonController, canvas: NetworkCanvas
    ) -> None:
        self.model, self.lesson, self.canvas = model, lesson, canvas
        self.overlay = StepOverlay(canvas)
        lesson.changed.connect(self.show_step)
        canvas.redrawn.connect(self.show_step)
        lesson.panel.decimals_changed.connect(self.show_step)
        canvas.selection_changed.connect(self._on_canvas_selection)

    def show_step(self, *_args) -> None:
        """Draws the lesson's current step over the canvas (not while training runs: the
        step sequence would be rebuilt every frame for a state that is gone the next). After
        a structure edit the canvas redraws before the lesson has its new walk: the old walk's
        values are not drawn onto the new layout (the lesson's `changed` follows)."""
        lesson = self.lesson
        stale = lesson.walk.net.sizes != self.model.document.sizes
        if stale or lesson.runner.running or not lesson.ready():
            self.overlay.clear()
            self.canvas.follow(None)
            return
        self.overlay.show(lesson.walk, lesson.panel.decimals, lesson.panel.is_hidden())
        current = self.overlay.current
        self.canvas.follow(None if current is None else current.sceneBoundingRect())

    def _on_canvas_selection(self) -> None:
        """A dense network's lesson card shows the neuron clicked on."""
        if not self.canvas.lesson_layout():
            self.show_step()
