"""The `bpstudio` command: the GUI (default) and the headless `trace`, `train` and `steps`
of spec sections 3, 4 and 6, and those of section 8. Imports bpstudio.ui (and so Qt) only to
open the GUI."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bpstudio import cli_compare, cli_exercise, cli_landscape, cli_slides, cli_trace
from bpstudio.about import version
from bpstudio.cli_outputs import (
    UsageError,
    check_output,
    check_outputs,
    one_line,
    print_scores,
    write_outputs,
)
from bpstudio.cli_plot import PlotOptionError, add_plot_arguments, plot_look
from bpstudio.document.atomic import atomic_write_text, write_problem
from bpstudio.document.exercise import ExerciseError
from bpstudio.document.format import DocumentError, load
from bpstudio.document.validate import MAX_EPOCH
from bpstudio.engine.training import first_batch
from bpstudio.maths import report, steps
from bpstudio.runs import Diverged, first_step, train_document
from bpstudio.ui.show import VIEWS

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3
EXIT_NO_DISPLAY_LIBRARIES = 1
HEADLESS = ("trace", "train", "steps", "compare", "exercise", "slides", "landscape")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(message)


class _PrintVersion(argparse.Action):
    """--version: the installed package's version, read only when asked (not at every start)."""

    def __init__(self, option_strings, dest, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"bpstudio {version()}")
        parser.exit()


def _parsers() -> tuple[_Parser, _Parser]:
    """The window's parser and the headless commands' parser."""
    gui = _gui_parser()
    cmd = _Parser(prog="bpstudio")
    sub = cmd.add_subparsers(dest="command", required=True)
    trace = sub.add_parser("trace", help="one training step on the first batch, as JSON")
    trace.add_argument("file")
    train = sub.add_parser("train", help="train without a window")
    train.add_argument("file")
    train.add_argument("--epochs", type=int, required=True, metavar="N")
    train.add_argument("--out", metavar="OUT.bpnet", help="write the trained document")
    train.add_argument("--history", metavar="CSV", help="write epoch,loss as CSV")
    add_plot_arguments(train, "the loss curve")
    worked = sub.add_parser("steps", help="the worked solution of the first training step")
    worked.add_argument("file")
    worked.add_argument(
        "--format",
        choices=("markdown", "json", "html", "pdf"),
        default="markdown",
        help="markdown (LaTeX maths), json, html, or pdf (A4, needs --out)",
    )
    worked.add_argument("--out", metavar="FILE", help="write into FILE instead of printing")
    worked.add_argument(
        "--decimals", type=int, metavar="D", help="round the numbers shown to D decimals"
    )
    worked.add_argument(
        "--sample", type=int, metavar="K", help="show only sample K (0-based) of the batch"
    )
    others = (cli_compare, cli_exercise, cli_slides, cli_landscape)
    for p in (trace, train, worked, *(module.add_parser(sub) for module in others)):
        p.error = gui.error  # type: ignore[method-assign]
    return gui, cmd


def _gui_parser() -> _Parser:
    gui = _Parser(
        prog="bpstudio",
        description="Backpropagation Studio. Opens the window; "
        "`bpstudio trace|train|steps|compare|exercise|slides|landscape FILE` work without one.",
    )
    gui.add_argument("file", nargs="?", help="a .bpnet document to open")
    gui.add_argument("--version", action=_PrintVersion, help="print the version and exit")
    gui.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="render the window offscreen (at --size) into OUT.png and exit",
    )
    gui.add_argument(
        "--size",
        type=cli_slides.window_size,
        default=cli_slides.DEFAULT_SIZE,
        metavar="WxH",
        help="with --screenshot: the window's size in pixels (default 1280x800)",
    )
    gui.add_argument(
        "--step",
        type=int,
        default=0,
        metavar="N",
        help="with --screenshot: advance N micro-steps of the lesson first",
    )
    gui.add_argument(
        "--epochs",
        type=int,
        default=0,
        metavar="N",
        help="with --screenshot: train N epochs in the window first, as Train does (the "
        "plots, the gradient flow and the landscape's path show them)",
    )
    gui.add_argument(
        "--show",
        choices=sorted(VIEWS),
        metavar="NAME",
        help=f"bring a view to the front, up to date: {', '.join(sorted(VIEWS))}",
    )
    gui.add_argument(
        "--presentation",
        action="store_true",
        help="with --screenshot: render in presentation mode",
    )
    gui.add_argument(
        "--self-test",
        action="store_true",
        help="open every bundled example offscreen, step, train, render and export; "
        "print `self-test ok` (exit 0) or what failed (exit 1)",
    )
    return gui


def cmd_steps(args: argparse.Namespace) -> int:
    if args.format == "pdf" and not args.out:
        raise UsageError("--format pdf: needs --out FILE.pdf (a PDF is not printed)")
    check_output(args.out, "--out")
    if args.decimals is not None and not 0 <= args.decimals <= 15:
        raise UsageError(f"--decimals {args.decimals}: must be 0 to 15")
    doc = load(args.file)
    config = doc.training_config()
    size = len(first_batch(len(doc.dataset()[0]), config, doc.next_epoch()))
    samples = chosen_sample(args, size)
    count = steps.length(doc.build_network(), size, samples)
    if count > steps.MAX_STEPS:
        hint = "a smaller network" if samples or size == 1 else "--sample K or a smaller network"
        raise UsageError(
            f"{args.file}: the worked solution would have {count:,} steps; `steps` writes at "
            f"most {steps.MAX_STEPS:,} (try {hint})"
        )
    result, config = first_step(doc)
    seq = steps.build(result, config, samples)
    if args.format == "pdf":
        from bpstudio.app import save_text_pdf  # Qt is imported only for a PDF

        save_text_pdf(
            args.out,
            report.to_html(seq, config, doc.name, args.decimals),
            f"Worked solution: {doc.name}",
        )
        return 0
    if args.format == "json":
        text = report.to_json(seq)
    elif args.format == "html":
        text = report.to_html(seq, config, doc.name, args.decimals)
    else:
        text = report.to_markdown(seq, config, doc.name, args.decimals)
    if args.out:
        atomic_write_text(args.out, text + "\n")
    else:
        print(text)
    return 0


def chosen_sample(args: argparse.Namespace, batch: int) -> list[int] | None:
    """`--sample K` of `steps` and `slides` as the samples to walk (None: all of them)."""
    if args.sample is None:
        return None
    if not 0 <= args.sample < batch:
        raise UsageError(
            f"{args.file}: --sample {args.sample}: the first batch has samples 0 to {batch - 1}"
        )
    return [args.sample]


def cmd_train(args: argparse.Namespace) -> int:
    if args.epochs < 0:
        raise UsageError(f"--epochs {args.epochs}: must be 0 or more")
    look = plot_look(args)
    check_outputs(args)
    doc = load(args.file)
    if doc.next_epoch() - 1 + args.epochs > MAX_EPOCH:
        raise UsageError(
            f"--epochs {args.epochs}: {args.file} has trained {doc.next_epoch() - 1:,} epochs, "
            f"and epochs go up to {MAX_EPOCH:,}"
        )
    trained, divergence = train_document(doc, args.epochs)
    write_outputs(args, trained, doc.name, look)
    if divergence:
        raise Diverged(divergence.message())
    print_scores(doc, trained)
    return 0


def _utf8_stdout() -> None:
    """Markdown carries the document's name, which may hold any character: print UTF-8 even
    where the locale's encoding (cp1252 in a Windows pipe) cannot encode it."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")


def run_gui(args: argparse.Namespace) -> int:
    try:
        if args.self_test:
            from bpstudio.selftest import run as self_test  # imports Qt, like the window

            return self_test()
        from bpstudio.app import run  # Qt is imported here and only here

        return run(args)
    except ImportError as exc:  # Qt's own system libraries (libGL, libEGL, ...) are missing
        if "cannot open shared object file" not in str(exc):
            raise
        print(
            f"bpstudio: error: the window cannot start: {exc}. Install the system libraries "
            "the README lists (on Debian: libgl1 libegl1 libxcb1 libfontconfig1)",
            file=sys.stderr,
        )
        return EXIT_NO_DISPLAY_LIBRARIES


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    gui, cmd = _parsers()
    try:
        if argv and argv[0] in HEADLESS:
            _utf8_stdout()
            args = cmd.parse_args(argv)
            commands = {
                "trace": lambda args: cli_trace.cmd_trace(args, sys.stdout),
                "train": cmd_train,
                "steps": cmd_steps,
                "compare": lambda args: cli_compare.cmd_compare(args, check_output),
                "exercise": cli_exercise.cmd_exercise,
                "slides": cli_slides.cmd_slides,
                "landscape": cli_landscape.cmd_landscape,
            }
            return commands[args.command](args)
        return run_gui(gui.parse_args(argv))
    except Diverged as exc:  # (compare names the run in the message)
        where = f"{args.file}: " if hasattr(args, "file") else ""
        print(one_line(f"bpstudio: {where}{exc}"), file=sys.stderr)
        return EXIT_DIVERGED
    except (
        UsageError,
        DocumentError,
        PlotOptionError,
        cli_compare.CompareError,
        ExerciseError,
    ) as exc:
        print(one_line(f"bpstudio: error: {exc}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(one_line(f"bpstudio: error: {where}{write_problem(exc)}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
