"""File ▸ Export ▸ Exercise Sheets…: the window's document as exam variants, written as
`bpstudio exercise` writes them (a .bpnet, a question sheet and an answer key per variant,
Markdown or PDF), with a progress dialog that can cancel between variants."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
)

from bpstudio.document.exercise import (
    ExerciseError,
    iter_variants,
    variant_stem,
    write_variant,
)
from bpstudio.ui.text_pdf import html_pdf_bytes

if TYPE_CHECKING:
    from bpstudio.ui.main_window import MainWindow

FOLDER_KEY = "export/exercise_folder"


@dataclass(frozen=True)
class ExerciseChoice:
    folder: str
    variants: int
    seed: int
    decimals: int
    pdf: bool


class ExerciseDialog(QDialog):
    def __init__(self, folder: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exercise Sheets")
        self.variants = QSpinBox()
        self.variants.setRange(1, 999)
        self.variants.setValue(30)
        self.variants.setToolTip("How many different versions of the exercise")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(secrets.randbelow(2**31))
        self.seed.setToolTip("The same seed gives the same files again")
        self.decimals = QSpinBox()
        self.decimals.setRange(0, 6)
        self.decimals.setValue(2)
        self.decimals.setToolTip("Drawn weights, biases and inputs are rounded to this")
        self.kind = QComboBox()
        self.kind.addItem("Markdown", False)
        self.kind.addItem("PDF (A4)", True)
        self.folder = QLineEdit(folder)
        self.folder.setToolTip("The folder the variants are written into")
        browse = QPushButton("Choose…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Variants:", self.variants)
        form.addRow("&Seed:", self.seed)
        form.addRow("&Decimals:", self.decimals)
        form.addRow("&Sheets as:", self.kind)
        form.addRow("&Folder:", row)
        form.addRow(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Exercise Sheets", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def choice(self) -> ExerciseChoice:
        return ExerciseChoice(
            self.folder.text(),
            self.variants.value(),
            self.seed.value(),
            self.decimals.value(),
            bool(self.kind.currentData()),
        )


class ExerciseExport:
    """Asks (`ask_exercise`, patched in tests), then writes the variants."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def ask_exercise(self, folder: str) -> ExerciseChoice | None:
        dialog = ExerciseDialog(folder, self.window)
        return dialog.choice() if dialog.exec() else None

    def run(self) -> bool:
        """Returns whether every variant was written."""
        settings = self.window.settings
        stem = self.window.path.stem if self.window.path else "network"
        default = os.path.join(str(settings.value(FOLDER_KEY, "") or os.getcwd()), stem)
        choice = self.ask_exercise(default)
        if choice is None:
            return False
        folder = os.path.abspath(choice.folder)
        if not os.path.isdir(os.path.dirname(folder)) or (
            os.path.exists(folder) and not os.path.isdir(folder)
        ):
            self.window.show_error("Exercise sheets", f"{choice.folder}: not a folder to write in")
            return False
        settings.setValue(FOLDER_KEY, os.path.dirname(folder))
        progress = QProgressDialog("Drawing variants…", "Cancel", 0, choice.variants, self.window)
        progress.setWindowTitle("Exercise Sheets")
        progress.setMinimumDuration(300)
        doc = self.window.document
        pdf = (lambda html, title: html_pdf_bytes(html, title, True)) if choice.pdf else None
        try:
            os.makedirs(folder, exist_ok=True)
            for variant in iter_variants(doc, choice.variants, choice.seed, choice.decimals):
                stem = variant_stem(folder, variant.number, choice.variants)
                write_variant(variant, stem, pdf)
                progress.setValue(variant.number)
                QApplication.processEvents()
                if progress.wasCanceled():
                    return False
        except (ExerciseError, OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.window.show_error("Exercise sheets", f"{folder}: {reason}")
            return False
        finally:
            progress.close()
        self.window.statusBar().showMessage(
            f"{choice.variants} exercise variants in {folder} (seed {choice.seed})", 8000
        )
        return True
