"""`bpstudio landscape FILE --params P1,P2 [--span S] [--grid G] [--out OUT]` (spec section 8):
the loss over a grid of two parameters, every other one held, as JSON on standard output or
in OUT.json, or as a heatmap with contour lines in OUT.png, OUT.svg or OUT.pdf. Qt-free
unless an image is asked for."""

from __future__ import annotations

import argparse
import json
import os

from bpstudio.cli_outputs import UsageError, check_outputs
from bpstudio.cli_plot import add_look_arguments, plot_look
from bpstudio.document.atomic import atomic_write_bytes
from bpstudio.document.format import load
from bpstudio.engine.landscape import MAX_GRID, Landscape, LandscapeError, check_grid, landscape
from bpstudio.maths.steps import json_number

KINDS = (".json", ".png", ".svg", ".pdf")


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "landscape", help="the loss over a grid of two parameters, as JSON or an image"
    )
    parser.add_argument("file")
    parser.add_argument(
        "--params",
        required=True,
        metavar="P1,P2",
        help="the two parameters, named as in the history CSV: w[l][j][k] (into neuron j of "
        "layer l from neuron k of layer l-1) or b[l][j]; layers from 1, neurons from 0",
    )
    parser.add_argument(
        "--span",
        type=float,
        default=1.0,
        metavar="S",
        help="how far each parameter goes either side of its value (default 1)",
    )
    parser.add_argument(
        "--grid",
        type=int,
        default=41,
        metavar="G",
        help=f"points along each axis, 2 to {MAX_GRID} (default 41)",
    )
    parser.add_argument(
        "--out",
        metavar="OUT",
        help="write into OUT instead of printing: .json, or a heatmap as .png, .svg or .pdf",
    )
    add_look_arguments(parser)
    return parser


def cmd_landscape(args: argparse.Namespace) -> int:
    """Checks every argument and the output before computing, then prints or writes."""
    names = args.params.split(",")
    if len(names) != 2 or not all(n.strip() for n in names):
        raise UsageError(f"--params {args.params}: give two parameter names, P1,P2")
    _refuse(check_grid, args, args.span, args.grid)
    look = plot_look(args)
    kind = os.path.splitext(args.out)[1].lower() if args.out else ".json"
    if kind not in KINDS:
        raise UsageError(f"--out {args.out}: the name must end in .json, .png, .svg or .pdf")
    check_outputs(args, ("out",))
    doc = load(args.file)
    x, y = doc.dataset()
    found = _refuse(
        landscape, args, doc.build_network(), doc.loss, x, y, tuple(names), args.span, args.grid
    )
    if kind != ".json":
        from bpstudio.app import landscape_plot_bytes  # Qt is imported only for an image

        title = doc.name or os.path.basename(args.file)
        atomic_write_bytes(args.out, landscape_plot_bytes(args.out, found, doc.loss, title, look))
    elif args.out:
        atomic_write_bytes(args.out, to_json(found).encode("utf-8"))
    else:
        print(to_json(found), end="")
    return 0


def _refuse(function, args: argparse.Namespace, *values):
    """`function(*values)`, with a LandscapeError made the UsageError naming the argument as
    the user gave it (and the file, once the document is involved)."""
    try:
        return function(*values)
    except LandscapeError as exc:
        given = {"params": args.params, "span": f"{args.span:g}", "grid": args.grid}
        where = f"{args.file}: " if function is landscape else ""
        raise UsageError(f"{where}--{exc.argument} {given[exc.argument]}: {exc}") from None


def to_json(found: Landscape) -> str:
    """`{"params", "x", "y", "loss"}`, one row of `loss` a line; floats round-trip, and a loss
    that overflowed is null."""

    def numbers(values) -> str:
        return json.dumps([json_number(v) for v in values])

    rows = ",\n  ".join(numbers(row) for row in found.loss)
    return (
        f'{{"params": {json.dumps(list(found.params))},\n'
        f' "x": {numbers(found.x)},\n'
        f' "y": {numbers(found.y)},\n'
        f' "loss": [\n  {rows}\n ]}}\n'
    )
