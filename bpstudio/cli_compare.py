"""`bpstudio compare FILE... --epochs N [--set KEY=V1,V2,...] [--plot OUT] [--history CSV]`:
the loss curves of several runs side by side. One run per file, or per file and value of
`--set` (a setting of the document by its place in the file, `training.learning_rate`).
Each run trains exactly as `bpstudio train` does on that file with that value. Qt-free
unless a plot is asked for."""

from __future__ import annotations

import argparse
import copy
import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bpstudio.cli_plot import add_plot_arguments, check_plot_path, plot_look
from bpstudio.document.atomic import write_all
from bpstudio.document.format import from_dict, load, to_dict
from bpstudio.document.model import Document
from bpstudio.document.validate import TRAINING_KEYS
from bpstudio.engine.training import Divergence
from bpstudio.runs import Diverged, train_document


class CompareError(ValueError):
    """A `compare` argument that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Setting:
    """`--set KEY=V1,V2,...`: the place in the document (`training.learning_rate`, or with
    list indices, `layers.1.activation`) and the values as written."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RunResult:
    name: str
    epochs: list[int]
    loss: list[float]
    divergence: Divergence | None


def add_parser(sub) -> argparse.ArgumentParser:
    compare = sub.add_parser("compare", help="train several runs and overlay their losses")
    compare.add_argument("files", nargs="+", metavar="FILE")
    compare.add_argument("--epochs", type=int, required=True, metavar="N")
    compare.add_argument(
        "--set",
        metavar="KEY=V1,V2,...",
        help="run each file once per value of a setting, e.g. training.learning_rate=0.01,0.1,1",
    )
    compare.add_argument(
        "--history", metavar="CSV", help="write epoch and one loss column per run as CSV"
    )
    add_plot_arguments(compare, "the runs' loss curves, with a legend,")
    return compare


def parse_setting(text: str) -> Setting:
    key, sep, values = text.partition("=")
    parts = tuple(v.strip() for v in values.split(","))
    if not sep or not key.strip() or not all(parts):
        raise CompareError(f"--set {text}: write it as KEY=V1,V2,... e.g. training.epochs=1,2")
    return Setting(key.strip(), parts)


def with_setting(doc: Document, file: str, key: str, text: str) -> Document:
    """`doc` with the value `text` (read as JSON, else as a string) at `key`; DocumentError
    (naming `file` and the setting) if the result is not a valid document."""
    obj = copy.deepcopy(to_dict(doc))
    *path, last = key.split(".")
    place = obj
    for part in path:
        place = _child(place, part, file, key)
    if not (path == ["training"] and last in TRAINING_KEYS):  # those left out when unused
        _child(place, last, file, key)  # it must exist: a typo would silently add a new key
    try:
        value: Any = json.loads(text)
    except ValueError:
        value = text
    if isinstance(place, list):
        place[int(last)] = value
    else:
        place[last] = value
    return from_dict(obj, f"{file} with {key}={text}")


def _child(place: Any, part: str, file: str, key: str) -> Any:
    if isinstance(place, dict) and part in place:
        return place[part]
    if isinstance(place, list) and part.isdigit() and int(part) < len(place):
        return place[int(part)]
    raise CompareError(f"--set {key}: {file} has no setting {key} (at '{part}')")


def run_name(file: str, setting: Setting | None, value: str | None) -> str:
    stem = Path(file).stem
    if setting is None:
        return stem
    return f"{stem} {setting.key.rsplit('.', 1)[-1]}={value}"


def comparison_csv(runs: list[RunResult]) -> str:
    """`epoch`, then one loss column per run; a run without an epoch leaves its cell empty.
    Floats round-trip (Python's repr), as in `train --history`."""
    epochs = sorted({e for run in runs for e in run.epochs})
    columns = [dict(zip(run.epochs, run.loss, strict=True)) for run in runs]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", *(run.name for run in runs)])
    for epoch in epochs:
        writer.writerow([epoch, *(repr(c[epoch]) if epoch in c else "" for c in columns)])
    return out.getvalue()


def cmd_compare(args: argparse.Namespace, check_output) -> int:
    """Runs every file (and value); writes the CSV and the plot; exit 3 if a run diverged
    (its losses up to then are still written)."""
    if args.epochs < 0:
        raise CompareError(f"--epochs {args.epochs}: must be 0 or more")
    check_output(args.history, "--history")
    check_output(args.plot, "--plot")
    look = plot_look(args)
    if args.plot:
        check_plot_path(args.plot)
    setting = parse_setting(args.set) if args.set else None
    plans: list[tuple[str, Document, str | None]] = []
    for file in args.files:
        doc = load(file)
        for value in setting.values if setting else (None,):
            variant = doc if setting is None else with_setting(doc, file, setting.key, value)
            plans.append((file, variant, value))
    runs = []
    names = [run_name(file, setting, value) for file, _, value in plans]
    if len(set(names)) < len(names):  # the same file name in two folders
        names = [n.replace(Path(f).stem, f, 1) for n, (f, _, _) in zip(names, plans, strict=True)]
    for name, (_file, doc, _value) in zip(names, plans, strict=True):
        try:
            trained, divergence = train_document(doc, args.epochs)
        except Diverged as exc:
            raise Diverged(f"{name}: {exc}") from None
        history = trained.history
        runs.append(RunResult(name, list(history.epoch), list(history.loss), divergence))
    rendered: list[tuple[str, bytes]] = []
    if args.history:
        rendered.append((args.history, comparison_csv(runs).encode("utf-8")))
    if args.plot:
        from bpstudio.app import loss_plot_bytes  # Qt is imported only for --plot

        losses = {doc.loss for _, doc, _ in plans}
        loss_name = losses.pop() if len(losses) == 1 else "loss"
        titles = {doc.name for _, doc, _ in plans}
        title = titles.pop() if len(titles) == 1 else "Compared runs"
        if setting is not None:
            title = f"{title}: {setting.key.rsplit('.', 1)[-1].replace('_', ' ')}"
        curves = [(run.name, run.epochs, run.loss) for run in runs]
        rendered.append((args.plot, loss_plot_bytes(args.plot, curves, loss_name, title, look)))
    write_all(rendered)  # both files or neither
    for run in runs:
        print(f"{run.name}: final loss {run.loss[-1]!r}")
    diverged = [run for run in runs if run.divergence is not None]
    for run in diverged:
        print(f"bpstudio: {run.name}: {run.divergence.message()}", file=sys.stderr)
    return 3 if diverged else 0
