"""ComparePanel: the loss curves of several training runs on one plot, each with its name in
the legend, told apart by colour, dash pattern and line width (readable in greyscale
print), with a log-scale toggle. Used by the window's comparison dock and by
`bpstudio compare --plot`. Qt and pyqtgraph; must not import the document or the window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from bpstudio.engine import losses
from bpstudio.ui.plots.style import (
    ViewFit,
    arrange,
    colours,
    extent,
    new_plot,
    plottable,
    series_pen,
    style_legend,
    style_plot,
)

EMPTY_NOTE = "Add runs with Compare…: the current run, or another .bpnet trained here"


@dataclass(frozen=True)
class Run:
    """One compared run: its legend name, and its loss after each epoch."""

    name: str
    epochs: np.ndarray
    loss: np.ndarray


class ComparePanel(QWidget):
    """`plot` is the pyqtgraph PlotWidget; `runs` the runs shown, in the legend's order.
    `changed` fires when a run is added or removed."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, extra: Sequence[QWidget] = ()) -> None:
        """`extra` controls go at the start of the row above the plot."""
        super().__init__(parent)
        self.plot = new_plot("Comparison plot")
        self.runs: list[Run] = []
        self._curves: list[pg.PlotDataItem] = []
        self._loss_name = "sse"
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.legend = item.addLegend(offset=(-10, 10), labelTextSize="10pt")
        self.log_action = QAction("Log scale", self, checkable=True)
        self.log_action.setToolTip("Show the losses on a logarithmic axis")
        self.log_action.toggled.connect(self._on_log)
        log_button = QToolButton()
        log_button.setDefaultAction(self.log_action)
        self.note = QLabel(EMPTY_NOTE)
        self.note.setWordWrap(True)
        arrange(self, [*extra, log_button, self.note, None], self.plot)
        self.view_fit = ViewFit(self.plot, self._spans)
        self.restyle()

    # public API ---------------------------------------------------------------------------
    def add_run(self, name: str, epochs, loss) -> Run:
        """Adds a curve named `name` (made unique with a number if it is taken)."""
        taken = {r.name for r in self.runs}
        unique, k = name, 2
        while unique in taken:
            unique, k = f"{name} ({k})", k + 1
        run = Run(unique, np.asarray(epochs, dtype=float), np.asarray(loss, dtype=float))
        self.runs.append(run)
        curve = pg.PlotDataItem(autoDownsampleFactor=1.0)
        self.plot.getPlotItem().addItem(curve)
        self._curves.append(curve)
        self._redraw()
        self.changed.emit()
        return run

    def remove_run(self, index: int) -> None:
        del self.runs[index]
        self.plot.getPlotItem().removeItem(self._curves.pop(index))
        self._redraw()
        self.changed.emit()

    def clear(self) -> None:
        for index in reversed(range(len(self.runs))):
            del self.runs[index]
            self.plot.getPlotItem().removeItem(self._curves.pop(index))
        self._redraw()
        self.changed.emit()

    def set_loss_name(self, name: str) -> None:
        self._loss_name = name
        title = losses.get(name).title if name in losses.LOSSES else name
        text = colours().text.name()
        item = self.plot.getPlotItem()
        item.setLabel("left", f"loss ({title})", color=text)
        item.setLabel("bottom", "epoch", color=text)

    def twin(self) -> ComparePanel:
        """A new, unshown panel with the same runs, loss name and axis scale."""
        twin = ComparePanel()
        twin.set_loss_name(self._loss_name)
        twin.log_action.setChecked(self.is_log())
        for run in self.runs:
            twin.add_run(run.name, run.epochs, run.loss)
        return twin

    def is_log(self) -> bool:
        return self.log_action.isChecked()

    # drawing ------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self.legend.clear()
        for i, (run, curve) in enumerate(zip(self.runs, self._curves, strict=True)):
            curve.setData(run.epochs, plottable(run.loss), pen=series_pen(i, 2.2))
            self.legend.addItem(curve, run.name)
        self.note.setVisible(not self.runs)
        self.view_fit.refit()

    def _on_log(self, on: bool) -> None:
        self.plot.getPlotItem().setLogMode(y=on)
        self.view_fit.refit()

    def _spans(self) -> tuple[tuple, tuple] | None:
        if not self.runs:
            return None
        values = np.concatenate([plottable(r.loss) for r in self.runs])
        low_high = extent(values, self.is_log())
        if low_high is None:
            return None
        first = min(float(r.epochs[0]) for r in self.runs if r.epochs.size)
        last = max(float(r.epochs[-1]) for r in self.runs if r.epochs.size)
        return (first, max(last, first + 10)), low_high

    # look ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c = colours()
        style_plot(self.plot, c)
        style_legend(self.legend, c)
        self.set_loss_name(self._loss_name)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
