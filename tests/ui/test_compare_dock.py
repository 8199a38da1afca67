"""The Comparison dock: Compare… adds the current run and other .bpnet files (trained off
the GUI thread exactly as `bpstudio train` would), each curve named, with a legend; the
plot exports like any other; a bad file or a cancelled run adds nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np

from bpstudio.document.format import load
from bpstudio.resources import examples_dir
from bpstudio.runs import train_document

SVG = "{http://www.w3.org/2000/svg}"


def _window(quiet_main_window):
    window = quiet_main_window()
    assert window.files.open_path(examples_dir() / "xor.bpnet")
    return window


def test_current_run_and_another_file_side_by_side(quiet_main_window, qtbot, monkeypatch):
    window = _window(quiet_main_window)
    window.lesson.walk.train(40)
    compare = window.compare
    compare.add_current_run()
    epochs, loss = window.lesson.walk.full_loss_history()
    (run,) = compare.panel.runs
    assert run.name == "XOR η=1"
    assert np.array_equal(run.loss, loss) and np.array_equal(run.epochs, epochs)
    other = examples_dir() / "seed-3-hidden-layer.bpnet"
    monkeypatch.setattr(compare, "ask_network_path", lambda: str(other))
    monkeypatch.setattr(compare, "ask_epochs", lambda default: 450)  # more than one slice
    assert compare.add_file()
    qtbot.waitUntil(lambda: len(compare.panel.runs) == 2, timeout=20000)
    expected, divergence = train_document(load(other), 450)  # what `train` computes
    assert divergence is None
    added = compare.panel.runs[1]
    assert added.name.startswith("seed-3-hidden-layer η=")
    assert added.loss.tolist() == expected.history.loss  # to the last bit
    names = [label.text for _, label in compare.panel.legend.items]
    assert names == ["XOR η=1", added.name]
    assert not compare.busy() and not window.errors


def test_comparison_exports_with_its_legend(quiet_main_window, monkeypatch, tmp_path):
    window = _window(quiet_main_window)
    window.lesson.walk.train(30)
    window.compare.add_current_run()
    window.lesson.walk.train(30)
    window.compare.add_current_run()  # the same name twice: numbered
    monkeypatch.setattr(window.exports, "ask_path", lambda *_: str(tmp_path / "c.svg"))
    monkeypatch.setattr(window.exports, "ask_export_options", lambda d, *_: d)
    assert window.exports.export_view("compare")
    root = ET.parse(tmp_path / "c.svg").getroot()
    words = " ".join("".join(t.itertext()).strip() for t in root.iter(f"{SVG}text"))
    assert "XOR η=1 XOR η=1 (2)" in words  # the legend, in order
    assert "XOR: Comparison Plot" in words and "epoch" in words


def test_a_bad_file_says_why_and_adds_nothing(quiet_main_window, monkeypatch, tmp_path):
    window = _window(quiet_main_window)
    bad = tmp_path / "bad.bpnet"
    bad.write_text("{", encoding="utf-8")
    monkeypatch.setattr(window.compare, "ask_network_path", lambda: str(bad))
    assert not window.compare.add_file()
    assert "bad.bpnet" in window.errors[-1]
    assert window.compare.panel.runs == []


def test_cancel_stops_training_and_adds_nothing(quiet_main_window, qtbot, monkeypatch, tmp_path):
    window = _window(quiet_main_window)
    compare = window.compare
    doc = json.loads((examples_dir() / "spiral.bpnet").read_text(encoding="utf-8"))
    (tmp_path / "spiral.bpnet").write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(compare, "ask_network_path", lambda: str(tmp_path / "spiral.bpnet"))
    monkeypatch.setattr(compare, "ask_epochs", lambda default: 5_000_000)
    assert compare.add_file()
    assert compare.busy()
    compare.cancel()
    qtbot.waitUntil(lambda: not compare.busy(), timeout=20000)
    qtbot.wait(50)  # the worker's last news reaches the GUI thread
    assert compare.panel.runs == [] and not window.errors
