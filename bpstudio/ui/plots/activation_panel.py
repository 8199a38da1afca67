"""ActivationPanel: a layer's activation f(z) and its derivative f'(z), with a marker on both
curves at the current z of every neuron of that layer, so a student sees where a neuron
sits: on the steep middle of a sigmoid, or out on a flat, saturated tail where f'(z) and
with it the gradient is nearly zero. The maths comes from bpstudio.engine.activations.
Qt and pyqtgraph; must not import the document or the window."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QWidget

from bpstudio.engine import activations
from bpstudio.ui.plots.style import (
    PlotColours,
    arrange,
    colours,
    legend_outside,
    new_plot,
    plottable,
    series_pen,
    settle,
    style_legend,
    style_plot,
)

Z_RANGE = (-6.0, 6.0)
SAMPLES = 1201  # curve points over z; 0 is among them, where relu bends
NAMES = {  # legend entries: f, then f'
    "sigmoid": ("σ(z)", "σ′(z)"),
    "tanh": ("tanh(z)", "tanh′(z)"),
    "relu": ("relu(z)", "relu′(z)"),
    "leaky_relu": ("lrelu(z)", "lrelu′(z)"),
    "linear": ("id(z)", "id′(z)"),
    "softmax": ("aⱼ(zⱼ)", "∂aⱼ/∂zⱼ"),
}
SOFTMAX_NOTE = (
    "Softmax is not a function of one z: each neuron's curve is its output aⱼ as its own zⱼ "
    "varies while the layer's other z stay at this sample's values; the dashed curve is the "
    "Jacobian's diagonal ∂aⱼ/∂zⱼ = aⱼ(1 − aⱼ) (the off-diagonal −aⱼaₖ is not drawn)."
)
MARKERS_NOTE = (
    "One marker per neuron of the layer, at its z for the sample the step walks: circles on "
    "f(z), squares on f′(z). Filled: the step has computed that z; hollow: still to come. "
    "Where f′(z) is near 0 the neuron is saturated, and its weights learn slowly."
)
SOFTMAX_SHORT = "Softmax: a curve per neuron, other z held (hover for more)."


class ActivationPanel(QWidget):
    """`layer_chosen(layer)` fires when the user picks a layer (document layer, from 1)."""

    layer_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer_box = QComboBox()
        self.layer_box.setToolTip(
            "Which layer's activation to show (selecting a neuron or layer on the canvas "
            "chooses it too)"
        )
        self.layer_box.activated.connect(self._on_layer_activated)
        self.layer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.plot = new_plot("Activation plot")
        self._build_plot()
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        small = self.caption.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        self.caption.setFont(small)
        arrange(self, [QLabel("Layer:"), self.layer_box, self.caption], self.plot)
        self._args: tuple = ()  # the last show_layer call, to redraw in new colours
        self._activation = ""
        self.restyle()

    def _build_plot(self) -> None:
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "z")
        item.setLabel("left", "f(z), f′(z)")
        self.legend = legend_outside(self.plot, 2)
        self.curves: list[pg.PlotDataItem] = []
        self.derivative_curves: list[pg.PlotDataItem] = []
        self.f_markers = pg.ScatterPlotItem(size=11, hoverable=True, tip=_tip)
        self.d_markers = pg.ScatterPlotItem(size=10, hoverable=True, tip=_tip)
        item.addItem(self.f_markers)
        item.addItem(self.d_markers)

    # layers -------------------------------------------------------------------------------
    def set_layers(self, titles: list[str]) -> None:
        """The non-input layers' titles, document layer 1 first; keeps the chosen layer."""
        keep = self.layer
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for i, title in enumerate(titles):
            self.layer_box.addItem(title, i + 1)
        self.layer_box.setCurrentIndex(min(keep, len(titles)) - 1 if titles else -1)
        self.layer_box.blockSignals(False)

    @property
    def layer(self) -> int:
        """The chosen document layer (1 = the first non-input layer)."""
        return max(self.layer_box.currentIndex(), 0) + 1

    def select_layer(self, layer: int) -> None:
        """Chooses document layer `layer` (ignored for the input layer or a missing one)."""
        if 1 <= layer <= self.layer_box.count() and layer != self.layer:
            self.layer_box.setCurrentIndex(layer - 1)
            self.layer_chosen.emit(layer)

    def _on_layer_activated(self, index: int) -> None:
        self.layer_chosen.emit(index + 1)

    # curves and markers -------------------------------------------------------------------
    def show_layer(
        self,
        activation: str,
        z: np.ndarray,
        computed: np.ndarray,
        labels: list[str],
        note: str,
        hide_pending: bool = False,
    ) -> None:
        """Draws `activation` and markers at the layer's `z` (one per neuron): filled where
        `computed`, hollow where the step sequence has not reached that z yet, or left out
        with `hide_pending` (quiz mode; softmax curves, which depend on every z of the
        layer, then wait until all are computed)."""
        self._args = (activation, z, computed, labels, note, hide_pending)
        z, computed = np.asarray(z, dtype=float), np.asarray(computed, dtype=bool)
        shown = computed if hide_pending else np.ones(z.size, dtype=bool)
        act = activations.get(activation)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            a, slope = (plottable(v) for v in _layer_values(act, z))
            ts = _z_axis(plottable(z[shown]))
            if act.elementwise:
                f, d = _elementwise(act, ts)
            elif shown.all():
                f, d = _softmax_curves(act, ts, z)
            else:
                f = d = np.empty((ts.size, 0))
        self._draw_curves(activation, ts, f, d)
        labels = [label for label, s in zip(labels, shown, strict=True) if s]
        neurons = None if act.elementwise else np.flatnonzero(shown).tolist()
        self._draw_markers(z[shown], a[shown], slope[shown], computed[shown], labels, neurons)
        self.caption.setText(note if act.elementwise else f"{note} {SOFTMAX_SHORT}")
        self.caption.setToolTip(MARKERS_NOTE + ("" if act.elementwise else "\n\n" + SOFTMAX_NOTE))
        self._activation = activation
        settle(self.plot)

    def _draw_curves(self, activation: str, ts: np.ndarray, f: np.ndarray, d: np.ndarray) -> None:
        c = colours()
        count = f.shape[1]
        if len(self.curves) != count:
            self.legend.clear()
            for curve in self.curves + self.derivative_curves:
                self.plot.removeItem(curve)
            self.curves = [pg.PlotDataItem() for _ in range(count)]
            self.derivative_curves = [pg.PlotDataItem() for _ in range(count)]
            for curve in self.curves + self.derivative_curves:
                self.plot.addItem(curve)
            self._name_curves(activation)
        elif self._activation != activation:
            self._name_curves(activation)
        for j in range(count):
            if count == 1:
                pen = pg.mkPen(c.curve, width=2)
                slope_pen = pg.mkPen(c.second, width=2, style=Qt.PenStyle.DashLine)
            else:
                pen = series_pen(j, 2)
                slope_pen = series_pen(j, 2)
                slope_pen.setStyle(Qt.PenStyle.DashLine)
            self.curves[j].setData(ts, plottable(f[:, j]), pen=pen)
            self.derivative_curves[j].setData(ts, plottable(d[:, j]), pen=slope_pen)

    def _name_curves(self, activation: str) -> None:
        self.legend.clear()
        if not self.curves:
            return
        f_name, d_name = NAMES.get(activation, ("f(z)", "f′(z)"))
        self.legend.addItem(self.curves[0], f_name)
        self.legend.addItem(self.derivative_curves[0], d_name)

    def _draw_markers(self, z, a, slope, computed, labels, neurons: list[int] | None) -> None:
        """Markers at (z, f(z)) and (z, f'(z)); with `neurons` (softmax: a curve per neuron)
        each takes its neuron's series colour, else the curves' colours."""
        c = colours()
        hollow = pg.mkBrush(c.background)
        brushes, slope_brushes = [], []
        for i, done in enumerate(computed):
            own = None if neurons is None else series_pen(neurons[i]).color()
            brushes.append(pg.mkBrush(own or c.curve) if done else hollow)
            slope_brushes.append(pg.mkBrush(own or c.second) if done else hollow)
        tips = [
            f"{label}: z = {zj:.4g}, f(z) = {aj:.4g}, f′(z) = {dj:.4g}"
            + ("" if done else " (not computed yet in this step)")
            for label, zj, aj, dj, done in zip(labels, z, a, slope, computed, strict=True)
        ]
        pen = pg.mkPen(c.text, width=1.2)
        z = plottable(z)
        ok = np.flatnonzero(np.isfinite(z) & np.isfinite(a) & np.isfinite(slope))  # overflowed
        brushes, slope_brushes, tips = ([v[i] for i in ok] for v in (brushes, slope_brushes, tips))
        self.f_markers.setData(z[ok], a[ok], symbol="o", brush=brushes, pen=pen, data=tips)
        self.d_markers.setData(
            z[ok], slope[ok], symbol="s", brush=slope_brushes, pen=pen, data=tips
        )

    # look ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c: PlotColours = colours()
        style_plot(self.plot, c)
        style_legend(self.legend, c)
        if self._args:
            self.show_layer(*self._args)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()


def _tip(x: float, y: float, data) -> str:
    return str(data)


def _z_axis(z: np.ndarray) -> np.ndarray:
    """The curves' z: [−6, 6], widened to half a unit beyond any marker outside it; 0 is
    among them, where relu bends."""
    z = z[np.isfinite(z)]
    lo = min(Z_RANGE[0], float(z.min()) - 0.5) if z.size else Z_RANGE[0]
    hi = max(Z_RANGE[1], float(z.max()) + 0.5) if z.size else Z_RANGE[1]
    ts = np.linspace(lo, hi, SAMPLES)
    at = int(np.searchsorted(ts, 0.0))
    return ts if at < ts.size and ts[at] == 0.0 else np.insert(ts, at, 0.0)


def _layer_values(act: activations.Activation, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(z) and f'(z) of each neuron of the layer (softmax: aⱼ and ∂aⱼ/∂zⱼ)."""
    if not z.size:
        return np.empty(0), np.empty(0)
    if act.elementwise:
        a, slope = _elementwise(act, z)
        return a.ravel(), slope.ravel()
    a = act(z[np.newaxis, :])
    return a[0], act.derivative(z[np.newaxis, :], a)[0]


def _elementwise(act: activations.Activation, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f and f' of an elementwise activation at the points `z`, as columns."""
    column = z.reshape(-1, 1)
    f = act(column)
    return f, act.derivative(column, f)


def _softmax_curves(
    act: activations.Activation, ts: np.ndarray, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Column j: softmax output j while z_j runs over `ts` and the other z stay put, and its
    own slope ∂a_j/∂z_j."""
    f = np.empty((ts.size, z.size))
    d = np.empty((ts.size, z.size))
    for j in range(z.size):
        grid = np.tile(z, (ts.size, 1))
        grid[:, j] = ts
        out = act(grid)
        f[:, j] = out[:, j]
        d[:, j] = act.derivative(grid, out)[:, j]
    return f, d
