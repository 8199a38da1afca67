"""The `bpstudio` command: the GUI (default) and the headless `trace`, `train` and `steps`
of spec sections 3, 4 and 6. Imports bpstudio.ui (and so Qt) only to open the GUI."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import numpy as np

from bpstudio import cli_slides
from bpstudio.document.format import DocumentError, load, save, to_dict
from bpstudio.document.history_csv import write_history_csv
from bpstudio.document.model import Document, History
from bpstudio.engine import report, steps
from bpstudio.engine.training import (
    StepResult,
    Trainer,
    TrainingConfig,
    first_batch,
    step_divergence,
    training_step,
)

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3
EXIT_NO_DISPLAY_LIBRARIES = 1
HEADLESS = ("trace", "train", "steps", "slides")
PLOT_KINDS = (".png", ".svg")


class UsageError(Exception):
    """Bad command-line arguments; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(message)


def _parsers() -> tuple[_Parser, _Parser]:
    gui = _Parser(
        prog="bpstudio",
        description="Backpropagation Studio. Opens the window; "
        "`bpstudio trace|train|steps|slides FILE` work without one.",
    )
    gui.add_argument("file", nargs="?", help="a .bpnet document to open")
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
    cmd = _Parser(prog="bpstudio")
    sub = cmd.add_subparsers(dest="command", required=True)
    trace = sub.add_parser("trace", help="one training step on the first batch, as JSON")
    trace.add_argument("file")
    train = sub.add_parser("train", help="train without a window")
    train.add_argument("file")
    train.add_argument("--epochs", type=int, required=True, metavar="N")
    train.add_argument("--out", metavar="OUT.bpnet", help="write the trained document")
    train.add_argument("--history", metavar="CSV", help="write epoch,loss as CSV")
    train.add_argument(
        "--plot", metavar="IMAGE", help="draw the loss curve into IMAGE (.png or .svg)"
    )
    worked = sub.add_parser("steps", help="the worked solution of the first training step")
    worked.add_argument("file")
    worked.add_argument("--format", choices=("markdown", "json"), default="markdown")
    worked.add_argument(
        "--sample", type=int, metavar="K", help="show only sample K (0-based) of the batch"
    )
    slides = cli_slides.add_parser(sub)
    for p in (trace, train, worked, slides):
        p.error = gui.error  # type: ignore[method-assign]
    return gui, cmd


class Diverged(Exception):
    """Training (or the one step of trace and steps) produced a non-finite value."""


def first_step(doc: Document) -> tuple[StepResult, TrainingConfig]:
    """One training step of the document on the first batch of its next epoch; Diverged if
    it gives a non-finite loss or parameter."""
    config = doc.training_config()
    x, y = doc.dataset()
    epoch = doc.next_epoch()
    idx = first_batch(len(x), config, epoch)
    result = training_step(doc.build_network(), x[idx], y[idx], config)
    divergence = step_divergence(result, epoch)
    if divergence:
        raise Diverged(divergence.message())
    return result, config


def _rows(array: np.ndarray) -> list:
    return [[float(v) for v in row] for row in array]


def cmd_trace(args: argparse.Namespace) -> int:
    doc = load(args.file)
    result, _ = first_step(doc)
    layers = [
        {
            "z": _rows(result.fwd.z[i]),
            "a": _rows(result.fwd.a[i]),
            "delta": _rows(result.deltas[i]),
            "grad_weights": _rows(result.grad_w[i]),
            "grad_biases": [float(v) for v in result.grad_b[i]],
        }
        for i in range(result.before.depth)
    ]
    out = {
        "loss": float(result.loss),
        "layers": layers,
        "network": to_dict(doc.with_network(result.after)),
    }
    print(json.dumps(out, indent=1, allow_nan=False))
    return 0


def cmd_steps(args: argparse.Namespace) -> int:
    doc = load(args.file)
    result, config = first_step(doc)
    seq = steps.build(result, config, chosen_sample(args, len(result.x)))
    if args.format == "json":
        print(report.to_json(seq))
    else:
        print(report.to_markdown(seq, config, doc.name))
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


def _check_output(path: str | None, option: str) -> None:
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise UsageError(f"{option} {path}: is a folder")


def merged_history(doc: Document, trainer: Trainer) -> History:
    """The document's history followed by the epochs just trained."""
    old = doc.history or History()
    epochs = [int(e) for e in trainer.history.epochs]
    loss = [float(v) for v in trainer.history.loss.values]
    if old.epoch:  # the trainer's first row repeats the document's last epoch
        epochs, loss = epochs[1:], loss[1:]
    return History(old.epoch + epochs, old.loss + loss)


def cmd_train(args: argparse.Namespace) -> int:
    if args.epochs < 0:
        raise UsageError(f"--epochs {args.epochs}: must be 0 or more")
    _check_output(args.out, "--out")
    _check_output(args.history, "--history")
    _check_output(args.plot, "--plot")
    if args.plot and os.path.splitext(args.plot)[1].lower() not in PLOT_KINDS:
        raise UsageError(f"--plot {args.plot}: the name must end in .png or .svg")
    outputs = (("--out", args.out), ("--history", args.history), ("--plot", args.plot))
    for option, path in outputs:
        if path and os.path.exists(path) and os.path.samefile(path, args.file):
            raise UsageError(f"{option} {path}: is the input file, which train never changes")
    doc = load(args.file)
    x, y = doc.dataset()
    net = doc.build_network()
    trainer = Trainer(net, x, y, doc.training_config(), epoch=doc.next_epoch() - 1)
    start = float(trainer.history.loss.values[0])
    if not np.isfinite(start):  # no finite state to keep, and a history of inf can't be saved
        raise Diverged(
            f"training diverged at epoch {trainer.epoch}: the loss is {start} before training "
            "(an output saturates or overflows); change the weights or scale the data"
        )
    divergence = trainer.run(args.epochs)
    trained = doc.with_network(net)
    trained.history = merged_history(doc, trainer)
    if args.out:
        save(trained, args.out)
    if args.history:
        write_history_csv(args.history, trained.history.epoch, trained.history.loss)
    if args.plot:
        from bpstudio.app import save_loss_plot  # Qt is imported only for --plot

        save_loss_plot(args.plot, trained.history.epoch, trained.history.loss, doc.loss, doc.name)
    if divergence:
        raise Diverged(divergence.message())
    print(f"final loss: {trained.history.loss[-1]!r}")
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
            commands = {"trace": cmd_trace, "train": cmd_train, "steps": cmd_steps}
            return commands.get(args.command, cli_slides.cmd_slides)(args)
        return run_gui(gui.parse_args(argv))
    except Diverged as exc:
        print(f"bpstudio: {args.file}: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except (UsageError, DocumentError) as exc:
        print(f"bpstudio: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"bpstudio: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
