"""`bpstudio --show NAME`: the views the command line can bring to the front, by name, each
a function of the main window that shows its dock in front and its content up to date (a
screenshot is grabbed right after). Imports no Qt, so the command line reads the names
without starting it; a new view is one more entry in VIEWS."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow


def show_landscape(window: MainWindow) -> None:
    """The loss landscape of its default pair (the first neuron's first weight and bias),
    computed now, with the path, the current point and the next update."""
    view = window.landscape
    view.dock.show()
    view.dock.raise_()
    view.compute_now()


def show_gradients(window: MainWindow) -> None:
    """The gradient flow plot."""
    dock = window.plots.dock["gradients"]
    dock.show()
    dock.raise_()
    window.plots.panel("gradients")


def show_confusion(window: MainWindow) -> None:
    """The confusion matrix."""
    dock = window.plots.dock["confusion"]
    dock.show()
    dock.raise_()
    window.plots.panel("confusion")


def show_graph(window: MainWindow) -> None:
    """The computational graph tab beside the network canvas."""
    window.views.setCurrentWidget(window.graph_view)


def show_data(window: MainWindow) -> None:
    """The data panel's tab in front."""
    dock = window.panels.data_dock
    dock.show()
    dock.raise_()


VIEWS: dict[str, Callable[[MainWindow], None]] = {
    "data": show_data,
    "landscape": show_landscape,
    "gradients": show_gradients,
    "graph": show_graph,
    "confusion": show_confusion,
}
