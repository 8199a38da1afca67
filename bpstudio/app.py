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

from bpstudio.ui.show import VIEWS, lesson_view

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from bpstudio.document.model import Document
    from bpstudio.ui.main_window import MainWindow


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

    from bpstudio.ui.plots import configure_pyqtgraph

    quiet_offscreen_notice()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_pyqtgraph()  # once, before any plot widget exists
    describe_application(app)
    if args.screenshot:
        return _run_screenshot(app, args)
    from bpstudio.ui.assemble import build_window
    from bpstudio.ui.crash_handler import CrashHandler
    from bpstudio.ui.file_opening import FileOpenEvents

    crash_handler = CrashHandler()
    crash_handler.install()
    crash_handler.enable_fatal_log()
    window = build_window()
    # macOS: Finder double-click, Dock drops
    app.installEventFilter(FileOpenEvents(window.file_actions.open_path_asking, window))
    crash_handler.window = window
    crash_handler.error_recorded.connect(window.recovery.write_now)  # keep the work safe
    window.show()
    if args.show:
        VIEWS[args.show](window)
    offer_recovery_then_open(window, args.file)
    gc.freeze()  # the window is up: later collections look only at what comes after
    gc.enable()
    return app.exec()


def offer_recovery_then_open(window: MainWindow, file: str | None) -> None:
    """Offers the recovery copies of instances that crashed, then opens `file` unless one was
    restored. Both are read on worker threads: the window answers while a big file loads."""

    def open_unless_restored(restored: bool) -> None:
        if file and not restored:
            window.file_actions.open_in_background(file)

    window.recovery.offered.connect(open_unless_restored)
    window.recovery.offer_restore()


def _run_screenshot(app, args: argparse.Namespace) -> int:
    """`--screenshot`: the window on FILE after `--epochs`, at `--step`, rendered into the
    file and closed. A rendering must neither depend on nor change the user's settings."""
    from PySide6.QtCore import QSettings

    from bpstudio.document.atomic import check_target, write_problem
    from bpstudio.maths.steps import MAX_STEPS
    from bpstudio.ui.assemble import build_window

    scratch = tempfile.TemporaryDirectory(prefix="bpstudio-shot-")  # removed at exit
    settings = QSettings(os.path.join(scratch.name, "settings.ini"), QSettings.Format.IniFormat)
    opened, problem = read_file(args.file)
    if problem:
        return _refuse(problem)
    try:
        check_target(args.screenshot)
    except OSError as exc:
        return _refuse(f"{args.screenshot}: {write_problem(exc)}")
    window = build_window(settings, opened)
    try:
        window.show_error = lambda title, text: _refuse(text)
        if args.epochs < 0:
            return _refuse(f"--epochs {args.epochs}: give a number of epochs, 0 or more")
        train_in_window(app, window, args.epochs)
        last = window.lesson.walk.expected_length()
        if not 0 <= args.step <= last:
            return _refuse(
                f"--step {args.step}: the first training step has {last:,} micro-steps; "
                f"give 0 to {last}"
            )
        if args.step and not window.lesson.walk.steppable():
            return _refuse(
                f"--step {args.step}: the first training step has {last:,} micro-steps; the "
                f"window steps through at most {MAX_STEPS:,}, so only --step 0 is shown"
            )
        window.lesson.advance(args.step)
        if args.presentation:
            window.presentation.enter(full_screen=False)  # the shot has its --size anyway
        view = args.show or lesson_view(window.path)  # a lesson on the gradient: its view
        if view:
            window.resize(*args.size)
            window.show()  # a dock tab raised while the window is hidden does not stay in front
            app.processEvents()
            VIEWS[view](window)
        return screenshot(app, window, args.screenshot, args.size)
    finally:  # nothing of it stays on screen or in memory (in-process callers)
        window.hide()
        window.deleteLater()


def train_in_window(app, window, epochs: int) -> None:
    """Trains `epochs` epochs as Train does (timer slices, the epochs one undoable edit),
    waiting until the runner stops."""
    from PySide6.QtCore import QEventLoop

    if epochs:
        window.lesson.train_epochs(epochs)
    while window.lesson.runner.running:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def describe_application(app) -> None:
    """Name, version, icon, and the desktop file's id, by which Wayland compositors and docks
    match the window to its menu entry (resources/org.bpstudio.bpstudio.desktop)."""
    from bpstudio.about import APP_ID, version

    app.setApplicationName("bpstudio")
    app.setOrganizationName("bpstudio")
    app.setApplicationVersion(version())
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(application_icon())


def _refuse(text: str) -> int:
    """One `bpstudio: error:` line on standard error; the exit status of bad input."""
    from bpstudio.cli_outputs import one_line

    print(one_line(f"bpstudio: error: {text}"), file=sys.stderr)
    return 2


def read_file(file: str | None) -> tuple[tuple[Document, Path] | None, str]:
    """The command line's FILE loaded before a screenshot's window is built, so its views are
    built once: (document, path), or None with the loader's message ("" without a FILE)."""
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
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from bpstudio.document.atomic import atomic_write_bytes, write_problem

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        if not window.grab().save(buffer, "PNG"):
            return _refuse(f"{path}: the image could not be encoded as PNG")
        atomic_write_bytes(path, bytes(data))
    except OSError as exc:
        return _refuse(f"{path}: {write_problem(exc)}")
    return 0


def quiet_offscreen_notice() -> None:
    """The offscreen platform says "does not support propagateSizeHints()" for every window;
    it means nothing to a user, so that one message is dropped and all others kept."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def loss_plot_bytes(path: str, curves, loss_name: str, title: str, look, test_loss=None) -> bytes:
    """`bpstudio train --plot` and `bpstudio compare --plot`: the loss of each of `curves`
    (name, epochs, losses) as the image for `path` (PNG, SVG or PDF), rendered on the offscreen
    platform (a headless command never needs, or uses, a display), with `look` (a
    cli_plot.PlotLook); a single curve with its `test_loss`, if given."""
    app = _offscreen_app()
    from bpstudio.ui.export import ExportOptions
    from bpstudio.ui.loss_image import loss_plot_bytes as render
    from bpstudio.ui.plots import configure_pyqtgraph

    configure_pyqtgraph()
    options = ExportOptions(look.width, look.height, look.dpi, look.style)
    return render(app, path, curves, loss_name, title, options, test_loss)


def landscape_plot_bytes(path: str, landscape, loss_name: str, title: str, look) -> bytes:
    """`bpstudio landscape --out`: `landscape` (an engine.landscape.Landscape) as a heatmap
    with contours, the image for `path` (PNG, SVG or PDF), rendered on the offscreen platform
    with `look` (a cli_plot.PlotLook)."""
    app = _offscreen_app()
    from bpstudio.ui.export import ExportOptions
    from bpstudio.ui.loss_image import panel_bytes
    from bpstudio.ui.plots import configure_pyqtgraph
    from bpstudio.ui.plots.landscape_panel import LandscapePanel

    configure_pyqtgraph()
    panel = LandscapePanel()
    panel.show_landscape(
        landscape.params, landscape.x, landscape.y, landscape.loss, landscape.current, loss_name
    )
    options = ExportOptions(look.width, look.height, look.dpi, look.style)
    return panel_bytes(app, panel, path, title, options)


def save_text_pdf(path: str, html: str, title: str) -> None:
    """`bpstudio steps --format pdf`: `html` as an A4 PDF, laid out on the offscreen
    platform."""
    _offscreen_app()
    from bpstudio.ui.text_pdf import save_html_pdf

    save_html_pdf(path, html, title)


def text_pdf_bytes(html: str, title: str) -> bytes:
    """`bpstudio exercise --pdf`: `html` as an A4 PDF whose bytes depend on the text only."""
    _offscreen_app()
    from bpstudio.ui.text_pdf import html_pdf_bytes

    return html_pdf_bytes(html, title, reproducible=True)


def _offscreen_app():
    """The running QApplication, or a new one on the offscreen platform (a headless command
    never needs, or uses, a display). Qt's hashing is seeded the same in every run, so
    a PDF's fonts are embedded in the same order: the same input, the same bytes."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    os.environ.setdefault("QT_HASH_SEED", "0")
    from PySide6.QtWidgets import QApplication

    quiet_offscreen_notice()
    return QApplication.instance() or QApplication(sys.argv[:1])
