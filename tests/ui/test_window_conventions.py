"""The window behaves as desktop apps do: presentation gives back the window state it found,
a long export blocks the window it works for, files open by drag and drop, by the system's
file-open event and from File ▸ Open Example, and File ▸ Close closes the document."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressDialog

from bpstudio.resources import examples_dir


def test_presentation_gives_back_a_maximised_window(main_window, qtbot):
    window = main_window()
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized)
    window.presentation.enter()
    qtbot.waitUntil(window.isFullScreen)
    window.presentation.leave()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert window.isMaximized()


def test_presentation_gives_back_a_normal_window(main_window, qtbot):
    window = main_window()
    window.presentation.enter()
    qtbot.waitUntil(window.isFullScreen)
    window.presentation.leave()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not window.isMaximized()


def test_history_export_progress_blocks_the_window(quiet_main_window, monkeypatch, tmp_path):
    """While the run is replayed for the CSV, the document cannot be edited."""
    window = quiet_main_window()
    assert window.open_path(examples_dir() / "xor.bpnet")
    window.lesson.walk.train(3)
    seen = []
    replay = window.lesson.walk.parameter_history

    def watched(*args):
        seen.extend(d.windowModality() for d in window.findChildren(QProgressDialog))
        return replay(*args)

    monkeypatch.setattr(window.lesson.walk, "parameter_history", watched)
    monkeypatch.setattr(window.exports, "ask_path", lambda *_: str(tmp_path / "h.csv"))
    assert window.exports.export_history()
    assert seen and all(m == m.WindowModal for m in seen)
