"""Colours and fonts that follow the system's light or dark palette. Qt only; no engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    dark: bool
    text: QColor
    muted: QColor
    background: QColor
    neuron_fill: QColor
    neuron_edge: QColor
    positive: QColor  # weights > 0; blue and orange stay apart for colour-blind readers
    negative: QColor
    highlight: QColor


# Print: black on white, for exported pictures that go onto a page or a light slide.
DOCUMENT = Theme(
    False,
    QColor("#000000"),
    QColor("#000000"),
    QColor("#ffffff"),
    QColor("#ffffff"),
    QColor("#000000"),
    QColor("#1f6fd1"),
    QColor("#d96500"),
    QColor("#c99a00"),
)
_override: list[Theme] = []


@contextmanager
def overridden(theme: Theme) -> Iterator[None]:
    """`current()` gives `theme` meanwhile (an export in the document style); views that
    restyle inside pick it up, and restyle again afterwards to return to the window's look."""
    _override.append(theme)
    try:
        yield
    finally:
        _override.pop()


def overriding() -> bool:
    return bool(_override)


def current() -> Theme:
    """The theme matching the application's palette (light unless the window is dark), or
    the one given to `overridden` while it lasts."""
    if _override:
        return _override[-1]
    palette = QApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    dark = window.lightnessF() < 0.5
    if dark:
        return Theme(
            True,
            QColor("#e8e8e8"),
            QColor("#a0a0a0"),
            window,
            QColor("#2d3440"),
            QColor("#c8d0dc"),
            QColor("#5aa9ff"),
            QColor("#ff9d3b"),
            QColor("#ffd54a"),
        )
    return Theme(
        False,
        QColor("#1d1d1d"),
        QColor("#5f5f5f"),
        window,
        QColor("#f4f7fb"),
        QColor("#3c4654"),
        QColor("#1f6fd1"),
        QColor("#d96500"),
        QColor("#c99a00"),
    )
