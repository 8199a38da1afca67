"""The canvas edits the network: select by clicking, type exact weights and biases in the
inline editor, change the structure from the Network toolbar, menu, context menu and
keyboard, and every change is one undoable edit that the canvas then shows.

The context menu: a real right click (which selects what is under it) and the context-menu
event the platform sends with it (QTest's click makes none); `StructureActions.popup` is
replaced by a stand-in that records the menu, since a real popup would block the test, and
the test then triggers the recorded menu's QAction as a click on that item would."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QHelpEvent, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QToolTip

from bpstudio.document.edits import AddNeuron, SetWeight
from bpstudio.resources import examples_dir
from bpstudio.ui import theme
from bpstudio.ui.canvas.editor import NOT_A_NUMBER
from bpstudio.ui.canvas.items import Target

SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"  # 1-2-1, w(1) = (0.3, 0.5), w(2) = (0.2, 0.4)
SPIRAL = examples_dir() / "spiral.bpnet"


@pytest.fixture
def window(quiet_main_window, qtbot):
    """A main window on a new network (1-1 sigmoid); errors are collected instead of shown
    and closing discards the changes."""
    window = quiet_main_window()
    window.files.new()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


@pytest.fixture
def menus(window):
    """Context menus are recorded instead of popped up (a real popup blocks the test)."""
    shown: list[QMenu] = []
    window.structure_actions.popup = lambda menu, at: shown.append(menu)
    return shown


def view_pos(canvas, target: Target) -> QPoint:
    return canvas.mapFromScene(canvas.scene_point(target))


def click(qtbot, canvas, target: Target | None, button=Qt.MouseButton.LeftButton) -> None:
    """Clicks on `target`, or on empty space above the network for None."""
    pos = QPoint(5, 5) if target is None else view_pos(canvas, target)
    qtbot.mouseClick(canvas.viewport(), button, pos=pos)


def double_click(qtbot, canvas, target: Target):
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_pos(canvas, target))
    qtbot.waitUntil(lambda: canvas.editor is not None and canvas.editor.isVisible())
    return canvas.editor


def press_toolbar(qtbot, window, action) -> None:
    """Clicks the Network toolbar's button for `action`."""
    button = window.structure_actions.toolbar.widgetForAction(action)
    assert button is not None and button.isEnabled(), action.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_value(qtbot, editor, text: str) -> None:
    """Replaces the editor's (selected) text by typing `text`, then presses Enter."""
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def menu_action(menu: QMenu, text: str):
    """The action of `menu` (or of a submenu) whose text, without '&', is `text`."""
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
        if action.menu() is not None:
            found = menu_action(action.menu(), text)
            if found is not None:
                return found
    return None


def right_click_menu(qtbot, canvas, menus, target: Target | None) -> QMenu:
    """Right-clicks `target` and returns the context menu that popped up. QTest's click
    makes no context-menu event, so the test sends the one the platform would."""
    click(qtbot, canvas, target, Qt.MouseButton.RightButton)
    pos = QPoint(5, 5) if target is None else view_pos(canvas, target)
    reason = QContextMenuEvent.Reason.Mouse
    event = QContextMenuEvent(reason, pos, canvas.viewport().mapToGlobal(pos))
    QApplication.sendEvent(canvas.viewport(), event)
    qtbot.waitUntil(lambda: len(menus) > 0)
    return menus.pop()


def build_2_3_1(qtbot, window, menus) -> None:
    """New network (1-1) to 2-3-1 with the toolbar and the context menu."""
    canvas, actions = window.canvas, window.structure_actions
    click(qtbot, canvas, Target(0, 0))
    press_toolbar(qtbot, window, actions.add_neuron)  # input layer: 2 neurons
    assert window.document.sizes == (2, 1)
    menu = right_click_menu(qtbot, canvas, menus, None)  # empty space
    assert canvas.selection() is None
    menu_action(menu, "Add Hidden Layer").trigger()  # before the output, as wide as the input
    assert window.document.sizes == (2, 2, 1)
    menu = right_click_menu(qtbot, canvas, menus, Target(1, 1))
    assert canvas.selected_neuron() == (1, 1)
    menu_action(menu, "Add Neuron").trigger()
    assert window.document.sizes == (2, 3, 1)


# building --------------------------------------------------------------------------------
def test_toolbar_and_context_menu_build_a_2_3_1_network_from_new(window, qtbot, menus):
    """Add Neuron (toolbar), Add Hidden Layer and Add Neuron (context menu) give 2-3-1."""
    build_2_3_1(qtbot, window, menus)
    assert window.document.sizes == (2, 3, 1)
    assert sorted(window.canvas.neurons) == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 0)]
    assert len(window.canvas.edges) == 2 * 3 + 3 * 1
    assert window.errors == []


def test_toolbar_adds_layers_before_and_after_the_selection(window, qtbot):
    """Add Layer After/Before insert next to the selected layer and select the new one."""
    canvas, actions = window.canvas, window.structure_actions
    press_toolbar(qtbot, window, actions.add_layer_before)  # nothing selected: before output
    assert window.document.sizes == (1, 1, 1)
    assert canvas.selection() == Target(1)
    window.push(AddNeuron(1))
    press_toolbar(qtbot, window, actions.add_layer_after)  # after hidden layer 1 (2 neurons)
    assert window.document.sizes == (1, 2, 2, 1)
    assert canvas.selected_layer() == 2
    click(qtbot, canvas, Target(0, 0))
    press_toolbar(qtbot, window, actions.add_layer_after)  # after the input layer
    assert window.document.sizes == (1, 1, 2, 2, 1)


def test_remove_layer_is_offered_only_for_hidden_layers(window, qtbot):
    """Remove Layer is disabled (saying why) for the input and output layers."""
    canvas, actions = window.canvas, window.structure_actions
    press_toolbar(qtbot, window, actions.add_layer_before)
    for layer, enabled in ((0, False), (1, True), (2, False)):
        click(qtbot, canvas, Target(layer, 0))
        assert actions.remove_layer.isEnabled() is enabled, layer
        assert ("Not possible now" in actions.remove_layer.toolTip()) is not enabled
    click(qtbot, canvas, Target(1, 0))
    press_toolbar(qtbot, window, actions.remove_layer)
    assert window.document.sizes == (1, 1)
    assert canvas.selection() is None


def test_remove_neuron_keeps_a_layer_and_selects_the_layer(window, qtbot):
    """Remove Neuron works on a selected neuron, never empties a layer, then selects its layer."""
    canvas, actions = window.canvas, window.structure_actions
    click(qtbot, canvas, Target(0, 0))
    assert not actions.remove_neuron.isEnabled()  # the layer's only neuron
    press_toolbar(qtbot, window, actions.add_neuron)
    click(qtbot, canvas, Target(0, 0))
    press_toolbar(qtbot, window, actions.remove_neuron)
    assert window.document.sizes == (1, 1)
    assert canvas.selection() == Target(0)


def test_structure_changes_keep_the_weights_that_still_apply(window, qtbot):
    """Adding a neuron to another layer leaves a typed weight and every old weight exact."""
    window.files.open_path(SEED3)
    canvas, actions = window.canvas, window.structure_actions
    type_value(qtbot, double_click(qtbot, canvas, Target(2, 0, 1)), "0.75")
    before = [np.copy(layer.weights) for layer in window.document.layers[1:]]
    click(qtbot, canvas, Target(1, 0))
    press_toolbar(qtbot, window, actions.add_neuron)  # hidden layer: 2 -> 3 neurons
    assert window.document.sizes == (1, 3, 1)
    w1, w2 = (layer.weights for layer in window.document.layers[1:])
    assert w2[0, 1] == 0.75
    assert np.array_equal(w1[:2], before[0]) and np.array_equal(w2[:, :2], before[1])


# typing values ---------------------------------------------------------------------------
def test_typed_weight_is_set_exactly_and_shown_exactly(window, qtbot):
    """Double-click an edge, type 0.25, Enter: the document holds 0.25, the hover says so."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    editor = double_click(qtbot, canvas, Target(1, 1, 0))
    assert editor.text() == "0.5"  # the exact current value
    type_value(qtbot, editor, "0.25")
    assert window.document.layers[1].weights[1, 0] == 0.25
    assert canvas.editor is None
    assert canvas.edges[(1, 1, 0)].toolTip().startswith("w⁽¹⁾₂ = 0.25\n")
    assert canvas.net_scene.edge_labels[(1, 1, 0)].text() == "0.25"
    assert window.undo_stack.count() == 1


def test_a_weight_that_needs_17_digits_round_trips(window, qtbot):
    """The editor shows the shortest text that reads back as the value, and typing it back
    changes nothing; 0.1 + 0.2 is kept to the last bit."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    editor = canvas.edit_value("weight", 2, 0, 1)
    type_value(qtbot, editor, "0.30000000000000004")
    assert window.document.layers[2].weights[0, 1] == 0.1 + 0.2
    editor = canvas.edit_value("weight", 2, 0, 1)
    assert editor.text() == "0.30000000000000004"
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # unchanged: no new undo step
    assert window.undo_stack.count() == 1
    assert canvas.edges[(2, 0, 1)].toolTip().startswith("w⁽²⁾₂ = 0.30000000000000004")


def test_typed_bias_through_a_neuron_and_through_its_label(window, qtbot):
    """Double-clicking a neuron or its bias label edits that neuron's bias."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    editor = double_click(qtbot, canvas, Target(1, 1))
    assert editor.text() == "0.2"
    type_value(qtbot, editor, "-1.5")
    assert window.document.layers[1].biases[1] == -1.5
    type_value(qtbot, double_click(qtbot, canvas, Target(2, 0, bias=True)), "1e-3")
    assert window.document.layers[2].biases[0] == 0.001
    assert canvas.biases[(1, 1)].text() == "b = -1.50"
    assert "b⁽¹⁾₂ = -1.5" in canvas.neurons[(1, 1)].toolTip()
    assert canvas.biases[(2, 0)].toolTip().startswith("b⁽²⁾₁ = 0.001")


def test_the_input_layer_has_no_value_to_edit(window, qtbot):
    """Double-clicking an input neuron selects it and opens nothing; edit_value refuses."""
    canvas = window.canvas
    qtbot.mouseDClick(
        canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_pos(canvas, Target(0, 0))
    )
    assert canvas.editor is None and canvas.selected_neuron() == (0, 0)
    with pytest.raises(ValueError):
        canvas.edit_value("bias", 0, 0)
    with pytest.raises(ValueError):
        canvas.edit_value("weight", 1, 0)  # a weight needs its source neuron


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1e400", "", "0.5.1"])
def test_text_that_is_not_a_finite_number_is_refused(window, qtbot, text):
    """The editor stays open with a message; the document and the undo stack are unchanged."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    before = window.document.copy()
    editor = double_click(qtbot, canvas, Target(1, 0, 0))
    type_value(qtbot, editor, text)
    assert canvas.editor is editor and editor.isVisible()
    assert editor.message.isVisible() and editor.message.text() == NOT_A_NUMBER
    assert window.document == before and window.undo_stack.count() == 0
    type_value(qtbot, editor, "0.125")  # then a number is still taken
    assert window.document.layers[1].weights[0, 0] == 0.125


def test_escape_cancels_the_editor(window, qtbot):
    """Escape closes the editor and leaves the value as it was."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    editor = double_click(qtbot, canvas, Target(1, 0, 0))
    qtbot.keyClicks(editor, "9")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert canvas.editor is None
    assert window.document.layers[1].weights[0, 0] == 0.3
    assert window.undo_stack.count() == 0


def test_f2_and_enter_edit_the_selection(window, qtbot):
    """With the canvas focused, F2 (Edit Value) or Enter opens the editor on the selection."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    click(qtbot, canvas, Target(1, 0, 0))
    qtbot.keyClick(canvas, Qt.Key.Key_F2)
    assert canvas.editor is not None and canvas.editor.text() == "0.3"
    qtbot.keyClick(canvas.editor, Qt.Key.Key_Escape)
    click(qtbot, canvas, Target(2, 0))
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert canvas.editor is not None and canvas.editor.text() == "0.4"  # the output bias


def test_hover_shows_the_exact_value_and_follows_edits(window, qtbot):
    """A tooltip event over an edge shows its exact weight, and the new one after an edit."""
    window.files.open_path(SEED3)
    canvas = window.canvas

    def hover(target: Target) -> str:
        pos = view_pos(canvas, target)
        event = QHelpEvent(QEvent.Type.ToolTip, pos, canvas.viewport().mapToGlobal(pos))
        canvas.viewportEvent(event)
        return QToolTip.text()

    assert hover(Target(2, 0, 0)).startswith("w⁽²⁾₁ = 0.2\n")
    window.push(SetWeight(2, 0, 0, 0.1 + 0.7))
    assert hover(Target(2, 0, 0)).startswith("w⁽²⁾₁ = 0.7999999999999999\n")
    assert hover(Target(1, 1)).startswith("a⁽²⁾₂: neuron 2 of hidden layer 1 (sigmoid)")
    QToolTip.hideText()


# activations, re-draw and reset ----------------------------------------------------------
def test_activation_menu_sets_the_selected_layers_activation(window, qtbot):
    """Network ▸ Activation ▸ tanh sets it; the current one is checked; softmax only last."""
    canvas, actions = window.canvas, window.structure_actions
    press_toolbar(qtbot, window, actions.add_layer_before)  # 1-1-1, hidden layer selected
    menu = actions.menu
    assert menu_action(menu, "softmax").isEnabled() is False
    assert menu_action(menu, "sigmoid").isChecked()
    menu_action(menu, "tanh").trigger()
    assert window.document.layers[1].activation == "tanh"
    assert menu_action(menu, "tanh").isChecked()
    assert canvas.net_scene.headers[1].text() == "hidden layer 1 · tanh"
    click(qtbot, canvas, Target(2, 0))
    assert menu_action(menu, "softmax").isEnabled()
    menu_action(menu, "relu").trigger()
    assert window.document.activation_names == ("tanh", "relu")
    click(qtbot, canvas, Target(0, 0))
    assert not actions.activation_menu.isEnabled()  # the input layer has none


def test_redraw_then_reset_gives_back_the_opened_weights(window, qtbot):
    """Re-draw changes every weight; Reset puts back the file's weights and biases exactly,
    and is disabled once the layer sizes differ from the file's."""
    window.files.open_path(SEED3)
    opened = window.document.copy()
    actions = window.structure_actions
    assert not actions.reset_weights.isEnabled()  # nothing to reset yet
    type_value(qtbot, window.canvas.edit_value("bias", 1, 0), "3")
    press_toolbar(qtbot, window, actions.redraw_weights)
    assert not np.array_equal(window.document.layers[1].weights, opened.layers[1].weights)
    press_toolbar(qtbot, window, actions.reset_weights)
    assert window.document == opened
    window.push(AddNeuron(1))
    assert not actions.reset_weights.isEnabled()


# undo ------------------------------------------------------------------------------------
def test_undo_everything_then_redo_everything_is_exact(window, qtbot, menus):
    """After building, typing and choosing activations, undoing every step gives the new
    network back exactly, and redoing every step gives the end state exactly."""
    start = window.document.copy()
    build_2_3_1(qtbot, window, menus)
    canvas = window.canvas
    type_value(qtbot, double_click(qtbot, canvas, Target(1, 2, 1)), "0.25")
    type_value(qtbot, double_click(qtbot, canvas, Target(2, 0, 2)), "-3.5")
    type_value(qtbot, double_click(qtbot, canvas, Target(1, 0)), "0.1")
    click(qtbot, canvas, Target(1, 0))
    menu_action(window.structure_actions.menu, "relu").trigger()
    end = window.document.copy()
    assert end.layers[1].weights[2, 1] == 0.25 and end.layers[2].weights[0, 2] == -3.5
    steps = window.undo_stack.count()
    assert steps == 7
    undo = next(a for a in window.edit_menu.actions() if a.text().startswith("&Undo"))
    for _ in range(steps):
        undo.trigger()
    assert window.document == start
    while window.undo_stack.canRedo():
        window.undo_stack.redo()
    assert window.document == end
    assert canvas.edges[(1, 2, 1)].toolTip().startswith("w⁽¹⁾₃₂ = 0.25")


# selection, keyboard and redraws ---------------------------------------------------------
def test_clicks_select_neurons_edges_layers_and_empty_space_clears(window, qtbot):
    """A neuron selects it and its layer, an edge the edge, a header the layer; empty space
    clears; each change emits selection_changed once."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    with qtbot.waitSignal(canvas.selection_changed):
        click(qtbot, canvas, Target(1, 1))
    assert (canvas.selected_neuron(), canvas.selected_layer()) == ((1, 1), 1)
    assert canvas.neurons[(1, 1)].pen().color() == theme.current().highlight
    click(qtbot, canvas, Target(2, 0, 1))
    assert canvas.selected_edge() == (2, 0, 1) and canvas.selected_neuron() is None
    click(qtbot, canvas, Target(2))
    assert canvas.selection() == Target(2)
    with qtbot.waitSignal(canvas.selection_changed):
        click(qtbot, canvas, None)
    assert canvas.selection() is None


def test_dragging_empty_space_pans_the_view(window, qtbot):
    """A left drag on empty space scrolls the view (hand drag) when it is zoomed in."""
    window.files.open_path(SPIRAL)
    canvas = window.canvas
    for _ in range(4):
        canvas.zoom_in()
    bar = canvas.horizontalScrollBar()
    before = bar.value()
    start = QPoint(canvas.viewport().width() // 2, 8)
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas.viewport(), start + QPoint(-60, 0))
    qtbot.mouseMove(canvas.viewport(), start + QPoint(-120, 0))
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(-120, 0))
    assert bar.value() != before


def test_keyboard_shortcuts_work_while_the_canvas_has_focus(window, qtbot):
    """Ctrl+L adds a layer, Ctrl+Shift+N a neuron, Delete removes the selected neuron,
    Ctrl+Shift+Backspace the selected layer; Ctrl++ zooms in and Ctrl+0 fits."""
    canvas = window.canvas
    click(qtbot, canvas, Target(0, 0))
    assert canvas.hasFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.document.sizes == (1, 1, 1)
    qtbot.keyClick(
        canvas,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.document.sizes == (1, 2, 1)
    assert canvas.selected_neuron() == (1, 1)
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert window.document.sizes == (1, 1, 1)
    assert canvas.selection() == Target(1)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace, ctrl_shift)
    assert window.document.sizes == (1, 1)
    zoom = canvas.transform().m11()
    qtbot.keyClick(canvas, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert canvas.transform().m11() > zoom
    qtbot.keyClick(canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.transform().m11() == pytest.approx(zoom)


def test_a_value_edit_updates_one_edge_and_a_structure_edit_redraws(window, qtbot):
    """SetWeight restyles its edge in place (no redraw); AddNeuron redraws and keeps the
    selected neuron selected."""
    window.files.open_path(SEED3)
    canvas = window.canvas
    click(qtbot, canvas, Target(1, 1))
    neuron = canvas.neurons[(1, 1)]
    width = canvas.edges[(1, 0, 0)].pen().widthF()
    redraws = []
    canvas.redrawn.connect(lambda: redraws.append(1))
    window.push(SetWeight(1, 0, 0, -0.5))
    assert redraws == [] and canvas.neurons[(1, 1)] is neuron
    pen = canvas.edges[(1, 0, 0)].pen()
    assert pen.widthF() > width
    assert pen.color() == canvas.net_scene.bundles[1].style.negative
    window.push(AddNeuron(0))
    assert redraws == [1]
    assert canvas.selected_neuron() == (1, 1)


def test_a_32_neuron_layer_has_no_overlapping_neurons_or_labels(window, qtbot):
    """Neurons and bias labels of a tall layer stay apart; symbols fit inside circles."""
    for _ in range(31):
        window.push(AddNeuron(1))
    canvas = window.canvas
    rects = []
    for j in range(32):
        neuron = canvas.neurons[(1, j)]
        circle = neuron.sceneBoundingRect()
        assert circle.contains(neuron.label.sceneBoundingRect().center())
        assert neuron.label.sceneBoundingRect().width() <= circle.width()
        rects += [circle, canvas.biases[(1, j)].sceneBoundingRect()]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersected(b).isValid() or a.intersected(b).isEmpty(), (a, b)


def test_network_menu_and_toolbar_have_tooltips_and_shortcuts(window):
    """The Network menu sits before View; every action explains itself in a tooltip."""
    actions = window.structure_actions
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Network") == titles.index("&View") - 1
    assert window.findChild(type(actions.toolbar), "network_toolbar") is actions.toolbar
    for action in actions.menu.actions():
        if not action.isSeparator():
            assert action.toolTip(), action.text()
    assert actions.add_layer_after.shortcut().toString() == "Ctrl+L"
    assert actions.remove_neuron.shortcut().toString() == "Del"


def test_a_dark_palette_redraws_the_canvas_in_dark_colours(window, qtbot):
    """Switching the application to a dark palette redraws with the dark theme."""
    app = QApplication.instance()
    light = app.palette()
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(
            lambda: window.canvas.scene().backgroundBrush().color() == QColor("#202124")
        )
        assert window.canvas.neurons[(1, 0)].brush().color() == theme.current().neuron_fill
        assert theme.current().dark
    finally:
        app.setPalette(light)
