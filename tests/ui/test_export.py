"""Exports: PNG at the requested size, SVG as real vectors with text, the history CSV equal to
the engine's numbers, and the worked solution as Markdown and HTML, all driven through the
window's File ▸ Export actions."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from seed_tables import EXAMPLE_2_STEPS, EXAMPLE_2_VALUES

from bpstudio.document.format import load
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir
from bpstudio.ui.export import save_png, save_svg
from bpstudio.ui.image_size_dialog import ImageSizeDialog

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLE_2_LOSS = next(value for kind, _, value in EXAMPLE_2_STEPS if kind == "loss")


def svg_tree(path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    x = np.linspace(0, 10, 200)
    widget.plot(x, np.exp(-x), pen=pg.mkPen("b", width=3))
    widget.setLabel("left", "loss (SSE)")
    widget.setLabel("bottom", "epoch")
    widget.resize(500, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_png_has_the_requested_size_and_shows_the_curve(plot, tmp_path):
    save_png(plot, tmp_path / "a.png", 1234, 567)
    image = QImage(str(tmp_path / "a.png"))
    assert (image.width(), image.height()) == (1234, 567)
    colours = {image.pixel(x, y) for x in range(0, 1234, 7) for y in range(0, 567, 7)}
    assert len(colours) > 10  # axes, text and curve, not a blank fill


def test_svg_keeps_the_curve_as_one_path_and_the_labels_as_text(plot, tmp_path):
    save_svg(plot, tmp_path / "a.svg", "decay")
    root = svg_tree(tmp_path / "a.svg")
    longest = max(len(p.get("d", "").split("L")) for p in root.iter(f"{SVG}path"))
    assert longest >= 200  # every sample of the thick curve in a single path
    words = texts(root)
    assert "loss (SSE)" in words and "epoch" in words
    # the thick pen still draws segments on screen afterwards
    assert plot.getPlotItem().listDataItems()[0].curve.opts["segmentedLineMode"] == "auto"


def test_png_refuses_impossible_sizes_without_writing(plot, tmp_path):
    with pytest.raises(OSError, match="pixels a side"):
        save_png(plot, tmp_path / "a.png", 0, 100)
    assert not list(tmp_path.iterdir())


@pytest.fixture
def seed2(quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")
    return window


def answer(window, monkeypatch, path, size=None):
    monkeypatch.setattr(window.exports, "ask_path", lambda *_: str(path))
    monkeypatch.setattr(
        window.exports,
        "ask_export_options",
        lambda default, screen, diagram: (
            replace(default, width=size.width(), height=size.height()) if size else default
        ),
    )


def test_network_diagram_exports_as_svg_with_the_weights_as_text(seed2, monkeypatch, tmp_path):
    answer(seed2, monkeypatch, tmp_path / "net.svg")
    seed2.exports.views["network"].action.trigger()
    root = svg_tree(tmp_path / "net.svg")
    words = texts(root)
    assert not list(root.iter(f"{SVG}image"))  # cached items are drawn as vectors, not bitmaps
    assert len(list(root.iter(f"{SVG}polyline"))) >= 2  # the two edges
    assert {"0.30", "0.20", "b = 0.10", "b = 0.40", "ŷ"} <= set(words)  # weights, biases


def test_network_diagram_png_asks_for_a_size(seed2, monkeypatch, tmp_path):
    answer(seed2, monkeypatch, tmp_path / "net", QSize(800, 333))
    assert seed2.exports.export_view("network")
    image = QImage(str(tmp_path / "net.png"))  # the extension of the PNG filter was added
    assert (image.width(), image.height()) == (800, 333)


def test_a_failed_export_says_why_and_leaves_nothing(seed2, monkeypatch, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    answer(seed2, monkeypatch, out / "missing" / "net.svg")
    assert not seed2.exports.export_view("network")
    assert "missing" in seed2.errors[-1]
    assert not list(out.iterdir())


def test_cancelling_the_size_dialog_writes_nothing(seed2, monkeypatch, tmp_path):
    monkeypatch.setattr(seed2.exports, "ask_path", lambda *_: str(tmp_path / "a.png"))
    monkeypatch.setattr(seed2.exports, "ask_export_options", lambda *_: None)
    assert not seed2.exports.export_view("network")
    assert not (tmp_path / "a.png").exists()


def test_history_csv_has_a_row_per_epoch_equal_to_independent_training(
    seed2, monkeypatch, tmp_path
):
    seed2.lesson.walk.train(5)
    answer(seed2, monkeypatch, tmp_path / "h.csv")
    seed2.exports.history_action.trigger()
    with open(tmp_path / "h.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "w[1][0][0]", "b[1][0]", "w[2][0][0]", "b[2][0]"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2, 3, 4, 5]
    doc = load(examples_dir() / "seed-2-two-neurons.bpnet")
    net = doc.build_network()
    x, y = doc.dataset()
    trainer = Trainer(net, x, y, doc.training_config())
    for row in rows[1:]:
        if int(row[0]):
            trainer.run(1)
        assert float(row[1]) == trainer.history.loss.values[-1]
        names = net.parameter_names()
        assert [float(v) for v in row[2:]] == [net.params[names.index(n)] for n in rows[0][2:]]
    assert float(rows[1][1]) == pytest.approx(EXAMPLE_2_LOSS, abs=1e-10)


def test_worked_solution_exports_as_markdown_and_html(seed2, monkeypatch, tmp_path):
    seed2.lesson.panel.set_decimals(None)
    answer(seed2, monkeypatch, tmp_path / "step.md")
    seed2.exports.markdown_action.trigger()
    markdown = (tmp_path / "step.md").read_text(encoding="utf-8")
    answer(seed2, monkeypatch, tmp_path / "step.html")
    seed2.exports.html_action.trigger()
    html = (tmp_path / "step.html").read_text(encoding="utf-8")
    assert markdown.startswith("# Worked solution: ") and "$z^{(2)}_{1}" in markdown
    assert html.startswith("<!DOCTYPE html>") and "<h2>Backward pass</h2>" in html
    assert "= 0.25$" in markdown and "<b>0.25</b>" in html  # z of the first neuron, exact
    a_out = f"{EXAMPLE_2_VALUES[3]:.10f}"  # the output activation, to the table's 10 decimals
    assert a_out in markdown and a_out in html


def test_size_dialog_keeps_proportions_until_unlocked(qtbot):
    dialog = ImageSizeDialog(QSize(400, 200))
    qtbot.addWidget(dialog)
    dialog.width_box.setValue(1000)
    assert dialog.size_chosen() == QSize(1000, 500)
    dialog.keep.setChecked(False)
    dialog.height_box.setValue(100)
    assert dialog.size_chosen() == QSize(1000, 100)


@pytest.mark.parametrize("key", ["loss", "activation", "parameters", "decision"])
def test_every_plot_panel_exports_png_and_svg(quiet_main_window, monkeypatch, tmp_path, key):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    window.lesson.walk.train(20)
    window.lesson.changed.emit()
    answer(window, monkeypatch, tmp_path / f"{key}.svg")
    assert window.exports.export_view(key)
    root = svg_tree(tmp_path / f"{key}.svg")
    assert texts(root) and list(root.iter(f"{SVG}path")) + list(root.iter(f"{SVG}polyline"))
    answer(window, monkeypatch, tmp_path / f"{key}.png", QSize(640, 360))
    assert window.exports.export_view(key)
    assert QImage(str(tmp_path / f"{key}.png")).size() == QSize(640, 360)


def test_loss_svg_holds_the_curve_and_the_loss_name(quiet_main_window, monkeypatch, tmp_path):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    window.lesson.walk.train(300)
    window.lesson.changed.emit()
    answer(window, monkeypatch, tmp_path / "loss.svg")
    assert window.exports.export_view("loss")
    root = svg_tree(tmp_path / "loss.svg")
    assert "loss (SSE)" in texts(root) and "epoch" in texts(root)
    assert max(len(p.get("d", "").split("L")) for p in root.iter(f"{SVG}path")) > 100


def test_right_click_on_a_plot_offers_its_export(quiet_main_window, monkeypatch):
    window = quiet_main_window()
    shown = []
    monkeypatch.setattr(window.exports, "popup", lambda menu, at: shown.extend(menu.actions()))
    view = window.plots.loss.plot
    view.customContextMenuRequested.emit(view.rect().center())
    assert shown == [window.exports.views["loss"].context_action]


def test_history_csv_keeps_a_reopened_files_earlier_epochs(
    quiet_main_window, monkeypatch, tmp_path
):
    """Training more appends to a file's history; the CSV lists every epoch, with the
    parameters of the earlier session unknown (empty)."""
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")
    window.lesson.walk.train(3)
    window.lesson.session.sync()
    window.ask_save_path = lambda: str(tmp_path / "trained.bpnet")
    assert window.files.save_as()
    assert window.files.open_path(tmp_path / "trained.bpnet")
    window.lesson.walk.train(2)
    window.lesson.session.sync()
    answer(window, monkeypatch, tmp_path / "h.csv")
    assert window.exports.export_history()
    with open(tmp_path / "h.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert [int(r[0]) for r in rows] == [0, 1, 2, 3, 4, 5]
    assert [float(r[1]) for r in rows] == window.document.history.loss
    assert all(r[2:] == ["", "", "", ""] for r in rows[:3])
    assert [float(v) for v in rows[-1][2:]] == list(window.lesson.walk.net.params)


def test_decision_png_at_twice_the_screen_size_keeps_the_points_as_they_were(
    quiet_main_window, monkeypatch, tmp_path
):
    """Data points drawn at their default size (-1) grow with the picture and come back."""
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "spiral.bpnet")
    window.plots.decision_dock.raise_()
    window.plots.flush()
    view = window.plots.decision.plot
    scatters = [i for i in view.scene().items() if isinstance(i, pg.ScatterPlotItem)]
    before = [s.data["size"].copy() for s in scatters]
    answer(window, monkeypatch, tmp_path / "d.png")  # the default: twice the screen size
    assert window.exports.export_view("decision")
    shown = view.viewport().size()
    assert QImage(str(tmp_path / "d.png")).size() == shown * 2
    assert all(np.array_equal(s.data["size"], b) for s, b in zip(scatters, before, strict=True))


def test_a_plot_never_shown_exports_at_the_size_it_shows_at(quiet_main_window, monkeypatch):
    """The parameter panel behind the Loss tab is built for its export at the size it then
    has when its tab is brought to the front: the default PNG is twice that size."""
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    assert window.plots.built_panel("parameters") is None
    offered = []
    monkeypatch.setattr(window.exports, "ask_path", lambda *_: "unused.png")
    monkeypatch.setattr(
        window.exports, "ask_export_options", lambda d, *_: offered.append(QSize(d.width, d.height))
    )
    assert not window.exports.export_view("parameters")  # cancelled at the size dialog
    window.plots.parameter_dock.raise_()
    QApplication.processEvents()
    shown = window.plots.parameters.plot.viewport().size()
    assert shown.width() > 200 and shown.height() > 100
    assert offered == [shown * 2]
