"""The gradient-check dialog (Tools menu): backprop's gradient of every parameter next to a
finite-difference estimate, with their differences, for the network as it is shown."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bpstudio.engine.gradcheck import GradientCheck
from bpstudio.maths.formula import format_number

COLUMNS = ("parameter", "backprop", "finite differences", "|difference|", "relative")


class GradientCheckDialog(QDialog):
    def __init__(self, check: GradientCheck, samples: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Gradient check")
        self.resize(720, 480)
        verdict = "agree" if check.passed() else "DISAGREE"
        self.summary = QLabel(
            f"Backprop and finite differences {verdict} for all {len(check.names)} "
            f"parameters, over {samples} sample{'s' if samples != 1 else ''} (largest "
            f"relative difference {format_number(float(np.max(check.rel_error, initial=0)), 2)}"
            "). The estimate changes each parameter by ±h and ±2h and fits the slope."
        )
        self.summary.setWordWrap(True)
        self.table = QTableWidget(len(check.names), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = zip(
            check.names,
            check.backprop,
            check.numeric,
            check.abs_error,
            check.rel_error,
            strict=True,
        )
        for r, (name, b, n, a, rel) in enumerate(rows):
            for c, text in enumerate(
                (name, format_number(b), format_number(n), f"{a:.2e}", f"{rel:.2e}")
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
