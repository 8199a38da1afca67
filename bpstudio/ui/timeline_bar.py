"""TimelineBar: a slider over every recorded epoch. Dragging it shows that epoch exactly
(the walkthrough replays it); the label says where you are."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget


class TimelineBar(QWidget):
    epoch_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        self.caption = QLabel("Timeline")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(
            "Drag to any earlier epoch: the network, its values and the "
            "plots show that epoch exactly"
        )
        self.slider.setTracking(True)
        self.slider.valueChanged.connect(self._on_value_changed)
        self.label = QLabel()
        self.label.setMinimumWidth(150)
        layout.addWidget(self.caption)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)

    def set_range(self, first: int, last: int, current: int) -> None:
        """Shows epochs first..last with `current` selected, without emitting."""
        self.slider.blockSignals(True)
        self.slider.setRange(first, max(first, last))
        self.slider.setValue(current)
        self.slider.blockSignals(False)
        self.slider.setEnabled(last > first)
        self.label.setText(f"epoch {current} of {last}")

    def _on_value_changed(self, value: int) -> None:
        self.label.setText(f"epoch {value} of {self.slider.maximum()}")
        self.epoch_requested.emit(value)
