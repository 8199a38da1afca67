"""Lesson slides: the lesson canvas as the lesson shows each micro-step of the first training
step, one image per step, and an `index.md` with each step's formula, the numbers
substituted and the result (`bpstudio slides`, File ▸ Export ▸ Lesson Slides…).

The slides are drawn by the window's own views: a NetworkCanvas with its StepOverlay, shown
off screen at the slide's size and walked like the lesson. The slide of step k is what the
lesson shows while its derivation panel shows step k (`--screenshot --step k-1`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QProgressDialog, QWidget

from bpstudio.document.atomic import StagedFolder
from bpstudio.document.model import Document
from bpstudio.document.session import DocumentModel
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.maths import report
from bpstudio.maths.steps import Step
from bpstudio.ui.canvas.network_canvas import NetworkCanvas
from bpstudio.ui.derivation_panel import DEFAULT_DECIMALS
from bpstudio.ui.export import png_bytes, svg_bytes
from bpstudio.ui.step_overlay import StepOverlay

KINDS = ("png", "svg")
INDEX = "index.md"
STALE = r"step-\d+\.(png|svg)"  # an earlier run's slides, replaced by a new set
PNG_QUALITY = 80  # a faster zlib level: encoding was 3/4 of a slide's time (slides_bench.py)


@dataclass(frozen=True)
class SlideOptions:
    width: int = 1280
    height: int = 800
    kind: str = "png"  # or "svg"
    presentation: bool = False  # the canvas's text at presentation-mode size
    decimals: int | None = DEFAULT_DECIMALS  # of the values on the canvas


class SlideDeck:
    """The slides of `document`'s first training step, walking `samples` of its batch
    (Walkthrough.set_samples: None chooses as the lesson does). `render(i)` draws slide i
    (0-based) and returns the image file's bytes; `name(i)` is its file name."""

    def __init__(
        self, document: Document, samples: list[int] | None, options: SlideOptions
    ) -> None:
        if options.kind not in KINDS:
            raise ValueError(f"slides are {' or '.join(KINDS)}, not {options.kind!r}")
        self.document = document
        self.options = options
        self.walk = Walkthrough(document)
        self.walk.set_samples(samples)
        self.canvas = NetworkCanvas(DocumentModel(document), _refuse_edit)
        self.canvas.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.canvas.setFrameShape(QFrame.Shape.NoFrame)  # the image is the view, edge to edge
        self.canvas.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.canvas.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if options.presentation:
            self.canvas.set_presentation(True)
        self.canvas.resize(options.width, options.height)
        self.canvas.show()  # not on any screen: lays the view out at its size
        self.overlay = StepOverlay(self.canvas)
        self.canvas.redrawn.connect(self._show)  # a redraw (more room) removes the overlay
        self._digits = max(3, len(str(len(self))))

    def __len__(self) -> int:
        return len(self.walk.sequence)

    def name(self, index: int) -> str:
        return f"step-{index + 1:0{self._digits}d}.{self.options.kind}"

    def render(self, index: int) -> bytes:
        """Slide `index`: the canvas while the lesson shows step `index`."""
        self.walk.jump(index)
        self._show()
        if self.options.kind == "svg":
            step = self.walk.sequence[index]
            return svg_bytes(self.canvas, f"{self._title()}: step {index + 1}, {_what(step)}")
        width, height = self.options.width, self.options.height
        return png_bytes(self.canvas, width, height, self.name(index), quality=PNG_QUALITY)

    def _show(self) -> None:
        """The lesson's values on the canvas, the current one in view (presentation mode
        may show only part of the network)."""
        self.overlay.show(self.walk, self.options.decimals)
        current = self.overlay.current
        self.canvas.follow(None if current is None else current.sceneBoundingRect())

    def index_markdown(self) -> str:
        """Each slide above its step's formula, numbers and result, at full precision (the
        values of `bpstudio steps`), grouped by phase and sample as the worked solution."""
        return report.to_markdown(
            self.walk.sequence,
            self.walk.config,
            self.document.name,
            figure=lambda step: f"![Step {step.index + 1}]({self.name(step.index)})",
            heading="Lesson slides",
        )

    def close(self) -> None:
        self.overlay.clear()
        self.canvas.close()
        self.canvas.deleteLater()

    def _title(self) -> str:
        return self.document.name or "bpstudio"


def _refuse_edit(_edit) -> bool:
    """The slides' canvas is never edited (it is not on screen)."""
    return False


def _what(step: Step) -> str:
    return step.symbol.text()


def write_all(
    deck: SlideDeck, folder: str | os.PathLike[str], progress: Callable[[int], None] | None = None
) -> None:
    """Every slide and `index.md` into `folder`, all or nothing (StagedFolder); `progress`
    is told how many slides are written after each. OSError naming `folder` on failure."""
    staged = StagedFolder(folder, STALE)
    try:
        for index in range(len(deck)):
            staged.write(deck.name(index), deck.render(index))
            if progress:
                progress(index + 1)
        staged.write(INDEX, deck.index_markdown().encode("utf-8"))
        staged.commit()
    finally:
        staged.discard()


class SlideExport(QObject):
    """Writes a deck into a folder one slide per turn of the event loop, so the window keeps
    answering (the canvas is a widget: it is drawn on the GUI thread), with a window-modal
    progress dialog whose Cancel stops it and leaves the folder as it was.
    `finished(error)` fires once: "" when written, the reason on failure, None if cancelled."""

    finished = Signal(object)

    def __init__(self, deck: SlideDeck, folder: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.deck = deck
        self.folder = folder
        self._staged: StagedFolder | None = None
        self._next = 0
        self.progress = QProgressDialog(
            f"Drawing {len(deck)} slides into {folder}…", "Cancel", 0, len(deck) + 1, parent
        )
        self.progress.setWindowTitle("Export Lesson Slides")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        try:
            self._staged = StagedFolder(self.folder, STALE)
        except OSError as exc:
            self._end(_reason(exc))
            return
        self.progress.setValue(0)
        self._timer.start()

    def _on_tick(self) -> None:
        assert self._staged is not None
        try:
            if self._next < len(self.deck):
                self._staged.write(self.deck.name(self._next), self.deck.render(self._next))
                self._next += 1
                self.progress.setValue(self._next)
                return
            self._staged.write(INDEX, self.deck.index_markdown().encode("utf-8"))
            self._staged.commit()
        except OSError as exc:
            self._end(_reason(exc))
            return
        self._end("")

    def cancel(self) -> None:
        """Stops the export as its Cancel button does: the folder stays as it was."""
        if self._timer.isActive():
            self._end(None)

    def _end(self, error: str | None) -> None:
        self._timer.stop()
        if self._staged is not None:
            self._staged.discard()
        self.progress.canceled.disconnect(self.cancel)
        self.progress.close()
        self.progress.deleteLater()
        self.deck.close()
        self.finished.emit(error)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
