"""Test-wide setup: Qt must run headless, so the platform is set before anything imports Qt.
Offscreen, unless BPSTUDIO_TEST_PLATFORM names another one: .ci/run runs the GUI tests once
more with BPSTUDIO_TEST_PLATFORM=xcb under Xvfb, for X11's own key scheme and window manager
protocol. A QT_QPA_PLATFORM of the desktop the tests were started from is not used."""

import os

import pytest

os.environ["QT_QPA_PLATFORM"] = os.environ.get("BPSTUDIO_TEST_PLATFORM") or "offscreen"

SUBPROCESS_FIXTURES = {"run_cli", "run_app_driver"}  # each run starts a Python of its own


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs the real command or app in a subprocess is `slow`, like those marked
    by hand (builds, every example, long sessions): `pytest -m "not slow"` skips them."""
    for item in items:
        if SUBPROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
