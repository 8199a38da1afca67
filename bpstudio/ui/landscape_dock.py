"""The Loss landscape dock (View ▸ Loss landscape): L over a grid of two parameters of the
network as the lesson shows it (engine/landscape.py, as `bpstudio landscape` computes it),
drawn by a LandscapePanel with the parameters' current values marked, the path they took
while training (the walk's parameter record, replayed from the timeline where it began
later) and the next training step's update as an arrow. The path, point and arrow follow
every lesson move, training frame and timeline scrub at once. The two parameters are
picked from lists. The grid is computed on a worker thread, one at a time, and only while the
dock can be seen; requests that arrive meanwhile (every training frame) become one more run
afterwards, so the window keeps answering and shows the latest network a moment later."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDockWidget, QDoubleSpinBox, QLabel, QWidget

from bpstudio.engine.landscape import Landscape, LandscapeError, landscape, parameter_index
from bpstudio.ui.plots.landscape_panel import LandscapePanel
from bpstudio.ui.plots.lesson_values import shown_network

if TYPE_CHECKING:
    from bpstudio.engine.network import Network
    from bpstudio.ui.main_window import MainWindow

GRID = 41
MAX_LISTED = 5000  # parameters offered in each list (the first ones)
WAIT_MS = 250  # at most about four landscapes a second while training runs
TRACK_MS = 40  # the path, point and arrow: up to 25 redraws a second


class _Bridge(QObject):
    """Carries the worker thread's result to the GUI thread (queued signals)."""

    finished = Signal(object)  # a Landscape
    failed = Signal(str)


class LandscapeView(QObject):
    """Owns the dock, its panel (built when first shown) and the worker."""

    built = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._panel: LandscapePanel | None = None
        self.dock = QDockWidget("Loss landscape", window)
        self.dock.setObjectName("landscape_dock")
        self.dock.setWidget(QWidget())
        self.dock.toggleViewAction().setToolTip("Show or hide the loss landscape plot")
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.plots.loss_dock, self.dock)
        window.plots.loss_dock.raise_()
        # Closed until asked for (View ▸ Loss landscape): a fourth tab in the loss plot's row
        # leaves too little room for the tabs' titles on a 1024-pixel-wide screen.
        self.dock.hide()
        toggle = self.dock.toggleViewAction()
        toggle.triggered.connect(lambda on: on and self.dock.raise_())
        window.view_menu.addAction(toggle)
        # Without a parent: a run still going when the window closes emits into nothing,
        # instead of into a deleted object.
        self._bridge = _Bridge()
        self._bridge.finished.connect(self._on_finished)
        self._bridge.failed.connect(self._on_failed)
        self._busy = False
        self._again = False
        self._names: list[str] = []
        self._timer = QTimer(self, singleShot=True, interval=WAIT_MS)
        self._timer.timeout.connect(self._start)
        self._track_timer = QTimer(self, singleShot=True, interval=TRACK_MS)
        self._track_timer.timeout.connect(self.show_track)
        for signal in (window.lesson.changed, window.plots.link.history_filled):
            signal.connect(self._request_track)
        window.lesson.changed.connect(self.request)
        window.model.events.document_replaced.connect(self.request)

    @property
    def panel(self) -> LandscapePanel:
        if self._panel is None:
            self.first = QComboBox()
            self.second = QComboBox()
            self.first.setToolTip("The parameter along the bottom axis")
            self.second.setToolTip("The parameter along the left axis")
            self.span = QDoubleSpinBox(minimum=0.01, maximum=1e6, value=1.0, decimals=2)
            self.span.setPrefix("± ")
            self.span.setToolTip("How far each parameter goes either side of its value")
            self.status = QLabel()
            for box in (self.first, self.second):
                box.currentIndexChanged.connect(self.request)
            self.span.valueChanged.connect(self.request)
            controls = [self.first, self.second, self.span, None, self.status]
            self._panel = LandscapePanel(controls)
            self.dock.setWidget(self._panel)
            self.window.plots.make_room(self.dock)  # when first shown
            self._fill_lists()
            self.built.emit(self._panel)
        return self._panel

    def request(self) -> None:
        """Computes the landscape again soon, if the dock can be seen (else when it is)."""
        if self._panel is not None and self._seen() and not self._timer.isActive():
            self._timer.start()

    def _request_track(self) -> None:
        if self._panel is not None and self._seen() and not self._track_timer.isActive():
            self._track_timer.start()

    def show_track(self) -> None:
        """Draws the two parameters' path up to the epoch the lesson shows, their values as
        it shows them, and the update its current training step makes (hidden while Check
        yourself asks about a step)."""
        pair = (self.first.currentText(), self.second.currentText())
        lesson = self.window.lesson
        walk = lesson.walk
        try:
            indices = [parameter_index(walk.net, name) for name in pair]
        except LandscapeError:
            return
        self.window.plots.link.track_also("landscape", indices)
        epochs, columns = walk.parameters.recorded(indices)
        upto = epochs <= walk.epoch
        net = shown_network(walk, lesson.runner.running or not lesson.ready())
        update = None
        if lesson.hidden_step() is None:
            result = walk.result
            start = result.before.params[indices]
            update = (tuple(start), tuple(result.after.params[indices] - start))
        path = (columns[0][upto], columns[1][upto])
        self.panel.show_track(path, tuple(net.params[indices]), update)

    def _seen(self) -> bool:
        return self.dock.isVisible() and not self.dock.visibleRegion().isEmpty()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.panel  # noqa: B018 (builds it)
            self.request()
            self._request_track()

    def _fill_lists(self) -> None:
        """The network's parameter names in both lists, keeping the chosen ones where they
        still exist; by default the first neuron's first weight and its bias."""
        names = self.window.lesson.walk.net.parameter_names()[:MAX_LISTED]
        if names == self._names:
            return
        chosen = [self.first.currentText(), self.second.currentText()]
        defaults = [names[0], "b[1][0]"]
        self._names = names
        for box, name, default in zip((self.first, self.second), chosen, defaults, strict=True):
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            box.setCurrentText(name if name in names else default)
            box.blockSignals(False)

    def _job(self) -> tuple | None:
        """The arguments of `landscape` for the network the lesson shows and the chosen
        pair and span; None (and why, in the status) if the pair cannot be drawn."""
        self._fill_lists()
        pair = (self.first.currentText(), self.second.currentText())
        if pair[0] == pair[1]:
            self.status.setText("Choose two different parameters")
            return None
        lesson = self.window.lesson
        net = shown_network(lesson.walk, lesson.runner.running or not lesson.ready()).copy()
        return (net, self.window.document.loss, lesson.walk.x, lesson.walk.y, pair)

    def _start(self) -> None:
        if self._busy:
            self._again = True
            return
        work = self._job()
        if work is None:
            return
        self._busy = True
        self.status.setText("Computing…")
        threading.Thread(target=self._work, args=(*work, self.span.value()), daemon=True).start()

    def compute_now(self) -> None:
        """Computes the landscape on this thread and draws it, with the path and the arrow:
        for a screenshot (`--show landscape`), which must not wait for the worker."""
        work = self._job()
        if work is not None:
            self._draw(landscape(*work, self.span.value(), GRID))

    def _work(
        self,
        net: Network,
        loss: str,
        x: np.ndarray,
        y: np.ndarray,
        pair: tuple[str, str],
        span: float,
    ) -> None:
        """On the worker thread: never touches a widget, only emits."""
        try:
            found = landscape(net, loss, x, y, pair, span, GRID)
        except (LandscapeError, MemoryError) as exc:
            self._bridge.failed.emit(str(exc))
        else:
            self._bridge.finished.emit(found)

    def _on_finished(self, found: Landscape) -> None:
        self._draw(found)
        self._done()

    def _draw(self, found: Landscape) -> None:
        self.status.setText("")
        self.panel.show_landscape(
            found.params, found.x, found.y, found.loss, found.current, self.window.document.loss
        )
        self.show_track()

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        self._done()

    def _done(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.request()


def install_landscape(window: MainWindow) -> LandscapeView:
    """The landscape dock (closed at first, a tab beside the loss plot once opened), and its
    plot among the exports."""
    view = LandscapeView(window)
    window.exports.add_view(
        "landscape",
        "Loss Landscape",
        lambda: view.panel.plot,
        restyle=lambda: view.panel.restyle(),
    )
    view.built.connect(lambda panel: window.exports.add_plot_menu("landscape", panel.plot))
    return view
