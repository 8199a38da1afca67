"""What bpstudio says about itself: its version (read from the installed package's metadata,
which hatch takes from `bpstudio/__init__.py`, the one place it is written), the versions of
what it runs on, and the system report that Help ▸ Report a Problem copies. Does not import
Qt: the Qt and PySide6 versions are asked for only when Qt is loaded already."""

from __future__ import annotations

import importlib.metadata
import platform
import sys

import bpstudio

DISTRIBUTION = "bpstudio"
LICENCE = "MIT"
APP_ID = "org.bpstudio.bpstudio"  # reverse DNS: .desktop file, metainfo, setDesktopFileName
ISSUES_HINT = "Paste this into your problem report, with what you did and what you expected."
# the third-party components and their licences (THIRD-PARTY-NOTICES.md has the full list)
THIRD_PARTY = (
    ("Qt", "LGPL-3.0"),
    ("PySide6", "LGPL-3.0"),
    ("NumPy", "BSD-3-Clause"),
    ("pyqtgraph", "MIT"),
)
# the data sets bundled as examples: (example, source, licence)
DATA_SOURCES = (
    (
        "digits.bpnet",
        'the UCI Machine Learning Repository\'s "Optical Recognition of Handwritten Digits" '
        "by E. Alpaydin and C. Kaynak (1998), in the copy scikit-learn ships (BSD-3-Clause)",
        "CC BY 4.0",
    ),
)


def version() -> str:
    """The installed bpstudio's version; a checkout run without installing (or a frozen app
    built without the metadata) falls back to the package's own `__version__`."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return bpstudio.__version__


def component_versions() -> dict[str, str]:
    """Python, Qt, PySide6, NumPy and pyqtgraph, by name; Qt's and PySide6's only when Qt is
    loaded (the headless commands never load it), pyqtgraph's only when it is installed."""
    import numpy

    found = {"Python": platform.python_version()}
    pyside = sys.modules.get("PySide6.QtCore")
    if pyside is not None:
        found["Qt"] = pyside.qVersion()
        found["PySide6"] = sys.modules["PySide6"].__version__
    found["NumPy"] = numpy.__version__
    try:
        found["pyqtgraph"] = importlib.metadata.version("pyqtgraph")
    except importlib.metadata.PackageNotFoundError:
        pass
    return found


def system_report(log_file: str | None = None, platform_name: str | None = None) -> str:
    """Plain text for a problem report: versions, the system, and where the log is."""
    lines = [f"bpstudio {version()}"]
    lines += [f"{name} {number}" for name, number in component_versions().items()]
    lines.append(f"System: {platform.platform()} ({platform.machine()})")
    if platform_name:
        lines.append(f"Qt platform: {platform_name}")
    lines.append("Frozen app: yes" if getattr(sys, "frozen", False) else "Frozen app: no")
    if log_file:
        lines.append(f"Log file: {log_file}")
    return "\n".join(lines)
