"""`bpstudio --show NAME`: the views the command line can bring to the front, by name, each
a function of the main window that shows its dock in front and its content up to date (a
screenshot is grabbed right after). Imports no Qt, so the command line reads the names
without starting it; a new view is one more entry in VIEWS. The lessons on the gradient open
with the view they are about in front (LESSON_VIEWS)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bpstudio.resources import examples_dir

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow


def show_landscape(window: MainWindow) -> None:
    """The loss landscape of its default pair (the first neuron's first weight and bias),
    computed now, with the path, the current point and the next update."""
    view = window.landscape
    view.dock.show()
    view.dock.raise_()
    view.compute_now()


def show_plot(window: MainWindow, name: str) -> None:
    """The plot dock `name` (the gradient flow, the confusion matrix) in front, its row grown
    to show the plot under its legend, brought up to date."""
    dock = window.plots.dock[name]
    dock.show()
    dock.raise_()
    window.plots.make_room(dock)
    window.plots.panel(name)


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
    "gradients": partial(show_plot, name="gradients"),
    "graph": show_graph,
    "confusion": partial(show_plot, name="confusion"),
}

# the bundled lessons on the gradient, in the order the start page lists them, and the view
# each is about
LESSON_VIEWS: dict[str, str] = {
    "learning-rate.bpnet": "landscape",
    "vanishing-sigmoid.bpnet": "gradients",
    "vanishing-tanh.bpnet": "gradients",
}


def lesson_view(path: Path | None) -> str | None:
    """The name of the view a bundled lesson on the gradient opens with, else None."""
    if path is None or path.parent.resolve() != examples_dir().resolve():
        return None
    return LESSON_VIEWS.get(path.name)


def show_lesson_view(window: MainWindow) -> None:
    """Brings the view of the lesson just opened to the front, if it is about one."""
    name = lesson_view(window.path)
    if name is not None:
        VIEWS[name](window)
