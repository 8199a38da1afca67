"""Composition root of the GUI: the QApplication, settings and the main window. Imported
only when the window is wanted, so headless commands never load Qt."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from bpstudio.document.model import Document


def run(args: argparse.Namespace) -> int:
    """Opens the window on `args.file`, or renders it into `args.screenshot` and exits.

    The cyclic garbage collector is off until the window is up: start-up creates about
    130,000 objects (modules, classes, widgets) that all live on, and looking for cycles
    among them while they were made took 175 collections and ~80 ms of the start. Once the
    window is up they are frozen (`gc.freeze`): a full collection through them took ~50 ms,
    a pause as long as the window may ever stall, and a frozen object is never looked at
    again. That leaves uncollected the few hundred objects start-up threw away in cycles
    (~570), and it spares the interpreter's last collections at exit (~100 ms)."""
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.freeze()  # the screenshot is written, or the window closed: the process ends
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.main_window import MainWindow
    from bpstudio.ui.plots import configure_pyqtgraph

    quiet_offscreen_notice()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_pyqtgraph()  # once, before any plot widget exists
    app.setApplicationName("bpstudio")
    app.setOrganizationName("bpstudio")
    app.setDesktopFileName("bpstudio")  # Wayland and docks match the window to bpstudio.desktop
    app.setWindowIcon(application_icon())
    settings = None
    if args.screenshot:  # a rendering must neither depend on nor change the user's settings
        from PySide6.QtCore import QSettings

        scratch = tempfile.TemporaryDirectory(prefix="bpstudio-shot-")  # removed at exit
        settings = QSettings(os.path.join(scratch.name, "settings.ini"), QSettings.Format.IniFormat)
    opened, problem = read_file(args.file)
    if args.screenshot:
        if problem:
            print(f"bpstudio: error: {problem}", file=sys.stderr)
            return 2
        window = MainWindow(settings, opened)
        window.show_error = lambda title, text: print(f"bpstudio: error: {text}", file=sys.stderr)
        window.lesson.advance(args.step)
        if args.presentation:
            window.presentation.enter(full_screen=False)  # the shot has its --size anyway
        return screenshot(app, window, args.screenshot, args.size)
    from bpstudio.ui.crash_handler import CrashHandler

    crash_handler = CrashHandler()
    crash_handler.install()
    crash_handler.enable_fatal_log()
    window = MainWindow(settings, opened)
    crash_handler.window = window
    crash_handler.error_recorded.connect(window.recovery.write_now)  # keep the work safe
    window.show()
    if not window.offer_recovery() and problem:
        window.show_error("Cannot open the network", problem)
    gc.freeze()  # the window is up: later collections look only at what comes after
    gc.enable()
    return app.exec()


def read_file(file: str | None) -> tuple[tuple[Document, Path] | None, str]:
    """The command line's FILE loaded before the window is built, so its views are built
    once: (document, path), or None with the loader's message ("" without a FILE)."""
    if not file:
        return None, ""
    from bpstudio.document.format import DocumentError, load

    try:
        return (load(file), Path(file)), ""
    except DocumentError as exc:
        return None, str(exc)


def application_icon() -> QIcon:
    """The app's icon, from the PNGs of every size in resources/icons (PNG needs no plugin)."""
    from PySide6.QtGui import QIcon

    from bpstudio.resources import icons_dir

    icon = QIcon()
    for png in sorted(icons_dir().glob("bpstudio-*.png")):
        icon.addFile(str(png))
    return icon


def screenshot(app, window, path: str, size: tuple[int, int] = (1280, 800)) -> int:
    """Renders the window at `size` (width, height) into `path` (PNG). The canvas fits itself
    to its new size; the plots are brought up to date, and the next turn of events lays out
    what their refresh changed (a legend filled in after its plot's layout was activated)."""
    window.resize(*size)
    window.show()
    app.processEvents()
    shown = window.width(), window.height()
    if shown != tuple(size):  # the docks' and toolbars' smallest sizes do not fit
        smallest = "x".join(str(max(a, b)) for a, b in zip(shown, size, strict=True))
        print(
            f"bpstudio: error: --size {size[0]}x{size[1]}: the window needs at least {smallest}",
            file=sys.stderr,
        )
        return 2
    window.plots.flush()
    app.processEvents()
    if not window.grab().save(path):
        print(f"bpstudio: error: {path}: cannot write the image", file=sys.stderr)
        return 2
    return 0


def quiet_offscreen_notice() -> None:
    """The offscreen platform says "does not support propagateSizeHints()" for every window;
    it means nothing to a user, so that one message is dropped and all others kept."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def save_loss_plot(path: str, epochs, loss, loss_name: str, title: str) -> None:
    """`bpstudio train --plot`: the loss panel rendered into `path` on the offscreen platform
    (a headless command never needs, or uses, a display)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.loss_image import save_loss_plot as save
    from bpstudio.ui.plots import configure_pyqtgraph

    quiet_offscreen_notice()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_pyqtgraph()
    save(app, path, epochs, loss, loss_name, title)
