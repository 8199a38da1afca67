"""The performance suite of issue 7: prints one table of medians, each figure with its target,
its ratio and whether it is met, and the machine it ran on. Run by hand, never by pytest
(no test_ prefix, so pytest does not collect it):

    python tests/benchmarks/run.py [--quick] [--only engine|minibatch|landscape|gui|...]

Ratios against a baseline (the plain NumPy loop, the bare Qt window) compare numbers measured
in the same run, in turns, because the machine is shared and its speed drifts. Absolute
targets show value ÷ target. The GUI, start-up, plot and memory figures are measured in
child processes, so each starts from a fresh interpreter.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the checkout's bpstudio
sys.path.insert(0, str(HERE))

import engine_bench  # noqa: E402
import landscape_bench  # noqa: E402
import minibatch_bench  # noqa: E402
import process_bench  # noqa: E402

SECTIONS = {
    "engine": engine_bench.section,
    "minibatch": minibatch_bench.section,
    "landscape": landscape_bench.section,
    "gui": process_bench.gui_section,
    "startup": process_bench.startup_section,
    "plots": process_bench.plots_section,
    "memory": process_bench.memory_section,
}
HEADER = ("figure", "median", "target", "ratio", "met")


class Table:
    """Rows of the result table, printed once at the end (and each as it comes, to stderr,
    so a long run shows progress)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def row(
        self, figure: str, median: str, target: str = "", ratio: str = "", met: bool | None = None
    ) -> None:
        verdict = "" if met is None else ("yes" if met else "NO")
        self.rows.append((figure, median, target, ratio, verdict))
        print(f"  {figure}: {median} {ratio} {verdict}", file=sys.stderr, flush=True)

    def markdown(self) -> str:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines)


def _version(*names: str) -> str:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, NumPy {_version('numpy')}, "
        f"PySide6 {_version('PySide6-Essentials', 'PySide6')}, "
        f"pyqtgraph {_version('pyqtgraph')}, PyTorch {_version('torch')}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter runs")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one section")
    args = parser.parse_args()
    table = Table()
    for name, section in SECTIONS.items():
        if args.only in (None, name):
            print(f"{name} ...", file=sys.stderr, flush=True)
            section(args.quick, table.row)
    command = "python tests/benchmarks/run.py" + " ".join(
        [""] + (["--quick"] if args.quick else []) + (["--only", args.only] if args.only else [])
    )
    print(f"Machine: {machine()}")
    print(f"Command: {command}\n")
    print(table.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
