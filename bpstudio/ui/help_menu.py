"""Help menu: Documentation (the bundled docs/ in a window of their own, read from disk, no
browser or network needed), Report a Problem (the version, system and log file's path put
on the clipboard for a problem report) and About bpstudio (version, licence, the versions
of Qt, PySide6, NumPy and pyqtgraph, and the third-party licences)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bpstudio.about import (
    DATA_SOURCES,
    ISSUES_HINT,
    LICENCE,
    THIRD_PARTY,
    component_versions,
    system_report,
)
from bpstudio.about import version as bpstudio_version
from bpstudio.resources import docs_dir, project_path
from bpstudio.ui.crash_handler import LOG_NAME, log_folder

DOCS_INDEX = "README.md"
REPORT_COPIED = "Copied the version, system and log file details: paste them into your report"


class TextViewer(QDialog):
    """A non-modal window showing Markdown files; links between them are followed inside it,
    web addresses open in the browser."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        back = QPushButton("&Back")
        back.setToolTip("Back to the page before")
        back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(back.setEnabled)
        back.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(back, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(820, 640)

    def show_file(self, path) -> None:
        self.browser.setSource(
            QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource
        )
        self.show()
        self.raise_()
        self.activateWindow()


class HelpMenu(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.docs: TextViewer | None = None
        self.licences: TextViewer | None = None
        self.about: QDialog | None = None
        menu = window.menuBar().addMenu("&Help")
        self.docs_action = window.action(
            "&Documentation",
            self.show_documentation,
            None,
            "The file format, the commands and how bpstudio is built, read from disk",
        )
        self.docs_action.setShortcuts(QKeySequence.StandardKey.HelpContents)
        menu.addAction(self.docs_action)
        self.report_action = window.action(
            "&Report a Problem…",
            self.copy_report,
            None,
            "Copy the version, system and log file details for a problem report",
        )
        menu.addAction(self.report_action)
        menu.addSeparator()
        self.about_action = window.action(
            "&About bpstudio", self.show_about, None, "Version, licence and third-party licences"
        )
        menu.addAction(self.about_action)

    def show_documentation(self) -> None:
        if self.docs is None:
            self.docs = TextViewer("bpstudio Documentation", self.window)
        self.docs.show_file(docs_dir() / DOCS_INDEX)

    def show_licences(self) -> None:
        if self.licences is None:
            self.licences = TextViewer("bpstudio Licences", self.about or self.window)
        self.licences.show_file(project_path("THIRD-PARTY-NOTICES.md"))

    def copy_report(self) -> str:
        """Puts the report on the clipboard and says so; returns it."""
        report = system_report(str(log_folder() / LOG_NAME), QGuiApplication.platformName())
        QGuiApplication.clipboard().setText(f"{report}\n\n{ISSUES_HINT}")
        self.window.statusBar().showMessage(REPORT_COPIED, 10000)
        return report

    def about_html(self) -> str:
        versions = "".join(
            f"<tr><td>{escape(name)}</td><td>{escape(number)}</td></tr>"
            for name, number in component_versions().items()
        )
        licences = ", ".join(f"{escape(name)} ({escape(kind)})" for name, kind in THIRD_PARTY)
        data = "; ".join(
            f"<code>{escape(example)}</code>: {escape(source)}, under {escape(kind)}"
            for example, source, kind in DATA_SOURCES
        )
        return (
            f"<h2>Backpropagation Studio {escape(bpstudio_version())}</h2>"
            "<p>Build a small neural network and step through its training one calculation "
            "at a time.</p>"
            f"<p>bpstudio is free software under the {LICENCE} licence "
            f"(<code>{escape(str(project_path('LICENSE')))}</code>).</p>"
            f"<table>{versions}</table>"
            f"<p>Third-party components and their licences: {licences}. "
            "<i>Licences</i> shows their notices; the full texts are in "
            f"<code>{escape(str(project_path('licenses')))}</code>.</p>"
            f"<p>Bundled data: {data}.</p>"
        )

    def show_about(self) -> None:
        if self.about is None:
            self.about = QDialog(self.window)
            self.about.setWindowTitle("About bpstudio")
            self.about_label = QLabel()
            self.about_label.setWordWrap(True)
            self.about_label.setOpenExternalLinks(True)
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            more = buttons.addButton("&Licences…", QDialogButtonBox.ButtonRole.HelpRole)
            more.setToolTip("The third-party notices and where their licences are")
            more.clicked.connect(self.show_licences)
            buttons.rejected.connect(self.about.close)
            layout = QVBoxLayout(self.about)
            layout.addWidget(self.about_label)
            layout.addWidget(buttons)
        self.about_label.setText(self.about_html())
        self.about.show()
        self.about.raise_()
