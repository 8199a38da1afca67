"""Presentation mode (F11, View ▸ Presentation): full screen, larger type, only the canvas,
the derivation and one plot, everything driven from the keyboard; Esc leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar

from bpstudio.ui.derivation_panel import DERIVATION_WIDTH

if TYPE_CHECKING:
    from bpstudio.ui.canvas.network_canvas import NetworkCanvas
    from bpstudio.ui.lesson import LessonController
    from bpstudio.ui.main_window import MainWindow

SCALE = 1.75
KEEP_DOCKS = ("derivation_dock", "loss_dock")


class Presentation(QObject):
    """Lays out `window` (its docks, toolbars, menu bar and font) for a projector, keeping
    the lesson's derivation and the `canvas`; its toggle goes into `view_menu`."""

    def __init__(
        self, window: MainWindow, lesson: LessonController, canvas: NetworkCanvas, view_menu: QMenu
    ) -> None:
        super().__init__(window)
        self.window = window
        self.lesson = lesson
        self.canvas = canvas
        self.active = False
        self._hidden: list = []
        self._font = window.font()
        # the window as it was before `enter`, restored by `leave`: maximised or not, its
        # docks and toolbars, its size
        self._window_state = Qt.WindowState.WindowNoState
        self._layout = QByteArray()
        self._size = QSize()
        self.action = window.action(
            "&Presentation",
            self.toggle,
            "F11",
            "Full screen with large type for a projector; Esc leaves",
        )
        self.action.setCheckable(True)
        self.leave_action = window.action(
            "Leave Presentation", self.leave, "Esc", "Leave presentation mode"
        )
        self.leave_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.leave_action.setEnabled(False)
        view_menu.addSeparator()
        view_menu.addAction(self.action)

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self, full_screen: bool = True) -> None:
        if self.active:
            return
        w = self.window
        self.active = True
        self._window_state = w.windowState() & ~Qt.WindowState.WindowFullScreen
        self._layout = w.saveState()
        self._size = w.size()
        self._hidden = [
            d
            for d in w.findChildren(QDockWidget)
            if not d.isHidden() and d.objectName() not in KEEP_DOCKS
        ]
        self._hidden += [
            t
            for t in w.findChildren(QToolBar)
            if not t.isHidden() and t.objectName() != "step_toolbar"
        ]
        for widget in self._hidden:
            widget.hide()
        self.lesson.dock.show()
        font = w.font()
        font.setPointSizeF(self._font.pointSizeF() * SCALE)
        w.setFont(font)
        self.lesson.panel.set_font_scale(SCALE)
        w.resizeDocks(
            [self.lesson.dock], [round(SCALE * DERIVATION_WIDTH)], Qt.Orientation.Horizontal
        )
        w.menuBar().hide()
        if full_screen:
            w.showFullScreen()
        self.action.setChecked(True)
        self.leave_action.setEnabled(True)
        self.canvas.set_presentation(True)
        self.canvas.setFocus()

    def leave(self) -> None:
        if not self.active:
            return
        w = self.window
        self.active = False
        w.setFont(self._font)  # first: the docks come back at their normal size
        self.lesson.panel.set_font_scale(1.0)
        for widget in self._hidden:
            widget.show()
        w.menuBar().show()
        w.setWindowState(self._window_state)  # maximised stays maximised
        w.show()
        w.restoreState(self._layout)
        if not self._window_state & Qt.WindowState.WindowMaximized:
            w.resize(self._size)
        self.canvas.set_presentation(False)
        self.action.setChecked(False)
        self.leave_action.setEnabled(False)
