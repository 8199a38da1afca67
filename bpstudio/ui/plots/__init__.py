"""The plot panels of the main window: loss, activation, parameters and decision boundary,
each a pyqtgraph plot in a dock under the canvas. `install_plots(window)` builds them, adds
their toggles to the View menu and keeps them in step with the lesson. Qt and pyqtgraph;
changes no document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from bpstudio.ui.plots.activation_panel import ActivationPanel
from bpstudio.ui.plots.decision_panel import DecisionBoundaryPanel
from bpstudio.ui.plots.live import PlotsLink
from bpstudio.ui.plots.loss_panel import LossPanel
from bpstudio.ui.plots.parameter_panel import ParameterPanel
from bpstudio.ui.plots.style import configure_pyqtgraph

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow

__all__ = [
    "ActivationPanel",
    "DecisionBoundaryPanel",
    "LossPanel",
    "ParameterPanel",
    "Plots",
    "configure_pyqtgraph",
    "install_plots",
]

PLOT_HEIGHT = 250  # first-run height of the plot row under the canvas, at 1280x800


@dataclass
class Plots:
    loss: LossPanel
    activation: ActivationPanel
    parameters: ParameterPanel
    decision: DecisionBoundaryPanel
    loss_dock: QDockWidget
    activation_dock: QDockWidget
    parameter_dock: QDockWidget
    decision_dock: QDockWidget
    link: PlotsLink | None = None

    def panels(self) -> tuple:
        return (self.loss, self.activation, self.parameters, self.decision)

    def docks(self) -> tuple[QDockWidget, ...]:
        return (self.loss_dock, self.activation_dock, self.parameter_dock, self.decision_dock)

    def flush(self) -> None:
        """Brings every panel up to date now, shown or not (screenshots, exports)."""
        if self.link is not None:
            self.link.flush()


def install_plots(window: MainWindow) -> Plots:
    """Docks the plots in a row under the canvas (the right-hand docks keep the full height):
    the loss with the parameters behind it, and the activation with the decision boundary
    behind it. Needs the window's `lesson`, `canvas`, `model`, `settings` and `view_menu`."""
    window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    panels = (LossPanel(), ActivationPanel(), ParameterPanel(), DecisionBoundaryPanel())
    specs = (
        ("Loss", "loss_dock"),
        ("Activation", "activation_dock"),
        ("Parameters", "parameter_dock"),
        ("Decision boundary", "decision_dock"),
    )
    docks = [
        _dock(window, title, name, panel)
        for (title, name), panel in zip(specs, panels, strict=True)
    ]
    loss, activation, parameters, decision = docks
    window.splitDockWidget(loss, activation, Qt.Orientation.Horizontal)
    window.tabifyDockWidget(loss, parameters)
    window.tabifyDockWidget(activation, decision)
    loss.raise_()
    activation.raise_()
    window.resizeDocks([loss], [PLOT_HEIGHT], Qt.Orientation.Vertical)
    window.view_menu.addSeparator()
    for dock in docks:
        window.view_menu.addAction(dock.toggleViewAction())
    plots = Plots(*panels, *docks)
    plots.link = PlotsLink(window, plots)
    return plots


def _dock(window: MainWindow, title: str, name: str, panel) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(panel)
    dock.toggleViewAction().setToolTip(f"Show or hide the {title.lower()} plot")
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    return dock
