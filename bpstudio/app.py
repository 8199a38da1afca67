"""Composition root of the GUI: the QApplication, settings and the main window. Imported
only when the window is wanted, so headless commands never load Qt."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


def run(args: argparse.Namespace) -> int:
    """Opens the window on `args.file`, or renders it into `args.screenshot` and exits."""
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.main_window import MainWindow

    _quiet_offscreen_notice()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("bpstudio")
    app.setOrganizationName("bpstudio")
    settings = None
    if args.screenshot:  # a rendering must neither depend on nor change the user's settings
        from PySide6.QtCore import QSettings

        scratch = tempfile.TemporaryDirectory(prefix="bpstudio-shot-")  # removed at exit
        settings = QSettings(os.path.join(scratch.name, "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    if args.screenshot:
        window.show_error = lambda title, text: print(f"bpstudio: error: {text}", file=sys.stderr)
    if args.file and not window.open_path(args.file) and args.screenshot:
        return 2
    if args.screenshot:
        window.lesson.advance(args.step)
        if args.presentation:
            window.presentation.enter(full_screen=False)  # the shot is 1280x800 anyway
        return screenshot(app, window, args.screenshot)
    window.show()
    return app.exec()


def screenshot(app, window, path: str) -> int:
    """Renders the window at 1280x800 into `path` (PNG)."""
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    window.canvas.fit()
    app.processEvents()
    if not window.grab().save(path):
        print(f"bpstudio: error: {path}: cannot write the image", file=sys.stderr)
        return 2
    return 0


def _quiet_offscreen_notice() -> None:
    """The offscreen platform says "does not support propagateSizeHints()" for every window;
    it means nothing to a user, so that one message is dropped and all others kept."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
