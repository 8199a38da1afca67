"""The look shared by the plot panels: pyqtgraph's global options (set once, by app.py and
the test fixtures), colours from the light or dark palette, line styles and marker symbols
that stay apart in greyscale print, and a colour map that reads in greyscale too.
Qt and pyqtgraph only; must not import the engine or the document."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from bpstudio.ui import theme
from bpstudio.ui.plots.refresh import PlotWidget

# pyqtgraph's own samples of matplotlib's cividis (CC0): blue to yellow with a steadily
# rising lightness, so it reads in greyscale and for colour-blind readers alike.
CIVIDIS = (
    (0.0000, 0.1262, 0.3015),
    (0.0236, 0.2130, 0.4314),
    (0.2556, 0.3032, 0.4201),
    (0.3798, 0.3933, 0.4346),
    (0.4897, 0.4856, 0.4714),
    (0.6089, 0.5803, 0.4680),
    (0.7392, 0.6844, 0.4352),
    (0.8769, 0.7962, 0.3684),
    (1.0000, 0.9169, 0.2731),
)
# Series: colour, dash pattern and symbol all change together, so two curves differ in
# greyscale print by their dashes and marker shapes, not only by hue.
SERIES_COLOURS = ("#1f6fd1", "#d96500", "#2a9d4b", "#b0359e", "#6b4c2a", "#0f9fb0", "#777777")
SERIES_DASHES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
    Qt.PenStyle.DashDotDotLine,
)
SYMBOLS = ("o", "t", "s", "d", "star", "p", "h", "t1", "+", "x")


PLOT_LIMIT = 1e150  # values beyond are drawn here: a wider span overflows pyqtgraph's ranges


def plottable(values: np.ndarray) -> np.ndarray:
    """`values` for drawing: finite ones clipped to ±PLOT_LIMIT (a typed 1e308 weight would
    make the axis span overflow to inf), others NaN (a gap). A copy only when needed."""
    values = np.asarray(values, dtype=float)
    if values.size and not np.all(np.abs(values) <= PLOT_LIMIT):  # NaN fails this too
        with np.errstate(invalid="ignore"):
            values = np.where(np.isfinite(values), np.clip(values, -PLOT_LIMIT, PLOT_LIMIT), np.nan)
    return values


def configure_pyqtgraph() -> None:
    """pyqtgraph's global options. Call once, before the first plot widget exists."""
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")


# what a readout shows for a value Check yourself asks the student to work out
HIDDEN_READOUT = "? (answer in Check yourself first)"


@dataclass(frozen=True)
class PlotColours:
    dark: bool
    background: QColor
    text: QColor
    muted: QColor
    curve: QColor  # the main curve (loss, f)
    second: QColor  # a second curve beside it (f')
    warning: QColor  # the divergence marker


def colours() -> PlotColours:
    t = theme.current()
    warning = QColor("#ff6b6b") if t.dark else QColor("#c62828")
    return PlotColours(t.dark, t.background, t.text, t.muted, t.positive, t.negative, warning)


def new_plot(name: str) -> PlotWidget:
    """A plot for a panel: `name` for screen readers, and no pyqtgraph menu (the window
    adds its own context menu, with the exports; pyqtgraph's is never built)."""
    plot = PlotWidget(enableMenu=False)
    plot.setAccessibleName(name)
    plot.setMinimumHeight(120)
    return plot


def extent(values: np.ndarray, log: bool = False) -> tuple[float, float] | None:
    """The span of `values` (from `plottable`) to show: their finite minimum and maximum (of
    log10 of the positive ones on a log axis), given some height when flat, relative to the
    size of big values (so it is more than rounding); None when none can be drawn."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if log:
        values = np.log10(values[values > 0])
    if not values.size:
        return None
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12 * max(1.0, abs(low), abs(high)):
        half = max(0.5, 1e-3 * max(abs(low), abs(high)))
        low, high = low - half, high + half
    return low, high


class ViewFit:
    """Fits a plot's view to its data after each update, until the user zooms or pans; the
    plot's "A" button fits and follows again. Done before the repaint rather than by
    pyqtgraph's autorange, which settles the range while painting (painting each update
    again) and, for values far apart, only widens it step by step over many repaints (a
    curve leaves out points far outside the current view). `spans()` gives the x and y
    ranges to show, or None to leave the view as it is."""

    def __init__(
        self, plot: pg.PlotWidget, spans: Callable[[], tuple[tuple, tuple] | None]
    ) -> None:
        self.plot, self.spans = plot, spans
        self.following = True
        item = plot.getPlotItem()
        item.getViewBox().disableAutoRange()
        item.getViewBox().sigRangeChangedManually.connect(self._on_range_changed_by_user)
        item.autoBtn.clicked.connect(self.refit)

    def _on_range_changed_by_user(self, *_args) -> None:
        self.following = False

    def refit(self) -> None:
        """Fits the view now and follows the data again."""
        self.plot.getPlotItem().getViewBox().disableAutoRange()  # the "A" button enabled it
        self.following = True
        self.update()

    def update(self) -> None:
        """Fits the view to the data, unless the user has zoomed or panned."""
        found = self.spans() if self.following else None
        if found is None:
            return
        vb = self.plot.getPlotItem().getViewBox()
        vb.setRange(xRange=found[0], yRange=found[1], padding=0.04)
        vb.updateMatrix()  # move the items now, or pyqtgraph does it while painting, twice


def settle(widget: pg.PlotWidget) -> None:
    """Applies a pending autorange and moves the items now, after new data: left to the
    repaint, pyqtgraph finds the range changed while painting and paints again."""
    vb = widget.getPlotItem().getViewBox()
    if any(vb.autoRangeEnabled()):
        vb.updateAutoRange()
    vb.updateMatrix()


def arrange(panel: QWidget, controls: list[QWidget | None], body: QWidget) -> None:
    """Lays `panel` out as a row of `controls` (None: a stretch) above `body`."""
    top = QHBoxLayout()
    top.setContentsMargins(4, 2, 4, 0)
    for control in controls:
        if control is None:
            top.addStretch(1)
        else:
            top.addWidget(control)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addLayout(top)
    layout.addWidget(body, 1)


def series_pen(i: int, width: float = 1.6) -> QPen:
    """The pen of series i (colour and dash pattern change together)."""
    pen = pg.mkPen(SERIES_COLOURS[i % len(SERIES_COLOURS)], width=width)
    pen.setStyle(SERIES_DASHES[i % len(SERIES_DASHES)])
    return pen


def series_symbol(i: int) -> str:
    return SYMBOLS[i % len(SYMBOLS)]


def style_plot(widget: pg.PlotWidget, c: PlotColours) -> None:
    """Background, axes and tick labels in the palette's colours."""
    widget.setBackground(c.background)
    item = widget.getPlotItem()
    font = QFont(widget.font())
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(c.muted))
        axis.setTextPen(pg.mkPen(c.text))
        axis.setTickFont(font)
        if axis.autoSIPrefix:  # "epoch (x0.001)" reads worse than plain numbers. Only once:
            # pyqtgraph fixes the scale at the range of that moment, and a restyle later (an
            # export, a dark palette) would freeze a loss of 0.9 as "900"
            axis.enableAutoSIPrefix(False)
        # Drawing tick labels is most of a repaint: keep each axis as a pixmap, redrawn
        # only when its range or style changes, not when the curve does.
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        label = axis.labelText
        if label:
            axis.setLabel(label, color=c.text.name())
    if item.titleLabel.isVisible() and item.titleLabel.text:
        item.setTitle(item.titleLabel.text, color=c.text.name())
    # No grid: its translucent lines over the whole plot made each repaint five times
    # slower (3 ms -> 14 ms), and the hover readouts give exact values instead.


def legend_outside(
    widget: pg.PlotWidget, columns: int, sample: type = pg.ItemSample, span: int = 1
) -> pg.LegendItem:
    """A legend in its own row under the x axis, so it never covers a curve or a point;
    `sample` draws each entry's symbol. It spans `span` layout columns from the plot's: a
    plot with a colour bar gives it the bar's width too, or a long legend pushes the bar
    out of the widget."""
    item = widget.getPlotItem()
    legend = pg.LegendItem(colCount=columns, frame=False, sampleType=sample)
    # its own height only: the row does not take the plot's share of a tall panel; beside
    # a colour bar, never more width than the plot has (a long legend is cut, not the bar)
    legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    if span > 1:
        legend.setMinimumWidth(0)
    item.layout.addItem(legend, 4, 1, 1, span)
    item.legend = legend  # curves added with a `name` join it, as with addLegend
    return legend


def style_legend(legend: pg.LegendItem, c: PlotColours) -> None:
    legend.setLabelTextColor(c.text)
    for _sample, label in legend.items:  # pyqtgraph sets the colour but draws it on next text
        label.setText(label.text)


BAR_COLUMN = 5  # the column of a plot's layout that pyqtgraph puts a ColorBarItem in


def add_colour_bar(item: pg.PlotItem, image: pg.ImageItem) -> pg.ColorBarItem:
    """A colour bar of `colour_map` beside `item` for `image`, its levels set by the caller."""
    bar = pg.ColorBarItem(
        values=(0, 1), colorMap=colour_map(), interactive=False, colorMapMenu=False, width=14
    )
    bar.setImageItem(image, insert_in=item)
    # pyqtgraph gives the bar's axis a fixed 45 px, its label included: "0.7082" did not fit
    # and was left out. The axis now takes the width its labels need.
    bar.axis.tickStrings = lambda values, scale, spacing: tick_strings(values, spacing)
    bar.axis.setWidth(None)
    # The colour bar's end labels ("1.0", "0") stand half above and below it: the plot
    # keeps room for them, or an export cuts them.
    item.layout.setContentsMargins(2, 10, 2, 4)
    return bar


def tick_strings(values: Sequence[float], spacing: float) -> list[str]:
    """Labels for ticks `spacing` apart, as short as they can be while each tick's differs
    from its neighbours': decimals for spacings from 0.001 to 10⁵, else significant digits
    ("2e-13"), as many as it takes."""
    if not len(values):
        return []
    fixed = 1e-3 <= spacing and max(abs(v) for v in values) < 1e5
    digits = max(0, math.ceil(-math.log10(spacing) - 1e-9)) if fixed else 1
    while True:
        form = f".{digits}f" if fixed else f".{digits}g"
        labels = [format(v + 0.0, form) for v in values]
        labels = ["0" if float(label) == 0 else label for label in labels]  # no "-0.00"
        if len(set(labels)) == len(labels) or digits >= 17:
            return labels
        digits += 1


def style_colour_bar(bar: pg.ColorBarItem, c: PlotColours) -> None:
    """A colour bar's axis, tick labels and label in the palette's colours."""
    bar.axis.setPen(pg.mkPen(c.muted))
    bar.axis.setTextPen(pg.mkPen(c.text))
    if bar.axis.labelText:
        bar.axis.setLabel(bar.axis.labelText, color=c.text.name())


def colour_map() -> pg.ColorMap:
    stops = np.round(np.array(CIVIDIS) * 255).astype(np.ubyte)
    return pg.ColorMap(np.linspace(0.0, 1.0, len(CIVIDIS)), stops)
