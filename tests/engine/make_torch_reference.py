"""PyTorch reference runs for weight decay: writes `torch_weight_decay.json` beside this file.

Run by hand (torch is not a dependency of bpstudio), in any environment that has torch and
NumPy:

    python tests/engine/make_torch_reference.py

Each case trains a small network with `torch.optim.SGD` in float64 on mini-batches taken in
file order (no shuffle), with momentum, and two parameter groups: the weights with
`weight_decay=λ`, the biases with none. The fixture keeps the case (data, initial parameters,
settings) and, after every epoch, the parameters in bpstudio's order (layer by layer: weights
row by row, then biases) and the loss over the whole data set. tests/engine/test_weight_decay.py
compares bpstudio's training to it, and runs `reference` live where torch is installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).with_name("torch_weight_decay.json")

# name: sizes, activations, loss, learning rate, momentum, weight decay, batch size,
# samples, epochs
CASES = {
    "tanh-sigmoid-bce": ((2, 3, 1), ("tanh", "sigmoid"), "bce", 0.5, 0.9, 0.01, 3, 8, 6),
    "relu-softmax-ce": ((3, 4, 3), ("relu", "softmax"), "cross_entropy", 0.2, 0.8, 0.05, 2, 7, 5),
    "sigmoid-linear-mse": ((2, 3, 2), ("sigmoid", "linear"), "mse", 0.1, 0.5, 0.3, 4, 10, 8),
    "tanh-sigmoid-sse": ((2, 2, 1), ("tanh", "sigmoid"), "sse", 0.3, 0.0, 0.2, 5, 7, 6),
}


def make_case(name: str) -> dict:
    """The data, initial parameters and settings of case `name`, drawn from a fixed seed."""
    sizes, acts, loss, lr, mu, decay, batch, samples, epochs = CASES[name]
    gen = np.random.default_rng(sum(map(ord, name)))
    x = gen.uniform(-1.0, 1.0, size=(samples, sizes[0]))
    if loss == "cross_entropy":
        y = np.eye(sizes[-1])[gen.integers(0, sizes[-1], samples)]
    elif loss == "bce":
        y = gen.integers(0, 2, size=(samples, sizes[-1])).astype(float)
    else:
        y = gen.uniform(-1.0, 1.0, size=(samples, sizes[-1]))
    weights = [gen.uniform(-1.0, 1.0, size=(sizes[i + 1], sizes[i])) for i in range(len(sizes) - 1)]
    biases = [gen.uniform(-0.5, 0.5, size=sizes[i + 1]) for i in range(len(sizes) - 1)]
    return {
        "sizes": list(sizes),
        "activations": list(acts),
        "loss": loss,
        "learning_rate": lr,
        "momentum": mu,
        "weight_decay": decay,
        "batch_size": batch,
        "epochs": epochs,
        "inputs": x.tolist(),
        "targets": y.tolist(),
        "weights": [w.tolist() for w in weights],
        "biases": [b.tolist() for b in biases],
    }


def reference(case: dict) -> tuple[list[list[float]], list[float]]:
    """PyTorch's parameters (bpstudio's order) and whole-data loss after each epoch, epoch 0
    (before training) first."""
    import torch

    act = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "linear": lambda z: z,
        "softmax": lambda z: torch.softmax(z, dim=1),
    }
    weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in case["weights"]]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in case["biases"]]
    x = torch.tensor(case["inputs"], dtype=torch.float64)
    y = torch.tensor(case["targets"], dtype=torch.float64)

    def loss_of(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        a = xb
        for w, b, name in zip(weights, biases, case["activations"], strict=True):
            a = act[name](a @ w.T + b)
        if case["loss"] == "bce":
            return torch.nn.functional.binary_cross_entropy(a, yb)
        if case["loss"] == "mse":
            return torch.nn.functional.mse_loss(a, yb)
        if case["loss"] == "sse":
            return 0.5 * ((yb - a) ** 2).sum()
        return -(yb * torch.log(a)).sum() / len(yb)

    optimiser = torch.optim.SGD(
        [
            {"params": weights, "weight_decay": case["weight_decay"]},
            {"params": biases, "weight_decay": 0.0},
        ],
        lr=case["learning_rate"],
        momentum=case["momentum"],
    )

    def state() -> list[float]:
        flat = []
        for w, b in zip(weights, biases, strict=True):
            flat += w.detach().reshape(-1).tolist() + b.detach().tolist()
        return flat

    def full_loss() -> float:
        with torch.no_grad():
            return float(loss_of(x, y))

    params, losses = [state()], [full_loss()]
    size = case["batch_size"]
    for _ in range(case["epochs"]):
        for start in range(0, len(x), size):
            optimiser.zero_grad()
            loss_of(x[start : start + size], y[start : start + size]).backward()
            optimiser.step()
        params.append(state())
        losses.append(full_loss())
    return params, losses


def main() -> int:
    import torch

    fixture: dict = {"torch": torch.__version__, "cases": {}}
    for name in CASES:
        case = make_case(name)
        case["params"], case["loss_history"] = reference(case)
        fixture["cases"][name] = case
    FIXTURE.write_text(json.dumps(fixture, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
