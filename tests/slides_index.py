"""Reading what `bpstudio slides` writes, independently of bpstudio: the size in a PNG's
header and the steps of index.md. Qt-free, for the headless and the GUI tests."""

from __future__ import annotations

import re
import struct
from pathlib import Path

INDEX_STEP = re.compile(
    r"!\[Step (\d+)\]\((step-\d+\.(?:png|svg))\)\n\n"
    r"\*\*Step (\d+)\.\*\* \$(.*)\$  \n\$(.*)\$\n"
)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def index_entries(text: str) -> list[dict]:
    """Each step of an index.md's `text`: its slide, number, formula, substituted numbers
    and result."""
    entries = []
    for number, image, again, formula, worked in INDEX_STEP.findall(text):
        substituted, value = worked.rsplit(" = ", 1)
        assert number == again
        entries.append(
            {
                "number": int(number),
                "image": image,
                "formula": formula,
                "substituted": substituted,
                "value": float(value),
            }
        )
    return entries
