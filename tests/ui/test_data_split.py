"""The data panel's test set, noise slider, New sample and sample picture: holding rows out and
putting them back, what replacing the data does to the test set, one undo step per drag, and
the picture's pixels against the selected row."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from test_data_panel import SPIRAL, choose, write

from bpstudio.engine import datasets
from bpstudio.engine.init import STREAM_HOLD_OUT, rng
from bpstudio.ui.panels import DataPanel
from bpstudio.ui.panels.csv_import_dialog import ImportChoice


def table_file(path, inputs: int, rows: int, test_rows: int = 0):
    """A 'inputs'-2-1 sse network on `rows` rows whose inputs are 0, 1, 2, ... in order, the
    target of row r being r, plus `test_rows` test rows; training seed 5."""
    x = np.arange(rows * inputs, dtype=float).reshape(rows, inputs)
    data = {"inputs": x.tolist(), "targets": [[float(r)] for r in range(rows)]}
    if test_rows:
        data["test"] = {"inputs": x[:test_rows].tolist(), "targets": [[-1.0]] * test_rows}
    doc = {
        "format": "bpstudio.network",
        "version": 2 if test_rows else 1,
        "layers": [
            {"size": inputs},
            {"size": 2, "activation": "sigmoid"},
            {"size": 1, "activation": "linear"},
        ],
        "loss": "sse",
        "training": {"learning_rate": 0.1, "seed": 5},
        "data": data,
    }
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def opened(quiet_main_window):
    """Opens a file in a fresh window; returns the window and its data panel."""

    def open_file(path):
        window = quiet_main_window()
        assert window.files.open_path(path)
        panel = window.findChild(DataPanel)
        window.panels.data_dock.show()
        window.panels.data_dock.raise_()
        return window, panel

    return open_file


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_hold_out_splits_the_table_at_the_seeded_rows_and_undo_restores_it(qtbot, opened, tmp_path):
    window, panel = opened(table_file(tmp_path / "t.bpnet", 2, 10))
    before = window.document.copy()
    assert panel.split.counts.text() == "Training set: 10 samples · no test set"
    assert panel.split.percent.text() == "No test set"
    type_into(qtbot, panel.split.percent.lineEdit(), "30")
    data = window.document.data
    held = np.sort(rng(5, STREAM_HOLD_OUT).permutation(10)[:3])
    np.testing.assert_array_equal(data.test_targets[:, 0], held)
    np.testing.assert_array_equal(data.targets[:, 0], np.setdiff1d(np.arange(10), held))
    assert panel.split.counts.text() == ("Training set: 7 samples · test set: 3 samples (held out)")
    assert panel.table.rowCount() == 7 and panel.split.percent.value() == 30
    assert window.undo_stack.undoText() == "Hold out 30 % of the data as a test set"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document == before and panel.table.rowCount() == 10
    assert panel.split.counts.text() == "Training set: 10 samples · no test set"


def test_no_test_set_puts_the_rows_back(qtbot, opened, tmp_path):
    window, panel = opened(table_file(tmp_path / "t.bpnet", 2, 6, test_rows=2))
    assert panel.split.percent.value() == 25  # 2 of 8
    panel.split.percent.setValue(0)
    qtbot.mouseClick(panel.split.hold_out, Qt.MouseButton.LeftButton)
    data = window.document.data
    assert data.test_inputs is None and window.document.version == 1
    np.testing.assert_array_equal(data.targets[:, 0], [0, 1, 2, 3, 4, 5, -1, -1])
    assert panel.split.counts.text() == "Training set: 8 samples · no test set"


def test_generated_data_takes_test_samples_instead(qtbot, opened):
    window, panel = opened(SPIRAL)
    assert not panel.split.split_row.isVisible()
    type_into(qtbot, panel.fields["test_samples"], "120")
    assert window.document.data.test_samples == 120
    assert panel.split.counts.text() == (
        "Training set: 500 samples · test set: 120 samples (held out)"
    )
    type_into(qtbot, panel.fields["test_samples"], "0")
    assert "must be between 1 and 100,000" in panel.messages["test_samples"].text()
    panel.fields["test_samples"].selectAll()
    qtbot.keyClick(panel.fields["test_samples"], Qt.Key.Key_Delete)
    qtbot.keyClick(panel.fields["test_samples"], Qt.Key.Key_Return)
    assert window.document.data.test_samples is None
    assert window.undo_stack.count() == 2


def test_the_table_of_generated_data_keeps_its_test_samples_as_rows(qtbot, opened):
    window, panel = opened(SPIRAL)
    type_into(qtbot, panel.fields["test_samples"], "40")
    test_x, test_y = datasets.generate("spiral", 40, 0.02, 2, test=True)  # spiral's seed is 2
    choose(qtbot, panel.source, "")
    data = window.document.data
    np.testing.assert_array_equal(data.test_inputs, test_x)
    np.testing.assert_array_equal(data.test_targets, test_y)
    assert "test set: 40 samples" in panel.split.counts.text()


def test_another_generator_drops_a_table_test_set_says_so_and_undo_restores(
    qtbot, opened, tmp_path
):
    window, panel = opened(table_file(tmp_path / "t.bpnet", 2, 6, test_rows=2))
    before = window.document.copy()
    choose(qtbot, panel.source, "circle")
    assert window.document.test_set() is None
    assert "test set belonged to the data replaced" in panel.message.text()
    assert window.undo_stack.undoText().endswith("(drops the test set)")
    window.undo_stack.undo()
    assert window.document == before and "test set: 2" in panel.split.counts.text()


def test_an_imported_csv_drops_the_test_set(qtbot, opened, tmp_path):
    window, panel = opened(table_file(tmp_path / "t.bpnet", 2, 6, test_rows=2))
    before = window.document.copy()
    panel.ask_csv_path = lambda: str(write(tmp_path / "d.csv", "a,b,y\n1,2,3\n4,5,6\n"))
    panel.ask_import_choice = lambda table: ImportChoice([2], False)
    panel.import_csv()
    assert window.document.test_set() is None and len(window.document.data.inputs) == 2
    assert "test set belonged to the data replaced" in panel.message.text()
    assert window.undo_stack.undoText() == "Import d.csv (drops the test set)"
    window.undo_stack.undo()
    assert window.document == before


def test_dragging_the_noise_slider_is_one_undo_step(qtbot, opened):
    window, panel = opened(SPIRAL)
    before = window.document.copy()
    slider = panel.generator_form.noise_slider
    assert slider.value() == 2  # noise 0.02 in steps of 0.01
    slider.setSliderDown(True)  # the mouse holds the handle
    for value in (5, 9, 14):
        slider.setValue(value)
    slider.setSliderDown(False)
    assert window.document.data.noise == 0.14
    assert panel.fields["noise"].text() == "0.14"
    x, _ = datasets.generate("spiral", 500, 0.14, 2)
    np.testing.assert_array_equal(panel.table.arrays()[0], x)
    assert window.undo_stack.count() == 1
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_Right)  # a key press is a step of its own
    assert window.document.data.noise == 0.15 and window.undo_stack.count() == 2
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.document == before and slider.value() == 2


def test_typed_noise_moves_the_slider(qtbot, opened):
    window, panel = opened(SPIRAL)
    type_into(qtbot, panel.fields["noise"], "0.3")
    assert panel.generator_form.noise_slider.value() == 30
    type_into(qtbot, panel.fields["noise"], "2")  # beyond the slider: it stops at its end
    assert window.document.data.noise == 2.0
    assert panel.generator_form.noise_slider.value() == 50


def test_new_sample_draws_from_the_next_seed_and_undo_restores(qtbot, opened):
    window, panel = opened(SPIRAL)
    before = window.document.copy()
    qtbot.mouseClick(panel.generator_form.new_sample, Qt.MouseButton.LeftButton)
    assert window.document.data.seed == 3 and panel.fields["seed"].text() == "3"
    x, y = datasets.generate("spiral", 500, 0.02, 3)
    np.testing.assert_array_equal(panel.table.arrays()[0], x)
    assert window.undo_stack.undoText() == "New sample (data seed 3)"
    window.undo_stack.undo()
    assert window.document == before


def grey(image, row: int, column: int) -> int:
    return image.pixelColor(column, row).red()


def test_a_square_sample_is_shown_as_a_picture_of_the_selected_row(qtbot, opened, tmp_path):
    window, panel = opened(table_file(tmp_path / "t.bpnet", 16, 5))
    preview = panel.preview
    assert preview.isVisible()
    x = window.document.data.inputs
    flags = QItemSelectionModel.SelectionFlag
    panel.view.selectionModel().setCurrentIndex(
        panel.table.index(3, 0), flags.ClearAndSelect | flags.Rows
    )
    image = preview.image
    assert (image.width(), image.height()) == (4, 4)
    row = x[3]  # 48 .. 63: beyond 0..1, so the scale stretches from 0 (white) to 63 (black)
    for k in range(16):
        expected = round(255 * (1 - row[k] / 63))
        assert grey(image, k // 4, k % 4) == expected
    shown = preview.pixmap().toImage()
    assert shown.width() == 96 and shown.height() == 96  # 24 screen pixels per input
    assert shown.pixelColor(0, 0).red() == round(255 * (1 - 48 / 63))
    assert shown.pixelColor(95, 95).red() == 0
    assert shown.pixelColor(23, 0) == shown.pixelColor(0, 23) == shown.pixelColor(0, 0)
    assert shown.pixelColor(24, 0).red() == grey(image, 0, 1)  # crisp: no blending


def test_no_picture_for_inputs_that_make_no_square(qtbot, opened, tmp_path):
    window, panel = opened(table_file(tmp_path / "t.bpnet", 9, 3))  # 3x3 is too small
    assert not panel.preview.isVisible()
    window2, panel2 = opened(SPIRAL)
    assert not panel2.preview.isVisible()
