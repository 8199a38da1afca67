"""Lesson slides: for every bundled example the deck has one slide per step of `bpstudio
steps` and an index equal to its JSON, value by value (counted here without drawing every
slide); a slide is the lesson's canvas at that step; and File ▸ Export ▸ Lesson Slides…
writes them from the window with a progress dialog that can cancel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontInfo, QImage
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QPushButton,
)
from slides_index import index_entries, png_size

from bpstudio.document.format import load
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.maths.formula import format_number
from bpstudio.resources import examples_dir
from bpstudio.ui.canvas.network_canvas import PRESENTATION_ZOOM
from bpstudio.ui.export_actions import SLIDES_KEY
from bpstudio.ui.slides import SlideDeck, SlideOptions

SMALL = SlideOptions(640, 480)
# (example, --sample): every sample where the lesson walks them all, one of the batch else
EXAMPLES = [
    ("seed-1-one-neuron.bpnet", None),
    ("seed-2-two-neurons.bpnet", None),
    ("seed-3-hidden-layer.bpnet", None),
    ("xor.bpnet", None),
    ("circle.bpnet", None),
    ("three-classes.bpnet", None),
    ("gauss.bpnet", None),
    ("spiral.bpnet", 7),  # 500 samples: more than the lesson walks at once
]


def steps_json(example: str, sample: int | None) -> list[dict]:
    chosen = [] if sample is None else ["--sample", str(sample)]
    path = str(examples_dir() / example)
    out = subprocess.run(
        [sys.executable, "-m", "bpstudio", "steps", path, "--format", "json", *chosen],
        capture_output=True,
        check=True,
        encoding="utf-8",
    ).stdout
    return json.loads(out)


def deck_for(qtbot, example: str, sample: int | None, options=SMALL) -> SlideDeck:
    doc = load(examples_dir() / example)
    batch = len(Walkthrough(doc).batches()[0])
    deck = SlideDeck(doc, list(range(batch)) if sample is None else [sample], options)
    qtbot.addWidget(deck.canvas)
    return deck


def scene_texts(canvas) -> set[str]:
    """Every text on the canvas: its labels and the lesson's values."""
    texts = set()
    for item in canvas.scene().items():
        if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible():
            texts.add(item.text())
        elif isinstance(item, QGraphicsTextItem) and item.isVisible():
            texts.add(item.toPlainText())
    return texts


@pytest.mark.slow
@pytest.mark.parametrize(("example", "sample"), EXAMPLES)
def test_one_slide_per_step_and_the_index_equals_steps_json(qtbot, example, sample):
    deck = deck_for(qtbot, example, sample)
    steps = steps_json(example, sample)
    assert len(deck) == len(steps)
    entries = index_entries(deck.index_markdown())
    assert [e["image"] for e in entries] == [deck.name(i) for i in range(len(steps))]
    for entry, step in zip(entries, steps, strict=True):
        assert (entry["formula"], entry["substituted"]) == (step["formula"], step["substituted"])
        assert entry["value"] == step["value"]
    for index in (0, len(deck) - 1):  # the first and the last slide, drawn
        image = QImage.fromData(deck.render(index), "PNG")
        assert (image.width(), image.height()) == (640, 480)
    deck.close()


def test_a_slide_shows_the_lesson_canvas_at_its_step(qtbot):
    """Slide 6 of Example 3 (its derivation shows ŷ) carries the values of steps 1 to 5 that
    the lesson's canvas shows there, and highlights the output neuron."""
    deck = deck_for(qtbot, "seed-3-hidden-layer.bpnet", None)
    steps = steps_json("seed-3-hidden-layer.bpnet", None)
    first = QImage.fromData(deck.render(0), "PNG")
    sixth = QImage.fromData(deck.render(5), "PNG")
    shown = scene_texts(deck.canvas)
    for kind, step in zip(("z", "a", "z", "a", "z"), steps[:5], strict=True):
        assert f"{kind} = {format_number(step['value'], 4)}" in shown
    assert deck.walk.current.symbol.text() == "ŷ"
    assert first != sixth
    deck.close()


def test_presentation_slides_have_larger_text(qtbot):
    normal = deck_for(qtbot, "seed-2-two-neurons.bpnet", None)
    large = deck_for(qtbot, "seed-2-two-neurons.bpnet", None, SlideOptions(640, 480, "png", True))
    sizes = []
    for deck in (normal, large):
        deck.render(3)
        label = next(item for text, item in deck.overlay.labels.items() if text.startswith("z"))
        sizes.append(label.sceneBoundingRect().height() * deck.canvas.transform().m11())
        deck.close()
    assert sizes[1] >= PRESENTATION_ZOOM * sizes[0] - 1e-9  # drawn on the slide that much larger


# the window's File ▸ Export ▸ Lesson Slides… ------------------------------------------------
@pytest.fixture
def seed3(quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-3-hidden-layer.bpnet")
    return window


def choose_folder(window, monkeypatch, folder) -> list[str]:
    asked = []

    def ask(caption, start):
        asked.append(start)
        return str(folder)

    monkeypatch.setattr(window.exports, "ask_folder", ask)
    return asked


def test_export_menu_writes_the_slides_into_the_chosen_folder(seed3, qtbot, monkeypatch, tmp_path):
    folder = tmp_path / "lecture"
    folder.mkdir()
    asked = choose_folder(seed3, monkeypatch, folder)
    action = seed3.exports.slides_action
    assert action in seed3.exports.menu.actions() and action.toolTip()
    action.trigger()
    job = seed3.exports.slides_job
    assert job.progress.windowModality() == Qt.WindowModality.WindowModal
    assert job.progress.maximum() == 24 + 1
    ticks = []  # the window's own timers keep running while the slides are drawn
    beat = QTimer(seed3, interval=0)
    beat.timeout.connect(
        lambda: ticks.append(job.progress.value()) if seed3.exports.slides_job else None
    )
    beat.start()
    qtbot.waitUntil(lambda: seed3.exports.slides_job is None, timeout=60_000)
    beat.stop()
    assert len(set(ticks)) > 3  # the event loop turned between slides
    slides = [f"step-{k:03d}.png" for k in range(1, 25)]
    assert sorted(os.listdir(folder)) == ["index.md", *slides]
    assert {png_size(folder / n) for n in slides} == {(1280, 800)}
    entries = index_entries((folder / "index.md").read_text(encoding="utf-8"))
    assert [e["value"] for e in entries] == [
        s["value"] for s in steps_json("seed-3-hidden-layer.bpnet", None)
    ]
    assert str(folder) in seed3.statusBar().currentMessage()
    assert "24 lesson slides" in seed3.statusBar().currentMessage()
    assert seed3.settings.value(SLIDES_KEY) == str(folder)
    assert not seed3.errors
    seed3.exports.slides_action.trigger()  # the next export starts in the folder used last
    assert asked[-1] == str(folder)
    qtbot.waitUntil(lambda: seed3.exports.slides_job is None, timeout=60_000)


def test_closing_the_window_stops_the_export(seed3, qtbot, monkeypatch, tmp_path):
    folder = tmp_path / "lecture"
    choose_folder(seed3, monkeypatch, folder)
    seed3.exports.slides_action.trigger()
    job = seed3.exports.slides_job
    qtbot.waitUntil(lambda: job.progress.value() >= 2, timeout=30_000)
    seed3.close()
    assert seed3.exports.slides_job is None
    assert not folder.exists()  # nothing half-written, no temporary folder
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]  # dialog, deck


def test_cancel_leaves_the_folder_as_it_was(seed3, qtbot, monkeypatch, tmp_path):
    folder = tmp_path / "lecture"
    folder.mkdir()
    (folder / "step-001.png").write_bytes(b"an earlier slide")
    choose_folder(seed3, monkeypatch, folder)
    seed3.exports.slides_action.trigger()
    job = seed3.exports.slides_job
    qtbot.waitUntil(lambda: job.progress.value() >= 3, timeout=30_000)
    job.progress.findChild(QPushButton).click()
    assert seed3.exports.slides_job is None
    assert os.listdir(folder) == ["step-001.png"]  # no temporary folder left either
    assert (folder / "step-001.png").read_bytes() == b"an earlier slide"
    assert "cancelled" in seed3.statusBar().currentMessage()
    assert not seed3.errors


@pytest.mark.parametrize("problem", ["a file", "/proc"])
def test_a_folder_that_cannot_take_the_slides_is_reported(
    seed3, qtbot, monkeypatch, tmp_path, problem
):
    folder = tmp_path / "notes.txt" if problem == "a file" else problem
    if problem == "a file":
        folder.write_text("x", encoding="utf-8")
    choose_folder(seed3, monkeypatch, folder)
    seed3.exports.slides_action.trigger()
    qtbot.waitUntil(lambda: seed3.exports.slides_job is None, timeout=30_000)
    assert len(seed3.errors) == 1 and seed3.errors[0].startswith(f"{folder}: ")
    if problem == "a file":
        assert "is not a folder" in seed3.errors[0]


def test_cancelling_the_folder_dialog_does_nothing(seed3, monkeypatch):
    monkeypatch.setattr(seed3.exports, "ask_folder", lambda caption, start: "")
    assert not seed3.exports.export_slides()
    assert seed3.exports.slides_job is None and not seed3.errors


def test_the_export_follows_the_lesson(seed3, qtbot, monkeypatch, tmp_path):
    """In presentation mode the slides have its larger text, and the panel's decimals."""
    seed3.presentation.enter(full_screen=False)
    seed3.lesson.panel.set_decimals(2)
    choose_folder(seed3, monkeypatch, tmp_path / "big")
    seed3.exports.export_slides()
    deck = seed3.exports.slides_job.deck
    assert deck.options.presentation and deck.canvas.presentation
    assert deck.options.decimals == 2
    qtbot.waitUntil(lambda: seed3.exports.slides_job is None, timeout=60_000)
    assert len(os.listdir(tmp_path / "big")) == 24 + 1  # a new folder, made whole


def test_every_slide_shows_what_the_lesson_canvas_shows_at_its_step(seed3, qtbot):
    """The window's canvas and the slide carry the same texts (values, weights, labels) at
    each of Example 3's steps: the same views, walked the same way."""
    deck = deck_for(qtbot, "seed-3-hidden-layer.bpnet", None)
    for index in range(len(deck)):
        seed3.lesson.jump(index)
        deck.render(index)
        assert scene_texts(deck.canvas) == scene_texts(seed3.canvas), index
    deck.close()


def test_svg_slides_size_every_text_as_the_canvas_shows_it(qtbot):
    """Values (sized in points) and the canvas's labels keep their on-screen sizes in the
    SVG, in pixels of its view box: points are not taken at the SVG's 72 dpi."""
    deck = deck_for(qtbot, "seed-2-two-neurons.bpnet", None, SlideOptions(800, 600, "svg"))
    root = ET.fromstring(deck.render(5))
    written = {
        "".join(t.itertext()).strip(): float(t.get("font-size"))
        for t in root.iter("{http://www.w3.org/2000/svg}text")
    }
    items = {
        item.text(): item
        for item in deck.canvas.scene().items()
        if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible()
    }
    items.update(deck.overlay.labels)  # the lesson's values
    for text in ("z = 0.2500", "a = 0.5622", "b = 0.10", "0.30"):
        on_screen = QFontInfo(items[text].font()).pixelSize()
        assert written[text] == pytest.approx(on_screen, abs=0.5), text
    deck.close()
