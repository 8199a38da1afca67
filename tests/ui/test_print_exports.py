"""Print-ready exports: the document style (white, black text), the DPI in the PNG, a plain
SVG that Qt's own renderer draws where the PNG has it, vector PDF with text as text, the
diagram without highlights unless asked, the decision boundary with equal axes and a
legend that looks like its points, and the export dialog's units."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import numpy as np
import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from bpstudio.resources import examples_dir
from bpstudio.ui.canvas.items import Target
from bpstudio.ui.export import ExportOptions, pdf_bytes
from bpstudio.ui.image_size_dialog import ImageSizeDialog
from bpstudio.ui.loss_image import save_panel
from bpstudio.ui.plots.loss_panel import LossPanel
from bpstudio.ui.theme import DOCUMENT

CURVE = QColor("#1f6fd1")
EPOCHS = np.arange(0, 301)
LOSS = 0.02 + np.exp(-EPOCHS / 40.0)  # a falling curve, known point by point


def _panel(qtbot) -> LossPanel:
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.set_loss_name("sse")
    panel.set_history(EPOCHS, LOSS)
    return panel


def _curve_rows(image: QImage) -> dict[int, float]:
    """Column -> the curve's row there: the mean row weighted by how blue each pixel is (the
    curve is the only coloured thing; its antialiased edges are paler blue)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    array = np.frombuffer(image.constBits(), np.uint8)
    bgr = array.reshape(image.height(), image.width(), 4).astype(float)
    blue = np.clip(bgr[..., 0] - bgr[..., 2], 0, None)  # blue minus red: 0 for greys
    blue[blue < 20] = 0
    rows = np.arange(image.height())[:, np.newaxis]
    weight = blue.sum(axis=0)
    return {
        c: float((rows[:, 0] * blue[:, c]).sum() / weight[c])
        for c in range(image.width())
        if weight[c] > 0
    }


def test_png_is_white_with_black_text_and_carries_its_dpi(qtbot, tmp_path):
    options = ExportOptions(945, 591, 300.0)  # 8 x 5 cm at 300 dpi
    save_panel(QApplication.instance(), _panel(qtbot), tmp_path / "a.png", "Decay", options)
    image = QImage(str(tmp_path / "a.png"))
    assert image.size() == QSize(945, 591)
    assert round(image.dotsPerMeterX() * 0.0254) == 300 == round(image.dotsPerMeterY() * 0.0254)
    assert QColor(image.pixel(2, 2)) == QColor("#ffffff")
    assert QColor(image.pixel(image.width() - 3, image.height() - 3)) == QColor("#ffffff")
    pixels = {QColor(image.pixel(x, y)).name() for x in range(0, 945, 3) for y in range(0, 591, 3)}
    assert "#000000" in pixels  # the axes and text: black, not the window's grey
    assert len(_curve_rows(image)) > 600  # the curve runs along the plot


def test_match_the_window_keeps_the_screen_background(qtbot, tmp_path):
    options = ExportOptions(640, 400, 96.0, "window")
    save_panel(QApplication.instance(), _panel(qtbot), tmp_path / "w.png", "", options)
    image = QImage(str(tmp_path / "w.png"))
    window_grey = QApplication.palette().window().color()
    assert QColor(image.pixel(2, 2)) == window_grey != DOCUMENT.background


def test_svg_is_plain_and_qt_draws_the_curve_where_the_png_has_it(qtbot, tmp_path):
    options = ExportOptions(640, 400, 96.0)  # one pixel of the PNG per unit of the SVG
    app = QApplication.instance()
    save_panel(app, _panel(qtbot), tmp_path / "a.png", "Decay", options)
    save_panel(app, _panel(qtbot), tmp_path / "a.svg", "Decay", options)
    text = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert set(re.findall(r'font-family="([^"]*)"', text)) == {"sans-serif"}
    assert '<svg width="169.33mm" height="105.83mm"' in text  # 640 x 400 at 96 per inch
    scales = re.findall(r'transform="matrix\(([^,]+),0,0,([^,]+),', text)
    assert all(abs(float(a)) <= 1 and abs(float(d)) <= 1 for a, d in scales)  # no data units
    drawn = QImage(640, 400, QImage.Format.Format_ARGB32)
    drawn.fill(QColor("#ffffff"))
    painter = QPainter(drawn)
    QSvgRenderer(str(tmp_path / "a.svg")).render(painter)
    painter.end()
    png, svg = _curve_rows(QImage(str(tmp_path / "a.png"))), _curve_rows(drawn)
    shared = sorted(set(png) & set(svg))
    assert len(shared) > 0.9 * len(png) > 400
    assert max(abs(png[c] - svg[c]) for c in shared) <= 2.0


def test_pdf_is_vector_with_the_axis_text_as_text(qtbot, tmp_path):
    panel = _panel(qtbot)
    panel.resize(640, 400)
    panel.show()
    qtbot.waitExposed(panel)
    data = pdf_bytes(panel.plot, "Decay", (6.0, 4.0))
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    (page,) = reader.pages
    assert [float(v) for v in page.mediabox] == [0, 0, 432, 288]  # 6 x 4 inches in points
    words = " ".join(page.extract_text().split())  # (pypdf gives spaces as tabs)
    assert "epoch" in words and "loss (SSE)" in words and "150" in words
    assert not page["/Resources"].get("/XObject")  # no pictures: lines and text only


@pytest.fixture
def seed2(quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "seed-2-two-neurons.bpnet")
    return window


def _export(window, monkeypatch, key, path, **changes):
    monkeypatch.setattr(window.exports, "ask_path", lambda *_: str(path))
    monkeypatch.setattr(
        window.exports, "ask_export_options", lambda default, *_: replace(default, **changes)
    )
    assert window.exports.export_view(key), window.errors


def _gold(path) -> int:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    array = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)
    rgb = array[..., 2::-1].astype(int)
    return int((np.abs(rgb - np.array(DOCUMENT.highlight.getRgb()[:3])).sum(axis=-1) < 40).sum())


def test_diagram_exports_without_highlights_unless_asked(seed2, monkeypatch, tmp_path):
    seed2.lesson.jump(3)  # the lesson rings the output neuron
    seed2.canvas.select(Target(1, 0, None))  # and a neuron is selected
    _export(seed2, monkeypatch, "network", tmp_path / "plain.png", style="document")
    _export(seed2, monkeypatch, "network", tmp_path / "marked.png", highlights=True)
    plain = QImage(str(tmp_path / "plain.png"))
    assert QColor(plain.pixel(3, 3)) == QColor("#ffffff")
    assert _gold(tmp_path / "plain.png") == 0
    assert _gold(tmp_path / "marked.png") > 200
    assert seed2.canvas.selection() == Target(1, 0, None)  # the window keeps both
    assert seed2.canvas.net_scene.highlighted == Target(1, 0, None)


def test_window_loss_export_has_a_title_and_a_page_sized_default(
    quiet_main_window, monkeypatch, tmp_path
):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    window.lesson.walk.train(50)
    window.lesson.changed.emit()
    _export(window, monkeypatch, "loss", tmp_path / "loss.png")
    assert QImage(str(tmp_path / "loss.png")).size() == QSize(1280, 800)
    _export(window, monkeypatch, "loss", tmp_path / "loss.svg")
    text = (tmp_path / "loss.svg").read_text(encoding="utf-8")
    assert f">{window.document.name}: Loss Plot<" in text.replace("\n", "")


def test_decision_boundary_keeps_equal_axes_and_its_legend_looks_like_the_points(
    quiet_main_window, monkeypatch, tmp_path
):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "circle.bpnet")
    window.plots.decision_dock.raise_()
    window.plots.flush()
    panel = window.plots.decision
    vb = panel.plot.getPlotItem().getViewBox()
    assert vb.state["aspectLocked"] == 1.0
    _export(window, monkeypatch, "decision", tmp_path / "d.png", style="document")
    (x0, x1), (y0, y1) = vb.viewRange()
    width, height = vb.width(), vb.height()
    assert (x1 - x0) / width == pytest.approx((y1 - y0) / height, rel=1e-3)  # one scale
    image = QImage(str(tmp_path / "d.png"))
    top = {QColor(image.pixel(x, y)).name() for x in range(image.width()) for y in range(2)}
    assert top == {"#ffffff"}  # nothing (the colour bar's "1.0") cut at the top edge
    for (sample, _label), scatter in zip(panel.legend.items, panel.points, strict=True):
        assert sample.item is scatter and scatter.backing == scatter.opts["brush"].color()


def test_dialog_takes_centimetres_with_a_resolution(qtbot):
    dialog = ImageSizeDialog(QSize(400, 250), None, ExportOptions(800, 500, 300.0))
    qtbot.addWidget(dialog)
    dialog.unit_box.setCurrentText("cm")
    dialog.width_box.setValue(16.0)
    options = dialog.options()
    assert (options.width, options.height, options.dpi) == (1890, 1181, 300.0)
    dialog.style_box.setCurrentIndex(dialog.style_box.findData("window"))
    assert dialog.options().style == "window"


def test_export_to_pdf_menu_writes_the_diagram_as_vector_pdf(seed2, monkeypatch, tmp_path):
    entries = [a.text() for a in seed2.exports.pdf_menu.actions()]
    assert entries == [
        "Network Diagram…",
        "Loss Plot…",
        "Activation Plot…",
        "Parameter Plot…",
        "Decision Boundary…",
        "Gradient Flow…",
        "Confusion Matrix…",
        "Comparison Plot…",
        "Loss Landscape…",
    ]
    offered = []
    monkeypatch.setattr(
        seed2.exports, "ask_path", lambda caption, name, filters: offered.append(filters) or ""
    )
    seed2.exports.views["network"].pdf_action.trigger()
    assert offered == ["PDF document (*.pdf)"]
    _export(seed2, monkeypatch, "network", tmp_path / "net.pdf", width=1200, height=600, dpi=300)
    (page,) = PdfReader(tmp_path / "net.pdf").pages
    assert [round(float(v)) for v in page.mediabox] == [0, 0, 288, 144]  # 4 x 2 inches
    words = " ".join(page.extract_text().split())
    assert "b = 0.10" in words and "b = 0.40" in words  # the biases, as text
    assert not page["/Resources"].get("/XObject")
