"""The lesson canvas stays legible at every micro-step: measured from the scene's geometry,
no value's text touches another label, a neuron, an edge or an arrow; the current step's
value is on the canvas (except while Check yourself hides it); a batch's share of a
gradient is told apart from the combined gradient; dense networks show one neuron's
values on a card; presentation mode draws the canvas larger."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsEllipseItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
)

from bpstudio.maths.formula import format_number
from bpstudio.resources import examples_dir
from bpstudio.ui import theme
from bpstudio.ui.canvas.items import Target
from bpstudio.ui.canvas.network_canvas import FIT_MARGIN, READABLE_VALUE_PX

LESSONS = ("seed-1-one-neuron", "seed-2-two-neurons", "seed-3-hidden-layer", "xor")
INSET = 1.0  # a text's box, less this much on every side, must touch nothing


def text_rect(item) -> QRectF:
    return item.sceneBoundingRect().adjusted(INSET, INSET, -INSET, -INSET)


def segment_hits(line: QLineF, rect: QRectF) -> bool:
    """Whether the segment `line` passes through `rect` (Liang–Barsky clipping)."""
    x0, y0, dx, dy = line.x1(), line.y1(), line.dx(), line.dy()
    low, high = 0.0, 1.0
    for p, q in (
        (-dx, x0 - rect.left()),
        (dx, rect.right() - x0),
        (-dy, y0 - rect.top()),
        (dy, rect.bottom() - y0),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def circle_hits(centre: QPointF, radius: float, rect: QRectF) -> bool:
    nearest_x = min(max(centre.x(), rect.left()), rect.right())
    nearest_y = min(max(centre.y(), rect.top()), rect.bottom())
    return math.hypot(centre.x() - nearest_x, centre.y() - nearest_y) < radius


def drawn_lines(window) -> list[QLineF]:
    """Every edge and tail of the canvas, and the overlay's highlight lines and arrows."""
    lines = []
    for bundle in window.canvas.net_scene.bundles.values():
        lines += bundle.drawn()
    for item in window.overlay.group.childItems():
        if isinstance(item, QGraphicsLineItem):
            lines.append(item.line())
        elif isinstance(item, QGraphicsPathItem | QGraphicsPolygonItem):
            polygon = (
                item.path().toFillPolygon()
                if isinstance(item, QGraphicsPathItem)
                else item.polygon()
            )
            points = [polygon[i] for i in range(polygon.size())]
            lines += [QLineF(a, b) for a, b in zip(points, points[1:], strict=False)]
    return lines


def rings(window) -> list[tuple[QPointF, float]]:
    """The highlight rings, as circles with their stroke's outer radius."""
    found = []
    for item in window.overlay.group.childItems():
        if isinstance(item, QGraphicsEllipseItem):
            rect = item.rect()
            found.append((rect.center(), rect.width() / 2 + item.pen().widthF() / 2))
    return found


def value_texts(window) -> list[tuple[str, QRectF]]:
    """The overlay's values and the canvas's weight and bias labels that are shown."""
    found = [(text, text_rect(item)) for text, item in window.overlay.labels.items()]
    network = window.canvas.net_scene
    for label in [*network.edge_labels.values(), *network.biases.values()]:
        if label.isVisible():
            found.append((label.text(), text_rect(label)))
    return found


def collisions(window) -> list[str]:
    """Every pair of things that touch, as words."""
    texts = value_texts(window)
    network = window.canvas.net_scene
    others = [(label.text(), text_rect(label)) for label in network.headers.values()]
    neurons = [(n.centre, n.radius) for n in network.neurons.values()]
    lines = drawn_lines(window)
    found = []
    for i, (text, rect) in enumerate(texts):
        for other, other_rect in texts[i + 1 :] + others:
            if rect.intersects(other_rect):
                found.append(f"{text!r} covers {other!r}")
        for centre, radius in neurons + rings(window):
            if circle_hits(centre, radius, rect):
                found.append(f"{text!r} covers a neuron or ring at {centre}")
        for line in lines:
            if segment_hits(line, rect):
                found.append(f"{text!r} is crossed by a line {line}")
    return found


@pytest.mark.parametrize("name", LESSONS)
def test_no_value_touches_anything_and_the_current_value_shows_at_every_step(
    qtbot, main_window, name
):
    """Every micro-step of the training step of Examples 1, 2, 3 and XOR, at the panel's
    default 4 decimals: nothing any value is written with touches another label, a neuron,
    an edge, a tail, an arrow or a ring; the current step's value is on the canvas, marked."""
    window = main_window()
    assert window.files.open_path(examples_dir() / f"{name}.bpnet")
    walk = window.lesson.walk
    assert window.canvas.lesson_layout()
    for index in range(len(walk.sequence) + 1):
        window.lesson.jump(index)
        problems = collisions(window)
        assert not problems, (name, index, problems[:5])
        step = walk.current
        if step is None:
            assert window.overlay.current is None
            continue
        shown = window.overlay.current
        assert shown is not None, (name, index)
        number = format_number(step.value, 4)
        assert shown.toPlainText().endswith(number), (name, index, shown.toPlainText())


def test_check_yourself_hides_the_current_value_until_it_is_answered(qtbot, main_window):
    """While `a⁽²⁾₁ = ?` is asked, the canvas does not show 0.5622; after the right answer
    it does, marked as the current value."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")
    window.lesson.panel.set_quiz(True)
    window.lesson.jump(1)  # a⁽²⁾₁
    assert window.lesson.panel.result_text() == "?"
    assert "a = 0.5622" not in window.overlay.labels
    assert window.overlay.current is None
    window.lesson.panel.quiz.check("0.5622")
    assert "a = 0.5622" in window.overlay.labels
    assert window.overlay.current is window.overlay.labels["a = 0.5622"]


def test_a_sample_s_share_and_the_combined_gradient_are_named_apart(qtbot, main_window):
    """XOR walks sample 1 of 4: in the backward pass the edge's block holds the share
    ∂L^[1]/∂w; after combining, the same room holds ∂L/∂w, the batch's gradient, and the
    share is no longer written over it."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    walk = window.lesson.walk
    seq = walk.sequence
    share = next(i for i, s in enumerate(seq) if s.kind == "grad_w" and s.sample == 0)
    window.lesson.jump(share)
    step = seq[share]
    text = f"∂L[1]/∂w = {format_number(step.value, 4)}"
    assert window.overlay.labels[text] is window.overlay.current
    room = window.overlay.labels[text].pos()
    combined = next(
        i
        for i, s in enumerate(seq)
        if s.kind == "grad_w" and s.sample is None and s.key[1:4] == step.key[1:4]
    )
    window.lesson.jump(combined + 1)
    in_room = [t for t, item in window.overlay.labels.items() if item.pos() == room]
    assert in_room == [f"∂L/∂w = {format_number(seq[combined].value, 4)}"]


def test_loss_symbols_are_written_as_in_the_derivation(qtbot, main_window):
    """The canvas writes a sample's loss with a superscript [1], as the panel does, never
    as plain `L^[1]`."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    seq = window.lesson.walk.sequence
    whole = next(i for i, s in enumerate(seq) if s.kind == "loss" and s.sample is None)
    window.lesson.jump(whole + 1)
    item = next(i for t, i in window.overlay.labels.items() if t.startswith("L[1] = "))
    html = item.toHtml()
    assert "vertical-align:super" in html and "[1]" in html
    assert not any("^" in text for text in window.overlay.labels)


def test_a_dense_network_shows_one_neuron_s_values_on_a_card_that_touches_nothing(
    qtbot, main_window
):
    """Spiral (2-8-8-1) is too dense for a room per value: the card beside the network holds
    the active neuron's values, with the activations that feed it, and touches no neuron,
    edge or label; a click on another neuron puts that one on the card, and hovering over
    a neuron lists what the lesson has computed for it."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "spiral.bpnet")
    assert not window.canvas.lesson_layout()
    walk = window.lesson.walk
    seq = walk.sequence
    index = next(i for i, s in enumerate(seq) if s.kind == "z" and s.layer == 2 and s.neuron == 4)
    window.lesson.jump(index)
    labels = window.overlay.labels
    z = format_number(seq[index].value, 4)
    assert window.overlay.current is labels[f"z = {z}"]
    feeding = [s for s in seq[:index] if s.kind == "a" and s.layer == 1]
    assert len(feeding) == 8
    for step in feeding:  # a⁽²⁾ₖ = …, on the line of the weight that carries it
        assert any(f"= {format_number(step.value, 4)}" in text for text in labels), step
    drawn = window.canvas.net_scene.root.childrenBoundingRect()
    rects = [text_rect(item) for item in labels.values()]
    for i, rect in enumerate(rects):
        assert not rect.intersects(drawn)
        assert not any(rect.intersects(other) for other in rects[i + 1 :])
    canvas = window.canvas
    pos = canvas.mapFromScene(canvas.scene_point(Target(1, 2)))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    a = next(s for s in seq[:index] if s.kind == "a" and s.layer == 1 and s.neuron == 2)
    assert f"a = {format_number(a.value, 4)}" in window.overlay.labels
    assert f"z = {z}" not in window.overlay.labels
    tip = canvas.tooltip_text(Target(2, 4))
    assert f"z⁽³⁾₅ = {format_number(seq[index].value, 4)}" in tip
    window.lesson.jump(index - 1)  # before z⁽³⁾₅: the tooltip does not tell it
    assert "z⁽³⁾₅" not in canvas.tooltip_text(Target(2, 4))


def test_presentation_draws_every_value_at_least_1_6_times_as_large(qtbot, main_window):
    """The same window, in presentation mode, draws the canvas's values at least 1.6 times
    the size normal mode draws them, and keeps the current value in view."""
    window = main_window()
    assert window.files.open_path(examples_dir() / "seed-3-hidden-layer.bpnet")
    window.lesson.jump(12)
    normal = window.canvas.transform().m11()
    window.presentation.enter(full_screen=False)
    qtbot.waitUntil(lambda: window.canvas.transform().m11() >= 1.6 * normal - 1e-9)
    current = window.overlay.current.sceneBoundingRect()
    shown = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert shown.contains(current)
    window.presentation.leave()
    qtbot.waitUntil(lambda: window.canvas.transform().m11() == pytest.approx(normal))


def _value_px(window) -> float:
    """How tall the lesson's values are on screen, in pixels."""
    return window.canvas.value_font().pixelSize() * window.canvas.transform().m11()


def test_at_1280_by_800_example_3_fits_whole_with_readable_values(qtbot, main_window):
    """The default window: the whole network at READABLE_VALUE_PX or more, no scroll bar."""
    window = main_window()
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    assert window.files.open_path(examples_dir() / "seed-3-hidden-layer.bpnet")
    window.lesson.jump(20)
    canvas = window.canvas

    def whole_in_view() -> bool:
        view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
        return view.contains(canvas.sceneRect())

    qtbot.waitUntil(whole_in_view)  # once the window's layout has settled
    assert _value_px(window) >= READABLE_VALUE_PX
    assert not canvas.horizontalScrollBar().isVisible()


def test_the_lesson_layout_keeps_its_values_readable_in_a_small_window(qtbot, main_window):
    """Example 3 fitted into a 1024-pixel window would draw its values 9 px tall. They stay
    at least READABLE_VALUE_PX (the smallest size OCR read back at every step): the view
    then opens on the inputs, and the current value is in view at every step, scrolled to
    if need be. A zoom of the user's own is kept, however small."""
    window = main_window()
    window.resize(1024, 768)
    assert window.files.open_path(examples_dir() / "seed-3-hidden-layer.bpnet")
    canvas = window.canvas
    qtbot.waitUntil(lambda: canvas.viewport().width() < 950)
    scene = canvas.sceneRect()
    fitted = (canvas.viewport().width() - 2 * FIT_MARGIN) / scene.width()
    assert fitted * canvas.value_font().pixelSize() < READABLE_VALUE_PX  # the premise
    assert _value_px(window) >= READABLE_VALUE_PX - 1e-9
    view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert view.right() < scene.right()  # scrolled as little as the current value needs:
    assert view.left() - scene.left() < view.width() / 4  # the inputs are in view
    walk = window.lesson.walk
    for index in range(len(walk.sequence) + 1):
        window.lesson.jump(index)
        assert _value_px(window) >= READABLE_VALUE_PX - 1e-9, index
        if window.overlay.current is not None:
            view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
            assert view.contains(window.overlay.current.sceneBoundingRect()), index
    canvas.zoom_out()
    window.lesson.jump(3)
    assert _value_px(window) < READABLE_VALUE_PX
    (fit,) = [a for a in window.findChildren(QAction) if a.shortcut().toString() == "Ctrl+0"]
    fit.trigger()
    assert _value_px(window) == pytest.approx(READABLE_VALUE_PX)


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(c: QColor) -> float:
        channels = [v / 255 for v in (c.red(), c.green(), c.blue())]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("window_colour", [None, "#202124"], ids=["light", "dark"])
def test_the_current_value_s_plate_is_unframed_and_keeps_its_text_s_contrast(
    qtbot, main_window, window_colour
):
    """The highlighted value `b: 0.1000 → 0.1009` (Example 3, step 19) sits on a tinted plate
    with no frame (a frame against the glyphs made OCR lose 20 of Example 3's 24 current
    values at 1920x1080), and its text keeps a contrast of at least 7:1 (WCAG AAA) on it,
    in the light and the dark palette."""
    app = QApplication.instance()
    light = app.palette()
    try:
        if window_colour:
            dark = QPalette(light)
            dark.setColor(QPalette.ColorRole.Window, QColor(window_colour))
            app.setPalette(dark)
        window = main_window()
        assert window.files.open_path(examples_dir() / "seed-3-hidden-layer.bpnet")
        window.lesson.jump(18)
        qtbot.waitUntil(lambda: window.overlay.current is not None)
        current = window.overlay.current
        assert current.toPlainText() == "b: 0.1000 → 0.1009"
        box, marked, plain = window.overlay._plates
        assert box.pen().style() == Qt.PenStyle.NoPen
        assert box.brush().color() == marked.color() != plain.color()
        assert _contrast(current.defaultTextColor(), marked.color()) >= 7
        assert theme.current().dark == bool(window_colour)
    finally:
        app.setPalette(light)
