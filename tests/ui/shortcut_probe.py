"""Finds the key sequences that more than one action of the main window holds, or that one
action holds twice, under the key scheme of the platform and theme Qt runs on. Not a test
module: tests/ui/test_shortcuts.py imports `clashes`, and runs this file as a script in child
processes (one per platform and theme), where it prints the clashes as JSON.

    QT_QPA_PLATFORM=xcb QT_QPA_PLATFORMTHEME=kde python shortcut_probe.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

WIDE = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)


def _actions(window: QWidget) -> list[QAction]:
    """Every action added to the window or to any widget in it (menus included), once."""
    seen: dict[int, QAction] = {}
    for widget in [window, *window.findChildren(QWidget)]:
        for action in widget.actions():
            seen.setdefault(id(action), action)
    return list(seen.values())


def _scope(action: QAction) -> set[QWidget] | None:
    """None for a window-wide shortcut; else the widgets (not menus) it acts in."""
    if action.shortcutContext() in WIDE:
        return None
    widgets = action.associatedObjects()
    return {w for w in widgets if isinstance(w, QWidget) and not isinstance(w, QMenu)}


def _overlap(a: set[QWidget] | None, b: set[QWidget] | None) -> bool:
    """Whether two scopes can both be live for one key press: one is window-wide, or a
    widget of one is (inside) a widget of the other."""
    if a is None or b is None:
        return True
    return any(x is y or x.isAncestorOf(y) or y.isAncestorOf(x) for x in a for y in b)


def _name(action: QAction) -> str:
    return action.text().replace("&", "") or action.objectName() or "(unnamed)"


def clashes(window: QWidget) -> list[str]:
    """One line per clash, e.g. `Ctrl+Shift+Z: Redo twice` or `Ctrl+W: Close and Quit`."""
    found = []
    held: list[tuple[str, QAction]] = []
    for action in _actions(window):
        keys = [k.toString(QKeySequence.SequenceFormat.PortableText) for k in action.shortcuts()]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            found.append(f"{key}: {_name(action)} twice")
        for key in dict.fromkeys(keys):
            for key_before, other in held:
                if key_before == key and _overlap(_scope(action), _scope(other)):
                    found.append(f"{key}: {_name(other)} and {_name(action)}")
            held.append((key, action))
    return found


def main() -> int:
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.assemble import build_window
    from bpstudio.ui.plots import configure_pyqtgraph

    app = QApplication(sys.argv[:1])
    configure_pyqtgraph()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["BPSTUDIO_DATA_DIR"] = scratch
        settings = QSettings(os.path.join(scratch, "s.ini"), QSettings.Format.IniFormat)
        window = build_window(settings)
        window.show()
        app.processEvents()
        key = QKeySequence.StandardKey
        report = {
            "platform": app.platformName(),
            "full_screen": [k.toString() for k in QKeySequence.keyBindings(key.FullScreen)],
            "find_next": [k.toString() for k in QKeySequence.keyBindings(key.FindNext)],
            "clashes": clashes(window),
        }
        print(json.dumps(report))
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
