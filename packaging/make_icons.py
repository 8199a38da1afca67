"""Renders resources/icons/bpstudio.svg into the PNG sizes desktops use, plus a Windows .ico
and a macOS .icns holding those PNGs. A build-time tool, run by hand after the SVG changes:
`python packaging/make_icons.py`. Imports Qt (QtSvg); nothing in bpstudio imports it."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # an .ico entry is at most 256 px
# The PNG-carrying .icns entry types, by pixel size (Apple's icns format, macOS 10.7+).
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def render(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG drawn at `size` x `size` on a transparent background, as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"cannot encode the {size} px icon as PNG")
    return bytes(data)


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon file whose entries are PNG images (read by Windows Vista and later)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        side = size % 256  # 0 stands for 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon file: big-endian blocks of type, length and PNG data."""
    blocks = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for size, kind in ICNS_TYPES.items()
    )
    return b"icns" + struct.pack(">I", 8 + len(blocks)) + blocks


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "bpstudio.svg"))
    if not renderer.isValid():
        print(f"make_icons: {ICONS / 'bpstudio.svg'}: not a valid SVG", file=sys.stderr)
        return 1
    pngs = {size: render(renderer, size) for size in SIZES}
    for size, data in pngs.items():
        (ICONS / f"bpstudio-{size}.png").write_bytes(data)
    (ICONS / "bpstudio.ico").write_bytes(ico(pngs))
    (ICONS / "bpstudio.icns").write_bytes(icns(pngs))
    print(f"make_icons: wrote {len(pngs)} PNGs, bpstudio.ico and bpstudio.icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
