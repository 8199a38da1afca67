"""LossPanel: the loss against the epoch (and the test loss, with a test set), live while
training, with a log-scale toggle, a
hover readout (crosshair, epoch and loss), a marker at the epoch the lesson shows (after
scrubbing the timeline, an earlier one) and one where training diverged. It stays
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
    HIDDEN_READOUT,
    PlotColours,
    ViewFit,
    arrange,
    colours,
    extent,
    new_plot,
    plottable,
    style_legend,
    style_plot,
)

NUMBER = "{:.6g}"
LOG_FLOOR = 400.0  # decades below 1: below any double, so a log axis has no floor


class LossPanel(QWidget):
    """`plot` is the pyqtgraph PlotWidget; `curve` its loss curve and `test_curve` the test
    loss's, dashed (empty without a test set)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = new_plot("Loss plot")
        self._build_plot()
        self._epochs = np.empty(0, dtype=np.int64)
        self._loss = np.empty(0)
        self._test: np.ndarray | None = None  # beside `_loss`; None: no test set
        self._drawn = self._loss
        self._drawn_test = np.empty(0)
        self._loss_name = "sse"
        self._labelled = False
        self._divergence: int | None = None
        self._current: int | None = None  # the epoch the lesson shows
        self._hidden_from: int | None = None  # losses of this epoch on are not shown
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
        self.view_fit = ViewFit(self.plot, self._spans)
        self._limit_to_losses()
        self.set_loss_name("sse")
        self.restyle()

    def _build_plot(self) -> None:
        item = self.plot.getPlotItem()
        # Only the visible epochs, reduced to each pixel column's extremes ("peak"): a
        # million points draw as ~2 per column. Set on the PlotItem, which imposes its own
        # settings on every curve added to it.
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.curve = pg.PlotDataItem(autoDownsampleFactor=1.0)  # ~2 points per pixel column
        self.test_curve = pg.PlotDataItem(autoDownsampleFactor=1.0)
        item.addItem(self.test_curve)
        item.addItem(self.curve)
        self.legend = item.addLegend(offset=(-10, 10), labelTextSize="10pt")  # with a test set
        self._cross = pg.InfiniteLine(angle=90, movable=False)
        self._dot = pg.ScatterPlotItem(size=8)
        # a lone epoch has no line to draw: a dot of its own shows it (switching the curve's
        # symbols off and on instead made Qt crash while painting, in a long test run)
        self._lone = pg.ScatterPlotItem(size=7, symbol="o")
        item.addItem(self._lone)
        self._diverged = pg.InfiniteLine(
            angle=90, movable=False, label="diverged", labelOpts={"position": 0.9}
        )
        # The ring at the shown epoch is never hidden, only emptied: it changes at every step,
        # and items switched on and off made Qt crash (above). A vertical line (InfiniteLine)
        # there crashed Qt while painting too, one test run in three.
        self._now_dot = pg.ScatterPlotItem(size=14, symbol="o")
        item.addItem(self._now_dot)
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

    def set_history(
        self, epochs: np.ndarray, loss: np.ndarray, test_loss: np.ndarray | None = None
    ) -> None:
        """Shows `loss[i]` after epoch `epochs[i]` (ascending epochs), and `test_loss[i]` (NaN
        where it is not known) as a second curve when given."""
        self._epochs = np.asarray(epochs)
        self._loss = np.asarray(loss, dtype=float)  # as given, for the readout
        self._test = None if test_loss is None else np.asarray(test_loss, dtype=float)
        self._draw()

    def show_epoch(self, epoch: int | None, hide_from: int | None = None) -> None:
        """Marks `epoch`, the one the lesson shows, and names it in the readout (None: the
        last epoch is named, unmarked). With `hide_from`, the losses of that epoch and
        later are neither drawn nor read out (Check yourself hides the loss being asked)."""
        if (epoch, hide_from) != (self._current, self._hidden_from):
            self._current, self._hidden_from = epoch, hide_from
            self._draw()

    def _draw(self) -> None:
        self._drawn = plottable(self._loss)
        if self._hidden_from is not None:
            self._drawn = np.where(self._epochs >= self._hidden_from, np.nan, self._drawn)
        finite = bool(self._drawn is self._loss and np.isfinite(self._loss).all())
        self.curve.setData(self._epochs, self._drawn, skipFiniteCheck=finite)
        self._drawn_test = np.empty(0) if self._test is None else plottable(self._test)
        if self._test is not None and self._hidden_from is not None:
            hide = self._epochs >= self._hidden_from
            self._drawn_test = np.where(hide, np.nan, self._drawn_test)
        epochs = self._epochs if self._drawn_test.size else np.empty(0)
        self.test_curve.setData(epochs, self._drawn_test)
        if bool(self._drawn_test.size) != bool(self.legend.items):
            self.legend.clear()
            if self._drawn_test.size:
                self.legend.addItem(self.curve, "training")
                self.legend.addItem(self.test_curve, "test")
        self._mark_lone_epoch()
        self._mark_current()
        self.view_fit.update()
        self._show_readout(None)

    def twin(self) -> LossPanel:
        """A new, unshown panel with this one's history, loss name, axis scale and
        divergence marker (an export lays it out at the picture's own size)."""
        twin = LossPanel()
        twin.set_loss_name(self._loss_name)
        twin.set_log(self.is_log())
        twin.set_history(self._epochs, self._loss, self._test)
        twin.mark_divergence(self._divergence)
        return twin

    def _current_index(self) -> int | None:
        """The index of the marked epoch in the history (None: none is marked or recorded)."""
        if self._current is None or not self._epochs.size:
            return None
        i = int(np.searchsorted(self._epochs, self._current))
        return i if i < self._epochs.size and self._epochs[i] == self._current else None

    def marks_epoch(self) -> int | None:
        """The epoch the marker stands at (None: no marker drawn)."""
        return None if self._current_index() is None else self._current

    def _mark_current(self) -> None:
        at = self._current_index()
        value = np.nan if at is None else float(self._drawn[at])
        if self._drawable(value):
            self._now_dot.setData([self._current], [np.log10(value) if self.is_log() else value])
        else:
            self._now_dot.setData([], [])

    def _mark_lone_epoch(self) -> None:
        """A dot at a lone epoch's loss, if it can be drawn: a non-finite loss, or 0 on a
        log axis, has no place on the axis and stays a gap (pyqtgraph would warn about it
        on every paint)."""
        value = float(self._drawn[0]) if self._drawn.size == 1 else np.nan
        if self._drawable(value):
            y = np.log10(value) if self.is_log() else value
            self._lone.setData([float(self._epochs[0])], [y])
        else:
            self._lone.setData([], [])

    def _drawable(self, value: float) -> bool:
        return bool(np.isfinite(value)) and (value > 0 or not self.is_log())

    def _spans(self) -> tuple[tuple, tuple] | None:
        """The whole history: a lone epoch sits at the left of the next ten. A loss is never
        negative: a linear axis starts at 0 at the lowest (see `_limit_to_losses`)."""
        both = np.concatenate([self._drawn, self._drawn_test])
        low_high = extent(both, self.is_log()) if self._epochs.size else None
        if low_high is None:
            return None
        if not self.is_log():
            low_high = (max(low_high[0], 0.0), max(low_high[1], 0.0) or 1.0)
        first, last = float(self._epochs[0]), float(self._epochs[-1])
        return (first, max(last, first + 10)), low_high

    def _limit_to_losses(self) -> None:
        """A linear axis cannot be panned or padded below 0; a log axis has no such floor."""
        vb = self.plot.getPlotItem().getViewBox()
        vb.setLimits(yMin=-LOG_FLOOR if self.is_log() else 0.0)

    def fit(self) -> None:
        """Fits the view to the whole history and follows it again (the plot's "A" button)."""
        self.view_fit.refit()

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
        self._limit_to_losses()
        self._mark_lone_epoch()
        self._mark_current()
        self.view_fit.refit()
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
        """Crosshair and text at point i; None: no crosshair, the marked epoch's loss (or
        the last epoch's)."""
        hovering = i is not None and bool(self._epochs.size)
        self._cross.setVisible(hovering)
        if not hovering:
            self._dot.setVisible(False)
        if not self._epochs.size:
            self.readout.setText("no epochs yet")
            return
        current = self._current_index()
        at = i if hovering else self._epochs.size - 1 if current is None else current
        epoch, value = int(self._epochs[at]), float(self._loss[at])
        hidden = self._hidden_from is not None and epoch >= self._hidden_from
        last = int(self._epochs[-1])
        loss = HIDDEN_READOUT if hidden else NUMBER.format(value)
        if self._test is not None and not hidden and np.isfinite(self._test[at]):
            loss += f" · test {NUMBER.format(float(self._test[at]))}"
        if hovering:
            self.readout.setText(f"epoch {epoch} · loss {loss}")
        elif epoch < last:  # the timeline was scrubbed back to it
            self.readout.setText(f"epoch {epoch} of {last} · loss {loss}")
        else:
            self.readout.setText(f"last: epoch {epoch} · loss {loss}")
        if hovering:
            self._cross.setValue(epoch)
            value = float(self._drawn[at])
            drawable = self._drawable(value)  # else no dot: it has no place on the axis
            self._dot.setVisible(drawable)  # shown before its data moves (Qt's scene index)
            if drawable:
                self._dot.setData([epoch], [np.log10(value) if self.is_log() else value])

    # look ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c: PlotColours = colours()
        style_plot(self.plot, c)
        self.curve.setPen(pg.mkPen(c.curve, width=1))  # thicker antialiased lines are slow
        self.test_curve.setPen(pg.mkPen(c.second, width=1, style=Qt.PenStyle.DashLine))
        style_legend(self.legend, c)
        self._lone.setBrush(pg.mkBrush(c.curve))
        self._lone.setPen(pg.mkPen(c.curve))
        self._cross.setPen(pg.mkPen(c.muted, style=Qt.PenStyle.DashLine))
        self._dot.setBrush(pg.mkBrush(c.curve))
        self._dot.setPen(pg.mkPen(c.text))
        self._diverged.setPen(pg.mkPen(c.warning, width=2, style=Qt.PenStyle.DashDotLine))
        self._now_dot.setBrush(pg.mkBrush(0, 0, 0, 0))  # a ring: the curve shows through
        self._now_dot.setPen(pg.mkPen(c.second, width=2.5))
        self._diverged.label.setColor(c.warning)
        self._labelled = False
        self.set_loss_name(self._loss_name)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
