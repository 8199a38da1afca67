"""ConfusionPanel: which classes a classifier takes for which, on the training or the test
set. A K×K grid of counts, a row per target class and a column per decided class, each cell
shaded by its share of its row, so the diagonal is the right decisions and a dark cell off it
a confusion. Qt and pyqtgraph; must not import the document or the window (the plots' link
computes the matrix with engine/metrics.py and hands it over)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from bpstudio.ui.plots import style

TIP = (
    "Rows: the class each sample's target names; columns: the class the network decides "
    "(its largest output, or one output at or above 0.5). Each cell counts those samples; "
    "its shade is its share of the row, so the diagonal holds the right decisions and a "
    "shaded cell off it shows which classes are taken for which."
)
SETS = ("Training set", "Test set")
DARK_TEXT_FROM = 0.55  # a cell shaded more than this gets light text


class ConfusionPanel(QWidget):
    """`matrix` (None while a message shows) and `cells[t][d]`, the count written in each
    cell; `set_chosen(test)` says which set the user asks for."""

    set_chosen = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip(TIP)
        self.plot = style.new_plot("Confusion matrix")
        item = self.plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.invertY(True)
        item.getViewBox().sigResized.connect(self._fit_text)
        self.image = pg.ImageItem()
        item.addItem(self.image)
        self.set_box = QComboBox()
        self.set_box.addItems(SETS)
        self.set_box.setToolTip("Count the decisions on the training set or the held-out test set")
        self.set_box.currentIndexChanged.connect(lambda i: self.set_chosen.emit(i == 1))
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        style.arrange(self, [self.set_box, self.caption, None], self.plot)
        self.matrix: np.ndarray | None = None
        self.labels: list[str] = []
        self.cells: list[list[pg.TextItem]] = []
        self.message = pg.TextItem(anchor=(0.5, 0.5))
        item.addItem(self.message)
        self.restyle()

    @property
    def test_chosen(self) -> bool:
        return self.set_box.currentIndex() == 1

    # public API ---------------------------------------------------------------------------
    def show_matrix(self, matrix: np.ndarray, labels: Sequence[str], caption: str) -> None:
        """Draws the `(K, K)` counts, `labels[k]` naming class k on both axes."""
        k = len(labels)
        if self.matrix is None or self.matrix.shape != matrix.shape or list(labels) != self.labels:
            self._make_cells(list(labels))
        self.matrix = matrix
        self._fit_text()
        self.message.setText("")
        self.image.setVisible(True)
        totals = matrix.sum(axis=1, keepdims=True)
        share = matrix / np.maximum(totals, 1)
        self.image.setImage(self._shades(share), levels=(0, 255))
        self.image.setRect(0, 0, k, k)
        c = style.colours()
        for t in range(k):
            for d in range(k):
                cell = self.cells[t][d]
                cell.setText(f"{matrix[t, d]:,}")
                cell.setColor(c.background if share[t, d] > DARK_TEXT_FROM else c.text)
        self.caption.setText(caption)
        self.plot.getPlotItem().getViewBox().setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    def show_message(self, text: str) -> None:
        """No matrix: `text` says why (not a classifier, no test set)."""
        self.matrix = None
        self._make_cells([])
        self.image.setVisible(False)
        self.caption.setText("")
        self.message.setText(text)
        self.message.setPos(0.5, 0.5)
        self.plot.getPlotItem().getViewBox().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)

    def cell_text(self, t: int, d: int) -> str:
        return self.cells[t][d].toPlainText()

    # drawing ------------------------------------------------------------------------------
    def _make_cells(self, labels: list[str]) -> None:
        item = self.plot.getPlotItem()
        for row in self.cells:
            for cell in row:
                item.removeItem(cell)
        self.labels = labels
        k = len(labels)
        self.cells = []
        for t in range(k):
            row = []
            for d in range(k):
                cell = pg.TextItem(anchor=(0.5, 0.5))
                cell.setPos(d + 0.5, t + 0.5)
                item.addItem(cell)
                row.append(cell)
            self.cells.append(row)
        ticks = [[(i + 0.5, label) for i, label in enumerate(labels)]]
        item.getAxis("bottom").setTicks(ticks)
        item.getAxis("left").setTicks(ticks)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setStyle(showValues=bool(labels))
        self._fit_text()

    def _fit_text(self) -> None:
        """The counts as large as their cells allow: at most 16 px, at least 7."""
        if not self.cells:
            return
        k = len(self.cells)
        box = self.plot.getPlotItem().getViewBox().size()
        digits = max(len(f"{int(self.matrix.max()):,}") if self.matrix is not None else 1, 2)
        px = min(0.85 * box.height() / k, 1.6 * box.width() / k / digits, 16.0)
        font = QFont(self.font())
        font.setPixelSize(max(7, int(px)))
        for row in self.cells:
            for cell in row:
                cell.setFont(font)

    def _shades(self, share: np.ndarray) -> np.ndarray:
        """`(K, K, 3)` colours from the background (share 0) to the plot's curve colour
        (the whole row)."""
        c = style.colours()
        low = np.array(c.background.getRgb()[:3], dtype=float)
        high = np.array(c.curve.getRgb()[:3], dtype=float)
        return np.rint(low + share[..., None] * (high - low)).astype(np.uint8)

    # look ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c = style.colours()
        style.style_plot(self.plot, c)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "decided class", color=c.text.name())
        item.setLabel("left", "target class", color=c.text.name())
        self.message.setColor(QColor(c.text))
        if self.matrix is not None:
            self.show_matrix(self.matrix, self.labels, self.caption.text())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
