"""Test-wide setup: Qt must run headless, so the platform is set before anything imports Qt.
Offscreen, unless BPSTUDIO_TEST_PLATFORM names another one: .ci/run runs the GUI tests once
more with BPSTUDIO_TEST_PLATFORM=xcb under Xvfb, for X11's own key scheme and window manager
protocol. A QT_QPA_PLATFORM of the desktop the tests were started from is not used."""

import os

os.environ["QT_QPA_PLATFORM"] = os.environ.get("BPSTUDIO_TEST_PLATFORM") or "offscreen"
