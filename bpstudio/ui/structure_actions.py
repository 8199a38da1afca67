"""The Network menu, toolbar and canvas context menu: add or remove a layer or a neuron, set
a layer's activation, type a value, re-draw or reset the weights. Each action pushes one
document edit through `push` and acts on the canvas's selection. Must not import the
engine's training code, nor the window."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QPoint, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton, QWidget

from bpstudio.document.edits import (
    AddNeuron,
    Edit,
    EditError,
    InsertLayer,
    RedrawWeights,
    RemoveLayer,
    RemoveNeuron,
    ResetParameters,
    SetActivation,
)
from bpstudio.document.session import DocumentModel
from bpstudio.engine.activations import ACTIVATIONS
from bpstudio.maths.notation import Notation
from bpstudio.ui.canvas import texts
from bpstudio.ui.canvas.items import Target
from bpstudio.ui.canvas.network_canvas import NetworkCanvas

SELECT_LAYER = "select a layer, or a neuron of it, first"
# attribute (its slot is _on_<attribute>), menu text, shortcut, tooltip, toolbar text
ACTIONS = (
    ("add_layer_before", "Add Layer &Before", "Ctrl+Shift+L",
     "Insert a hidden layer before the selected layer "
     "(before the output layer if nothing is selected)", "+ Layer Before"),
    ("add_layer_after", "Add Layer &After", "Ctrl+L",
     "Insert a hidden layer after the selected layer "
     "(before the output layer if nothing is selected)", "+ Layer After"),
    ("remove_layer", "&Remove Layer", "Ctrl+Shift+Backspace",
     "Remove the selected hidden layer", "− Layer"),
    ("add_neuron", "Add &Neuron", "Ctrl+Shift+N", "Add a neuron to the selected layer", "+ Neuron"),
    ("remove_neuron", "Remove Neur&on", "Delete", "Remove the selected neuron", "− Neuron"),
    ("edit_value", "&Edit Value…", "F2",
     "Type the selected edge's weight or the selected neuron's bias", "Edit Value"),
    ("redraw_weights", "Re-&draw Weights", "Ctrl+Shift+R",
     "Draw every weight afresh with the network's initialisation and seed "
     "(Training settings)", "Re-draw"),
    ("reset_weights", "Re&set Weights", None,
     "Put back the weights and biases the network was opened with", "Reset"),
)  # fmt: skip


class StructureActions(QObject):
    """The actions, enabled (and their tooltips saying why not) as the selection and the
    document allow: each is checked against the document before it is offered. `action`
    makes a window-wide action (MainWindow.action); `parent` owns the menus. The owner places
    `menu` and `toolbar`, and may add to `context_extras`, the context menu's last group
    (the diagram's export)."""

    add_layer_before: QAction
    add_layer_after: QAction
    remove_layer: QAction
    add_neuron: QAction
    remove_neuron: QAction
    edit_value: QAction
    redraw_weights: QAction
    reset_weights: QAction

    def __init__(
        self,
        model: DocumentModel,
        push: Callable[[Edit], bool],
        canvas: NetworkCanvas,
        action: Callable[..., QAction],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.model, self.push, self.canvas, self.parent_widget = model, push, canvas, parent
        self._make_window_action = action
        self.context_extras: list[QAction] = []
        self._tips: dict[QAction, str] = {}
        self._make_actions()
        self.activation_menu = self._make_activation_menu()
        self.menu = self._make_menu()
        self.toolbar = self._make_toolbar()
        self.canvas.selection_changed.connect(self._on_state_changed)
        self.canvas.context_menu_requested.connect(self._on_context_menu_requested)
        events = self.model.events
        for signal in (events.structure_changed, events.document_replaced, events.layer_changed):
            signal.connect(self._on_state_changed)
        events.settings_changed.connect(self._on_settings_changed)
        events.value_changed.connect(self._on_parameters_changed)
        events.parameters_changed.connect(self._on_parameters_changed)
        self._on_state_changed()

    # building --------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut, tip: str, short: str) -> QAction:
        action = self._make_window_action(text, slot, shortcut, tip)
        action.setIconText(short)
        self._tips[action] = action.toolTip()
        return action

    def _make_actions(self) -> None:
        for name, text, shortcut, tip, short in ACTIONS:
            slot = getattr(self, f"_on_{name}")
            setattr(self, name, self._action(text, slot, shortcut, tip, short))
        self.add_hidden_layer = QAction("Add &Hidden Layer", self)
        self.add_hidden_layer.setToolTip("Insert a hidden layer before the output layer")
        self.add_hidden_layer.triggered.connect(self._on_add_layer_before)
        for action in (self.remove_layer, self.remove_neuron, self.edit_value):
            self._canvas_only(action)

    def _canvas_only(self, action: QAction) -> None:
        """Delete, Ctrl+Shift+Backspace and F2 act only while the canvas has the focus, so
        they never fire while one types in a panel."""
        for owner in action.associatedObjects():
            owner.removeAction(action)
        self.canvas.addAction(action)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _make_activation_menu(self) -> QMenu:
        menu = QMenu("A&ctivation", self.parent_widget)
        menu.setToolTipsVisible(True)
        menu.menuAction().setToolTip("The activation function of the selected layer")
        self.activation_group = QActionGroup(self)
        self.activation_actions: dict[str, QAction] = {}
        for name in ACTIVATIONS:
            action = QAction(name, self, checkable=True)
            action.setObjectName(f"activation_{name}")
            action.triggered.connect(lambda _=False, n=name: self._on_activation_chosen(n))
            self._tips[action] = f"Use {name} in the selected layer"
            self.activation_group.addAction(action)
            menu.addAction(action)
            self.activation_actions[name] = action
        return menu

    def _make_menu(self) -> QMenu:
        menu = QMenu("&Network", self.parent_widget)
        menu.setToolTipsVisible(True)
        menu.addActions([self.add_layer_before, self.add_layer_after, self.remove_layer])
        menu.addSeparator()
        menu.addActions([self.add_neuron, self.remove_neuron])
        menu.addSeparator()
        menu.addMenu(self.activation_menu)
        menu.addAction(self.edit_value)
        menu.addSeparator()
        menu.addActions([self.redraw_weights, self.reset_weights])
        return menu

    def _make_toolbar(self) -> QToolBar:
        bar = QToolBar("Network", self.parent_widget)
        bar.setObjectName("network_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addActions([self.add_layer_before, self.add_layer_after, self.remove_layer])
        bar.addSeparator()
        bar.addActions([self.add_neuron, self.remove_neuron])
        self.activation_button = QToolButton(bar)
        self.activation_button.setText("Activation")
        self.activation_button.setObjectName("activation_button")
        self.activation_button.setMenu(self.activation_menu)
        self.activation_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar.addWidget(self.activation_button)
        bar.addSeparator()
        bar.addActions([self.redraw_weights, self.reset_weights])
        return bar

    # what the selection allows ------------------------------------------------------------
    def _positions(self) -> tuple[int, int]:
        """Where Add Layer After and Add Layer Before insert (before the output layer if
        nothing is selected)."""
        layer, last = self.canvas.selected_layer(), len(self.model.document.sizes) - 1
        return (last, last) if layer is None else (layer + 1, layer)

    def _offer(self, action: QAction, edit: Edit | None, why_not: str = SELECT_LAYER) -> None:
        """Enables `action` if `edit` can be applied now; else says why in its tooltip."""
        if edit is not None:
            try:
                self.model.check(edit)
                why_not = ""
            except EditError as exc:
                why_not = str(exc)
        action.setEnabled(not why_not)
        tip = self._tips[action] + (f"\nNot possible now: {why_not}" if why_not else "")
        action.setToolTip(tip)
        action.setStatusTip(tip.replace("\n", " — "))

    def _on_state_changed(self, *_args) -> None:
        layer, neuron = self.canvas.selected_layer(), self.canvas.selected_neuron()
        after, before = self._positions()
        self._offer(self.add_layer_after, InsertLayer(after))
        self._offer(self.add_layer_before, InsertLayer(before))
        self._offer(self.remove_layer, None if layer is None else RemoveLayer(layer))
        self._offer(self.add_neuron, None if layer is None else AddNeuron(layer))
        self._offer(
            self.remove_neuron,
            None if neuron is None else RemoveNeuron(*neuron),
            "select a neuron first",
        )
        editable = self.canvas.editable_selection() is not None
        self._offer(self.edit_value, None, "" if editable else "select an edge or a neuron")
        self._offer(self.redraw_weights, RedrawWeights())
        self._offer_reset()
        self._offer_activations(layer)

    def _offer_reset(self) -> None:
        if self._as_opened():
            self._offer(self.reset_weights, None, "the weights are those the network opened with")
        else:
            self._offer(self.reset_weights, ResetParameters())

    def _as_opened(self) -> bool:
        """Whether every weight and bias equals the opened document's."""
        now, then = self.model.document.layers[1:], self.model.opened.layers[1:]
        return len(now) == len(then) and all(
            np.array_equal(a.weights, b.weights) and np.array_equal(a.biases, b.biases)
            for a, b in zip(now, then, strict=True)
        )

    def _on_settings_changed(self, key: str) -> None:
        if key == "loss":  # the loss decides which output activations are allowed
            self._on_state_changed()

    def _on_parameters_changed(self, *_args) -> None:
        self._offer_reset()

    def _offer_activations(self, layer: int | None) -> None:
        usable = layer is not None and layer > 0
        current = self.model.document.layers[layer].activation if usable else None
        for name, action in self.activation_actions.items():
            with QSignalBlocker(action):
                action.setChecked(name == current)
            edit = SetActivation(layer, name) if usable else None
            self._offer(action, edit, "select a layer after the input layer")
        self.activation_menu.setEnabled(usable)
        self.activation_button.setEnabled(usable)
        tip = "The activation function of the selected layer"
        self.activation_button.setToolTip(tip if usable else f"{tip} ({SELECT_LAYER})")

    # the context menu ------------------------------------------------------------------
    def context_menu(self) -> QMenu:
        """A new menu for the canvas's selection: what can be done to it, then to its layer
        and the whole network. The canvas pops it up on a right click."""
        menu = QMenu(self.canvas)
        menu.setToolTipsVisible(True)
        target = self.canvas.selection()
        menu.addSection(self._title(target))
        if self.canvas.editable_selection() is not None:
            menu.addAction(self.edit_value)
        if target is None:
            menu.addAction(self.add_hidden_layer)
        elif target.kind != "edge":
            menu.addAction(self.add_neuron)
            if target.kind == "neuron":
                menu.addAction(self.remove_neuron)
            menu.addSeparator()
            menu.addActions([self.add_layer_before, self.add_layer_after, self.remove_layer])
            if target.layer > 0:
                menu.addMenu(self.activation_menu)
        menu.addSeparator()
        menu.addActions([self.redraw_weights, self.reset_weights])
        menu.addSeparator()
        menu.addAction("Fit Network", self.canvas.fit)
        menu.addActions(self.context_extras)
        return menu

    def _title(self, target: Target | None) -> str:
        doc = self.model.document
        if target is None:
            return "Network"
        if target.kind == "edge":
            assert target.neuron is not None and target.source is not None
            symbol = Notation(doc.sizes).w(target.layer, target.neuron, target.source)
            return f"Weight {symbol.text()}"
        header = texts.header(doc, target.layer)
        if target.neuron is None:
            return header.capitalize()
        return f"Neuron {Notation(doc.sizes).a(target.layer, target.neuron).text()} · {header}"

    def _on_context_menu_requested(self, at: QPoint) -> None:
        menu = self.context_menu()
        self.popup(menu, at)
        menu.deleteLater()

    def popup(self, menu: QMenu, at: QPoint) -> None:
        """Shows `menu` at the global point `at` until it closes (patched in tests: a real
        popup blocks)."""
        menu.exec(at)

    # doing -----------------------------------------------------------------------------
    def _push_and_select(self, edit: Edit, then: Target | None) -> None:
        if self.push(edit):
            self.canvas.select(then)

    def _on_add_layer_after(self) -> None:
        position = self._positions()[0]
        self._push_and_select(InsertLayer(position), Target(position))

    def _on_add_layer_before(self) -> None:
        position = self._positions()[1]
        self._push_and_select(InsertLayer(position), Target(position))

    def _on_remove_layer(self) -> None:
        layer = self.canvas.selected_layer()
        if layer is not None:
            self._push_and_select(RemoveLayer(layer), None)

    def _on_add_neuron(self) -> None:
        layer = self.canvas.selected_layer()
        if layer is not None:
            size = self.model.document.sizes[layer]
            self._push_and_select(AddNeuron(layer), Target(layer, size))

    def _on_remove_neuron(self) -> None:
        neuron = self.canvas.selected_neuron()
        if neuron is not None:
            self._push_and_select(RemoveNeuron(*neuron), Target(neuron[0]))

    def _on_activation_chosen(self, name: str) -> None:
        layer = self.canvas.selected_layer()
        usable = layer is not None and layer > 0
        if usable and name != self.model.document.layers[layer].activation:
            self.push(SetActivation(layer, name))
        self._on_state_changed()  # the check marks follow the document, whatever happened

    def _on_edit_value(self) -> None:
        self.canvas.edit_selection()

    def _on_redraw_weights(self) -> None:
        self.push(RedrawWeights())

    def _on_reset_weights(self) -> None:
        self.push(ResetParameters())
