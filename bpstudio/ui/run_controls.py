"""RunControls: how fast Run trains (a toolbar box and a Step ▸ Run Speed submenu, kept in
step and remembered between sessions) and "Train N Epochs…" (asks for N, remembers it, and
shows the run's progress in the status bar with Stop). Qt only; the lesson does the moves.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QMenu,
    QProgressBar,
    QStatusBar,
    QToolButton,
    QWidget,
)

from bpstudio.ui.training_runner import DEFAULT_SPEED, SPEEDS

SPEED_KEY = "lesson/run_speed"  # epochs a second, 0: as fast as possible
EPOCHS_KEY = "lesson/train_epochs"
DEFAULT_EPOCHS = 1000
MAX_EPOCHS = 10_000_000


class RunControls(QObject):
    """`speed_changed(epochs_per_second)` after the user picks a speed (box or menu)."""

    speed_changed = Signal(int)

    def __init__(self, settings: QSettings, menu: QMenu, status_bar: QStatusBar, parent) -> None:
        super().__init__(parent)
        self._settings = settings
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("How fast Run trains (also in Step ▸ Run Speed)")
        self.speed_box.setAccessibleName("Run speed")
        group = QActionGroup(self)
        sub = menu.addMenu("Run &Speed")
        sub.setToolTipsVisible(True)
        for text, rate in SPEEDS.items():
            self.speed_box.addItem(text, rate)
            action = QAction(text, self, checkable=True)
            action.setData(rate)
            action.triggered.connect(lambda _=False, r=rate: self.set_speed(r))
            group.addAction(action)
            sub.addAction(action)
        self.speed_actions = group.actions()
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.set_speed(self.speed_box.itemData(i))
        )
        self._build_progress(status_bar)
        self._show_speed(self.stored_speed())

    def _build_progress(self, status_bar: QStatusBar) -> None:
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(self.progress.fontMetrics().horizontalAdvance("100%") * 3)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%p%")  # the epoch itself is in the status text beside it
        self.progress.setAccessibleName("Epochs trained of those asked for")
        self.stop_button = QToolButton()
        self.stop_button.setText("Stop")
        self.stop_button.setToolTip("Stop training here; the epochs trained so far are kept")
        for widget in (self.progress, self.stop_button):
            status_bar.addPermanentWidget(widget)
            widget.hide()

    # speed -----------------------------------------------------------------------------------
    @property
    def speed(self) -> int:
        """Run's epochs a second (0: as fast as possible)."""
        return self._speed

    def stored_speed(self) -> int:
        stored = self._settings.value(SPEED_KEY, DEFAULT_SPEED)
        try:
            rate = int(stored)
        except (TypeError, ValueError):
            return DEFAULT_SPEED
        return rate if rate in SPEEDS.values() else DEFAULT_SPEED

    def set_speed(self, rate: int) -> None:
        """Chooses `rate` in the box and the menu, remembers it and emits `speed_changed`."""
        if rate not in SPEEDS.values():
            raise ValueError(f"no speed of {rate} epochs a second")
        changed = rate != self._speed
        self._show_speed(rate)
        self._settings.setValue(SPEED_KEY, rate)
        if changed:
            self.speed_changed.emit(rate)

    def _show_speed(self, rate: int) -> None:
        self._speed = rate
        index = list(SPEEDS.values()).index(rate)
        self.speed_box.blockSignals(True)
        self.speed_box.setCurrentIndex(index)
        self.speed_box.blockSignals(False)
        self.speed_actions[index].setChecked(True)

    # train N epochs --------------------------------------------------------------------------
    def stored_epochs(self) -> int:
        try:
            epochs = int(self._settings.value(EPOCHS_KEY, DEFAULT_EPOCHS))
        except (TypeError, ValueError):
            return DEFAULT_EPOCHS
        return min(max(epochs, 1), MAX_EPOCHS)

    def ask_epochs(self, parent: QWidget, epoch: int) -> int | None:
        """Asks how many epochs to train from epoch `epoch` (the last answer is offered);
        None when cancelled."""
        epochs, ok = QInputDialog.getInt(
            parent,
            "Train N Epochs",
            f"Train from epoch {epoch:,} for how many epochs?\n"
            "They run as fast as the computer allows; Stop or Pause ends the run early.",
            self.stored_epochs(),
            1,
            MAX_EPOCHS,
            100,
        )
        if not ok:
            return None
        self._settings.setValue(EPOCHS_KEY, epochs)
        return epochs

    def show_progress(self, first: int, epoch: int, until: int | None) -> None:
        """The run from epoch `first` to `until` stands at `epoch`; None hides the bar."""
        shown = until is not None
        self.progress.setVisible(shown)
        self.stop_button.setVisible(shown)
        if shown:
            self.progress.setRange(0, until - first)
            self.progress.setValue(epoch - first)
            self.progress.setToolTip(f"{epoch - first:,} of {until - first:,} epochs trained")
