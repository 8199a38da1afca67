"""The main window's questions and messages, each behind one small method so tests can patch
it: the FileView of the file service (document/files.py) and the questions of recovery. A
mixin of MainWindow; must not import the document's file handling."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bpstudio.document.recovery import RecoveryInfo
from bpstudio.resources import examples_dir

FILE_FILTER = "bpstudio networks (*.bpnet);;All files (*)"


class WindowDialogs:
    """Dialogs parented to the window (`self`), about its document's `path` and `document`."""

    def ask_open_path(self) -> str:
        start = str(self.path.parent if self.path else examples_dir())
        return QFileDialog.getOpenFileName(self, "Open network", start, FILE_FILTER)[0]

    def ask_save_path(self) -> str:
        start = str(self.path or Path.home() / f"{self.document.name or 'network'}.bpnet")
        path = QFileDialog.getSaveFileName(self, "Save network", start, FILE_FILTER)[0]
        if path and not Path(path).suffix:
            path += ".bpnet"
        return path

    def ask_unsaved_changes(self) -> str:
        """ "save", "discard" or "cancel", for a document with unsaved changes."""
        name = self.path.name if self.path else "this network"
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.warning(
            self,
            "Unsaved changes",
            f"Save the changes to {name} before closing it?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def ask_yes_no(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def ask_file_changed(self, path: Path) -> str:
        """The user's choice for a file another program changed since it was opened or last
        saved here: "overwrite", "save_as" or "cancel"."""
        box = QMessageBox(QMessageBox.Icon.Warning, "File changed on disk", "", parent=self)
        box.setText(
            f"{path} was changed by another program since bpstudio opened or saved it. "
            "Saving now replaces those changes."
        )
        overwrite = box.addButton("&Overwrite", QMessageBox.ButtonRole.DestructiveRole)
        save_as = box.addButton("Save &As…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save_as)
        box.exec()
        return {overwrite: "overwrite", save_as: "save_as"}.get(box.clickedButton(), "cancel")

    def ask_restore_recovery(self, info: RecoveryInfo) -> bool:
        """Whether to restore the recovery copy `info` (declining deletes it)."""
        when = QLocale().toString(
            QDateTime.fromMSecsSinceEpoch(int(info.saved_at * 1000)),
            QLocale.FormatType.LongFormat,
        )
        name = f"“{info.name}”" if info.name else "a network"
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?", "", parent=self)
        box.setText(
            f"bpstudio was closed without saving {name}.\n\n"
            f"File: {info.original or 'never saved'}\nCopy saved: {when}\n\n"
            "Restore it? If not, the copy is deleted."
        )
        restore = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Delete Copy", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.exec()
        return box.clickedButton() is restore
