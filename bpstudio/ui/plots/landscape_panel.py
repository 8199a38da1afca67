"""LandscapePanel: the loss over a grid of two parameters as a heatmap with contour lines, a
colour bar, and the parameters' current values marked. Used by `bpstudio landscape --out`
for its images and by the window's landscape dock.
Qt and pyqtgraph plus the engine's loss names; must not import the document or window."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from bpstudio.engine import losses
from bpstudio.ui.plots.style import (
    SERIES_COLOURS,
    add_colour_bar,
    arrange,
    colours,
    legend_outside,
    new_plot,
    plottable,
    style_colour_bar,
    style_legend,
    style_plot,
)

LEVELS = 12  # contour lines, evenly spaced in loss between the lowest and highest value
# Contours over the dark half of the scale are drawn light, over the light half dark.
LIGHT_LINE, DARK_LINE = QColor(255, 255, 255, 190), QColor(0, 0, 0, 170)


class LandscapePanel(QWidget):
    """`image` is the heatmap, `contours` the light and dark contour curves, `current` the
    marker of the parameters' values in the network."""

    def __init__(
        self, controls: Sequence[QWidget | None] = (), parent: QWidget | None = None
    ) -> None:
        """`controls` go in a row above the plot (None: a stretch), as `arrange` lays them."""
        super().__init__(parent)
        self.plot = new_plot("Loss landscape plot")
        item = self.plot.getPlotItem()
        self.image = pg.ImageItem(axisOrder="row-major")
        item.addItem(self.image)
        self.colour_bar = add_colour_bar(item, self.image)
        self.colour_bar.axis.enableAutoSIPrefix(False)  # "loss (x0.001)" reads worse than 0.7
        self.contours = [
            pg.PlotCurveItem(pen=pg.mkPen(colour, width=1.0), connect="finite")
            for colour in (LIGHT_LINE, DARK_LINE)
        ]
        for curve in self.contours:
            item.addItem(curve)
        self.current = pg.ScatterPlotItem(
            symbol="o", size=11, brush=pg.mkBrush(SERIES_COLOURS[1]), pen=pg.mkPen("w", width=1.5)
        )
        item.addItem(self.current)
        self.legend = legend_outside(self.plot, 1)
        self.legend.addItem(self.current, "current values")
        self.loss = np.empty((0, 0))
        arrange(self, list(controls), self.plot)
        self.restyle()

    def show_landscape(
        self,
        params: tuple[str, str],
        x: np.ndarray,
        y: np.ndarray,
        loss: np.ndarray,
        current: tuple[float, float],
        loss_name: str,
    ) -> None:
        """Draws `loss[i, j]`, L with `params[0]` at `x[j]` and `params[1]` at `y[i]`, and
        marks `current`; `loss_name` is the spec's name of the loss."""
        self.loss = np.asarray(loss, dtype=float)
        item = self.plot.getPlotItem()
        text = colours().text.name()
        item.setLabel("bottom", params[0], color=text)
        item.setLabel("left", params[1], color=text)
        title = losses.get(loss_name).title if loss_name in losses.LOSSES else loss_name
        self.colour_bar.axis.setLabel(f"loss ({title})", color=text)
        dx, dy = x[1] - x[0], y[1] - y[0]
        rect = QRectF(x[0] - dx / 2, y[0] - dy / 2, len(x) * dx, len(y) * dy)
        shown = plottable(self.loss)
        finite = shown[np.isfinite(shown)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        high = high if high > low else low + 1.0
        self.colour_bar.setLevels((low, high))
        self.image.setImage(shown, autoLevels=False, levels=(low, high))
        self.image.setRect(rect)
        self._draw_contours(x, y, np.where(np.isfinite(shown), shown, high), low, high)
        self.current.setData([current[0]], [current[1]])
        item.getViewBox().setRange(rect, padding=0)

    def _draw_contours(
        self, x: np.ndarray, y: np.ndarray, values: np.ndarray, low: float, high: float
    ) -> None:
        """One light and one dark curve, each a run of line pieces split by NaN."""
        pieces: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        dx, dy = x[1] - x[0], y[1] - y[0]
        for n, level in enumerate(np.linspace(low, high, LEVELS + 2)[1:-1]):
            for line in pg.functions.isocurve(values, level, connected=True):
                rows, cols = np.array(line, dtype=float).T - 0.5  # pixel edges to indices
                piece = np.column_stack((x[0] + cols * dx, y[0] + rows * dy))
                pieces[n >= LEVELS // 2].extend((piece, np.full((1, 2), np.nan)))
        for curve, found in zip(self.contours, pieces, strict=True):
            data = np.concatenate(found) if found else np.empty((0, 2))
            curve.setData(data[:, 0], data[:, 1], connect="finite")

    def restyle(self) -> None:
        c = colours()
        style_plot(self.plot, c)
        style_legend(self.legend, c)
        style_colour_bar(self.colour_bar, c)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
