"""Mini-batch section of the benchmark suite: the digits workload, a 64-16-10 softmax and
cross-entropy network on 1,437 samples in mini-batches of 32. Per epoch, `bpstudio train`
(the Trainer as the `train` command runs it) against a plain NumPy loop written here doing
the same work, and PyTorch CPU eager (float64) where torch is importable. Run through run.py
(`--only minibatch`); pytest never collects it. Must not import Qt.

The same work is every mini-batch's forward pass, backward pass and SGD update (momentum and
weight decay as the document says, batches in file order or shuffled as it says), then the
loss and the accuracy over the whole training set once per epoch, as bpstudio's history
records them. With `resources/examples/digits.bpnet` present its training data and settings
are used (its test set is left out: 1,437 training samples); otherwise random data of that
shape, seeded.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from engine_bench import per_epoch_us, report, train_command

from bpstudio.document.format import load
from bpstudio.engine import init
from bpstudio.engine.training import Trainer, TrainingConfig

DIGITS = Path(__file__).resolve().parents[2] / "resources" / "examples" / "digits.bpnet"
SAMPLES, INPUTS, CLASSES, HIDDEN = 1437, 64, 10, 16
EPOCHS = 20  # per timed block
TARGET = 1.1  # bpstudio's speed-up over the plain loop
HIDDEN_FUNCTIONS = {
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda a: a * (1.0 - a)),
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0.0).astype(float)),
}


def workload(folder: Path) -> tuple[str, Path]:
    """The document to train, and where its data comes from."""
    if DIGITS.exists():
        doc = json.loads(DIGITS.read_text())
        doc["data"].pop("test", None)
        source = "digits.bpnet"
    else:
        gen = np.random.default_rng(20)
        inputs = gen.integers(0, 17, size=(SAMPLES, INPUTS)) / 16.0
        targets = np.eye(CLASSES)[gen.integers(0, CLASSES, size=SAMPLES)]
        layers = [
            {"size": INPUTS},
            {"size": HIDDEN, "activation": "tanh"},
            {"size": CLASSES, "activation": "softmax"},
        ]
        doc = {
            "format": "bpstudio.network",
            "version": 1,
            "name": "digits-like",
            "layers": layers,
            "loss": "cross_entropy",
            "training": {"learning_rate": 0.1, "momentum": 0.9, "batch_size": 32, "seed": 1},
            "data": {"inputs": inputs.tolist(), "targets": targets.tolist()},
        }
        source = "random data, seeded"
    path = folder / "digits.bpnet"
    path.write_text(json.dumps(doc))
    return source, path


def epoch_order(config: TrainingConfig, n: int, epoch: int) -> np.ndarray:
    """The sample order of `epoch` (spec section 4): file order, or the permutation drawn
    from the seed and the epoch."""
    if not config.shuffle:
        return np.arange(n)
    return init.rng(config.seed, init.STREAM_SHUFFLE, epoch).permutation(n)


def plain_loop(path: Path) -> tuple[list[np.ndarray], Callable[[int], None]]:
    """The textbook loop, allocating freely: per batch forward, backward and the update of
    spec section 4, then the full-data loss and accuracy; its parameters (w and b of each
    layer), and a run of it."""
    doc = load(path)
    x, y = doc.dataset()
    net, config = doc.build_network(), doc.training_config()
    hidden = [HIDDEN_FUNCTIONS[name] for name in net.activation_names[:-1]]
    params = [m.copy() for pair in zip(net.w, net.b, strict=True) for m in pair]
    velocity = [np.zeros_like(p) for p in params]
    batch, rate, momentum, decay = (
        config.batch_size or len(x),
        config.learning_rate,
        config.momentum,
        config.weight_decay,
    )
    history: list[tuple[float, float]] = []
    epoch = [doc.next_epoch() - 1]

    def forward(xb: np.ndarray) -> list[np.ndarray]:
        a = [xb]
        for (f, _), w, b in zip(hidden, params[0::2], params[1::2], strict=False):
            a.append(f(a[-1] @ w.T + b))
        z = a[-1] @ params[-2].T + params[-1]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return a + [e / e.sum(axis=1, keepdims=True)]

    def step(xb: np.ndarray, yb: np.ndarray) -> None:
        a = forward(xb)
        delta = (a[-1] - yb) / len(xb)
        for i in range(len(a) - 2, -1, -1):
            grads = [delta.T @ a[i], delta.sum(axis=0)]
            if i:
                delta = (delta @ params[2 * i]) * hidden[i - 1][1](a[i])
            grads[0] = grads[0] + decay * params[2 * i]
            for k, g in zip((2 * i, 2 * i + 1), grads, strict=True):
                velocity[k] = momentum * velocity[k] - rate * g
                params[k] += velocity[k]

    def run(epochs: int) -> None:
        for _ in range(epochs):
            epoch[0] += 1
            order = epoch_order(config, len(x), epoch[0])
            for start in range(0, len(x), batch):
                rows = order[start : start + batch]
                step(x[rows], y[rows])
            y_hat = forward(x)[-1]
            loss = -float(np.sum(np.where(y == 0, 0.0, y * np.log(y_hat)))) / len(y)
            right = np.mean(y_hat.argmax(axis=1) == y.argmax(axis=1))
            history.append((loss, float(right)))

    return params, run


def torch_loop(path: Path) -> Callable[[int], None] | None:
    """The same training in PyTorch CPU eager, float64, on one thread: autograd and
    torch.optim.SGD, the full-data loss and accuracy under no_grad; None when torch is not
    installed."""
    try:
        import torch
    except ImportError:
        return None
    # One thread: on matrices this small more only spin between calls, on the cores the
    # next contender then times on (bpstudio measured 1.1x instead of 1.4x the loop).
    torch.set_num_threads(1)
    doc = load(path)
    x, y = (torch.tensor(v, dtype=torch.float64) for v in doc.dataset())
    net, config = doc.build_network(), doc.training_config()
    layers: list[torch.nn.Module] = []
    functions = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}
    for w, b, name in zip(net.w, net.b, net.activation_names, strict=True):
        linear = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(w))
            linear.bias.copy_(torch.tensor(b))
        layers += [linear] if name == "softmax" else [linear, functions[name]()]
    model = torch.nn.Sequential(*layers)
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, torch.nn.Linear)]
    optimiser = torch.optim.SGD(
        [{"params": weights, "weight_decay": config.weight_decay}, {"params": biases}],
        lr=config.learning_rate,
        momentum=config.momentum,
    )
    batch, epoch = config.batch_size or len(x), [doc.next_epoch() - 1]

    def run(epochs: int) -> None:
        for _ in range(epochs):
            epoch[0] += 1
            order = torch.from_numpy(epoch_order(config, len(x), epoch[0]))
            for start in range(0, len(x), batch):
                rows = order[start : start + batch]
                optimiser.zero_grad()
                loss = -(y[rows] * torch.log_softmax(model(x[rows]), dim=1)).sum() / len(rows)
                loss.backward()
                optimiser.step()
            with torch.no_grad():
                z = model(x)
                float(-(y * torch.log_softmax(z, dim=1)).sum() / len(x))
                float((z.argmax(dim=1) == y.argmax(dim=1)).double().mean())

    return run


def same_weights(trainer: Trainer, params: list[np.ndarray]) -> None:
    """Raises unless bpstudio and the plain loop end with the same parameters (to 1e-9)."""
    net = trainer.net
    ours = [m for pair in zip(net.w, net.b, strict=True) for m in pair]
    worst = max(float(np.max(np.abs(a - b))) for a, b in zip(ours, params, strict=True))
    if not worst <= 1e-9:
        raise AssertionError(f"bpstudio and the plain loop differ by {worst:g} after training")


def section(quick: bool, row) -> None:
    """Adds the mini-batch rows to the table through `row(figure, median, target, ratio,
    met)`."""
    repeats = 5 if quick else 15
    with tempfile.TemporaryDirectory(prefix="bpstudio-bench-") as folder:
        source, path = workload(Path(folder))
        trainer, train_run = train_command(path)
        params, plain_run = plain_loop(path)
        contenders = {"train": train_run, "plain": plain_run}
        torch_run = torch_loop(path)
        if torch_run is not None:
            contenders["torch"] = torch_run
        # every contender runs the same epochs (warm-up included), so they must agree
        ms = {k: v / 1000 for k, v in per_epoch_us(contenders, EPOCHS, repeats).items()}
        same_weights(trainer, params)
    name = f"mini-batch: digits 64-16-10, {SAMPLES:,} samples, batches of 32 ({source})"
    report(row, name, ms, TARGET, "{:.2f} ms/epoch")
