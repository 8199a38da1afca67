"""Start-up with a FILE on the command line: the window built for the loaded document from
the start (no first build for a new network) shows exactly what building it empty and then
opening the file shows, and a FILE that cannot be read is reported, with nothing rendered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bpstudio.document.format import load
from bpstudio.resources import examples_dir
from bpstudio.ui.assemble import build_window
from bpstudio.ui.main_window import MainWindow

SPIRAL = examples_dir() / "spiral.bpnet"


def shown(qtbot, window: MainWindow) -> MainWindow:
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_window_built_for_a_file_shows_what_opening_it_shows(qtbot, tmp_path):
    settings = [QSettings(str(tmp_path / f"{n}.ini"), QSettings.Format.IniFormat) for n in "ab"]
    opened = shown(qtbot, build_window(settings[0]))
    assert opened.files.open_path(SPIRAL)
    built = shown(qtbot, build_window(settings[1], (load(SPIRAL), SPIRAL)))
    for window in (opened, built):  # settled as for a screenshot: laid out, plots refreshed
        QApplication.processEvents()
        window.plots.flush()
        QApplication.processEvents()
        assert window.plots.decision.output.size > 0
    assert built.document == opened.document
    assert built.path == opened.path == SPIRAL
    assert built.windowTitle() == opened.windowTitle() == "spiral.bpnet[*] — bpstudio"
    assert built.undo_stack.isClean() and not built.isWindowModified()
    assert built.files.on_disk == opened.files.on_disk is not None
    assert built.files.recent.paths() == [str(SPIRAL.resolve())]
    assert (
        built.pages.currentWidget() is built.views and built.views.currentWidget() is built.canvas
    )
    assert built.overlay.group is not None  # the first step's highlight is drawn
    assert built.lesson.position.text() == opened.lesson.position.text()
    assert built.grab().toImage() == opened.grab().toImage()


def test_a_file_that_cannot_be_read_is_reported_and_nothing_rendered(tmp_path):
    bad = tmp_path / "bad.bpnet"
    bad.write_text('{"format": "bpnet"', encoding="utf-8")
    out = tmp_path / "shot.png"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "bpstudio", str(bad), "--screenshot", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"bpstudio: error: {bad}: ")
    assert "not valid JSON" in done.stderr
    assert not out.exists()
