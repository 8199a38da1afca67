"""HTML text (the worked solution, an exercise sheet) as a paginated A4 PDF through Qt's rich
text engine and QPdfWriter: the maths in the report's HTML form (sub- and superscripts,
Greek letters) stays text, selectable and searchable. Qt only; no widgets needed."""

from __future__ import annotations

import os
import re
import uuid

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QUuid
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from bpstudio.document.atomic import atomic_write_bytes

MARGIN_MM = 20.0
BODY_POINTS = 11.0


def html_pdf_bytes(html: str, title: str, reproducible: bool = False) -> bytes:
    """`html` laid out on A4 pages with 2 cm margins, as a PDF document titled `title`.
    `reproducible`: the same text gives the same bytes (the document's id comes from the
    text, and its dates are a fixed one), for files that must not change on a rerun."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("bpstudio")
    if reproducible:
        writer.setDocumentId(QUuid(str(uuid.uuid5(uuid.NAMESPACE_URL, title + html))))
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
    pdf = bytes(data)
    if reproducible:  # the same length, so the file's byte offsets stay right
        pdf = re.sub(rb"D:\d{14}", b"D:20000101000000", pdf)
        pdf = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", b"2000-01-01T00:00:00", pdf)
    return pdf


def save_html_pdf(path: str | os.PathLike[str], html: str, title: str) -> None:
    """Writes `html` as an A4 PDF into `path`, atomically. OSError on failure."""
    atomic_write_bytes(path, html_pdf_bytes(html, title))
