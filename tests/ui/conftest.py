"""Fixtures for the pytest-qt tests: main windows that are closed after each test, and
settings kept in a temporary folder so tests never touch the user's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bpstudio.ui.assemble import build_window
from bpstudio.ui.main_window import MainWindow
from bpstudio.ui.plots import configure_pyqtgraph

DRIVER = Path(__file__).with_name("app_driver.py")
REPO = str(Path(__file__).resolve().parents[2])


@pytest.fixture(autouse=True, scope="session")
def pyqtgraph_options():
    """pyqtgraph's global options, set once before any plot exists, as app.py does."""
    configure_pyqtgraph()


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    """Recovery copies and logs go to a temporary folder, never the user's."""
    folder = tmp_path / "appdata"
    monkeypatch.setenv("BPSTUDIO_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _discard_changes(window: MainWindow) -> None:
    window.ask_unsaved_changes = lambda: "discard"


@pytest.fixture
def main_window(qtbot, settings):
    """A factory of shown main windows; each is registered with qtbot and closed after the
    test, and the test fails if it leaves another top-level window open."""
    before = set(QApplication.topLevelWidgets())
    made = []

    def make() -> MainWindow:
        window = build_window(settings)
        # tests that leave changes unsaved must not block on the question when qtbot closes
        qtbot.addWidget(window, before_close_func=_discard_changes)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        _discard_changes(window)
        window.close()
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if w not in before and w not in made and w.isVisible()
    ]
    assert not leaked, f"top-level widgets left open: {leaked}"


@pytest.fixture
def quiet_main_window(main_window):
    """Like `main_window`, but errors are collected in `window.errors` instead of shown, and
    closing discards unsaved changes without asking."""

    def make() -> MainWindow:
        window = main_window()
        window.errors = []
        window.show_error = lambda title, text: window.errors.append(text)
        _discard_changes(window)
        return window

    return make


@pytest.fixture
def run_app_driver(data_folder):
    """Runs app_driver.py (the real app) with `argv` in a child process that imports this
    checkout's bpstudio and keeps its data in the test's folder; returns when it ends."""

    def run(*argv: str) -> subprocess.CompletedProcess:
        path = os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")]))
        return subprocess.run(
            [sys.executable, str(DRIVER), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": path},
        )

    return run
