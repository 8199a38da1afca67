"""The plot options shared by `bpstudio train` and `bpstudio compare`: `--plot` (PNG, SVG or
PDF), `--plot-size` in pixels, centimetres or inches, `--dpi` and `--plot-style` (the last
three also of `bpstudio landscape`). Qt-free:
the picture itself is drawn by bpstudio.app only when a plot is asked for."""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass

PLOT_KINDS = (".png", ".svg", ".pdf")
DEFAULT_SIZE_PX = (1280, 800)
DEFAULT_DPI = 192.0
MAX_SIDE_PX = 10000
UNITS = {"px": None, "cm": 2.54, "mm": 25.4, "in": 1.0}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(px|cm|mm|in)?\s*$")


class PlotOptionError(ValueError):
    """A plot option that cannot be used; the message is one line."""


@dataclass(frozen=True)
class PlotLook:
    """A picture's size in pixels, its resolution (dots per inch) and its style."""

    width: int = DEFAULT_SIZE_PX[0]
    height: int = DEFAULT_SIZE_PX[1]
    dpi: float = DEFAULT_DPI
    style: str = "document"


def add_plot_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--plot", metavar="IMAGE", help=f"draw {what} into IMAGE (.png, .svg or .pdf)"
    )
    add_look_arguments(parser)


def add_look_arguments(parser: argparse.ArgumentParser) -> None:
    """`--plot-size`, `--dpi` and `--plot-style`, the options `plot_look` reads."""
    parser.add_argument(
        "--plot-size",
        metavar="WxH[UNIT]",
        help="the picture's size: 1600x1000 (pixels), 16x10cm, 160x100mm or 6x4in "
        f"(default {DEFAULT_SIZE_PX[0]}x{DEFAULT_SIZE_PX[1]} pixels)",
    )
    parser.add_argument(
        "--dpi",
        type=float,
        metavar="N",
        help=f"dots per inch, written into a PNG (default {DEFAULT_DPI:g}); with a size in "
        "cm or in, it sets the pixels",
    )
    parser.add_argument(
        "--plot-style",
        choices=("document", "window"),
        default="document",
        help="document: black on white, for print and slides (default); window: the "
        "window's own colours (a dark theme stays dark)",
    )


def plot_look(args: argparse.Namespace) -> PlotLook:
    """The look asked for by the plot options of `args`; PlotOptionError if unusable."""
    dpi = DEFAULT_DPI if args.dpi is None else args.dpi
    if not 10 <= dpi <= 2400:
        raise PlotOptionError(f"--dpi {args.dpi:g}: must be 10 to 2400 dots per inch")
    if args.plot_size is None:
        width, height = DEFAULT_SIZE_PX
    else:
        width, height = parse_size(args.plot_size, dpi)
    return PlotLook(width, height, dpi, args.plot_style)


def parse_size(text: str, dpi: float) -> tuple[int, int]:
    """`text` ("1600x1000", "16x10cm", "6x4in") as pixels at `dpi`."""
    found = SIZE.match(text)
    if not found:
        raise PlotOptionError(
            f"--plot-size {text}: write it as WIDTHxHEIGHT with an optional unit, "
            "e.g. 1600x1000, 16x10cm or 6x4in"
        )
    unit = found.group(3) or "px"
    per_inch = UNITS[unit]
    sides = [float(found.group(1)), float(found.group(2))]
    pixels = [round(s if per_inch is None else s / per_inch * dpi) for s in sides]
    if not all(16 <= p <= MAX_SIDE_PX for p in pixels):
        raise PlotOptionError(
            f"--plot-size {text}: gives {pixels[0]} x {pixels[1]} pixels at {dpi:g} dpi; "
            f"each side must be 16 to {MAX_SIDE_PX}"
        )
    return pixels[0], pixels[1]


def check_plot_path(path: str) -> None:
    if os.path.splitext(path)[1].lower() not in PLOT_KINDS:
        raise PlotOptionError(f"--plot {path}: the name must end in .png, .svg or .pdf")
