"""ParameterPanel: chosen weights and biases against the epoch. Parameters are chosen in a
checkable list (names in the lesson's notation, each with its curve's line as a swatch) or
by clicking an edge or a neuron on the canvas; a legend in the plot names the curves. While
a newly chosen parameter's earlier epochs are being replayed, a progress bar shows it, with
Cancel. Qt and pyqtgraph; must not import the document or the window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bpstudio.ui.plots.style import (
    ViewFit,
    arrange,
    colours,
    extent,
    legend_outside,
    new_plot,
    plottable,
    series_pen,
    style_legend,
    style_plot,
)

MAX_CURVES = 8  # more lines than this no longer tell apart, in colour or in greyscale
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class Names(Protocol):
    """Parameter i's name and tooltip, on demand (see lesson_values.ParameterNames)."""

    def __len__(self) -> int: ...
    def name(self, i: int) -> str: ...
    def tip(self, i: int) -> str: ...


class _NoNames:
    def __len__(self) -> int:
        return 0

    def name(self, i: int) -> str:
        raise IndexError(i)

    def tip(self, i: int) -> str:
        raise IndexError(i)


class ParameterList(QAbstractListModel):
    """Every parameter of the network by name, checkable; `chosen` in the order ticked."""

    chosen_changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.names: Names = _NoNames()
        self.chosen: list[int] = []
        self.refused = ""  # why the last tick was refused, for the panel to say

    def set_parameters(self, names: Names, chosen: Sequence[int]) -> None:
        """A new network's parameters, with `chosen` ticked (no `chosen_changed`)."""
        self.beginResetModel()
        self.names = names
        self.chosen = [i for i in dict.fromkeys(chosen) if 0 <= i < len(names)][:MAX_CURVES]
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.names)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        i = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.names.name(i)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.names.tip(i)
        if role == Qt.ItemDataRole.CheckStateRole:
            on = i in self.chosen
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and i in self.chosen:
            return _swatch(self.chosen.index(i))
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        i = index.row()
        on = Qt.CheckState(value) == Qt.CheckState.Checked
        chosen = [c for c in self.chosen if c != i] + ([i] if on else [])
        return self.set_chosen(chosen)

    def set_chosen(self, indices: Sequence[int]) -> bool:
        """Chooses `indices` (in this order); refuses more than MAX_CURVES."""
        indices = list(dict.fromkeys(i for i in indices if 0 <= i < len(self.names)))
        if len(indices) > MAX_CURVES:
            self.refused = f"At most {MAX_CURVES} parameters at once: untick one first."
            self.chosen_changed.emit()
            return False
        self.refused = ""
        if indices == self.chosen:
            return True
        self.chosen = indices
        if len(self.names):
            self.dataChanged.emit(self.index(0), self.index(len(self.names) - 1))
        self.chosen_changed.emit()
        return True


def _swatch(i: int) -> QIcon:
    """A short sample of series i's line, as a list icon."""
    pixmap = QPixmap(28, 12)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    pen = series_pen(i, 2)
    pen.setCosmetic(True)
    painter.setPen(pen)
    painter.drawLine(1, 6, 27, 6)
    painter.end()
    return QIcon(pixmap)


def _list_view(model: ParameterList) -> QTableView:
    """A one-column table without headers or grid, which reads as a list: a QListView lays
    out every row (a million parameters: 1 to 4 s, asking the model two million times), a
    table with fixed row heights only the rows in view."""
    view = QTableView()
    view.setModel(model)
    view.setShowGrid(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 6)
    return view


class ParameterPanel(QWidget):
    """`model` is the checkable list (the window's, which lives before the panel is built,
    or a new one); `curves[i]` draws `model.chosen[i]`."""

    cancel_requested = Signal()

    def __init__(self, model: ParameterList | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model if model is not None else ParameterList(self)
        self.list = _list_view(self.model)
        self.list.setToolTip(
            f"Tick up to {MAX_CURVES} weights and biases to plot; clicking an edge or a "
            "neuron on the canvas chooses its parameters"
        )
        self.plot = new_plot("Parameter plot")
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "epoch")
        item.setLabel("left", "value")
        item.setDownsampling(auto=True, mode="peak")  # as the loss panel: visible extremes only
        item.setClipToView(True)
        self.legend = legend_outside(self.plot, 4)
        self.curves: list[pg.PlotDataItem] = []
        self._spans: tuple[tuple, tuple] | None = None
        self.view_fit = ViewFit(self.plot, lambda: self._spans)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self._build_progress()
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.list, 1)
        side_layout.addWidget(self.hint)
        split = QSplitter()
        split.addWidget(self.plot)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([600, 170])
        arrange(self, [self.progress, self.cancel], split)
        self.model.chosen_changed.connect(self._on_chosen_changed)
        self.model.modelReset.connect(self._forget_drawn)  # the legend's names change
        self._drawn: list[int] | None = None
        self.restyle()
        self._on_chosen_changed()

    def _build_progress(self) -> None:
        """The replay's progress bar and Cancel, shown only while a replay runs."""
        self.progress = QProgressBar()
        self.progress.setFormat("replaying earlier epochs… %p%")
        self.progress.setToolTip(
            "The chosen parameters' earlier epochs are replayed from the timeline (training is "
            "exactly repeatable); only chosen parameters are recorded, to save memory"
        )
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop replaying and untick the parameters still being replayed")
        self.cancel.clicked.connect(self.cancel_requested)
        self.progress.hide()
        self.cancel.hide()

    # public API ---------------------------------------------------------------------------
    def set_parameters(self, names: Names, chosen: Sequence[int]) -> None:
        """All of a network's parameters (in `Network.params` order), `chosen` ticked; emits
        `model.chosen_changed`."""
        self.model.set_parameters(names, chosen)
        self.model.chosen_changed.emit()

    def chosen(self) -> list[int]:
        return list(self.model.chosen)

    def set_chosen(self, indices: Sequence[int]) -> bool:
        return self.model.set_chosen(indices)

    def set_history(self, epochs: np.ndarray, columns: Sequence[np.ndarray]) -> None:
        """`columns[i]` holds chosen parameter i after each of `epochs` (NaN: not known yet).
        The view fits every finite value (those beyond ±PLOT_LIMIT drawn at it)."""
        drawn = [plottable(values) for values in columns]
        for curve, values in zip(self.curves, drawn, strict=True):
            curve.setData(epochs, values)
        low_high = extent(np.concatenate(drawn)) if drawn and len(epochs) else None
        if low_high is None:
            self._spans = None
        else:
            first, last = float(epochs[0]), float(epochs[-1])
            self._spans = (first, max(last, first + 10)), low_high
        self.view_fit.update()

    def set_progress(self, done: int, total: int) -> None:
        """Shows the replay's progress; hidden when `done >= total`."""
        self.progress.setVisible(done < total)
        self.cancel.setVisible(done < total)
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    # curves -------------------------------------------------------------------------------
    def _forget_drawn(self) -> None:
        self._drawn = None

    def _on_chosen_changed(self) -> None:
        chosen = self.model.chosen
        self._show_hint()
        if chosen == self._drawn:
            return
        self._drawn = list(chosen)
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves = []
        for n, i in enumerate(chosen):
            curve = pg.PlotDataItem(pen=series_pen(n), autoDownsampleFactor=1.0)
            self.plot.addItem(curve)
            self.legend.addItem(curve, self.model.names.name(i))
            self.curves.append(curve)

    def _show_hint(self) -> None:
        if self.model.refused:
            self.hint.setText(self.model.refused)
        elif not self.model.chosen:
            self.hint.setText("Click an edge or a neuron on the canvas, or tick parameters here.")
        else:
            self.hint.setText("")

    # look ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c = colours()
        style_plot(self.plot, c)
        style_legend(self.legend, c)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
