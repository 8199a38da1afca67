"""StartPage: what the window shows before a network is open — the lessons first, then the
other bundled examples, recent files and "New network", one click each."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from bpstudio.resources import examples_dir
from bpstudio.ui.show import LESSON_VIEWS

LESSONS = ("seed-1-one-neuron.bpnet", "seed-2-two-neurons.bpnet", "seed-3-hidden-layer.bpnet")


def bundled_examples() -> tuple[list[Path], list[Path], list[Path]]:
    """The bundled lessons (in the article's order), the lessons on the gradient and the
    other examples (by name)."""
    folder = examples_dir()
    lessons, gradient = (
        [folder / n for n in names if (folder / n).is_file()] for names in (LESSONS, LESSON_VIEWS)
    )
    others = sorted(p for p in folder.glob("*.bpnet") if p.name not in (*LESSONS, *LESSON_VIEWS))
    return lessons, gradient, others


def example_title(path: Path) -> str:
    """The document's name, read without validating (the loader checks it on open)."""
    try:
        name = json.loads(path.read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return name if isinstance(name, str) and name else path.stem


class StartPage(QScrollArea):
    open_requested = Signal(str)
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        self.layout_ = QVBoxLayout(body)
        self.layout_.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = QLabel(
            "<h1>Backpropagation Studio</h1><p>Open a lesson and step through "
            "one training step calculation by calculation, or build a network "
            "of your own.</p>"
        )
        heading.setWordWrap(True)
        self.layout_.addWidget(heading)
        lessons, gradient, others = bundled_examples()
        self.lesson_buttons = self._group("Lessons from “Backpropagation Step by Step”", lessons)
        self.gradient_buttons = self._group("Lessons on the gradient", gradient)
        self.example_buttons = self._group("Examples", others)
        self.recent_box = QGroupBox("Recent files")
        self.recent_layout = QVBoxLayout(self.recent_box)
        self.layout_.addWidget(self.recent_box)
        self.new_button = QPushButton("New network")
        self.new_button.setToolTip("Start from a single neuron and build your own network")
        self.new_button.clicked.connect(self.new_requested)
        self.layout_.addWidget(self.new_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.setWidget(body)
        self.set_recent([])

    def _group(self, title: str, paths: list[Path]) -> list[QPushButton]:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        buttons = []
        for i, path in enumerate(paths):
            button = QPushButton(example_title(path))
            button.setToolTip(str(path))
            button.clicked.connect(lambda _=False, p=str(path): self.open_requested.emit(p))
            grid.addWidget(button, i // 3, i % 3)
            buttons.append(button)
        self.layout_.addWidget(box)
        return buttons

    def set_recent(self, paths: list[str]) -> None:
        while self.recent_layout.count():
            widget = self.recent_layout.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        if not paths:
            self.recent_layout.addWidget(QLabel("No recent files yet."))
        for path in paths:
            button = QPushButton(Path(path).name)
            button.setToolTip(path)
            button.clicked.connect(lambda _=False, p=path: self.open_requested.emit(p))
            self.recent_layout.addWidget(button)
