"""Time per lesson slide, and how much of it the PNG encoding takes. Run by hand; pytest
never collects it (no test_ prefix). Prints medians in milliseconds:

    python tests/benchmarks/slides_bench.py [--example xor.bpnet] [--size 1280x800]

For each of the example's first slides (at most 60) it measures, in turns so that the
shared machine's drift hits all alike: the whole slide as `bpstudio slides` draws it
(overlay, drawing, PNG as written), and the drawn image encoded the way other exports
encode (ARGB, zlib's default level) as the baseline, and as the slides encode it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's bpstudio

from PySide6.QtCore import QBuffer, QByteArray, QIODevice  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bpstudio.document.format import load  # noqa: E402
from bpstudio.document.walkthrough import Walkthrough  # noqa: E402
from bpstudio.resources import examples_dir  # noqa: E402
from bpstudio.ui.slides import PNG_QUALITY, SlideDeck, SlideOptions  # noqa: E402

SLIDES = 60


def encode(image: QImage, quality: int) -> tuple[float, int]:
    """Milliseconds to encode `image` as PNG, and the bytes."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    start = time.perf_counter()
    image.save(buffer, "PNG", quality)
    return (time.perf_counter() - start) * 1000, data.size()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--example", default="xor.bpnet")
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    _app = QApplication.instance() or QApplication([])
    doc = load(examples_dir() / args.example)
    batch = len(Walkthrough(doc).batches()[0])
    deck = SlideDeck(doc, list(range(batch)), SlideOptions(width, height))
    slide, baseline, chosen, sizes = [], [], [], ([], [])
    for index in range(min(SLIDES, len(deck))):
        start = time.perf_counter()
        png = deck.render(index)
        slide.append((time.perf_counter() - start) * 1000)
        image = QImage.fromData(png, "PNG")
        for times, kind, quality, size in (
            (baseline, QImage.Format.Format_ARGB32, -1, sizes[0]),
            (chosen, QImage.Format.Format_RGB32, PNG_QUALITY, sizes[1]),
        ):
            ms, length = encode(image.convertToFormat(kind), quality)
            times.append(ms)
            size.append(length)
    deck.close()
    median = statistics.median
    print(f"{args.example}, {len(slide)} slides at {width}x{height} (medians)")
    print(f"  whole slide, as bpstudio slides draws it:   {median(slide):7.1f} ms")
    print(
        f"  PNG as other exports encode (ARGB, -1):    {median(baseline):7.1f} ms "
        f"{median(sizes[0]) / 1024:6.0f} KB"
    )
    print(
        f"  PNG as the slides encode (RGB, {PNG_QUALITY}):      {median(chosen):7.1f} ms "
        f"{median(sizes[1]) / 1024:6.0f} KB   ratio {median(chosen) / median(baseline):.2f}"
    )


if __name__ == "__main__":
    main()
