"""`bpstudio slides FILE --out DIR`: the lesson canvas after each micro-step of the first
training step, one image per step of `bpstudio steps FILE`, and DIR/index.md; and the
`--size WxH` option it shares with `--screenshot`. Qt is imported only to draw."""

from __future__ import annotations

import argparse
import os
import sys

from bpstudio.document.format import load

DEFAULT_SIZE = (1280, 800)
MIN_SIZE = (640, 480)  # smaller, the window's docks and toolbars no longer fit
MAX_SIZE = (7680, 4320)  # 8K; larger images take gigabytes to draw


def window_size(text: str) -> tuple[int, int]:
    """`--size WxH` (e.g. 1920x1080) as (width, height); argparse reports the error on one
    line naming the option."""
    width, sep, height = text.strip().lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1920x1080")
    size = int(width), int(height)
    if not all(low <= v <= high for v, low, high in zip(size, MIN_SIZE, MAX_SIZE, strict=True)):
        raise argparse.ArgumentTypeError(
            f"{text}: the size must be from {MIN_SIZE[0]}x{MIN_SIZE[1]} "
            f"to {MAX_SIZE[0]}x{MAX_SIZE[1]} pixels"
        )
    return size


def add_parser(sub) -> argparse.ArgumentParser:
    slides = sub.add_parser(
        "slides", help="the lesson canvas after each micro-step, as images, and an index.md"
    )
    slides.add_argument("file")
    slides.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    slides.add_argument("--format", choices=("png", "svg"), default="png")
    slides.add_argument(
        "--sample", type=int, metavar="K", help="walk only sample K (0-based) of the batch"
    )
    slides.add_argument(
        "--size",
        type=window_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help="the size of each slide in pixels (default 1280x800)",
    )
    slides.add_argument(
        "--presentation", action="store_true", help="the canvas's text at presentation size"
    )
    return slides


def cmd_slides(args: argparse.Namespace) -> int:
    from bpstudio.cli import UsageError, first_step  # (cli imports this module)

    out = os.path.abspath(args.out)
    if os.path.lexists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {args.out}: is not a folder")
    if not os.path.isdir(os.path.dirname(out)):
        raise UsageError(f"--out {args.out}: the folder {os.path.dirname(out)} does not exist")
    doc = load(args.file)
    result, _ = first_step(doc)
    batch = len(result.x)
    samples = _samples(args, batch, doc)
    try:
        count = _render(doc, samples, args, out)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"--out {args.out}: cannot write the slides there ({reason})") from None
    print(f"wrote {count} slides and {os.path.join(args.out, 'index.md')}")
    return 0


def _samples(args: argparse.Namespace, batch: int, doc) -> list[int]:
    """The samples the slides walk: those `bpstudio steps` lists with the same --sample.
    Without it that is every sample of the batch; refused when the lesson cannot walk
    them all at once (Walkthrough.samples_that_fit), which also bounds the slide count."""
    from bpstudio.cli import UsageError, chosen_sample
    from bpstudio.document.walkthrough import Walkthrough

    chosen = chosen_sample(args, batch)
    if chosen is not None:
        return chosen
    fit = Walkthrough(doc).samples_that_fit()
    if batch > fit:
        raise UsageError(
            f"{args.file}: the first batch has {batch} samples, more than the lesson walks at "
            f"once ({fit}); choose one with --sample K (0 to {batch - 1})"
        )
    return list(range(batch))


def _render(doc, samples: list[int], args: argparse.Namespace, out: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # as --screenshot: no display needed
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from bpstudio.app import quiet_offscreen_notice
    from bpstudio.ui.slides import SlideDeck, SlideOptions, write_all

    quiet_offscreen_notice()
    _app = QApplication.instance() or QApplication(sys.argv[:1])
    width, height = args.size
    options = SlideOptions(width, height, args.format, args.presentation)
    deck = SlideDeck(doc, samples, options)
    try:
        write_all(deck, out, _counter(len(deck)) if sys.stderr.isatty() else None)
        return len(deck)
    finally:
        deck.close()


def _counter(count: int):
    """Shows `slide N of COUNT` on one terminal line while the slides are drawn."""

    def show(done: int) -> None:
        end = "\n" if done == count else ""
        print(f"\rslide {done} of {count}", end=end, file=sys.stderr, flush=True)

    return show
