"""PlotsLink: keeps the plot panels in step with the lesson. Every lesson move and
training frame asks each built panel for a refresh; a panel refreshes at a coalesced rate and
only while it can be seen. Canvas selections choose the activation panel's layer and the
parameter panel's parameters (kept for a panel not built yet); newly chosen parameters get
their earlier epochs replayed in short slices, so the window never freezes. Qt; changes no
document."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QWidget

from bpstudio.document.edits.base import layer_name
from bpstudio.engine import activations, metrics
from bpstudio.engine.network import outputs
from bpstudio.maths.notation import Notation
from bpstudio.ui.canvas import texts
from bpstudio.ui.plots.lesson_values import (
    ParameterNames,
    layer_markers,
    neuron_parameters,
    shown_network,
    weight_index,
)
from bpstudio.ui.plots.parameter_panel import MAX_CURVES
from bpstudio.ui.plots.refresh import Coalescer, Turns

if TYPE_CHECKING:
    from bpstudio.document.session import DocumentModel
    from bpstudio.ui.canvas.network_canvas import NetworkCanvas
    from bpstudio.ui.lesson import LessonController
    from bpstudio.ui.plots import Plots

FRAME_MS = 50  # the loss and activation panels: up to 20 refreshes a second
SLOW_FRAME_MS = 100  # the parameter and decision panels do more work per refresh
FILL_SLICE = 0.012  # seconds of replay per timer tick
LOG_KEY, DISCRETE_KEY = "plots/loss_log_scale", "plots/discretise"
NOT_A_CLASSIFIER = (
    "No confusion matrix: this network decides no classes.\nIt needs a sigmoid output with "
    "bce, or a softmax output with cross_entropy."
)
NO_TEST_SET = (
    "No test set: this document holds none.\nChoose the training set, or hold out a test set."
)


def _seen(widget) -> bool:
    """Whether any of `widget` can be seen (a dock tab behind another cannot)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class PlotsLink(QObject):
    """Follows `lesson` (a LessonController), the document of `model` and the selection of
    `canvas`; remembers the panels' toggles in `settings`. The walk records the parameters
    ticked in the parameter panel and those other views ask for (`track_also`);
    `history_filled` says more of their earlier epochs were replayed."""

    history_filled = Signal()

    def __init__(
        self,
        lesson: LessonController,
        model: DocumentModel,
        canvas: NetworkCanvas,
        settings: QSettings,
        plots: Plots,
    ) -> None:
        super().__init__(plots)
        self.model, self.canvas, self.settings = model, canvas, settings
        self.plots = plots
        self.lesson = lesson
        self.refreshers: dict[str, Coalescer] = {}  # one per built panel
        self._turns = Turns()
        self._walk = None
        self._shape: tuple = ()
        self._layer_titles: list[str] = []  # for the activation panel, once built
        self._layer = 1  # the layer chosen on the canvas before the activation panel was built
        self._fill_timer = QTimer(self, interval=0)
        self._fill_timer.timeout.connect(self._fill_tick)
        self._fill_total = 0
        self._chunk = 50
        self._also: dict[str, list[int]] = {}  # parameters recorded for other views
        self.lesson.changed.connect(self.request_all)
        canvas.selection_changed.connect(self._on_selection_changed)
        model.events.document_replaced.connect(self._on_document_replaced)
        plots.parameter_list.chosen_changed.connect(self._on_parameters_chosen)
        plots.built.connect(self._attach)
        self._on_document_replaced()

    def _attach(self, name: str, panel: QWidget) -> None:
        """A panel was just built: it gets its refresher, its remembered toggles and what
        was chosen for it, and is brought up to date once it can be seen."""
        refresh, ms = {
            "loss": (self._refresh_loss, FRAME_MS),
            "activation": (self._refresh_activation, FRAME_MS),
            "parameters": (self._refresh_parameters, SLOW_FRAME_MS),
            "decision": (self._refresh_decision, SLOW_FRAME_MS),
            "gradients": (self._refresh_gradients, FRAME_MS),
            "confusion": (self._refresh_confusion, SLOW_FRAME_MS),
        }[name]
        refresher = Coalescer(refresh, ms, lambda: _seen(panel), panel.plot, self, self._turns)
        self.refreshers[name] = refresher
        self.plots.dock[name].visibilityChanged.connect(lambda shown: shown and refresher.shown())
        if name == "loss":
            self._remember(panel.log_action, LOG_KEY)
        elif name == "activation":
            panel.set_layers(self._layer_titles)
            panel.select_layer(self._layer)
            panel.layer_chosen.connect(lambda _layer: refresher.request())
        elif name == "parameters":
            panel.cancel_requested.connect(self._on_cancel_replay)
        elif name == "decision":
            self._remember(panel.discretise_action, DISCRETE_KEY)
        elif name == "confusion":
            panel.set_chosen.connect(lambda _test: refresher.request())
        refresher.request()
        if _seen(panel):  # built as its dock shows: its first paint already has the data
            refresher.flush()

    def _request(self, name: str) -> None:
        refresher = self.refreshers.get(name)
        if refresher is not None:
            refresher.request()

    def request_all(self) -> None:
        for refresher in self.refreshers.values():
            refresher.request()

    def flush(self) -> None:
        """Brings every panel up to date now (before a screenshot or an export)."""
        self.request_all()
        for refresher in self.refreshers.values():
            refresher.flush()

    def _remember(self, action, key: str) -> None:
        settings = self.settings
        action.setChecked(bool(settings.value(key, False, type=bool)))
        action.toggled.connect(lambda on: settings.setValue(key, on))

    def _live(self) -> bool:
        """Training runs, or the step sequence is not built: show the network as it is."""
        return self.lesson.runner.running or not self.lesson.ready()

    # the document's shape ------------------------------------------------------------------
    def _follow_shape(self) -> None:
        """New layer titles and parameter names when the network's shape changed."""
        doc = self.model.document
        shape = (doc.sizes, tuple(layer.activation for layer in doc.layers))
        if shape == self._shape:
            return
        self._shape = shape
        self._layer_titles = [texts.header(doc, i) for i in range(1, len(doc.sizes))]
        activation = self.plots.built_panel("activation")
        if activation is not None:
            activation.set_layers(self._layer_titles)
        model = self.plots.parameter_list
        old = model.names
        places = [old.place(i) for i in model.chosen] if isinstance(old, ParameterNames) else []
        names = ParameterNames(doc)
        kept = [names.index(place) for place in places]
        model.set_parameters(names, [i for i in kept if i is not None])
        model.chosen_changed.emit()

    def _on_document_replaced(self) -> None:
        """A new network starts with its output neuron's bias and first weights chosen, and
        the decision boundary in front for two inputs (the activation otherwise)."""
        self._follow_shape()
        sizes = self.model.document.sizes
        self.plots.parameter_list.set_chosen(neuron_parameters(sizes, len(sizes) - 1, 0, 4))
        front = self.plots.decision_dock if sizes[0] == 2 else self.plots.activation_dock
        front.raise_()
        self.request_all()

    # refreshes -------------------------------------------------------------------------------
    def _refresh_loss(self) -> None:
        """The history with the epoch the lesson shows marked. While Check yourself hides a
        step, no later epoch is drawn (its loss and parameters come from this step's
        results), nor this epoch's loss while the loss is the question."""
        walk, panel = self.lesson.walk, self.plots.loss
        panel.set_loss_name(self.model.document.loss)
        hidden = self.lesson.hidden_step()
        hide_from = None if hidden is None else walk.epoch + (hidden.kind != "loss")
        panel.show_epoch(walk.epoch, hide_from)
        panel.set_history(*walk.full_loss_history(), walk.full_test_loss_history())
        panel.mark_divergence(walk.divergence.epoch if walk.divergence else None)

    def _refresh_activation(self) -> None:
        self._follow_shape()
        panel, walk = self.plots.activation, self.lesson.walk
        layer = min(panel.layer, walk.net.depth)
        markers = layer_markers(walk, layer, self.lesson.runner.running, self.lesson.ready())
        quiz = self.lesson.quiz_on()  # don't give away what is to come
        name = walk.net.activation_names[layer - 1]
        computed = markers.computed
        hidden = self.lesson.hidden_step()
        if hidden is not None and hidden.kind in ("z", "a") and hidden.layer == layer:
            computed = computed.copy()  # its marker would show the result asked for
            computed[hidden.neuron] = False
            if hidden.kind == "a" and not activations.get(name).elementwise:
                computed[:] = False  # softmax: the others' outputs add up to 1 with it
        panel.show_layer(
            name,
            markers.z,
            computed,
            markers.labels,
            markers.note,
            hide_pending=quiz,
        )

    def _refresh_decision(self) -> None:
        walk = self.lesson.walk
        net = shown_network(walk, self._live())
        note = Notation(net.sizes)
        names = (note.a(0, 0).text(), note.a(0, 1 % net.sizes[0]).text(), note.y_hat(0).text())
        self.plots.decision.show_network(net, walk.x, walk.y, names)
        hidden = self.lesson.hidden_step()  # the readout at a sample would tell its output
        output = hidden is not None and hidden.kind in ("z", "a") and hidden.layer == net.depth
        self.plots.decision.hide_readout(output)

    def _refresh_gradients(self) -> None:
        """The gradient flow of every epoch recorded since the walk began; while Check
        yourself hides a step, no later epoch (they come from this step's results)."""
        self._follow_shape()
        walk, panel = self.lesson.walk, self.plots.gradients
        h = walk.trainer.history
        epochs, norms, deltas = h.epochs, h.grad_norm, h.delta_mean
        if self.lesson.hidden_step() is not None:
            shown = epochs <= walk.epoch
            epochs, norms, deltas = epochs[shown], norms[shown], deltas[shown]
        doc = self.model.document
        names = [layer_name(doc, i).removeprefix("the ") for i in range(1, len(doc.sizes))]
        panel.set_history(epochs, norms, deltas, names)
        panel.show_epoch(walk.epoch)

    def _refresh_confusion(self) -> None:
        """The confusion matrix of the network the lesson shows, on the set the panel asks
        for; a message instead for a network that decides no classes, or no test set."""
        walk, panel, doc = self.lesson.walk, self.plots.confusion, self.model.document
        net = shown_network(walk, self._live())
        if not metrics.is_classifier(net.activation_names[-1], doc.loss):
            panel.show_message(NOT_A_CLASSIFIER)
            return
        data = walk.trainer.test if panel.test_chosen else (walk.x, walk.y)
        if data is None:
            panel.show_message(NO_TEST_SET)
            return
        x, y = data
        with np.errstate(all="ignore"):
            matrix = metrics.confusion(outputs(net, x), y)
        labels = doc.layers[-1].labels or [str(j + 1) for j in range(doc.sizes[-1])]
        if doc.sizes[-1] == 1:
            labels = ["0", "1"]
        right = int(np.trace(matrix))
        which = "test" if panel.test_chosen else "training"
        panel.show_matrix(
            matrix, labels, f"epoch {walk.epoch}: {right:,} of {len(x):,} {which} samples right"
        )

    def _refresh_parameters(self) -> None:
        """Runs only while the panel shows (or for an export): recording begins with the
        first look at a walk, so a user who never opens the panel pays no memory for it."""
        self._follow_shape()
        walk, panel = self.lesson.walk, self.plots.parameters
        if walk is not self._walk:
            self._track()
        chosen = list(self.plots.parameter_list.chosen)
        if chosen:
            epochs, columns = walk.parameters.recorded(chosen)
            if self.lesson.hidden_step() is not None:  # later epochs: this step's results
                shown = epochs <= walk.epoch
                epochs, columns = epochs[shown], [column[shown] for column in columns]
            panel.set_history(epochs, columns)

    # choosing parameters and replaying their past ---------------------------------------------
    def _on_parameters_chosen(self) -> None:
        if self._walk is self.lesson.walk:  # recording has begun for this walk
            self._track()
        self._request("parameters")

    def track_also(self, owner: str, indices: list[int]) -> None:
        """Records the parameters `indices` for `owner` (the landscape's path) too, from
        now on, their earlier epochs replayed a slice at a time."""
        if self._also.get(owner) != indices or self._walk is not self.lesson.walk:
            self._also[owner] = list(indices)
            self._track()

    def _track(self) -> None:
        walk = self.lesson.walk
        self._walk = walk
        also = [i for indices in self._also.values() for i in indices]
        walk.parameters.track([*self.plots.parameter_list.chosen, *also])
        self._fill_total = walk.parameters.pending()
        self._fill_tick()  # short pasts are replayed at once
        if walk.parameters.pending():
            self._fill_timer.start()

    def _fill_tick(self) -> None:
        walk = self.lesson.walk
        if walk is not self._walk:  # a new document: its walk is tracked on refresh
            self._fill_timer.stop()
            return
        started = time.perf_counter()
        left = walk.parameters.pending()
        while left and time.perf_counter() - started < FILL_SLICE:
            before, was = time.perf_counter(), left
            left = walk.parameters.fill(self._chunk)
            rate = (was - left) / max(time.perf_counter() - before, 1e-6)  # epochs a second
            self._chunk = int(np.clip(rate * FILL_SLICE / 2, 10, 100_000))
        self._fill_total = max(self._fill_total, left)
        panel = self.plots.built_panel("parameters")
        if panel is not None:
            panel.set_progress(self._fill_total - left, self._fill_total)
        self._request("parameters")
        self.history_filled.emit()
        if not left:
            self._fill_timer.stop()
            self._fill_total = 0

    def _on_cancel_replay(self) -> None:
        pending = self.lesson.walk.parameters.pending_columns()
        model = self.plots.parameter_list
        model.set_chosen([i for i in model.chosen if i not in pending])

    # canvas selection -------------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        target = self.canvas.selection()
        if target is None or target.layer == 0:
            return
        activation = self.plots.built_panel("activation")
        if activation is None:
            self._layer = target.layer
        else:
            activation.select_layer(target.layer)
        sizes = self.model.document.sizes
        if target.kind == "edge":
            assert target.neuron is not None and target.source is not None
            chosen = [weight_index(sizes, target.layer, target.neuron, target.source)]
        elif target.kind in ("neuron", "bias"):
            assert target.neuron is not None
            chosen = neuron_parameters(sizes, target.layer, target.neuron, MAX_CURVES)
        else:
            return
        self.plots.parameter_list.set_chosen(chosen)
