"""LossPanel: the loss against the epoch, live while training, with a log-scale toggle, a
hover readout (crosshair, epoch and loss) and a marker where training diverged. It stays
smooth with a million points: pyqtgraph draws only the visible part, reduced to each
pixel column's minimum and maximum. Works without a window (`bpstudio train --plot`).
Qt and pyqtgraph; must not import the document or the window."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from bpstudio.engine import losses
from bpstudio.ui.plots.style import (
    PlotColours,
    arrange,
    colours,
    new_plot,
    plottable,
    style_plot,
)

NUMBER = "{:.6g}"


class LossPanel(QWidget):
    """`plot` is the pyqtgraph PlotWidget; `curve` its one loss curve."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = new_plot("Loss plot")
        self._build_plot()
        self._epochs = np.empty(0, dtype=np.int64)
        self._loss = np.empty(0)
        self._drawn = self._loss
        self._loss_name = "sse"
        self._labelled = False
        self._divergence: int | None = None
        self._following = True  # the view fits the history until the user zooms or pans
        self.log_action = QAction("Log scale", self, checkable=True)
        self.log_action.setToolTip("Show the loss on a logarithmic axis (small losses readable)")
        self.log_action.toggled.connect(self.set_log)
        log_button = QToolButton()
        log_button.setDefaultAction(self.log_action)
        self.readout = QLabel()
        self.readout.setAccessibleName("Loss readout")
        self.readout.setToolTip("Point at the curve to read the epoch and the loss there")
        arrange(self, [log_button, None, self.readout], self.plot)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.viewport().installEventFilter(self)
        item = self.plot.getPlotItem()
        item.getViewBox().disableAutoRange()
        item.getViewBox().sigRangeChangedManually.connect(self._on_range_changed_by_user)
        item.autoBtn.clicked.connect(self.fit)
        self.set_loss_name("sse")
        self._restyle()

    def _build_plot(self) -> None:
        item = self.plot.getPlotItem()
        # Only the visible epochs, reduced to each pixel column's extremes ("peak"): a
        # million points draw as ~2 per column. Set on the PlotItem, which imposes its own
        # settings on every curve added to it.
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.curve = pg.PlotDataItem(autoDownsampleFactor=1.0)  # ~2 points per pixel column
        item.addItem(self.curve)
        self._cross = pg.InfiniteLine(angle=90, movable=False)
        self._dot = pg.ScatterPlotItem(size=8)
        self._diverged = pg.InfiniteLine(
            angle=90, movable=False, label="diverged", labelOpts={"position": 0.9}
        )
        for extra in (self._cross, self._dot, self._diverged):
            extra.setVisible(False)
            item.addItem(extra, ignoreBounds=True)

    # public API ---------------------------------------------------------------------------
    def set_loss_name(self, name: str) -> None:
        """Labels the axes for the spec loss `name` ("sse" gives `loss (SSE)`)."""
        if name == self._loss_name and self._labelled:
            return
        self._loss_name, self._labelled = name, True
        title = losses.get(name).title if name in losses.LOSSES else name
        item = self.plot.getPlotItem()
        text = colours().text.name()
        item.setLabel("left", f"loss ({title})", color=text)
        item.setLabel("bottom", "epoch", color=text)

    def set_history(self, epochs: np.ndarray, loss: np.ndarray) -> None:
        """Shows `loss[i]` after epoch `epochs[i]` (ascending epochs)."""
        self._epochs = np.asarray(epochs)
        self._loss = np.asarray(loss, dtype=float)  # as given, for the readout
        self._drawn = plottable(self._loss)
        finite = bool(self._drawn is self._loss and np.isfinite(self._loss).all())
        lone = self._epochs.size == 1
        self.curve.setData(
            self._epochs, self._drawn, skipFiniteCheck=finite, symbol="o" if lone else None
        )
        self._fit_view()
        self._show_readout(None)

    def _fit_view(self) -> None:
        """Fits the view to the whole history, unless the user has zoomed or panned (the
        "A" button fits again). Done here, before the repaint, rather than by pyqtgraph's
        autorange, which settles the range while painting and so paints each update three
        times. A lone epoch sits at the left of the next ten."""
        if not self._following or not self._epochs.size:
            return
        first, last = float(self._epochs[0]), float(self._epochs[-1])
        values = self._drawn[np.isfinite(self._drawn)]
        if self.is_log():
            values = np.log10(values[values > 0])
        if not values.size:
            return
        low, high = float(values.min()), float(values.max())
        if high - low <= 1e-12 * max(1.0, abs(high)):  # flat: give it some height
            low, high = low - 0.5, high + 0.5
        vb = self.plot.getPlotItem().getViewBox()
        vb.setRange(xRange=(first, max(last, first + 10)), yRange=(low, high), padding=0.04)
        vb.updateMatrix()  # move the curve now, or pyqtgraph does it while painting, twice

    def _on_range_changed_by_user(self, *_args) -> None:
        self._following = False

    def fit(self) -> None:
        """Fits the view to the whole history and follows it again (the plot's "A" button)."""
        self.plot.getPlotItem().getViewBox().disableAutoRange()  # its own fit, slower
        self._following = True
        self._fit_view()

    def mark_divergence(self, epoch: int | None) -> None:
        """A vertical marker and label at the epoch where training diverged; None clears it."""
        self._divergence = epoch
        if epoch is None:
            self._diverged.setVisible(False)
            return
        self._diverged.setVisible(True)  # an invisible line's label does not take new text
        self._diverged.setValue(epoch)
        self._diverged.label.setFormat(f"diverged at epoch {epoch}")

    def set_log(self, on: bool) -> None:
        """A logarithmic loss axis (zero losses then leave gaps); the view fits again."""
        if self.log_action.isChecked() != on:
            self.log_action.setChecked(on)  # comes back here through `toggled`
            return
        item = self.plot.getPlotItem()
        item.setLogMode(y=on)
        item.getViewBox().disableAutoRange()
        self._following = True
        self._fit_view()
        self._show_readout(None)

    def is_log(self) -> bool:
        return self.log_action.isChecked()

    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """The epochs and losses shown."""
        return self._epochs, self._loss

    # hover readout ------------------------------------------------------------------------
    def readout_at(self, scene_pos: QPointF) -> None:
        """Shows the epoch nearest the scene point and the loss after it."""
        vb = self.plot.getPlotItem().getViewBox()
        if not self._epochs.size or not vb.sceneBoundingRect().contains(scene_pos):
            self._show_readout(None)
            return
        x, e = vb.mapSceneToView(scene_pos).x(), self._epochs
        i = int(np.searchsorted(e, x))
        if i == e.size or (i > 0 and x - e[i - 1] <= e[i] - x):
            i -= 1  # the nearer of the two epochs around x
        self._show_readout(i)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        self.readout_at(scene_pos)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._show_readout(None)
        return False

    def _show_readout(self, i: int | None) -> None:
        """Crosshair and text at point i; None: no crosshair, the last epoch's loss."""
        hovering = i is not None
        self._cross.setVisible(hovering)
        self._dot.setVisible(hovering)
        if not self._epochs.size:
            self.readout.setText("no epochs yet")
            return
        at = self._epochs.size - 1 if i is None else i
        epoch, value = int(self._epochs[at]), float(self._loss[at])
        prefix = "" if hovering else "last: "
        self.readout.setText(f"{prefix}epoch {epoch} · loss {NUMBER.format(value)}")
        if hovering:
            value = float(self._drawn[at])
            shown = np.log10(value) if self.is_log() and value > 0 else value
            self._cross.setValue(epoch)
            self._dot.setData([epoch], [shown])

    # look ---------------------------------------------------------------------------------
    def _restyle(self) -> None:
        c: PlotColours = colours()
        style_plot(self.plot, c)
        self.curve.setPen(pg.mkPen(c.curve, width=1))  # thicker antialiased lines are slow
        self.curve.setSymbolBrush(pg.mkBrush(c.curve))
        self.curve.setSymbolPen(pg.mkPen(c.curve))
        self._cross.setPen(pg.mkPen(c.muted, style=Qt.PenStyle.DashLine))
        self._dot.setBrush(pg.mkBrush(c.curve))
        self._dot.setPen(pg.mkPen(c.text))
        self._diverged.setPen(pg.mkPen(c.warning, width=2, style=Qt.PenStyle.DashDotLine))
        self._diverged.label.setColor(c.warning)
        self._labelled = False
        self.set_loss_name(self._loss_name)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()
