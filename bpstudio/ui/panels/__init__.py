"""The settings and data docks of the main window. `install_panels` builds them, adds their
toggles to the View menu and the CSV actions to the File menu. Widgets only: must not import
the canvas, and changes the document only through `push_edit` (an `undo.push`, which returns
the refusal for the panel to show next to what was refused)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QScrollArea

from bpstudio.document.edits import Edit, EditError
from bpstudio.document.session import DocumentModel
from bpstudio.ui.panels.data_panel import DataPanel
from bpstudio.ui.panels.settings_panel import SettingsPanel

__all__ = ["DataPanel", "Panels", "SettingsPanel", "install_panels"]


@dataclass(frozen=True)
class Panels:
    settings: SettingsPanel
    data: DataPanel
    settings_dock: QDockWidget
    data_dock: QDockWidget


def install_panels(
    window: QMainWindow,
    model: DocumentModel,
    push_edit: Callable[[Edit], EditError | None],
    view_menu: QMenu,
    file_menu: QMenu,
) -> Panels:
    """Docks the settings above the data on the left of `window`. The right side keeps the
    reading panels (About, history), so a student sees the settings, the data and the
    description at once. The CSV actions go into `file_menu`, before its last group."""
    settings = SettingsPanel(model, push_edit)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(settings)
    data = DataPanel(model, push_edit, window)
    settings_dock = _dock(window, "Training settings", "settings_dock", scroll)
    data_dock = _dock(window, "Data", "data_dock", data)
    window.splitDockWidget(settings_dock, data_dock, Qt.Orientation.Vertical)
    window.resizeDocks([settings_dock], [300], Qt.Orientation.Horizontal)
    window.resizeDocks([settings_dock, data_dock], [300, 480], Qt.Orientation.Vertical)
    view_menu.addSeparator()
    view_menu.addAction(settings_dock.toggleViewAction())
    view_menu.addAction(data_dock.toggleViewAction())
    _add_before_last_group(file_menu, [data.import_action, data.export_action])
    return Panels(settings, data, settings_dock, data_dock)


def _dock(window: QMainWindow, title: str, name: str, widget) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    return dock


def _add_before_last_group(menu: QMenu, actions: list[QAction]) -> None:
    """Puts `actions` in their own group before the menu's last group (Quit)."""
    separators = [a for a in menu.actions() if a.isSeparator()]
    if not separators:
        menu.addSeparator()
        menu.addActions(actions)
        return
    menu.insertSeparator(separators[-1])
    menu.insertActions(separators[-1], actions)
