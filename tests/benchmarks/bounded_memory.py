"""Peak memory and time of every command on the biggest documents the limits allow, against
the README's bound (1.5 GB). Each run is a child process measured with os.wait4 (its own
peak resident memory, ru_maxrss); pytest never collects this script (no test_ prefix).

    python tests/benchmarks/bounded_memory.py                 # every document and command
    python tests/benchmarks/bounded_memory.py --only lists    # documents whose name holds it
    python tests/benchmarks/bounded_memory.py --timeout 120   # seconds per run (default 600)

A child may use at most --cap GB of address space (default 6), so a document that breaks the
bound fails fast instead of taking a shared machine's memory; such a run shows `over cap`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUND_MB = 1536
FILE_LIMIT = 50_000_000
XOR = json.loads((ROOT / "resources" / "examples" / "xor.bpnet").read_text(encoding="utf-8"))


def network(sizes: list[int], data: dict) -> dict:
    layers = [{"size": sizes[0]}] + [{"size": s, "activation": "tanh"} for s in sizes[1:-1]]
    layers.append({"size": sizes[-1], "activation": "sigmoid"})
    return {
        "format": "bpstudio.network",
        "version": 1,
        "layers": layers,
        "loss": "sse",
        "training": {"learning_rate": 0.01},
        "data": data,
    }


def padded(item: str) -> str:
    """xor.bpnet with an unknown key holding `[item, item, ...]`, just under 50 MB."""
    head = json.dumps(XOR)[:-1] + ', "unknown": ['
    count = (FILE_LIMIT - 1_000_000 - len(head)) // (len(item) + 1)
    return head + ",".join([item] * count) + "]}"


def widest_inputs() -> str:
    """1,024 inputs of `0` per sample, as many samples as a 50 MB file holds (about 24,000:
    100,000 such samples would be a 200 MB file, which the file limit refuses)."""
    row = "[" + ",".join(["0"] * 1024) + "]"
    samples = (FILE_LIMIT - 10_000) // (len(row) + 6)
    doc = network([1024, 1], {"inputs": ["ROWS"], "targets": ["TARGETS"]})
    text = json.dumps(doc)
    text = text.replace('["ROWS"]', "[" + ",".join([row] * samples) + "]")
    return text.replace('["TARGETS"]', "[" + ",".join(["[0]"] * samples) + "]")


CIRCLE = {"generator": "circle", "samples": 100_000, "seed": 1}
DOCUMENTS = {
    # the 386-byte document: 994,981 parameters, 100,000 samples
    "wide-2-1000-990-1": lambda: json.dumps(network([2, 1000, 990, 1], CIRCLE)),
    "wide-one-sample": lambda: json.dumps(network([2, 1000, 990, 1], {**CIRCLE, "samples": 1})),
    # the deepest network within the parameter limit: 100 layers, 98 of 100 neurons
    "deep-100-layers": lambda: json.dumps(network([2] + [100] * 98 + [1], CIRCLE)),
    "lists-49mb": lambda: padded("[]"),
    "objects-49mb": lambda: padded("{}"),
    "numbers-49mb": lambda: padded("0"),
    "inputs-1024": widest_inputs,
}
COMMANDS = {
    "train": ["train", "{doc}", "--epochs", "1", "--out", "{tmp}/out.bpnet"],
    "trace": ["trace", "{doc}"],
    "steps": ["steps", "{doc}"],
    "window": ["{doc}", "--screenshot", "{tmp}/shot.png", "--step", "3"],
}


def written(folder: Path, only: str = "") -> Iterator[tuple[str, Path]]:
    """(name, path) of each document whose name holds `only`, written into `folder` in turn."""
    for name, make in DOCUMENTS.items():
        if only in name:
            doc = folder / f"{name}.bpnet"
            doc.write_text(make(), encoding="utf-8")
            yield name, doc


def measure(argv: list[str], timeout: float, cap_gb: float) -> tuple[int | str, float, float]:
    """(exit status or `timeout`/`over cap`, peak MB, seconds) of `python -m bpstudio argv`."""
    cap = int(cap_gb * 1024**3)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bpstudio", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=limit,
    )
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.send_signal(signal.SIGKILL)
            _, status, usage = os.wait4(child.pid, 0)
            return "timeout", usage.ru_maxrss / 1024, time.perf_counter() - start
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if "MemoryError" in error or "std::bad_alloc" in error or code < 0:
        return "over cap", usage.ru_maxrss / 1024, seconds
    return code, usage.ru_maxrss / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="documents whose name holds this text")
    parser.add_argument("--commands", default=",".join(COMMANDS), help="comma-separated")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--cap", type=float, default=6.0, help="address space per child, GB")
    args = parser.parse_args()
    print(f"{'document':20} {'command':7} {'exit':>8} {'peak MB':>9} {'seconds':>8}  bound")
    with tempfile.TemporaryDirectory(prefix="bpstudio-bound-") as tmp:
        for name, doc in written(Path(tmp), args.only):
            for command in args.commands.split(","):
                argv = [a.format(doc=doc, tmp=tmp) for a in COMMANDS[command]]
                code, peak, seconds = measure(argv, args.timeout, args.cap)
                verdict = "ok" if peak < BOUND_MB and isinstance(code, int) else "OVER"
                print(f"{name:20} {command:7} {code!s:>8} {peak:9.0f} {seconds:8.1f}  {verdict}")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
