"""DecisionBoundaryPanel: for a network with two inputs, its output over the input plane as a
heatmap (one forward pass of a 100 x 100 grid into preallocated buffers, or of a coarser one
for a network too costly per point: `grid_side`), the data points
on top with a shape and shade per class, and a "discretise" toggle that shows the decided
class instead of the output. Other input counts get a message instead.
Qt and pyqtgraph plus the engine's forward pass; must not import the document or window."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QLabel, QStackedWidget, QToolButton, QWidget

from bpstudio.engine.network import Network, Workspace, forward
from bpstudio.ui.plots.style import (
    BAR_COLUMN,
    HIDDEN_READOUT,
    add_colour_bar,
    arrange,
    colour_map,
    colours,
    legend_outside,
    new_plot,
    plottable,
    series_symbol,
    style_colour_bar,
    style_legend,
    style_plot,
)

GRID = 100  # grid points per axis, for a network whose grid costs at most GRID_WORK
# Multiply-adds of one forward pass of the whole grid at most (0.1-0.2 s on this machine): a
# network that costs more per point gets fewer points a side, down to MIN_GRID. At 100 a
# side, a million weights took 1.5 s of the GUI thread per refresh; 16 a side take 0.1 s.
GRID_WORK = 200_000_000
MIN_GRID = 16
MAX_POINTS = 5_000  # data points drawn at most: of more, every k-th (100,000 took 0.4 s)
CHECKER = 2  # grid points per square of the pattern over points without an output
NO_OUTPUT_NOTE = "▦ output not a number"
NO_OUTPUT_TIP = (
    "Checkered grey: the network's output there is not a number (its sums overflowed to "
    "±∞, or ∞ − ∞ gave NaN), so it has no colour on the scale. Smaller weights or inputs "
    "bring it back."
)
# Multiply-adds per row block of the grid's forward pass (rows x inputs x outputs of the
# widest layer): below OpenBLAS's threshold for using threads, whose wake-up takes longer
# (3-7 ms on 2 busy cores) than the whole grid on one thread (about 1 ms).
BLOCK_WORK = 65_536
# Wide networks take at least this many grid points per block: one point at a time reads
# every weight from memory once per point (4-16 s for a million weights), a block of them
# multiplies them as a matrix (BLAS reuses each weight across the block's rows).
MIN_BLOCK_ROWS = 256
PAD = 0.1  # the plane reaches this share of the data's extent beyond it on every side
LEVELS = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}


class DecisionBoundaryPanel(QWidget):
    """`image` holds the scalar heatmap (one output), `class_image` the class colours (several
    outputs); `output` the last grid's network outputs, `(side, side, K)`, row r at
    `ys[r]`, column c at `xs[c]`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.discretise_action = QAction("Discretise", self, checkable=True)
        self.discretise_action.setToolTip(
            "Show the decided class instead of the output: one output is thresholded halfway "
            "between the smallest and largest target (0.5 for 0/1 targets); several outputs "
            "take the largest"
        )
        self.discretise_action.toggled.connect(self._on_discretise)
        button = QToolButton()
        button.setDefaultAction(self.discretise_action)
        self.readout = QLabel()
        self.readout.setToolTip("Point at the plane to read the network's output there")
        self.gaps_note = QLabel(NO_OUTPUT_NOTE)
        self.gaps_note.setToolTip(NO_OUTPUT_TIP)
        self.gaps_note.hide()
        self.points_note = QLabel()
        self.points_note.setToolTip(
            "A big data set is thinned out on the plane: every k-th sample is drawn, so the "
            "plot stays quick; the network still trains on all of them"
        )
        self.grid_note = QLabel()
        self.grid_note.setToolTip(
            "A network this big is drawn on a coarser grid of the plane: each point is one "
            "forward pass through all its weights, and a finer grid would hold up the window"
        )
        self.grid_note.hide()
        self.plot = new_plot("Decision boundary plot")
        self._build_plot()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.plot)
        self.pages.addWidget(self.message)
        notes = [self.gaps_note, self.points_note, self.grid_note]
        arrange(self, [button, *notes, None, self.readout], self.pages)
        self.output = np.empty((0, 0, 0))
        self.side = GRID  # grid points a side (`grid_side`)
        self.xs = self.ys = np.empty(0)
        self._x: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._grid = np.empty((0, 2))
        self._ws: Workspace | None = None
        self._ws_sizes: tuple[int, ...] = ()
        self._names = ("x₁", "x₂", "ŷ")
        self._rect = QRectF()
        self._net: Network | None = None
        self._levels = (0.0, 1.0)
        self._readout_hidden = False
        self.threshold = 0.5
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.restyle()

    def _build_plot(self) -> None:
        item = self.plot.getPlotItem()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.class_image = pg.ImageItem(axisOrder="row-major")
        item.addItem(self.image)
        item.addItem(self.class_image)
        self.gaps_image = pg.ImageItem(axisOrder="row-major")  # over both, under the points
        item.addItem(self.gaps_image)
        self.colour_bar = add_colour_bar(item, self.image)
        item.getViewBox().setAspectLocked(True)  # a circle of data stays a circle
        self.legend = legend_outside(self.plot, 4, PointSample, span=BAR_COLUMN)
        self.points: list[pg.ScatterPlotItem] = []

    # public API ---------------------------------------------------------------------------
    def show_network(
        self, net: Network, x: np.ndarray, y: np.ndarray, names: tuple[str, str, str]
    ) -> None:
        """Draws `net`'s output over the plane around the inputs `x` `(N, 2)` with the targets
        `y` `(N, K)` on top; `names` are the two inputs' and the output's symbols."""
        if net.sizes[0] != 2:
            self._show_message(net.sizes[0])
            return
        self.pages.setCurrentWidget(self.plot)
        side = grid_side(net.sizes)
        if x is not self._x or y is not self._y or side != self.side:
            self.side = side
            self._set_data(x, y, net, names)
        rows = min(block_rows(net.sizes), len(self._grid))
        if self._ws is None or self._ws_sizes != net.sizes:
            self._ws, self._ws_sizes = Workspace(net, rows), net.sizes
        self._net = net
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = np.empty((len(self._grid), net.sizes[-1]))
            for start in range(0, len(self._grid), rows):
                block = self._grid[start : start + rows]
                ws = self._ws if len(block) == rows else None
                out[start : start + len(block)] = forward(net, block, ws).output
        self.output = out.reshape(self.side, self.side, -1)
        self._levels = LEVELS.get(net.activation_names[-1], self._target_range())
        self._draw()

    def is_discrete(self) -> bool:
        return self.discretise_action.isChecked()

    def set_discrete(self, on: bool) -> None:
        self.discretise_action.setChecked(on)

    def shown_values(self) -> np.ndarray:
        """What the heatmap shows per grid point, `(side, side)`: the output (one output) or
        the class index (several outputs, or discretised); NaN where the output overflowed."""
        out = self.output
        bad = ~np.isfinite(out).all(axis=-1)
        if out.shape[-1] > 1:
            shown = np.argmax(out, axis=-1).astype(float)
        elif self.is_discrete():
            shown = (out[..., 0] >= self.threshold).astype(float)
        else:
            shown = out[..., 0].copy()
        shown[bad] = np.nan
        return shown

    # data -----------------------------------------------------------------------------------
    def _set_data(self, x: np.ndarray, y: np.ndarray, net: Network, names) -> None:
        self._x, self._y = x, y
        lo, hi = plottable(x.min(axis=0)), plottable(x.max(axis=0))
        span = np.where(hi > lo, hi - lo, 1.0)
        lo, hi = lo - PAD * span, hi + PAD * span
        side = self.side
        self.xs = np.linspace(lo[0], hi[0], side)
        self.ys = np.linspace(lo[1], hi[1], side)
        self.grid_note.setText(f"plane sampled {side} × {side}")
        self.grid_note.setVisible(side < GRID)
        gx, gy = np.meshgrid(self.xs, self.ys)  # row r: ys[r]; column c: xs[c]
        self._grid = np.column_stack((gx.ravel(), gy.ravel()))
        self._ws = None
        dx, dy = self.xs[1] - self.xs[0], self.ys[1] - self.ys[0]
        rect = QRectF(lo[0] - dx / 2, lo[1] - dy / 2, side * dx, side * dy)
        self._rect = rect  # each grid point at the centre of its pixel
        ymin, ymax = float(y.min()), float(y.max())
        self.threshold = (ymin + ymax) / 2 if ymax > ymin else 0.5
        self._names = names
        item = self.plot.getPlotItem()
        text = colours().text.name()
        item.setLabel("bottom", names[0], color=text)
        item.setLabel("left", names[1], color=text)
        self.colour_bar.axis.setLabel(names[2], color=text)
        self._place_points(x, y)
        self.plot.getPlotItem().getViewBox().setRange(rect, padding=0)

    def _classes(self, y: np.ndarray) -> np.ndarray:
        if y.shape[1] > 1:
            return np.argmax(y, axis=1)
        return (y[:, 0] >= self.threshold).astype(int)

    def _place_points(self, x: np.ndarray, y: np.ndarray) -> None:
        for scatter in self.points:
            self.plot.removeItem(scatter)
        self.legend.clear()
        classes = self._classes(y)
        count = max(2, y.shape[1])
        size = 8 if len(x) <= 100 else 6 if len(x) <= 1000 else 4  # many points: smaller
        every = -(-len(x) // MAX_POINTS)  # ceiling division: 1 up to MAX_POINTS points
        x, classes = x[::every], classes[::every]
        self.points_note.setText(f"1 in {every} of the {len(y):,} samples shown")
        self.points_note.setVisible(every > 1)
        cmap = colour_map()
        self.points = []
        for k in range(count):
            colour = cmap.map(k / (count - 1), mode="qcolor")
            edge = QColor("#ffffff") if colour.lightnessF() < 0.5 else QColor("#000000")
            scatter = pg.ScatterPlotItem(
                x[classes == k, 0],
                x[classes == k, 1],
                symbol=series_symbol(k),
                size=size,
                brush=pg.mkBrush(colour),
                pen=pg.mkPen(edge, width=1.2),
            )
            scatter.backing = colour  # the points of class k lie where the plane is colour k
            self.plot.addItem(scatter)
            self.points.append(scatter)
            label = f"y = {k}" if y.shape[1] == 1 else f"class {k + 1}"
            self.legend.addItem(scatter, label)

    def _target_range(self) -> tuple[float, float]:
        assert self._y is not None
        lo, hi = float(self._y.min()), float(self._y.max())
        return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)

    # drawing --------------------------------------------------------------------------------
    def _draw(self) -> None:
        several = self.output.shape[-1] > 1
        self.image.setVisible(not several)
        self.class_image.setVisible(several)
        self.colour_bar.setVisible(not several)
        self._draw_gaps()
        if several:
            self.class_image.setImage(self._class_colours(), autoLevels=False, levels=(0, 255))
            self.class_image.setRect(self._rect)  # after setImage: the scale needs its size
            return
        values = plottable(self.shown_values())  # no output: a gap, covered by the pattern
        levels = (0.0, 1.0) if self.is_discrete() else self._levels
        self.colour_bar.setLevels(levels)
        self.image.setImage(values, autoLevels=False, levels=levels)
        self.image.setRect(self._rect)

    def _draw_gaps(self) -> None:
        """A checkered grey over the grid points whose output is not a number (no colour of
        the scale is neutral: cividis has a grey in its middle), and the note saying so."""
        bad = ~np.isfinite(self.output).all(axis=-1)
        self.gaps_note.setVisible(bool(bad.any()))
        self.gaps_image.setVisible(bool(bad.any()))
        if not bad.any():
            return
        rows, cols = np.indices(bad.shape) // CHECKER
        light = (rows + cols) % 2 == 0
        rgba = np.zeros((*bad.shape, 4), dtype=np.uint8)
        rgba[..., :3] = np.where(light[..., np.newaxis], *gap_greys())
        rgba[..., 3] = np.where(bad, 255, 0)
        self.gaps_image.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.gaps_image.setRect(self._rect)

    def _class_colours(self) -> np.ndarray:
        """RGB per grid point: the winning class's colour, paler where the network is less
        sure (unless discretised)."""
        out = self.output
        count = out.shape[-1]
        table = colour_map().getLookupTable(0.0, 1.0, count, alpha=False).astype(float)
        bad = ~np.isfinite(out).all(axis=-1)  # overflowed: left in the background colour
        win = np.argmax(np.where(bad[..., np.newaxis], 0.0, out), axis=-1)
        rgb = table[win]
        strength = np.full(win.shape, 0.55)
        if not self.is_discrete():
            with np.errstate(invalid="ignore"):
                sure = (np.max(out, axis=-1) - 1.0 / count) / (1.0 - 1.0 / count)
            strength = 0.15 + 0.7 * np.clip(np.nan_to_num(sure), 0.0, 1.0)
        strength[bad] = 0.0
        back = np.array(colours().background.getRgb()[:3], dtype=float)
        mixed = back + (rgb - back) * strength[..., np.newaxis]
        return mixed.astype(np.uint8)

    def gaps(self) -> np.ndarray:
        """Where the pattern for "no output" covers the plane, `(side, side)` (empty: none)."""
        if not self.gaps_image.isVisible() or self.gaps_image.image is None:
            return np.zeros(self.output.shape[:2], dtype=bool)
        return self.gaps_image.image[..., 3] > 0

    def _on_discretise(self, _on: bool) -> None:
        if self.output.size:
            self._draw()

    def _show_message(self, inputs: int) -> None:
        self.output = np.empty((0, 0, 0))
        self._net = None
        self._x = self._y = None  # the points are placed again when two inputs come back
        self.gaps_note.hide()
        self.points_note.hide()
        self.grid_note.hide()
        self.message.setText(
            "The decision boundary is drawn for networks with two inputs, over the plane of "
            f"those inputs. This network has {inputs} input{'s' if inputs != 1 else ''}."
        )
        self.pages.setCurrentWidget(self.message)
        self.readout.clear()

    # hover readout --------------------------------------------------------------------------
    def hide_readout(self, hidden: bool) -> None:
        """While `hidden`, pointing at the plane reads out no output (Check yourself asks for
        the output at a sample)."""
        self._readout_hidden = hidden
        if hidden:
            self.readout.clear()

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        self.readout_at(scene_pos)

    def readout_at(self, scene_pos: QPointF) -> None:
        """Reads out the network's output at the scene point (nothing outside the plot)."""
        vb = self.plot.getPlotItem().getViewBox()
        if self._net is None or not vb.sceneBoundingRect().contains(scene_pos):
            self.readout.clear()
            return
        p = vb.mapSceneToView(scene_pos)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = forward(self._net, np.array([[p.x(), p.y()]])).output[0]
        values = ", ".join(f"{v:.4g}" for v in out)
        values = HIDDEN_READOUT if self._readout_hidden else values
        x1, x2, y_hat = self._names
        self.readout.setText(f"{x1} = {p.x():.3g}, {x2} = {p.y():.3g} → {y_hat} = {values}")

    # look ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c = colours()
        style_plot(self.plot, c)
        style_legend(self.legend, c)
        style_colour_bar(self.colour_bar, c)
        if self.output.size:
            self._draw()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()


class PointSample(pg.ItemSample):
    """A legend sample that shows a data point on the colour of the plane where its class
    lies (its `backing`), so it looks as the points do on the plot: a dark point with a
    light edge on the dark end of the scale reads as a ring there, and so in the legend."""

    def paint(self, p, *args) -> None:
        backing = getattr(self.item, "backing", None)
        if backing is not None:
            p.fillRect(self.boundingRect(), backing)
        super().paint(p, *args)


def grid_side(sizes: tuple[int, ...]) -> int:
    """Grid points a side for a network of layer `sizes`: GRID, or fewer where a pass of
    GRID x GRID points would cost more than GRID_WORK multiply-adds."""
    per_point = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    return max(MIN_GRID, min(GRID, math.isqrt(GRID_WORK // max(1, per_point))))


def block_rows(sizes: tuple[int, ...]) -> int:
    """Grid rows per block of the forward pass, for a network of layer `sizes`."""
    widest = max(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    return max(MIN_BLOCK_ROWS, BLOCK_WORK // widest)


def gap_greys() -> tuple[np.ndarray, np.ndarray]:
    """The two greys of the "no output" pattern: between the background and the text."""
    c = colours()
    back = np.array(c.background.getRgb()[:3], dtype=float)
    text = np.array(c.text.getRgb()[:3], dtype=float)
    grey = back.mean() + (text.mean() - back.mean()) * np.array([0.22, 0.38])
    return np.full(3, round(grey[0])), np.full(3, round(grey[1]))
