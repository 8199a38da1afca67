"""The Comparison dock: Compare… adds the current run and other .bpnet files (trained off
the GUI thread exactly as `bpstudio train` would), each curve named, with a legend; the
plot exports like any other; a bad file or a cancelled run adds nothing."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from held_read import HeldRead, dropped, progress_dialog
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton

from bpstudio.document.format import DocumentError, load
from bpstudio.maths.formula import format_number
from bpstudio.resources import examples_dir
from bpstudio.runs import train_document

SVG = "{http://www.w3.org/2000/svg}"
SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"
XOR = examples_dir() / "xor.bpnet"


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


def test_a_bad_file_says_why_once_naming_it_and_adds_nothing(
    quiet_main_window, qtbot, monkeypatch, tmp_path
):
    """The file is read after both questions, on the worker; its error is the one `load`
    raises, shown once, with no traceback."""
    window = _window(quiet_main_window)
    bad = tmp_path / "bad.bpnet"
    bad.write_text(
        (examples_dir() / "xor.bpnet").read_text(encoding="utf-8").replace('"sigmoid"', '"sigmod"')
    )
    with pytest.raises(DocumentError) as expected:
        load(bad)
    asked = []
    monkeypatch.setattr(window.compare, "ask_network_path", lambda: asked.append(1) or str(bad))
    monkeypatch.setattr(window.compare, "ask_epochs", lambda default: asked.append(2) or 10)
    assert window.compare.add_file()
    qtbot.waitUntil(lambda: not window.compare.busy())
    qtbot.wait(50)  # nothing more comes
    assert asked == [1, 2]
    assert window.errors == [str(expected.value)]
    assert "bad.bpnet" in window.errors[0] and "Traceback" not in window.errors[0]
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


def _ask(monkeypatch, compare, path, epochs: int) -> None:
    monkeypatch.setattr(compare, "ask_network_path", lambda: str(path))
    monkeypatch.setattr(compare, "ask_epochs", lambda default: epochs)


def test_the_file_is_read_off_the_gui_thread_while_the_window_answers(
    quiet_main_window, qtbot, monkeypatch
):
    """While the file is held back on the worker, a timer of the window keeps ticking and the
    progress dialog names the file; then the curve is the one `train` computes."""
    window = _window(quiet_main_window)
    compare = window.compare
    compare.read = read = HeldRead(SEED3)
    _ask(monkeypatch, compare, SEED3, 30)
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    assert compare.add_file()
    qtbot.waitUntil(lambda: len(ticks) >= 20 and progress_dialog(window) is not None)
    assert "seed-3-hidden-layer.bpnet" in progress_dialog(window).labelText()
    assert compare.busy() and compare.panel.runs == []
    read.release()
    qtbot.waitUntil(lambda: len(compare.panel.runs) == 1, timeout=20000)
    assert read.threads[0] is not threading.main_thread()
    expected, _ = train_document(load(SEED3), 30)
    (run,) = compare.panel.runs
    assert run.name == "seed-3-hidden-layer η=" + format_number(expected.training.learning_rate)
    assert run.loss.tolist() == expected.history.loss
    assert progress_dialog(window) is None and not compare.busy() and not window.errors


def test_cancel_while_the_file_is_read_drops_it_and_compare_works_again_at_once(
    quiet_main_window, qtbot, monkeypatch
):
    """Cancel in the progress dialog: nothing is added, no error, and another file can be
    compared while the abandoned read is still under way; that read's document is freed."""
    window = _window(quiet_main_window)
    compare = window.compare
    compare.read = read = HeldRead(SEED3)
    _ask(monkeypatch, compare, SEED3, 30)
    assert compare.add_file()
    qtbot.waitUntil(lambda: progress_dialog(window) is not None)
    qtbot.mouseClick(progress_dialog(window).findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert not compare.busy() and progress_dialog(window) is None
    _ask(monkeypatch, compare, XOR, 20)
    assert compare.add_file()
    qtbot.waitUntil(lambda: len(compare.panel.runs) == 1, timeout=20000)
    read.release()
    qtbot.waitUntil(lambda: SEED3 in read.made)
    qtbot.waitUntil(lambda: dropped(read.made[SEED3]))
    qtbot.wait(50)  # the abandoned worker's news, if it sent any, has reached the GUI thread
    assert [run.name for run in compare.panel.runs] == ["xor η=1"]
    assert not window.errors and not compare.busy()


def test_a_bug_in_the_reader_is_raised_on_the_gui_thread(quiet_main_window, qtbot, monkeypatch):
    """Not a bad file but a bug: it reaches the global hook, as an error on the GUI thread
    does, and Compare is free again."""

    def broken(path):
        raise ZeroDivisionError("a bug in the reader")

    window = _window(quiet_main_window)
    window.compare.read = broken
    _ask(monkeypatch, window.compare, XOR, 10)
    with qtbot.captureExceptions() as caught:
        assert window.compare.add_file()
        qtbot.waitUntil(lambda: bool(caught))
    assert isinstance(caught[0][1], ZeroDivisionError)
    assert not window.compare.busy() and window.errors == [] and window.compare.panel.runs == []


def test_closing_the_window_stops_a_comparison_that_trains(
    quiet_main_window, qtbot, monkeypatch, tmp_path
):
    """A comparison of five million epochs would train on for minutes after the window is
    gone: closing the window cancels it, and its worker thread ends."""
    window = _window(quiet_main_window)
    compare = window.compare
    _ask(monkeypatch, compare, examples_dir() / "spiral.bpnet", 5_000_000)
    assert compare.add_file()

    def training() -> bool:
        return any(t.name == "compare" and t.is_alive() for t in threading.enumerate())

    qtbot.waitUntil(training)
    window.close()
    assert not compare.busy()
    qtbot.waitUntil(lambda: not training(), timeout=10_000)
