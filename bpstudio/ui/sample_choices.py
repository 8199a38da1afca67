"""The lesson's sample box: which samples of the batch the forward, loss and backward steps
walk through. Its entries are made as the list shows them, never all at once: a batch of
100,000 samples as one item each took 0.4 s to fill and as long again to measure."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtWidgets import QComboBox, QListView, QStyle, QStyleOptionComboBox

ALL_SAMPLES = "All samples"


class SampleChoices(QAbstractListModel):
    """Row 0 walks every sample that fits (`first`, its text); row p + 1 walks sample p
    alone, "Sample p + 1 of n". The user role holds the samples a row walks (None for row
    0)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.size = 0
        self.first = ALL_SAMPLES

    def set_choices(self, size: int, first: str) -> None:
        if (size, first) != (self.size, self.first):
            self.beginResetModel()
            self.size, self.first = size, first
            self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else self.size + 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        row = index.row()
        if not index.isValid() or not 0 <= row <= self.size:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.first if row == 0 else f"Sample {row} of {self.size}"
        if role == Qt.ItemDataRole.UserRole:
            return None if row == 0 else [row - 1]
        return None

    def longest(self) -> str:
        return max(self.first, f"Sample {self.size} of {self.size}", key=len)


class SampleBox(QComboBox):
    """A combo box on a SampleChoices (`choices`), exactly as wide as its longest entry: Qt's
    own sizing would measure every entry, and its list lays out rows of one height."""

    def __init__(self, tooltip: str) -> None:
        super().__init__()
        self.setToolTip(tooltip)
        self.choices = SampleChoices(self)
        self.setModel(self.choices)
        view = QListView(self)
        view.setUniformItemSizes(True)
        self.setView(view)
        self.choices.modelReset.connect(self.updateGeometry)

    def sizeHint(self) -> QSize:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        metrics = self.fontMetrics()
        text = QSize(metrics.horizontalAdvance(self.choices.longest()), metrics.height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, self)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()
