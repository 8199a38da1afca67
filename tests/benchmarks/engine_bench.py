"""Engine section of the benchmark suite: the per-epoch cost of `bpstudio train` (the
Trainer, history recording included) against a plain vectorised NumPy loop written here,
and against PyTorch CPU eager (float64) where torch is importable. A row without a target
gives the same Trainer recording the gradient flow, as the window's does. Run through run.py;
pytest never collects it (its name has no test_ prefix). Must not import Qt.

Each sample times a block of epochs of every contender in turn, so all of them see the
same load of the shared machine; the table reports medians over the samples.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bpstudio.document.format import load
from bpstudio.engine.training import Trainer
from bpstudio.runs import headless_trainer

XOR_DATA = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
SPIRAL_DATA = {"generator": "spiral", "samples": 500, "noise": 0.1, "seed": 1}
# name, file stem, sizes, data, epochs per timed block, target speed-up over the plain loop
WORKLOADS = (
    ("XOR 2-4-1, 4 samples", "xor", (2, 4, 1), XOR_DATA, 2000, 1.0),
    ("two spirals 2-8-8-1, 500 samples", "spirals", (2, 8, 8, 1), SPIRAL_DATA, 400, 1.25),
)


@dataclass
class Workload:
    name: str
    path: Path
    epochs: int
    target: float


def write_documents(folder: Path) -> list[Workload]:
    """One .bpnet per workload: full batch, sigmoid everywhere, sse, learning rate 0.1."""
    found = []
    for name, stem, sizes, data, epochs, target in WORKLOADS:
        layers = [{"size": sizes[0]}] + [{"size": s, "activation": "sigmoid"} for s in sizes[1:]]
        doc = {
            "format": "bpstudio.network",
            "version": 1,
            "name": name,
            "layers": layers,
            "loss": "sse",
            "training": {"learning_rate": 0.1, "seed": 1, "init": "xavier"},
            "data": data,
        }
        path = folder / f"{stem}.bpnet"
        path.write_text(json.dumps(doc))
        found.append(Workload(name, path, epochs, target))
    return found


def train_command(path: Path, window: bool = False) -> tuple[Trainer, Callable[[int], None]]:
    """`bpstudio train FILE --epochs N` without the file writing: the same loading, Trainer
    (runs.headless_trainer) and `run` as cli.cmd_train. With `window`, the Trainer records
    the gradient flow too, as the window's does. The Trainer, and a run of it."""
    doc = load(path)
    trainer = headless_trainer(doc)
    if window:
        x, y = doc.dataset()
        trainer = Trainer(doc.build_network(), x, y, doc.training_config(), trainer.epoch)

    def run(epochs: int) -> None:
        if trainer.run(epochs) is not None:
            raise RuntimeError(f"{path}: the benchmark workload diverged")

    return trainer, run


def plain_loop(path: Path) -> Callable[[int], None]:
    """The textbook loop: forward, backward and update with NumPy operators, allocating
    freely, full batch, sigmoid, sse, learning rate 0.1."""
    doc = load(path)
    x, y = doc.dataset()
    net = doc.build_network()
    w = [m.copy() for m in net.w]
    b = [v.copy() for v in net.b]

    def run(epochs: int) -> None:
        for _ in range(epochs):
            a = [x]
            for wl, bl in zip(w, b, strict=True):
                a.append(1.0 / (1.0 + np.exp(-(a[-1] @ wl.T + bl))))
            delta = (a[-1] - y) * a[-1] * (1.0 - a[-1])
            for i in range(len(w) - 1, -1, -1):
                grad_w, grad_b = delta.T @ a[i], delta.sum(axis=0)
                if i:
                    delta = (delta @ w[i]) * a[i] * (1.0 - a[i])
                w[i] -= 0.1 * grad_w
                b[i] -= 0.1 * grad_b

    return run


def torch_loop(path: Path) -> Callable[[int], None] | None:
    """The same training in PyTorch CPU eager, float64, with autograd and torch.optim.SGD;
    None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    doc = load(path)
    x, y = (torch.tensor(v, dtype=torch.float64) for v in doc.dataset())
    net = doc.build_network()
    layers = []
    for w, b in zip(net.w, net.b, strict=True):
        linear = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(w))
            linear.bias.copy_(torch.tensor(b))
        layers += [linear, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)

    def run(epochs: int) -> None:
        for _ in range(epochs):
            optimiser.zero_grad()
            loss = 0.5 * ((model(x) - y) ** 2).sum()
            loss.backward()
            optimiser.step()

    return run


def per_epoch_us(contenders: dict[str, Callable[[int], None]], epochs: int, repeats: int):
    """Median µs per epoch of each contender, timed in turns."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for run in contenders.values():
        run(epochs // 10)  # warm-up: caches, first allocations
    for _ in range(repeats):
        for name, run in contenders.items():
            start = time.perf_counter()
            run(epochs)
            times[name].append((time.perf_counter() - start) / epochs * 1e6)
    return {name: statistics.median(t) for name, t in times.items()}


def section(quick: bool, row) -> None:
    """Adds the engine rows to the table through `row(figure, median, target, ratio, met)`."""
    repeats = 5 if quick else 21
    with tempfile.TemporaryDirectory(prefix="bpstudio-bench-") as folder:
        for work in write_documents(Path(folder)):
            contenders = {
                "train": train_command(work.path)[1],
                "plain": plain_loop(work.path),
                "window": train_command(work.path, window=True)[1],
            }
            torch_run = torch_loop(work.path)
            if torch_run is not None:
                contenders["torch"] = torch_run
            epochs = work.epochs // 4 if quick else work.epochs
            us = per_epoch_us(contenders, epochs, repeats)
            report(row, f"engine: {work.name}", us, work.target, "{:.1f} µs/epoch")


def report(row, name: str, times: dict[str, float], target: float, unit: str) -> None:
    """The rows of one workload: bpstudio train against its target, the plain loop, and
    PyTorch or why it is missing; `unit` formats a time of `times`."""
    speedup = times["plain"] / times["train"]
    row(
        f"{name}, bpstudio train",
        unit.format(times["train"]),
        f"≥ {target:.2f}× plain loop",
        f"{speedup:.2f}× plain",
        speedup >= target,
    )
    row(f"{name}, plain NumPy loop", unit.format(times["plain"]))
    if "window" in times:
        row(
            f"{name}, the same with the gradient flow recorded, as the window trains",
            unit.format(times["window"]),
            ratio=f"{times['plain'] / times['window']:.2f}× plain",
        )
    if "torch" in times:
        row(
            f"{name}, PyTorch CPU eager float64",
            unit.format(times["torch"]),
            ratio=f"train {times['torch'] / times['train']:.1f}× faster",
        )
    else:
        row(f"{name}, PyTorch CPU eager float64", "torch not installed")
