"""Tests for `bpstudio --self-test`: it passes on the bundled examples (as a real command, on a
machine without a display), and it names what failed and exits 1 when an example is broken,
an export fails, or a panel renders nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDockWidget, QWidget

import bpstudio
from bpstudio import resources, selftest
from bpstudio.ui import assemble as assemble_module
from bpstudio.ui import export

PACKAGE_ROOT = str(Path(bpstudio.__file__).resolve().parent.parent)
BROKEN = '{"format": "bpnet", "version": 1, "layers": [}'


def _run(code_or_module: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Runs python (the bpstudio this test imports) as if on a machine with no display: the
    platform asked for is xcb and there is no DISPLAY, so only a forced offscreen works."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="xcb", PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-P", *code_or_module],
        cwd=cwd,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )


@pytest.fixture
def examples(tmp_path, monkeypatch):
    """An examples folder of our own, holding Example 1; the self-test reads it."""
    folder = tmp_path / "examples"
    folder.mkdir()
    shutil.copy(resources.examples_dir() / "seed-1-one-neuron.bpnet", folder)
    monkeypatch.setattr(resources, "examples_dir", lambda: folder)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    return folder


def _self_test(qapp, capsys) -> tuple[int, list[str]]:
    code = selftest.run()
    return code, capsys.readouterr().out.splitlines()


@pytest.mark.slow
def test_self_test_command_passes_on_every_bundled_example_without_a_display(tmp_path):
    done = _run(["-m", "bpstudio", "--self-test"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "self-test ok\n"
    assert "Traceback" not in done.stderr


def test_self_test_command_names_a_broken_example_and_exits_1(tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "broken.bpnet").write_text(BROKEN, encoding="utf-8")
    shutil.copy(resources.examples_dir() / "seed-1-one-neuron.bpnet", folder)
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        import bpstudio.resources
        bpstudio.resources.examples_dir = lambda: Path({str(folder)!r})
        from bpstudio.cli import main
        sys.exit(main(["--self-test"]))
        """
    )
    done = _run(["-c", code], cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith("self-test failed: broken.bpnet: error shown: Cannot open")
    assert "broken.bpnet" in lines[0].split("Cannot open the network: ", 1)[1]
    assert "self-test ok" not in done.stdout
    assert "Traceback" not in done.stderr


def test_one_good_example_passes_in_process(qapp, capsys, examples):
    assert _self_test(qapp, capsys) == (0, ["self-test ok"])


def test_an_empty_examples_folder_fails(qapp, capsys, examples):
    (examples / "seed-1-one-neuron.bpnet").unlink()
    code, lines = _self_test(qapp, capsys)
    assert code == 1
    assert lines[0] == f"self-test failed: bundled examples: no *.bpnet files in {examples}"


def test_a_failing_export_is_reported_with_its_message(qapp, capsys, examples, monkeypatch):
    def refuse(view, path, width, height):
        raise OSError(f"{path}: disk full")

    monkeypatch.setattr(export, "save_png", refuse)
    code, lines = _self_test(qapp, capsys)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith("self-test failed: exports: OSError: ")
    assert "export.png: disk full" in lines[0]


def test_every_dock_is_rendered_and_a_blank_one_fails(qapp, capsys, examples, monkeypatch):
    """A dock added by any part of the window (here an empty one, standing in for a new
    panel) is found and rendered; an all-one-colour rendering is a failure."""
    install = assemble_module.install_panels

    def install_with_blank_dock(window, *args):
        panels = install(window, *args)
        blank = QWidget()
        blank.setAutoFillBackground(True)
        dock = QDockWidget("Blank panel", window)
        dock.setObjectName("blank_dock")
        dock.setWidget(blank)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return panels

    monkeypatch.setattr(assemble_module, "install_panels", install_with_blank_dock)
    code, lines = _self_test(qapp, capsys)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(
        "self-test failed: seed-1-one-neuron.bpnet: render panel 'Blank panel': "
        "rendered a single flat colour"
    )


def test_is_flat_tells_one_colour_from_two():
    image = QImage(7, 5, QImage.Format.Format_RGB32)  # odd width: rows carry padding
    image.fill(QColor("#336699"))
    assert selftest.is_flat(image)
    image.setPixelColor(6, 4, QColor("#336698"))
    assert not selftest.is_flat(image)


@pytest.mark.parametrize(
    ("svg", "problem"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><text>x</text><path d="M0 0"/></svg>', None),
        ('<svg xmlns="http://www.w3.org/2000/svg"><text>x</text><polyline/></svg>', None),
        ('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>', "no <text>"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><text>x</text><image/></svg>', "no lines"),
        ("<html><text>x</text><path/></html>", "root element is <html>"),
        ("<svg><text>x</text", "does not parse"),
    ],
)
def test_check_svg(tmp_path, svg, problem):
    path = tmp_path / "x.svg"
    path.write_text(svg, encoding="utf-8")
    found = selftest.check_svg(path)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_no_fonts_is_a_failure(qapp, capsys, examples, monkeypatch):
    """Without fonts every letter is an empty box, though every panel still renders."""
    from PySide6.QtGui import QFontDatabase

    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *args: []))
    code, lines = _self_test(qapp, capsys)
    assert code == 1
    assert lines == [
        "self-test failed: fonts: no fonts found: install fonts "
        "(on Debian: libfontconfig1, which brings fonts-dejavu-core)"
    ]


def test_missing_qt_system_library_is_one_line_naming_it(monkeypatch, capsys):
    """On a machine without libGL the window cannot start: say which library, not a traceback."""
    from bpstudio.cli import main

    def no_libgl():
        raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(selftest, "run", no_libgl)
    assert main(["--self-test"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bpstudio: error: the window cannot start: libGL.so.1: cannot open")
    assert "libgl1 libegl1 libxcb1 libfontconfig1" in err
    assert len(err.splitlines()) == 1


def test_an_exception_in_a_slot_is_reported_once_with_its_place(
    qapp, capsys, examples, monkeypatch
):
    """Qt swallows exceptions raised in slots (Next's here); the self-test still reports
    them, once, with where they were raised, and then that the step never finished."""
    from bpstudio.ui.lesson import LessonController

    def broken_next(self):
        raise ValueError("no next step")

    monkeypatch.setattr(LessonController, "next", broken_next)
    code, lines = _self_test(qapp, capsys)
    assert code == 1
    assert lines[0].startswith(
        "self-test failed: seed-1-one-neuron.bpnet: ValueError: no next step (at test_selftest.py:"
    )
    assert lines[1] == (
        "self-test failed: seed-1-one-neuron.bpnet: one training step: "
        "still in epoch 0, batch 0 after 9 presses of Next"
    )
    assert len(lines) == 2


def test_missing_documentation_is_a_failure(qapp, capsys, examples, monkeypatch, tmp_path):
    """The frozen app must carry the docs Help ▸ Documentation opens."""
    from bpstudio import resources

    monkeypatch.setattr(resources, "docs_dir", lambda: tmp_path / "no-docs")
    code, lines = _self_test(qapp, capsys)
    assert code == 1
    assert lines == [
        "self-test failed: documentation and licences: missing "
        f"{tmp_path / 'no-docs' / 'README.md'}, {tmp_path / 'no-docs' / 'format.md'}"
    ]
