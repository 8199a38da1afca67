"""Keyboard shortcuts: no key sequence is held by two actions, or twice by one, under any key
scheme Qt gives on Linux (Windows, X11, GNOME, KDE), and Undo and Redo work from the
keyboard. The schemes other than the running platform's are checked in child processes
(tests/ui/shortcut_probe.py); the X11 ones need xcb, on $DISPLAY or under xvfb-run. .ci/run
runs this folder once more under Xvfb with QT_QPA_PLATFORM=xcb."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from shortcut_probe import clashes

from bpstudio.document.edits import SetWeight

PROBE = Path(__file__).with_name("shortcut_probe.py")
KDE = {"XDG_CURRENT_DESKTOP": "KDE", "KDE_SESSION_VERSION": "5", "KDE_FULL_SESSION": "true"}
# scheme: (platform, environment, bindings of FullScreen and FindNext that only it gives)
SCHEMES = {
    "windows": ("offscreen", {}, (["F11", "Alt+Enter"], ["F3", "Ctrl+G"])),
    "x11": ("xcb", {"XDG_CURRENT_DESKTOP": ""}, ([], ["F3"])),
    "gnome": ("xcb", {"XDG_CURRENT_DESKTOP": "GNOME"}, (["F11"], ["Ctrl+G", "F3"])),
    "kde": ("xcb", KDE, (["F11", "Ctrl+Shift+F"], ["F3"])),
}


def test_no_key_sequence_is_held_twice_on_this_platform(main_window):
    assert clashes(main_window()) == []


def test_the_clash_finder_sees_a_doubled_key_and_a_shared_key(main_window):
    window = main_window()
    doubled = QAction("Doubled", window)
    doubled.setShortcuts([QKeySequence("Ctrl+Alt+F9"), QKeySequence("Ctrl+Alt+F9")])
    window.addAction(doubled)
    shared = QAction("Shared", window)
    shared.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
    window.addAction(shared)
    save = QKeySequence(QKeySequence.StandardKey.Save).toString()
    found = clashes(window)
    assert "Ctrl+Alt+F9: Doubled twice" in found
    assert f"{save}: Save and Shared" in found
    assert len(found) == 2


def _probe_command(platform: str) -> list[str] | None:
    """How to run the probe on `platform`; None if it cannot run here."""
    if platform == "offscreen" or os.environ.get("DISPLAY"):
        return [sys.executable, str(PROBE)]
    xvfb = shutil.which("xvfb-run")
    return [xvfb, "-a", sys.executable, str(PROBE)] if xvfb else None


@pytest.mark.slow
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_no_key_sequence_is_held_twice_under_any_key_scheme(scheme, tmp_path):
    platform, extra, (full_screen, find_next) = SCHEMES[scheme]
    command = _probe_command(platform)
    if command is None:
        pytest.skip("the X11 key schemes need $DISPLAY or xvfb-run")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDE_")}
    env.update(extra, QT_QPA_PLATFORM=platform, BPSTUDIO_DATA_DIR=str(tmp_path))
    env.pop("QT_QPA_PLATFORMTHEME", None)
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=PROBE.parent, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["platform"] == platform
    assert (report["full_screen"], report["find_next"]) == (full_screen, find_next), (
        f"the probe did not get the {scheme} key scheme"
    )
    assert report["clashes"] == []


def test_undo_and_redo_keys_work(main_window, qtbot):
    """Under xcb with the X11 scheme, Redo is Ctrl+Shift+Z: held twice, it never fired."""
    window = main_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    before = window.document.layers[1].weights[0, 0]
    window.push(SetWeight(1, 0, 0, 0.625))
    for key in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo):
        for binding in QKeySequence.keyBindings(key):
            combo = binding[0]
            if combo.key() in (Qt.Key.Key_Undo, Qt.Key.Key_Redo):
                continue  # the keyboard's own Undo and Redo keys
            expected = before if key == QKeySequence.StandardKey.Undo else 0.625
            qtbot.keyClick(window.canvas, combo.key(), combo.keyboardModifiers())
            assert window.document.layers[1].weights[0, 0] == expected, binding.toString()
            if key == QKeySequence.StandardKey.Undo:
                window.undo_stack.redo()
            else:
                window.undo_stack.undo()
