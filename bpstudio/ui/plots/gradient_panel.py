"""GradientPanel: the gradient flow against the epoch on a log axis, one colour per layer:
||∂L/∂W|| as a solid line and, if shown, the mean |δ| as a dashed one. Both are those of
each epoch's last batch, recorded while training (engine/flow.py), with a marker at the
epoch the lesson shows. Layers whose gradients shrink towards the input (vanishing) or grow
(exploding) read off it at a glance. Qt and pyqtgraph; must not import the document or the
window."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton, QWidget

from bpstudio.ui.plots import style

TIP = (
    "Per layer, against the epoch on a log scale: the Frobenius norm of the weight gradient "
    "‖∂L/∂W‖ (solid) and the mean |δ| over samples and neurons (dashed), both of each "
    "epoch's last batch, the gradient of its last update. Curves far below the others are "
    "layers that barely learn (vanishing gradients)."
)


def _colour(i: int) -> str:
    return style.SERIES_COLOURS[i % len(style.SERIES_COLOURS)]


class GradientPanel(QWidget):
    """`norms[i]` and `deltas[i]` are the curves of layer i + 1; `now` rings the norms at
    the epoch the lesson shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip(TIP)
        self.plot = style.new_plot("Gradient flow plot")
        item = self.plot.getPlotItem()
        item.setLogMode(y=True)
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.legend = style.legend_outside(self.plot, 3)  # the width of a narrow dock
        # legend samples only: which line is the norm and which the mean |δ|
        self._kinds = [pg.PlotDataItem(), pg.PlotDataItem()]
        self.norms: list[pg.PlotDataItem] = []
        self.deltas: list[pg.PlotDataItem] = []
        self.now = pg.ScatterPlotItem(size=12, symbol="o")
        item.addItem(self.now)
        self._titles: list[str] = []
        self._epochs = np.empty(0, dtype=np.int64)
        self._values = np.empty((0, 0))
        self._current: int | None = None
        self.delta_action = QAction("Mean |δ|", self, checkable=True, checked=True)
        self.delta_action.setToolTip("Also show each layer's mean |δ| (dashed)")
        self.delta_action.toggled.connect(self._on_delta_toggled)
        button = QToolButton()
        button.setDefaultAction(self.delta_action)
        style.arrange(self, [button, None], self.plot)
        self.view_fit = style.ViewFit(self.plot, self._spans)
        self.restyle()

    # public API ---------------------------------------------------------------------------
    def set_history(
        self,
        epochs: np.ndarray,
        norms: np.ndarray,
        deltas: np.ndarray,
        titles: Sequence[str],
    ) -> None:
        """`norms[e, i]` and `deltas[e, i]`: layer i + 1's ||∂L/∂W|| and mean |δ| after
        epoch `epochs[e]` (NaN: no update made); `titles[i]` names layer i + 1 ("hidden
        layer 1")."""
        if list(titles) != self._titles:
            self._make_curves(list(titles))
        self._epochs = np.asarray(epochs)
        values = style.plottable(np.hstack((norms, deltas)))
        self._values = np.where(values > 0, values, np.nan)  # a log axis has no place for 0
        depth = len(self._titles)
        for i, (norm, delta) in enumerate(zip(self.norms, self.deltas, strict=True)):
            norm.setData(self._epochs, self._values[:, i], connect="finite")
            delta.setData(self._epochs, self._values[:, depth + i], connect="finite")
        self._mark_current()
        self.view_fit.update()

    def show_epoch(self, epoch: int | None) -> None:
        """Rings each layer's ||∂L/∂W|| at `epoch`, the one the lesson shows."""
        self._current = epoch
        self._mark_current()

    def curve_data(self, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The epochs, ||∂L/∂W|| and mean |δ| drawn for document layer `layer` (from 1)."""
        depth = len(self._titles)
        return self._epochs, self._values[:, layer - 1], self._values[:, depth + layer - 1]

    # curves -------------------------------------------------------------------------------
    def _make_curves(self, titles: list[str]) -> None:
        """A solid and a dashed curve per layer in its colour; the legend names the layers
        by colour, then the two kinds of line."""
        for curve in self.norms + self.deltas:
            self.plot.removeItem(curve)
        self.legend.clear()
        self._titles = titles
        self.norms, self.deltas = [], []
        for i, title in enumerate(titles):
            norm = pg.PlotDataItem(pen=pg.mkPen(_colour(i), width=1.6))
            delta = pg.PlotDataItem(pen=pg.mkPen(_colour(i), width=1.2, style=Qt.PenStyle.DashLine))
            delta.setVisible(self.delta_action.isChecked())
            self.plot.addItem(norm)
            self.plot.addItem(delta)
            self.legend.addItem(norm, title)
            self.norms.append(norm)
            self.deltas.append(delta)
        for line, name in zip(self._kinds, ("‖∂L/∂W‖", "mean |δ|"), strict=True):
            self.legend.addItem(line, name)

    def _mark_current(self) -> None:
        depth = len(self._titles)
        at = np.flatnonzero(self._epochs == self._current) if self._current is not None else []
        if len(at) and depth:
            values = self._values[at[0], :depth]
            shown = np.isfinite(values)
            xs = np.full(int(shown.sum()), float(self._current))
            self.now.setData(xs, np.log10(values[shown]))
        else:
            self.now.setData([], [])

    def _spans(self) -> tuple[tuple, tuple] | None:
        depth = len(self._titles)
        shown = self._values if self.delta_action.isChecked() else self._values[:, :depth]
        low_high = style.extent(shown.ravel(), log=True) if self._epochs.size else None
        if low_high is None:
            return None
        first, last = float(self._epochs[0]), float(self._epochs[-1])
        return (first, max(last, first + 10)), low_high

    def _on_delta_toggled(self, on: bool) -> None:
        for curve in self.deltas:
            curve.setVisible(on)
        self.view_fit.refit()

    # look ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c = style.colours()
        style.style_plot(self.plot, c)
        style.style_legend(self.legend, c)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "epoch", color=c.text.name())
        item.setLabel("left", "gradient size", color=c.text.name())
        solid, dashed = self._kinds
        solid.setPen(pg.mkPen(c.text, width=1.6))
        dashed.setPen(pg.mkPen(c.text, width=1.2, style=Qt.PenStyle.DashLine))
        self.now.setBrush(pg.mkBrush(0, 0, 0, 0))
        self.now.setPen(pg.mkPen(c.second, width=2.5))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
