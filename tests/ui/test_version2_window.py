"""The window with a version 2 document (spec section 7): Train N Epochs stops at the stop
loss and says so in the status bar, the status line shows the accuracies and the test loss,
the loss plot draws the test loss beside the training loss, and the trained history in the
document carries them. Real widgets, driven through the lesson's actions."""

from __future__ import annotations

import json

import numpy as np

from bpstudio.document.format import load
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir


def version2_file(tmp_path, **training):
    """gauss.bpnet with 30 generated test samples and `training` added."""
    doc = json.loads((examples_dir() / "gauss.bpnet").read_text(encoding="utf-8"))
    doc["training"] |= training
    doc["data"]["test_samples"] = 30
    path = tmp_path / "gauss2.bpnet"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def reference(path, epochs):
    """The same document trained by the engine alone, without a stop loss."""
    doc = load(path)
    x, y = doc.dataset()
    config = doc.training_config()
    trainer = Trainer(doc.build_network(), x, y, config, test=doc.test_set())
    trainer.run(epochs)
    return trainer.history


def opened(make_window, tmp_path, epochs):
    """A window on the version 2 gauss document, and its history trained `epochs` epochs by
    the engine alone."""
    path = version2_file(tmp_path)
    window = make_window()
    assert window.files.open_path(path)
    return window, reference(path, epochs)


def test_train_n_epochs_stops_at_the_stop_loss_and_the_window_says_so(
    qtbot, quiet_main_window, tmp_path
):
    free = reference(version2_file(tmp_path), 40).loss.values
    target = float(free[15])
    first = next(e for e in range(1, 41) if free[e] <= target)
    window = quiet_main_window()
    assert window.files.open_path(version2_file(tmp_path, stop_loss=target))
    lesson = window.lesson
    lesson.train_epochs(40)
    qtbot.waitUntil(lambda: not lesson.runner.running)
    assert lesson.walk.epoch == first
    assert window.statusBar().currentMessage().startswith(f"Training stopped at epoch {first}: ")
    assert window.document.history.epoch == list(range(first + 1))
    assert np.array_equal(window.document.history.loss, free[: first + 1])


def test_the_status_line_and_loss_plot_show_the_test_loss_and_accuracies(
    qtbot, quiet_main_window, tmp_path
):
    window, expected = opened(quiet_main_window, tmp_path, 12)
    lesson = window.lesson
    lesson.train_epochs(12)
    qtbot.waitUntil(lambda: not lesson.runner.running and lesson.walk.epoch == 12)
    text = lesson.position.text()
    accuracy, test_accuracy = expected.accuracy.values[-1], expected.test_accuracy.values[-1]
    assert f"accuracy {accuracy:.1%}" in text
    assert f"test loss {expected.test_loss.values[-1]:.6g}" in text
    assert f"test accuracy {test_accuracy:.1%}" in text
    panel = window.plots.loss
    qtbot.waitUntil(
        lambda: (
            panel.test_curve.getData()[0] is not None and len(panel.test_curve.getData()[0]) == 13
        )
    )
    epochs, test = panel.test_curve.getData()
    assert np.array_equal(test, expected.test_loss.values)
    assert [label.text for _item, label in panel.legend.items] == ["training", "test"]
    h = window.document.history
    assert np.array_equal(h.test_loss, expected.test_loss.values)
    assert np.array_equal(h.accuracy, expected.accuracy.values)


def test_the_history_export_has_the_test_loss_and_accuracy_columns(
    quiet_main_window, monkeypatch, tmp_path
):
    window, expected = opened(quiet_main_window, tmp_path, 4)
    window.lesson.walk.train(4)
    monkeypatch.setattr(window.exports, "ask_path", lambda *_: str(tmp_path / "h.csv"))
    window.exports.history_action.trigger()
    header, *rows = (tmp_path / "h.csv").read_text(encoding="utf-8").splitlines()
    assert header.startswith("epoch,loss,test_loss,accuracy,test_accuracy,w[1][0][0],")
    table = np.array([[float(v) for v in row.split(",")[:5]] for row in rows])
    rows = [expected.loss, expected.test_loss, expected.accuracy, expected.test_accuracy]
    assert np.array_equal(table[:, 1:], np.array([row.values for row in rows]).T)
