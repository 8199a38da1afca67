"""LandscapePanel: the loss over a grid of two parameters as a heatmap with contour lines, a
colour bar, and the parameters' current values marked; over it, in the window's landscape
dock, the path the two took while training and the next update as an arrow. Used by
`bpstudio landscape --out` for its images and by the window's landscape dock.
Qt and pyqtgraph plus the engine's loss names; must not import the document or window."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from bpstudio.engine import losses
from bpstudio.ui.plots.style import (
    BAR_COLUMN,
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
PATH_COLOUR, ARROW_COLOUR = QColor("#ffffff"), QColor("#ff3b30")
HEAD = 11  # the arrow's head, in pixels
NEXT = "next step"
TIP = (
    "White: the two parameters after each epoch of training. Red: the next training step's "
    "change of them, −η·∂L/∂p for its batch, plus μ·v (the velocity so far) with momentum μ; "
    "to scale, except that one shorter than its head is drawn at the head's length"
)


MIN_PLOT_HEIGHT = 200  # px, axes and colour bar included


class LandscapePanel(QWidget):
    """`image` is the heatmap, `contours` the light and dark contour curves, `current` the
    marker of the parameters' values in the network, `path` their values after each epoch,
    `arrow` (a line and its `head`) the next update, whose values its legend entry reads
    out (`update_text()`)."""

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
        self.path = pg.PlotDataItem(
            pen=pg.mkPen(PATH_COLOUR, width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=pg.mkBrush(PATH_COLOUR),
            symbolPen=None,
            connect="finite",
        )
        item.addItem(self.path)
        item.addItem(self.current)
        self._add_arrow(item)  # over the point, which it starts from
        self.legend = legend_outside(self.plot, 3, span=BAR_COLUMN)
        self.legend.addItem(self.current, "current")
        self._arrow_label: pg.LabelItem | None = None  # with the path's entry, on first use
        self.loss = np.empty((0, 0))
        arrange(self, list(controls), self.plot)
        # A heatmap of 90 px (the plot row's first-run share at 1280x800) shows neither
        # contours nor the colour bar's ticks: the row grows while the landscape is shown.
        self.plot.setMinimumHeight(MIN_PLOT_HEIGHT)
        self.restyle()

    def _add_arrow(self, item: pg.PlotItem) -> None:
        self.arrow = pg.PlotCurveItem(pen=pg.mkPen(ARROW_COLOUR, width=2.5))
        self.head = pg.ArrowItem(
            headLen=HEAD, tipAngle=40, pen=pg.mkPen(ARROW_COLOUR), brush=pg.mkBrush(ARROW_COLOUR)
        )
        self.head.setVisible(False)
        for extra in (self.arrow, self.head):
            item.addItem(extra)
        item.getViewBox().sigTransformChanged.connect(self._point_head)

    def update_text(self) -> str:
        """The legend's read-out of the next update ("" before the first `show_track`)."""
        return "" if self._arrow_label is None else self._arrow_label.text

    def show_track(
        self,
        path: tuple[np.ndarray, np.ndarray],
        point: tuple[float, float],
        update: tuple[tuple[float, float], tuple[float, float]] | None,
    ) -> None:
        """Draws `path` (the two parameters after each epoch; NaN: not known yet), marks
        `point` and draws `update`, (start, change), as an arrow from start to start +
        change; None: no arrow (Check yourself hides it). Their legend entries and
        tooltip come with the first call (the command's images have neither)."""
        if self._arrow_label is None:
            # the sample of the white path, outlined to show on the legend's background
            sample = pg.PlotDataItem(
                pen=pg.mkPen(PATH_COLOUR, width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=pg.mkBrush(PATH_COLOUR),
                symbolPen=pg.mkPen(DARK_LINE),
            )
            self.legend.addItem(sample, "path")
            self.legend.addItem(self.arrow, NEXT)
            self._arrow_label = self.legend.items[-1][1]
            self.plot.setToolTip(TIP)
            style_legend(self.legend, colours())
        self.path.setData(np.asarray(path[0], float), np.asarray(path[1], float))
        self.current.setData([point[0]], [point[1]])
        if update is None or not all(map(math.isfinite, (*update[0], *update[1]))):
            self.arrow.setData([], [])
            self.head.setVisible(False)
            self._arrow_label.setText(NEXT)
            return
        (x, y), (dx, dy) = (map(float, part) for part in update)
        self.arrow.setData([x, x + dx], [y, y + dy])
        self.head.setVisible(bool(dx or dy))
        self._point_head()
        self._arrow_label.setText(f"{NEXT} ({dx:+.2g}, {dy:+.2g})")

    def _point_head(self) -> None:
        """Turns the arrow's head along its line as drawn on screen (the axes' scales
        differ), at its end, or a head's length from its start if it is shorter than that
        (a small step stays visible beside the point it starts from); again whenever the
        view moves or changes size."""
        xs, ys = self.arrow.getData()
        if xs is None or len(xs) < 2:
            return
        width, height = self.plot.getPlotItem().getViewBox().viewPixelSize()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a diverging step
            across, up = (xs[1] - xs[0]) / width, (ys[1] - ys[0]) / height  # in pixels
            length = math.hypot(across, up)
        if not (math.isfinite(length) and length):
            return
        self.head.setStyle(angle=math.degrees(math.atan2(up, -across)))  # 0: pointing left
        reach = max(1.0, (HEAD + 2) / length)
        self.head.setPos(xs[0] + reach * (xs[1] - xs[0]), ys[0] + reach * (ys[1] - ys[0]))

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
