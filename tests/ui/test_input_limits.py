"""The spec's limits in the window, as a student meets them: a 1,024-neuron layer takes no more
neurons, a 100,000-row data set no more rows, the generator no more than 100,000 samples, a
50 MB file is not opened, a CSV of more than 100,000 rows is not imported, and numbers
beyond float64 are refused where they are typed (1e308 itself is a number, and is taken)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from bpstudio.document.edits import AddNeuron, InsertLayer, SetData
from bpstudio.document.format import MAX_FILE_BYTES, save
from bpstudio.document.model import DataSpec, Document, LayerSpec, TrainingSpec
from bpstudio.resources import examples_dir
from bpstudio.ui.canvas.items import Target
from bpstudio.ui.panels import DataPanel, SettingsPanel

XOR = examples_dir() / "xor.bpnet"


def one_sample_network(tmp_path, layers: list[LayerSpec], name: str) -> str:
    """A saved network of `layers` with one sample, 0.5 -> 1.0; its path."""
    doc = Document(
        layers=layers,
        loss="sse",
        training=TrainingSpec(learning_rate=0.1),
        data=DataSpec(inputs=np.array([[0.5]]), targets=np.array([[1.0]])),
    )
    path = tmp_path / name
    save(doc, path)
    return str(path)


def wide(tmp_path) -> str:
    """A 1-1024-1 network (3,073 parameters): its hidden layer is as wide as allowed."""
    layers = [LayerSpec(1), LayerSpec(1024, "tanh"), LayerSpec(1, "sigmoid")]
    return one_sample_network(tmp_path, layers, "wide.bpnet")


def test_a_1024_neuron_layer_offers_no_more_neurons(quiet_main_window, tmp_path):
    window = quiet_main_window()
    assert window.files.open_path(wide(tmp_path))
    window.canvas.select(Target(1))
    add = window.structure_actions.add_neuron
    assert not add.isEnabled()
    assert "must be between 1 and 1,024" in add.toolTip()
    window.canvas.select(Target(2))
    assert add.isEnabled()  # the output layer may still grow
    assert not window.push(AddNeuron(1))
    assert "must be between 1 and 1,024" in window.errors[0]
    assert window.document.sizes == (1, 1024, 1) and window.undo_stack.count() == 0


def test_a_new_layer_wider_than_1024_or_over_a_million_parameters_is_refused(
    quiet_main_window, tmp_path
):
    window = quiet_main_window()
    assert window.files.open_path(wide(tmp_path))
    assert not window.push(InsertLayer(1, size=1025))
    assert "must be between 1 and 1,024, not 1025" in window.errors[0]
    assert not window.push(InsertLayer(2))  # 1024 wide like the layer before: 1,052,673 params
    assert "at most 1,000,000 are allowed" in window.errors[1]
    assert window.document.sizes == (1, 1024, 1)


@pytest.fixture
def data_panel(quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(XOR)
    return window, window.findChild(DataPanel)


def test_a_full_data_set_takes_no_more_rows(qtbot, data_panel):
    window, panel = data_panel
    assert window.push(SetData.generated("xor", 100_000))
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.message.isVisible()
    assert panel.message.text() == "data.inputs has 100,000 rows, the most allowed"
    assert window.document.data.samples == 100_000


@pytest.mark.parametrize(("text", "taken"), [("100001", False), ("100000", True)])
def test_the_generator_takes_at_most_100000_samples(qtbot, data_panel, text, taken):
    window, panel = data_panel
    assert window.push(SetData.generated("xor", 200))
    field = panel.fields["samples"]
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert (window.document.data.samples == int(text)) is taken
    if not taken:
        assert "between 1 and 100,000, not 100001" in panel.messages["samples"].text()


def test_a_csv_of_more_than_100000_rows_is_not_imported(data_panel, tmp_path):
    window, panel = data_panel
    path = tmp_path / "big.csv"
    path.write_text("x1,x2,y\n" + "0,1,1\n" * 100_001, encoding="utf-8")
    before = window.document.copy()
    panel.ask_csv_path = lambda: str(path)
    panel.import_csv()
    assert window.errors == [f"{path}: has more than 100,000 rows of data, the most allowed"]
    assert window.document == before


def test_a_csv_cell_that_overflows_is_named_by_line_and_column(data_panel, tmp_path):
    window, panel = data_panel
    path = tmp_path / "overflow.csv"
    path.write_text("x1,x2,y\n0,1,1\n1e308,0,1\n0,1e309,0\n", encoding="utf-8")
    panel.ask_csv_path = lambda: str(path)
    panel.import_csv()
    assert window.errors == [f"{path}: line 4, column 2 (\"x2\"): '1e309' is not a finite number"]


def test_a_document_over_50_mb_is_refused_before_it_is_read(quiet_main_window, tmp_path):
    path = tmp_path / "huge.bpnet"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
    window = quiet_main_window()
    before = window.document.copy()
    assert not window.files.open_path(path)
    assert window.errors == [
        f"{path}: the file is 50.0 MB; documents larger than 50 MB are refused"
    ]
    assert window.document == before and window.path is None


@pytest.mark.parametrize("text", ["1e309", "-1e309", "nan", "inf", "1" + "0" * 400])
def test_a_learning_rate_beyond_float64_is_refused_as_typed(qtbot, quiet_main_window, text):
    window = quiet_main_window()
    assert window.files.open_path(XOR)
    panel = window.findChild(SettingsPanel)
    field = panel.fields["learning_rate"]
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert panel.messages["learning_rate"].isVisible()
    assert window.undo_stack.count() == 0
    field.selectAll()
    qtbot.keyClicks(field, "1e308")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.document.training.learning_rate == 1e308


@pytest.mark.parametrize("text", ["1e309", "nan", "-inf"])
def test_a_data_cell_beyond_float64_is_refused(qtbot, data_panel, text):
    window, panel = data_panel
    assert window.push(SetData.table([[0.0, 1.0]], [[1.0]]))
    index = panel.table.index(0, 0)
    panel.view.setCurrentIndex(index)
    panel.view.edit(index)
    editor = panel.view.viewport().findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.message.isVisible())
    assert "must be a finite number" in panel.message.text()
    assert window.document.data.inputs[0, 0] == 0.0


def deep(tmp_path, count: int) -> str:
    """A network of `count` layers of one neuron (input and output included)."""
    layers = [LayerSpec(1)] + [LayerSpec(1, "tanh") for _ in range(count - 1)]
    return one_sample_network(tmp_path, layers, "deep.bpnet")


def test_a_network_of_100_layers_offers_no_more_layers(quiet_main_window, tmp_path):
    """The layer limit in the window: both Add Layer actions greyed out with the reason, and
    the edit refused in the loader's words."""
    window = quiet_main_window()
    assert window.files.open_path(deep(tmp_path, 100))
    window.canvas.select(Target(50))
    actions = window.structure_actions
    for action in (actions.add_layer_after, actions.add_layer_before):
        assert not action.isEnabled()
        assert "hold 101 layers; at most 100 are allowed" in action.toolTip()
    assert not window.push(InsertLayer(50))
    assert "layers hold 101 layers; at most 100 are allowed" in window.errors[0]
    assert len(window.document.layers) == 100


def test_a_file_of_101_layers_is_refused(quiet_main_window, tmp_path):
    obj = json.loads(open(deep(tmp_path, 100), encoding="utf-8").read())
    obj["layers"].insert(1, {"size": 1, "activation": "tanh"})
    path = tmp_path / "deeper.bpnet"
    path.write_text(json.dumps(obj), encoding="utf-8")
    window = quiet_main_window()
    assert not window.files.open_path(path)
    assert "deeper.bpnet: layers hold 101 layers; at most 100 are allowed" in window.errors[0]
