"""Project conventions: one version, read from the package metadata; the licence; the
AppStream metadata and the desktop entry under one reverse-DNS id; the CI workflow for the
other platforms; and the README as the package index shows it. Headless: no Qt."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

import bpstudio
from bpstudio.about import APP_ID

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
METAINFO = ROOT / "resources" / f"{APP_ID}.metainfo.xml"


def test_the_version_is_written_once_and_the_metadata_carries_it():
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "bpstudio/__init__.py"
    assert importlib.metadata.version("bpstudio") == bpstudio.__version__


def test_version_option_prints_the_metadata_version():
    done = subprocess.run(
        [sys.executable, "-m", "bpstudio", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"bpstudio {importlib.metadata.version('bpstudio')}\n"


def test_the_licence_is_mit_and_ships_in_sdist_and_wheel():
    assert PYPROJECT["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    assert "LICENSE" in PYPROJECT["project"]["license-files"]
    assert "LICENSE" in PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    notices = (ROOT / "THIRD-PARTY-NOTICES.md").read_text()
    for name in ("Qt 6", "PySide6", "NumPy", "pyqtgraph"):
        assert name in notices
    for path in re.findall(r"`(licenses/[^`]+)`", notices):
        assert (ROOT / path).is_file(), path


def test_the_wheel_leaves_out_screenshots_and_windows_and_macos_icons():
    included = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert not any("screenshots" in k or k.endswith((".ico", ".icns")) for k in included)
    assert "resources" not in included  # not the whole folder
    assert {"resources/examples", "docs", "LICENSE"} <= set(included)


def test_gui_script_and_console_script_start_the_same_program():
    assert PYPROJECT["project"]["gui-scripts"] == {"bpstudio-gui": "bpstudio.cli:main"}
    assert PYPROJECT["project"]["scripts"] == {"bpstudio": "bpstudio.cli:main"}


def test_the_metainfo_names_the_app_id_the_desktop_file_and_this_version():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert (ROOT / "resources" / f"{APP_ID}.desktop").is_file()
    assert root.findtext("project_license") == "MIT"
    assert root.find("releases/release").get("version") == bpstudio.__version__
    assert root.find("provides/mediatype").text == "application/x-bpstudio-network"


def test_appstreamcli_accepts_the_metainfo():
    tool = shutil.which("appstreamcli")
    if tool is None:  # .ci/run installs it (Debian's appstream) and runs it itself too
        return
    done = subprocess.run([tool, "validate", "--no-net", str(METAINFO)], capture_output=True)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_the_window_uses_the_app_id_as_its_desktop_file_name():
    source = (ROOT / "bpstudio" / "app.py").read_text()
    assert "app.setDesktopFileName(APP_ID)" in source
    assert "app.setApplicationVersion(version())" in source


def test_the_ci_workflow_builds_and_self_tests_on_three_systems():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "build.yml").read_text())
    build = workflow["jobs"]["build"]
    systems = build["strategy"]["matrix"]["os"]
    assert {s.split("-")[0] for s in systems} == {"ubuntu", "windows", "macos"}
    runs = [step.get("run", "") for step in build["steps"]]
    assert any("bash packaging/build.sh" in r for r in runs)
    assert any("--self-test" in r for r in runs)
    assert (ROOT / "packaging" / "build.sh").is_file()
    build_sh = (ROOT / "packaging" / "build.sh").read_text()
    assert '"$app" --self-test' in build_sh  # the script the workflow names ends with it
    unpinned = workflow["jobs"]["unpinned"]["steps"][-1]["run"]
    assert unpinned == "BPSTUDIO_UNPINNED=1 bash .ci/run"


def _for_index():
    spec = importlib.util.spec_from_file_location(
        "readme_for_index", ROOT / "packaging" / "readme_for_index.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.for_index


def test_the_index_readme_has_no_relative_image_or_link():
    for_index = _for_index()
    text = for_index((ROOT / "README.md").read_text(encoding="utf-8"))
    targets = re.findall(r"\]\(([^)]+)\)", text)
    assert all(re.match(r"https?://", t) for t in targets), targets
    assert "`resources/screenshots/seed-2-update.png` in the repository" in text


def test_the_index_readme_points_at_the_repository_once_its_address_is_set():
    for_index = _for_index()
    text = for_index("![a shot](resources/s.png) see [the format](docs/format.md)", "https://h/r/")
    assert (
        text
        == "![a shot](https://h/r/resources/s.png) see [the format](https://h/r/docs/format.md)"
    )
    untouched = "![x](https://e.org/x.png) [y](https://e.org/) [z](#limits)"
    assert for_index(untouched) == untouched


MAX_MODULE_LINES, MAX_FUNCTION_LINES = 500, 60


def _too_long(source: str, name: str) -> list[str]:
    lines = len(source.splitlines())
    found = [f"{name}: {lines} lines"] if lines > MAX_MODULE_LINES else []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return found


def test_the_size_rule_finds_a_long_module_and_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert _too_long(f"def f():\n{body}\n", "m.py") == ["m.py:1 f: 61 lines"]
    assert _too_long("x = 1\n" * (MAX_MODULE_LINES + 1), "m.py") == ["m.py: 501 lines"]


def test_no_module_over_500_lines_and_no_function_over_60():
    """A table of actions may be data instead of code; a long function is split."""
    package = ROOT / "bpstudio"
    found = [
        problem
        for path in sorted(package.rglob("*.py"))
        for problem in _too_long(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []
