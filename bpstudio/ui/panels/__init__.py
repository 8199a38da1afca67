"""The settings and data docks of the main window. `install_panels(window)` builds them, adds
their toggles to the View menu and the CSV actions to the File menu. Widgets only: must not
import the canvas, and changes the document only through `undo.push`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QScrollArea

from bpstudio.ui.panels.data_panel import DataPanel
from bpstudio.ui.panels.settings_panel import SettingsPanel
from bpstudio.ui.undo import push

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow

__all__ = ["DataPanel", "Panels", "SettingsPanel", "install_panels"]


@dataclass(frozen=True)
class Panels:
    settings: SettingsPanel
    data: DataPanel
    settings_dock: QDockWidget
    data_dock: QDockWidget


def install_panels(window: MainWindow) -> Panels:
    """Docks the settings above the data on the left of `window` (a MainWindow: `model`,
    `undo_stack`, `action`, `view_menu`). The right side keeps the reading panels (About,
    history), so a student sees the settings, the data and the description at once. The
    panels push their edits themselves and show a refusal next to what was refused."""
    push_edit = partial(push, window.undo_stack, window.model)
    settings = SettingsPanel(window.model, push_edit)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(settings)
    data = DataPanel(window.model, push_edit, window)
    settings_dock = _dock(window, "Training settings", "settings_dock", scroll)
    data_dock = _dock(window, "Data", "data_dock", data)
    window.splitDockWidget(settings_dock, data_dock, Qt.Orientation.Vertical)
    window.resizeDocks([settings_dock], [300], Qt.Orientation.Horizontal)
    window.resizeDocks([settings_dock, data_dock], [300, 480], Qt.Orientation.Vertical)
    window.view_menu.addSeparator()
    window.view_menu.addAction(settings_dock.toggleViewAction())
    window.view_menu.addAction(data_dock.toggleViewAction())
    _add_to_file_menu(window, [data.import_action, data.export_action])
    return Panels(settings, data, settings_dock, data_dock)


def _dock(window: QMainWindow, title: str, name: str, widget) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    return dock


def _add_to_file_menu(window: QMainWindow, actions: list[QAction]) -> None:
    """Puts `actions` in their own group before the File menu's last group (Quit); into a
    Data menu if the window has no File menu."""
    menu = _menu(window, "&File")
    if menu is None:
        menu = window.menuBar().addMenu("&Data")
        menu.addActions(actions)
        return
    separators = [a for a in menu.actions() if a.isSeparator()]
    if not separators:
        menu.addSeparator()
        menu.addActions(actions)
        return
    menu.insertSeparator(separators[-1])
    menu.insertActions(separators[-1], actions)


def _menu(window: QMainWindow, title: str) -> QMenu | None:
    for action in window.menuBar().actions():
        if action.text() == title and action.menu() is not None:
            return action.menu()
    return None
