"""Finds the bundled `resources/` (examples, icons, and the docs and licences) wherever
bpstudio runs. Must not import Qt.

Three places, checked in this order:

- a frozen (PyInstaller) build: `<sys._MEIPASS>/resources`, so the build spec must bundle
  the folder as `datas=[("resources", "resources")]`;
- an installed wheel: `bpstudio/_resources`, put there by the `force-include` in
  `pyproject.toml` (a plain `pip install .`, not only `-e`);
- a source checkout or editable install: `<repo>/resources`, next to the package.

Nothing is resolved against the current directory.
"""

import importlib.resources
import sys
from pathlib import Path

_PACKAGED_NAME = "_resources"


def resources_root() -> Path:
    """The absolute `resources/` folder of this bpstudio; FileNotFoundError if it has none."""
    if getattr(sys, "frozen", False):
        # onefile builds unpack into _MEIPASS; fall back to the executable's folder.
        bundle = getattr(sys, "_MEIPASS", None) or Path(sys.executable).parent
        return Path(bundle).resolve() / "resources"

    candidates = []
    package = importlib.resources.files("bpstudio")
    if isinstance(package, Path):  # a zipped package would need extracting; bpstudio isn't one
        candidates.append(package / _PACKAGED_NAME)
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():  # not site-packages, whatever else lives there
        candidates.append(checkout / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    searched = ", ".join(str(c) for c in candidates) or "nowhere: a zipped install"
    raise FileNotFoundError(f"bpstudio's resources folder is missing (looked in {searched})")


def project_path(name: str) -> Path:
    """`LICENSE`, `THIRD-PARTY-NOTICES.md`, `licenses` or `docs`: at the top of a checkout,
    inside `resources/` in a wheel and a frozen build (pyproject's force-include and the
    build spec put them there)."""
    inside = resources_root() / name
    return inside if inside.exists() else resources_root().parent / name


def docs_dir() -> Path:
    """The folder of the bundled documentation (Markdown)."""
    return project_path("docs")


def resource_path(*parts: str) -> Path:
    """The absolute path of `resources/<parts...>`; the file itself need not exist."""
    return resources_root().joinpath(*parts)


def examples_dir() -> Path:
    """The folder of bundled example networks (`*.bpnet`)."""
    return resource_path("examples")


def icons_dir() -> Path:
    """The folder of the app's icons."""
    return resource_path("icons")


def is_bundled(path: str | Path) -> bool:
    """Whether `path` is one of the bundled examples (which are templates, never saved over)."""
    try:
        folder = examples_dir().resolve()
    except FileNotFoundError:
        return False
    return Path(path).resolve().parent == folder
