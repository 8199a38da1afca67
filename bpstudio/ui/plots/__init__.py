"""The plot panels of the main window: loss, activation, parameters, decision boundary,
gradient flow and confusion matrix, each a pyqtgraph plot in a dock under the canvas.
`install_plots` makes the docks, adds their toggles to the View menu and keeps the panels,
once built, in step with the lesson.
Qt and pyqtgraph; changes no document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

from bpstudio.ui.plots.live import PlotsLink
from bpstudio.ui.plots.parameter_panel import ParameterList
from bpstudio.ui.plots.style import configure_pyqtgraph

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel
    from bpstudio.ui.canvas.network_canvas import NetworkCanvas
    from bpstudio.ui.lesson import LessonController
    from bpstudio.ui.plots.activation_panel import ActivationPanel
    from bpstudio.ui.plots.confusion_panel import ConfusionPanel
    from bpstudio.ui.plots.decision_panel import DecisionBoundaryPanel
    from bpstudio.ui.plots.gradient_panel import GradientPanel
    from bpstudio.ui.plots.loss_panel import LossPanel
    from bpstudio.ui.plots.parameter_panel import ParameterPanel

__all__ = ["Plots", "configure_pyqtgraph", "install_plots"]

PLOT_HEIGHT = 250  # first-run height of the plot row under the canvas, at 1280x800
# A view that needs more than that (the loss landscape's heatmap, the gradient flow's curves
# under a legend of one entry per layer) grows the row to this share of the window's height
# when it is brought forward: at 1280x800 the landscape's heatmap was 110 px high.
ROOM = 0.45
NAMES = ("loss", "activation", "parameters", "decision", "gradients", "confusion")
DOCK_NAMES = {  # object names: the saved window state knows the docks by them
    "loss": "loss_dock",
    "activation": "activation_dock",
    "parameters": "parameter_dock",
    "decision": "decision_dock",
    "gradients": "gradient_dock",
    "confusion": "confusion_dock",
}
TITLES = {
    "loss": "Loss",
    "activation": "Activation",
    "parameters": "Parameters",
    "decision": "Decision boundary",
    "gradients": "Gradient flow",
    "confusion": "Confusion matrix",
}


class Plots(QObject):
    """The plot docks, and their panels, each built on first use: when its dock first comes
    into view, or when asked for (`plots.decision`, an export). A tab behind another costs
    nothing at start-up (a panel is a pyqtgraph plot and its controls: 20 to 40 ms).
    `parameter_list` (the parameter panel's checkable list) lives from the start, so the
    canvas can choose parameters before the panel exists. `built(name, panel)` fires once
    per panel."""

    built = Signal(str, QWidget)

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
        super().__init__(window)
        self.window = window
        self.dock = docks
        self.parameter_list = ParameterList(self)
        self._panels: dict[str, QWidget] = {}
        self.link: PlotsLink | None = None
        for name, dock in docks.items():
            dock.visibilityChanged.connect(lambda shown, name=name: self._on_shown(name, shown))

    def panel(self, name: str) -> QWidget:
        """The panel `name` (one of NAMES), built and put into its dock if it was not yet."""
        panel = self._panels.get(name)
        if panel is None:
            panel = self._panels[name] = self._build(name)
            dock = self.dock[name]
            placeholder = dock.widget()
            dock.setWidget(panel)
            placeholder.deleteLater()
            self._size_like_front(dock, panel)
            self.built.emit(name, panel)
        return panel

    def _size_like_front(self, dock: QDockWidget, panel: QWidget) -> None:
        """A panel built behind another tab (for an export) takes the size of the one in
        front, which it would have if shown; Qt lays out only the tab in front. Layouts
        still pending (a panel built a moment ago) are done first."""
        self.window.layout().activate()
        for other in self.window.tabifiedDockWidgets(dock):
            if other.isVisible() and not other.visibleRegion().isEmpty():
                other.layout().activate()
                panel.resize(other.widget().size())
                return

    def _on_shown(self, name: str, shown: bool) -> None:
        """A dock came into view. Not while the window is hidden: a window being taken
        apart brings the tabs behind the ones it removes to the front."""
        if shown and self.window.isVisible():
            self.panel(name)

    def _build(self, name: str) -> QWidget:
        if name == "loss":
            from bpstudio.ui.plots.loss_panel import LossPanel

            return LossPanel()
        if name == "activation":
            from bpstudio.ui.plots.activation_panel import ActivationPanel

            return ActivationPanel()
        if name == "parameters":
            from bpstudio.ui.plots.parameter_panel import ParameterPanel

            return ParameterPanel(self.parameter_list)
        if name == "gradients":
            from bpstudio.ui.plots.gradient_panel import GradientPanel

            return GradientPanel()
        if name == "confusion":
            from bpstudio.ui.plots.confusion_panel import ConfusionPanel

            return ConfusionPanel()
        from bpstudio.ui.plots.decision_panel import DecisionBoundaryPanel

        return DecisionBoundaryPanel()

    def built_panel(self, name: str) -> QWidget | None:
        """The panel `name` if it has been built (never builds it)."""
        return self._panels.get(name)

    @property
    def loss(self) -> LossPanel:
        return self.panel("loss")

    @property
    def activation(self) -> ActivationPanel:
        return self.panel("activation")

    @property
    def parameters(self) -> ParameterPanel:
        return self.panel("parameters")

    @property
    def decision(self) -> DecisionBoundaryPanel:
        return self.panel("decision")

    @property
    def gradients(self) -> GradientPanel:
        return self.panel("gradients")

    @property
    def confusion(self) -> ConfusionPanel:
        return self.panel("confusion")

    @property
    def loss_dock(self) -> QDockWidget:
        return self.dock["loss"]

    @property
    def activation_dock(self) -> QDockWidget:
        return self.dock["activation"]

    @property
    def parameter_dock(self) -> QDockWidget:
        return self.dock["parameters"]

    @property
    def decision_dock(self) -> QDockWidget:
        return self.dock["decision"]

    def make_room(self, dock: QDockWidget) -> None:
        """Grows the row of plots holding `dock` to ROOM of the window's height, if lower."""
        wanted = int(self.window.height() * ROOM)
        if dock.height() < wanted:
            self.window.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    def flush(self) -> None:
        """Brings every built panel up to date now, shown or not (screenshots, exports)."""
        if self.link is not None:
            self.link.flush()


def install_plots(
    window: QMainWindow,
    lesson: LessonController,
    model: DocumentModel,
    canvas: NetworkCanvas,
    settings: QSettings,
    view_menu: QMenu,
) -> Plots:
    """Docks the plots in a row under the canvas of `window` (the right-hand docks keep the
    full height): the loss with the parameters behind it, and the activation with the
    decision boundary, the gradient flow and the confusion matrix (both closed at first)
    behind it; their toggles go into `view_menu`."""
    window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    docks = {name: _dock(window, TITLES[name], name) for name in NAMES}
    loss, activation, parameters, decision, gradients, confusion = docks.values()
    window.splitDockWidget(loss, activation, Qt.Orientation.Horizontal)
    window.tabifyDockWidget(loss, parameters)
    window.tabifyDockWidget(activation, confusion)
    window.tabifyDockWidget(activation, gradients)
    window.tabifyDockWidget(activation, decision)
    loss.raise_()
    activation.raise_()
    # Closed until asked for (View ▸ Gradient flow, View ▸ Confusion matrix), as the loss
    # landscape: a third tab in the activation's row leaves too little room for the tabs'
    # titles at 1024 pixels wide.
    for closed in (gradients, confusion):
        closed.hide()
    window.resizeDocks([loss], [PLOT_HEIGHT], Qt.Orientation.Vertical)
    view_menu.addSeparator()
    for dock in docks.values():
        view_menu.addAction(dock.toggleViewAction())
    plots = Plots(window, docks)
    for closed in (gradients, confusion):  # in front, with room, when asked for
        closed.toggleViewAction().triggered.connect(
            lambda on, d=closed: on and (d.raise_(), plots.make_room(d))
        )
    plots.link = PlotsLink(lesson, model, canvas, settings, plots)
    return plots


def _dock(window: QMainWindow, title: str, name: str) -> QDockWidget:
    """A dock holding an empty widget until its panel is built."""
    dock = QDockWidget(title, window)
    dock.setObjectName(DOCK_NAMES[name])
    dock.setWidget(QWidget())
    dock.toggleViewAction().setToolTip(f"Show or hide the {title.lower()} plot")
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    return dock
