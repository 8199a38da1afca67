"""Help menu: the bundled documentation opens from disk, Report a Problem copies what a
report needs, and About names the version, the licence and what bpstudio runs on."""

from __future__ import annotations

import importlib.metadata
import platform

import numpy as np
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from bpstudio.resources import docs_dir


def test_documentation_opens_the_bundled_index_and_follows_its_links(main_window):
    window = main_window()
    window.help.docs_action.trigger()
    viewer = window.help.docs
    assert viewer.isVisible()
    assert viewer.browser.source().toLocalFile() == str(docs_dir() / "README.md")
    assert "format.md" in viewer.browser.toHtml()
    viewer.browser.setSource(viewer.browser.source().resolved("format.md"))
    assert viewer.browser.source().toLocalFile() == str(docs_dir() / "format.md")
    assert "learning_rate" in viewer.browser.toPlainText()
    viewer.close()


def test_every_relative_link_in_the_docs_leads_to_a_file():
    import re

    for page in docs_dir().glob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.name} links to {target}"


def test_report_a_problem_copies_versions_system_and_log(main_window, data_folder):
    window = main_window()
    window.help.report_action.trigger()
    text = QApplication.clipboard().text()
    assert f"bpstudio {importlib.metadata.version('bpstudio')}" in text.splitlines()
    assert f"Qt {qVersion()}" in text and f"PySide6 {PySide6.__version__}" in text
    assert f"NumPy {np.__version__}" in text and f"Python {platform.python_version()}" in text
    assert f"Log file: {data_folder / 'logs' / 'bpstudio.log'}" in text
    assert "clipboard" in window.statusBar().currentMessage().lower() or (
        "paste" in window.statusBar().currentMessage()
    )


def test_about_names_version_licence_components_and_third_party_licences(main_window):
    window = main_window()
    window.help.about_action.trigger()
    about = window.help.about
    assert about.isVisible()
    text = window.help.about_label.text()
    assert importlib.metadata.version("bpstudio") in text and "MIT" in text
    for name, number in (
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("NumPy", np.__version__),
        ("pyqtgraph", importlib.metadata.version("pyqtgraph")),
    ):
        assert f"<td>{name}</td><td>{number}</td>" in text
    assert "LGPL-3.0" in text and "BSD-3-Clause" in text
    plain = window.help.about_label.text().replace("&quot;", '"')
    assert "digits.bpnet" in plain and "UCI Machine Learning Repository" in plain
    assert "Alpaydin" in plain and "Kaynak (1998)" in plain and "CC BY 4.0" in plain
    assert "scikit-learn" in plain
    window.help.show_licences()
    notices = window.help.licences.browser.toPlainText()
    assert "LGPL" in notices and "pyqtgraph" in notices and "NumPy" in notices
    assert "Optical Recognition of Handwritten Digits" in notices and "CC BY 4.0" in notices
    window.help.licences.close()
    about.close()
