"""`bpstudio --self-test`: drives the real window offscreen through every bundled example (open,
one training step micro-step by micro-step, one epoch), renders every panel and exports a PNG
and an SVG, then prints `self-test ok` (exit 0) or one line per failure (exit 1). In a frozen
build it proves that the resources and Qt plugins were bundled. Imports Qt and bpstudio.ui;
only `bpstudio.cli` imports it, and only for --self-test."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

OK_LINE = "self-test ok"
EXPORT_SIZE = (640, 400)  # the PNG export's requested size, in pixels
LINE_TAGS = {"path", "polyline", "polygon", "line"}


class Failures(list):
    """One line per failed check, in the order they were found, each once; `context` names
    what is being checked, for failures that arrive through the window's dialogs or as
    exceptions raised in Qt's slots."""

    context = "start"

    def append(self, line: str) -> None:
        if line not in self:
            super().append(line)

    def excepthook(self, _kind, exc: BaseException, _traceback) -> None:
        """For sys.excepthook: PySide6 hands it the exceptions raised in slots."""
        self.append(f"{self.context}: {_describe(exc)}")

    def check(self, what: str, action: Callable[[], str | None]) -> None:
        """Runs `action`; a returned message or any exception becomes a failure of `what`."""
        try:
            problem = action()
        except Exception as exc:  # a self-test reports every failure, whatever it is
            problem = _describe(exc)
        if problem:
            self.append(f"{what}: {problem}")


def _describe(exc: BaseException) -> str:
    """The exception in one line, with where it was raised (file:line), for diagnosis."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def run() -> int:
    """Runs the self-test in a QApplication on the offscreen platform; prints the result."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a self-test never needs, or opens, a display
    if not any(os.environ.get(k) for k in ("LC_ALL", "LC_CTYPE", "LANG")):
        os.environ["LC_CTYPE"] = "C.UTF-8"  # what Qt switches to anyway, with a warning
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from bpstudio.app import quiet_offscreen_notice

    app = QApplication.instance()
    if app is None:  # an application that exists already keeps its own message handler
        quiet_offscreen_notice()
        app = QApplication(sys.argv[:1])
    failures = Failures()
    with tempfile.TemporaryDirectory(prefix="bpstudio-selftest-") as scratch:
        _run_checks(app, Path(scratch), failures)
    for line in failures:
        print(f"self-test failed: {line}", flush=True)
    if not failures:
        print(OK_LINE, flush=True)  # print, not write: a windowed Windows app has no stdout
    return 1 if failures else 0


def _run_checks(app, scratch: Path, failures: Failures) -> None:
    from bpstudio import resources
    from bpstudio.ui.crash_handler import DATA_DIR_VARIABLE

    before = os.environ.get(DATA_DIR_VARIABLE)
    os.environ[DATA_DIR_VARIABLE] = str(scratch / "data")  # recovery copies, logs: not the user's
    hook, sys.excepthook = sys.excepthook, failures.excepthook
    window = _make_window(scratch, failures)
    try:
        examples: list[Path] = []

        def find_examples() -> str | None:
            folder = resources.examples_dir()
            examples.extend(sorted(folder.glob("*.bpnet")))
            return None if examples else f"no *.bpnet files in {folder}"

        failures.check("bundled examples", find_examples)
        failures.check("application icon", _check_icon)
        failures.check("documentation and licences", _check_bundled_texts)
        failures.check("fonts", _check_fonts)
        for path in examples:
            _check_example(app, window, path, failures)
        failures.check("exports", lambda: _check_exports(app, window, scratch))
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        sys.excepthook = hook
        if before is None:
            del os.environ[DATA_DIR_VARIABLE]
        else:
            os.environ[DATA_DIR_VARIABLE] = before


def _make_window(scratch: Path, failures: Failures):
    """The real main window with scratch settings, its dialogs answered without blocking:
    errors and questions are recorded as failures, unsaved changes are discarded."""
    from PySide6.QtCore import QSettings

    from bpstudio.app import application_icon
    from bpstudio.ui.assemble import build_window

    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = build_window(settings)
    window.setWindowIcon(application_icon())
    window.show_error = lambda title, text: failures.append(
        f"{failures.context}: error shown: {title}: {text}"
    )

    def unexpected_question(title: str, _text: str) -> bool:
        failures.append(f"{failures.context}: unexpected question: {title}")
        return False

    window.ask_yes_no = unexpected_question
    window.ask_unsaved_changes = lambda: "discard"
    window.resize(1280, 800)
    window.show()
    return window


def _check_icon() -> str | None:
    from bpstudio.app import application_icon

    icon = application_icon()
    sizes = icon.availableSizes()
    if icon.isNull() or not sizes:
        return "no icon images found in the resources"
    return None


def _check_bundled_texts() -> str | None:
    """Help ▸ Documentation and About read these; the version comes from the metadata."""
    from bpstudio import resources
    from bpstudio.about import version

    wanted = [
        resources.docs_dir() / "README.md",
        resources.docs_dir() / "format.md",
        resources.project_path("LICENSE"),
        resources.project_path("THIRD-PARTY-NOTICES.md"),
        resources.project_path("licenses") / "LGPL-3.0.txt",
    ]
    missing = [str(p) for p in wanted if not p.is_file()]
    if missing:
        return "missing " + ", ".join(missing)
    import bpstudio

    if version() != bpstudio.__version__:
        return f"the metadata says version {version()}, the package {bpstudio.__version__}"
    return None


def _check_fonts() -> str | None:
    """Without any font Qt draws every letter as an empty box, and nothing else fails."""
    from PySide6.QtGui import QFontDatabase, QFontMetrics
    from PySide6.QtWidgets import QApplication

    hint = "install fonts (on Debian: libfontconfig1, which brings fonts-dejavu-core)"
    if not QFontDatabase.families():
        return f"no fonts found: {hint}"
    if not QFontMetrics(QApplication.font()).inFont("x"):
        return f"the default font {QApplication.font().family()!r} has no letter x: {hint}"
    return None


MAX_PRESSES = 200  # Next presses per example before Finish Step


def _check_example(app, window, path: Path, failures: Failures) -> None:
    name = path.name
    failures.context = name
    before = len(failures)

    def open_example() -> str | None:
        opened = window.files.open_path(path)
        shown = len(failures) > before  # the loader's message, shown as an error, says why
        return None if opened or shown else "not opened, and no error was shown"

    failures.check(f"{name}: open", open_example)
    if len(failures) > before:
        return
    app.processEvents()
    failures.check(f"{name}: one training step", lambda: _walk_one_step(app, window))
    failures.check(f"{name}: one epoch", lambda: _run_one_epoch(app, window))
    for what, widget in _panels(window):
        failures.check(f"{name}: render {what}", lambda w=widget: _check_render(app, w))


def _walk_one_step(app, window) -> str | None:
    """Presses Next until the walk has finished the training step it started in; a step of
    more than MAX_PRESSES micro-steps (the digits' 3,710) is walked that far, then finished
    with Finish Step and one more Next."""
    lesson = window.lesson
    start = (lesson.walk.epoch, lesson.walk.batch)
    limit = len(lesson.walk.sequence) + 1  # every micro-step, then the move to the next step
    for press in range(limit):
        if press == MAX_PRESSES:
            lesson.actions["finish"].trigger()
            app.processEvents()
        lesson.actions["next"].trigger()
        app.processEvents()
        if lesson.walk.divergence:
            return f"diverged: {lesson.walk.divergence.message()}"
        if (lesson.walk.epoch, lesson.walk.batch) != start:
            return _check_position(lesson)
    return f"still in epoch {start[0]}, batch {start[1]} after {limit} presses of Next"


def _run_one_epoch(app, window) -> str | None:
    lesson = window.lesson
    before = lesson.walk.epoch
    lesson.actions["epoch"].trigger()
    app.processEvents()
    if lesson.walk.divergence:
        return f"diverged: {lesson.walk.divergence.message()}"
    if lesson.walk.epoch != before + 1:
        return f"epoch {before} became {lesson.walk.epoch}, not {before + 1}"
    history = window.document.history
    if history is None or history.epoch[-1] != lesson.walk.epoch:
        return f"the document's loss history does not reach epoch {lesson.walk.epoch}"
    return _check_position(lesson)


def _check_position(lesson) -> str | None:
    text = lesson.position.text()
    if not text.startswith(f"Epoch {lesson.walk.epoch}"):
        return f"the status line says {text!r}, not epoch {lesson.walk.epoch}"
    return None


def _panels(window) -> list[tuple[str, object]]:
    """Every open dock's widget (each brought to the front of its tab group in turn), the
    canvas and the whole window."""
    from PySide6.QtWidgets import QDockWidget

    found = []
    for dock in window.findChildren(QDockWidget):
        if dock.toggleViewAction().isChecked() and dock.widget() is not None:
            found.append((f"panel {dock.windowTitle()!r}", dock))
    found.append(("canvas", window.canvas))
    found.append(("window", window))
    return found


def _check_render(app, widget) -> str | None:
    from PySide6.QtWidgets import QDockWidget

    if isinstance(widget, QDockWidget):
        widget.raise_()
        app.processEvents()
        widget = widget.widget()
    image = widget.grab().toImage()
    if image.isNull() or image.width() < 2 or image.height() < 2:
        return f"rendered an empty image ({image.width()}x{image.height()})"
    if is_flat(image):
        return f"rendered a single flat colour ({image.width()}x{image.height()})"
    return None


def is_flat(image) -> bool:
    """Whether every pixel of the QImage has the same colour."""
    import numpy as np
    from PySide6.QtGui import QImage

    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    pixels = np.frombuffer(argb.constBits(), np.uint32, argb.sizeInBytes() // 4)
    rows = pixels.reshape(argb.height(), argb.bytesPerLine() // 4)[:, : argb.width()]
    return bool((rows == rows[0, 0]).all())


def _check_exports(app, window, scratch: Path) -> str | None:
    """Exports the canvas as PNG and SVG through bpstudio.ui.export and checks both files."""
    from PySide6.QtGui import QImage

    from bpstudio.ui import export

    app.processEvents()
    png, svg = scratch / "export.png", scratch / "export.svg"
    width, height = EXPORT_SIZE
    export.save_png(window.canvas, png, width, height)
    image = QImage(str(png))
    if image.isNull():
        return f"the PNG export {png.name} does not load as an image"
    if (image.width(), image.height()) != (width, height):
        return f"the PNG export is {image.width()}x{image.height()}, not {width}x{height}"
    if is_flat(image):
        return "the PNG export is a single flat colour"
    export.save_svg(window.canvas, svg)
    return check_svg(svg)


def check_svg(path: Path) -> str | None:
    """None if `path` is an SVG document with text kept as <text> and lines drawn as vectors.
    (QSvgGenerator writes a drawn line as <polyline> and a QPainterPath as <path>.)"""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        return f"the SVG export does not parse: {exc}"
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return f"the SVG export's root element is <{root.tag}>, not <svg>"
    if "text" not in tags:
        return "the SVG export has no <text>"
    if not tags & LINE_TAGS:
        return "the SVG export has no lines drawn as vectors (<path>, <polyline>, ...)"
    return None
