"""HTML text (the worked solution, an exercise sheet) as a paginated A4 PDF through Qt's rich
text engine and QPdfWriter: the maths in the report's HTML form (sub- and superscripts,
Greek letters) stays text, selectable and searchable. Qt only; no widgets needed."""

from __future__ import annotations

import os

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from bpstudio.document.atomic import atomic_write_bytes

MARGIN_MM = 20.0
BODY_POINTS = 11.0


def html_pdf_bytes(html: str, title: str) -> bytes:
    """`html` laid out on A4 pages with 2 cm margins, as a PDF document titled `title`."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("bpstudio")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    text = QTextDocument()
    font = QFont("serif")
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(BODY_POINTS)
    text.setDefaultFont(font)
    text.setHtml(html)
    text.print_(writer)
    buffer.close()
    return bytes(data)


def save_html_pdf(path: str | os.PathLike[str], html: str, title: str) -> None:
    """Writes `html` as an A4 PDF into `path`, atomically. OSError on failure."""
    atomic_write_bytes(path, html_pdf_bytes(html, title))
