"""The computational graph tab: it follows the lesson as Next is pressed (the nodes each
micro-step computes framed, only the values computed so far written), hides the current
value in Check yourself, stays legible at every step (no text touches another, a record it
is not in, or an edge; values at 13 px or more, 1.6 times larger in presentation), shows the
active neuron's subgraph for a large network, and `--show graph` screenshots it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtWidgets import QGraphicsPathItem
from seed_tables import EXAMPLE_3_GRAPH_STEPS
from test_lesson_legibility import segment_hits, text_rect

from bpstudio.document.edits import SetWeight
from bpstudio.maths.formula import format_number
from bpstudio.resources import examples_dir
from bpstudio.ui.graph_scene import VALUE_PX, GraphScene
from bpstudio.ui.graph_view import PRESENTATION_ZOOM, READABLE_PX

LESSONS = ("seed-1-one-neuron", "seed-2-two-neurons", "seed-3-hidden-layer", "xor")


def _graph_tab(window, name: str):
    assert window.files.open_path(examples_dir() / f"{name}.bpnet")
    graph_action = next(a for a in window.view_menu.actions() if "Computational" in a.text())
    graph_action.trigger()
    assert window.views.currentWidget() is window.graph_view
    return window.graph_view


def test_next_frames_the_nodes_each_step_of_example_3_computes(qtbot, main_window):
    """Pressing Next through Example 3's training step: the framed nodes are the ones the
    step computes (the hand-written table), and the step's value is written."""
    window = main_window()
    view = _graph_tab(window, "seed-3-hidden-layer")
    scene = view.graph_scene
    assert "value 0.4500" not in scene.labels and "value 0.5000" in scene.labels  # x is given
    for index, (kind, nodes) in enumerate(EXAMPLE_3_GRAPH_STEPS):
        if index:
            window.lesson.actions["next"].trigger()
        step = window.lesson.walk.current
        assert (step.index, step.kind) == (index, kind)
        assert set(scene.framed) == nodes, (index, step.key)
        number = format_number(step.value, 4)
        if kind in ("z", "a", "loss"):
            assert f"value {number}" in scene.labels
        elif kind in ("delta", "grad_w", "grad_b"):
            assert f"grad {number}" in scene.labels
        else:
            assert f"new {number}" in scene.labels
    assert "grad -0.1781" in scene.labels  # δ of the output, on the product and the sum
    assert "new 0.4178" in scene.labels
    window.lesson.actions["prev"].trigger()
    assert "new 0.4178" not in scene.labels  # Back takes the update back


def _seen(scene) -> list[tuple]:
    """What the scene shows: each written text with its place and colour, each framed node,
    each record's fill and tooltip."""
    texts = [(t.toPlainText(), t.pos().toTuple(), t.defaultTextColor().name()) for t in scene.texts]
    records = [(n, r.brush().color().name(), r.toolTip()) for n, r in scene.records.items()]
    return sorted(texts) + [tuple(scene.framed)] + records


def test_stepping_updates_the_items_in_place_as_a_rebuild_would_draw_them(qtbot, main_window):
    """Next, Back, phases, Check yourself and an edit of a weight: the same items stay (no
    rebuild within a training step), and they show what a scene built afresh shows."""
    window = main_window()
    view = _graph_tab(window, "seed-3-hidden-layer")
    scene = view.graph_scene
    record = scene.records["act2.0"]
    fresh = GraphScene()
    moves = ["next"] * 12 + ["prev"] * 3 + ["next_phase", "prev_phase", "prev_phase", "finish"]
    for move in moves:
        window.lesson.actions[move].trigger()
        assert scene.records["act2.0"] is record
        fresh.rebuild(view.graph, view.shown)
        assert _seen(scene) == _seen(fresh), move
    window.lesson.panel.set_quiz(True)  # the current value hidden, then shown when answered
    window.lesson.actions["next"].trigger()
    window.lesson.panel.quiz.check(format_number(window.lesson.walk.current.value, 4))
    window.push(SetWeight(2, 0, 0, 0.7))
    for _ in range(2):
        fresh.rebuild(view.graph, view.shown)
        assert _seen(scene) == _seen(fresh)
        window.lesson.panel.set_quiz(False)


def test_check_yourself_hides_the_current_value_until_it_is_answered(qtbot, main_window):
    window = main_window()
    view = _graph_tab(window, "seed-2-two-neurons")
    window.lesson.panel.set_quiz(True)
    window.lesson.jump(1)  # a⁽²⁾₁
    assert view.graph_scene.framed == ["act1.0"]
    assert window.lesson.panel.result_text() == "?"
    assert "value 0.5622" not in view.graph_scene.labels
    window.lesson.panel.quiz.check("0.5622")
    assert "value 0.5622" in view.graph_scene.labels


def _segments(scene) -> list[QLineF]:
    lines = []
    for item in scene.items():
        if isinstance(item, QGraphicsPathItem):
            for polygon in item.path().toSubpathPolygons():
                points = [polygon[i] for i in range(polygon.size())]
                lines += [QLineF(a, b) for a, b in zip(points, points[1:], strict=False)]
    return lines


def collisions(scene) -> list[str]:
    """Texts that touch another text, a record they are not inside, or an edge."""
    texts = [(item.toPlainText(), text_rect(item)) for item in scene.texts]
    records = [r.sceneBoundingRect() for r in scene.records.values()]
    lines = _segments(scene)
    found = []
    for i, (text, rect) in enumerate(texts):
        found += [f"{text!r} covers {o!r}" for o, other in texts[i + 1 :] if rect.intersects(other)]
        for record in records:
            if record.intersects(rect) and not record.contains(rect):
                found.append(f"{text!r} sticks out of a record")
        found += [f"{text!r} is crossed by {line}" for line in lines if segment_hits(line, rect)]
    return found


@pytest.mark.parametrize("name", LESSONS)
def test_no_text_touches_anything_and_values_stay_readable_at_every_step(qtbot, main_window, name):
    window = main_window()
    view = _graph_tab(window, name)
    walk = window.lesson.walk
    for index in range(len(walk.sequence) + 1):
        window.lesson.jump(index)
        problems = collisions(view.graph_scene)
        assert not problems, (name, index, problems[:5])
        assert VALUE_PX * view.transform().m11() >= READABLE_PX - 1e-9
        focus = view.focus_rect()
        if focus is not None:  # the current step's nodes are in view
            shown = view.mapToScene(view.viewport().rect()).boundingRect()
            assert shown.intersects(focus), (name, index)


def test_presentation_draws_the_graph_1_6_times_as_large(qtbot, main_window):
    window = main_window()
    view = _graph_tab(window, "seed-3-hidden-layer")
    window.lesson.jump(12)
    normal = view.transform().m11()
    window.presentation.enter(full_screen=False)
    qtbot.waitUntil(lambda: view.transform().m11() >= PRESENTATION_ZOOM * normal - 1e-9)
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.intersects(view.focus_rect())
    window.presentation.leave()
    qtbot.waitUntil(lambda: view.transform().m11() == pytest.approx(normal))


def test_a_large_network_shows_the_active_neuron(qtbot, main_window):
    """Spiral (105 parameters): the graph of the step's neuron only, its 8 inputs feeding
    8 products into its sum."""
    window = main_window()
    view = _graph_tab(window, "spiral")
    step = next(s for s in window.lesson.walk.sequence if (s.kind, s.layer) == ("z", 2))
    window.lesson.jump(step.index)
    records = set(view.graph_scene.records)
    assert {f"mul2.{step.neuron}.{k}" for k in range(8)} <= records
    assert {f"act1.{k}" for k in range(8)} <= records
    assert not any(r.startswith("mul1.") or r.startswith("sum3") for r in records)
    assert set(view.graph_scene.framed) == {f"mul2.{step.neuron}.{k}" for k in range(8)} | {
        f"sum2.{step.neuron}"
    }


def test_screenshot_shows_the_graph(tmp_path):
    out = tmp_path / "graph.png"
    example = examples_dir() / "seed-3-hidden-layer.bpnet"
    command = [sys.executable, "-m", "bpstudio", str(example), "--screenshot", str(out)]
    done = subprocess.run(
        [*command, "--step", "7", "--show", "graph"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\x89PNG")
    wrong = subprocess.run([*command, "--show", "nothing"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "invalid choice: 'nothing'" in wrong.stderr


def test_the_record_of_a_leaf_holds_its_update(qtbot, main_window):
    """After the update, w⁽²⁾₁'s record holds its old and its new value, as `trace` gives
    them."""
    window = main_window()
    view = _graph_tab(window, "seed-2-two-neurons")
    window.lesson.jump(len(window.lesson.walk.sequence) - 1)
    rect: QRectF = view.graph_scene.records["w2.0.0"].sceneBoundingRect()
    for text in ("value 0.2000", "new 0.2115"):
        assert rect.contains(view.graph_scene.labels[text].sceneBoundingRect())


def test_decimals_tooltips_and_keys_follow_the_lesson(qtbot, main_window):
    """The panel's decimals rewrite the graph; a record's tooltip gives the exact value and
    gradient once computed, and nothing in Check yourself before the answer; the plain
    lesson keys work while the graph has focus."""
    window = main_window()
    view = _graph_tab(window, "seed-2-two-neurons")
    window.lesson.jump(5)  # δ⁽³⁾₁
    assert "grad -0.2049" in view.graph_scene.labels
    window.lesson.panel.set_decimals(2)
    assert "grad -0.20" in view.graph_scene.labels and "grad -0.2049" not in view.graph_scene.labels
    tip = view.graph_scene.records["sum2.0"].toolTip()
    assert "z⁽³⁾₁ = 0.51243530017" in tip and "∂L/∂z⁽³⁾₁ = -0.20490712103" in tip
    window.lesson.panel.set_quiz(True)
    window.lesson.jump(3)  # ŷ, asked
    assert "0.6253" not in view.graph_scene.records["act2.0"].toolTip()
    assert window.lesson.actions["next"] in view.actions()
