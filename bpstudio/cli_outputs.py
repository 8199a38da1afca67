"""The output set of `bpstudio train` (`--out`, `--history`, `--plot`): every target checked
before training, all rendered in memory, then written all or none (document/atomic.py).
Also `one_line`, which keeps an error message on one line whatever a file name holds.
Imports Qt only to render `--plot`."""

from __future__ import annotations

import argparse
import os
import unicodedata

from bpstudio.cli_plot import PlotLook, check_plot_path
from bpstudio.document.atomic import check_target, write_all
from bpstudio.document.format import dumps
from bpstudio.document.history_csv import SCORES, history_csv
from bpstudio.document.model import Document
from bpstudio.runs import scores

OPTIONS = ("out", "history", "plot")


class UsageError(Exception):
    """Bad command-line arguments; the message is one line."""


def one_line(text: str) -> str:
    """`text` with every line break and other control character escaped as in a Python
    string (`\\n`, `\\x1b`), so a file name holding one cannot split or colour a message."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(
        named.get(c, f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if unicodedata.category(c) in ("Cc", "Zl", "Zp")
        else c
        for c in text
    )


def check_outputs(
    args: argparse.Namespace, options: tuple[str, ...] = OPTIONS
) -> list[tuple[str, str]]:
    """The (option, path) of each output asked for among `options` (`train`'s by default),
    each checked before any computing: its folder exists and takes a new file, it is neither
    the input, nor another output, nor a folder, device or file bpstudio may not replace.
    UsageError names the option and path."""
    outputs = [(f"--{name}", getattr(args, name)) for name in options if getattr(args, name)]
    if getattr(args, "plot", None):
        check_plot_path(args.plot)
    seen: dict[str, str] = {}
    for option, path in outputs:
        if _same_file(path, args.file):
            raise UsageError(
                f"{option} {path}: is the input file, which {args.command} never changes"
            )
        key = _identity(path)
        if key in seen:
            raise UsageError(f"{option} {path}: is also given as {seen[key]}; name two files")
        seen[key] = option
        check_output(path, option)
    return outputs


def check_output(path: str | None, option: str) -> None:
    """UsageError naming `option` and `path` if `path` (if given) cannot take a new file or
    is something bpstudio never replaces (`check_target`)."""
    if not path:
        return
    try:
        check_target(path)
    except OSError as e:
        raise UsageError(f"{option} {path}: {e.strerror or e}") from None


def write_outputs(
    args: argparse.Namespace, trained: Document, title: str | None, look: PlotLook
) -> None:
    """Renders every output asked for (the plot with `look`), then writes them all or none
    (OSError naming the user's file; DocumentError if the document cannot be written)."""
    history = trained.history
    assert history is not None
    rendered: list[tuple[str, bytes]] = []
    if args.out:
        rendered.append((args.out, dumps(trained, args.out).encode("utf-8")))
    if args.history:
        scores = {key: getattr(history, key) for key in SCORES}
        text = history_csv(history.epoch, history.loss, scores=scores)
        rendered.append((args.history, text.encode("utf-8")))
    if args.plot:
        from bpstudio.app import loss_plot_bytes  # Qt is imported only for --plot

        curve = (title or "", history.epoch, history.loss)
        image = loss_plot_bytes(
            args.plot, [curve], trained.loss, title or "", look, history.test_loss
        )
        rendered.append((args.plot, image))
    write_all(rendered)


def _identity(path: str) -> str:
    """What `path` names once links, `..` and case-insensitive file systems are resolved."""
    return os.path.normcase(os.path.realpath(path))


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return _identity(a) == _identity(b)


def print_scores(doc: Document, trained: Document) -> None:
    """What `train` prints after training `doc` into `trained`: where it stopped at the
    target loss, the last test loss and accuracies where they are
    known, and last the line `final loss: X`."""
    history = trained.history
    assert history is not None
    last, stop = trained.next_epoch() - 1, doc.training.stop_loss
    if stop is not None and last >= doc.next_epoch() and history.loss[-1] <= stop:
        print(
            f"stopped at epoch {last}: the loss {history.loss[-1]!r} is at or below "
            f"training.stop_loss {stop!r}"
        )
    for key, value in scores(trained).items():
        print(f"{key.replace('_', ' ')}: {value!r}")
    print(f"final loss: {history.loss[-1]!r}")
