"""Tests that bpstudio finds its resources in a checkout, an installed wheel and a frozen build.

Headless: must not import Qt.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bpstudio import resources

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_PACKAGE = REPO_ROOT / "bpstudio"


def test_examples_and_icons_dirs_are_found_as_absolute_folders():
    examples = resources.examples_dir()
    assert examples.is_absolute()
    assert examples.is_dir(), f"{examples} is not a folder"
    assert resources.icons_dir().parent == examples.parent


def test_resource_path_joins_parts_under_the_resources_root():
    assert resources.resource_path("examples", "a.bpnet") == resources.examples_dir() / "a.bpnet"
    assert resources.resource_path() == resources.resources_root()


def test_source_checkout_uses_the_repo_resources_folder():
    if Path(resources.__file__).resolve().parent != SOURCE_PACKAGE:
        pytest.skip("bpstudio is imported from an installation, not from this checkout")
    assert resources.resources_root() == (REPO_ROOT / "resources").resolve()


def test_lookup_does_not_depend_on_the_current_directory(tmp_path, monkeypatch):
    before = resources.examples_dir()
    (tmp_path / "resources" / "examples").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert resources.examples_dir() == before


def test_frozen_build_uses_the_bundle_folder(tmp_path, monkeypatch):
    bundled = tmp_path / "resources" / "examples"
    bundled.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.examples_dir() == bundled.resolve()
    assert resources.icons_dir() == (tmp_path / "resources" / "icons").resolve()


def test_frozen_build_without_meipass_uses_the_executable_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bpstudio"))
    assert resources.resources_root() == tmp_path.resolve() / "resources"


_PROBE = """
import json, bpstudio
from bpstudio import resources
root = resources.resources_root()
print(json.dumps({
    "package": bpstudio.__file__,
    "root": str(root),
    "files": sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()),
}))
"""


def _installed_probe(cwd: Path) -> dict | None:
    """Runs `_PROBE` in an isolated interpreter (no cwd, no PYTHONPATH on sys.path)."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE], cwd=cwd, capture_output=True, text=True
    )
    if "ModuleNotFoundError: No module named 'bpstudio'" in result.stderr:
        return None
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_installed_wheel_carries_the_resources(tmp_path):
    """A non-editable `pip install .` must ship resources/ as bpstudio/_resources."""
    probe = _installed_probe(tmp_path)
    package_dir = None if probe is None else Path(probe["package"]).resolve().parent
    if package_dir is None or package_dir == SOURCE_PACKAGE:  # absent, or editable
        reason = "bpstudio is not installed non-editably in this interpreter"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must prove the wheel carries resources/")
        pytest.skip(reason)

    assert Path(probe["root"]) == package_dir / "_resources"
    checkout = REPO_ROOT / "resources"
    shipped = {
        p.relative_to(checkout).as_posix()
        for p in checkout.rglob("*")
        if p.is_file() and not _left_out(p.relative_to(checkout).as_posix())
    }
    shipped |= {f"docs/{p.name}" for p in (REPO_ROOT / "docs").iterdir()}
    shipped |= {f"licenses/{p.name}" for p in (REPO_ROOT / "licenses").iterdir()}
    shipped |= {"LICENSE", "THIRD-PARTY-NOTICES.md"}
    missing = sorted(shipped - set(probe["files"]))
    assert not missing, (
        f"the installed bpstudio lacks {missing}; reinstall with pip install '.[test]'"
    )
    extra = sorted(f for f in probe["files"] if _left_out(f))
    assert not extra, f"the wheel ships {extra}, which nothing installed uses"


def _left_out(relative: str) -> bool:
    """What the wheel leaves out: the README's screenshots, the Windows and macOS icons."""
    return relative.startswith("screenshots/") or relative.endswith((".ico", ".icns"))
