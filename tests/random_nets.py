"""Random networks and data for the engine tests: every valid output activation and loss pair
of the spec (section 2), hidden activations cycling through all elementwise ones. No Qt.

Not a test module: `test_steps.py` and `test_gradients.py` import it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpstudio.engine.network import Network, forward

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_ACTIVATIONS = (*HIDDEN_ACTIVATIONS, "softmax")
KINKED = ("relu", "leaky_relu")  # not differentiable at z = 0
KINK_MARGIN = 1e-2  # finite differences step weights by up to 2e-3 times their size

# cross_entropy only with a softmax output; bce only with sigmoid or softmax and targets in
# [0, 1]; sse and mse with any output.
VALID_PAIRS = tuple(
    [(act, loss) for loss in ("sse", "mse") for act in OUTPUT_ACTIVATIONS]
    + [("sigmoid", "bce"), ("softmax", "bce"), ("softmax", "cross_entropy")]
)


@dataclass
class Case:
    net: Network
    x: np.ndarray  # (N, sizes[0])
    y: np.ndarray  # (N, sizes[-1])
    loss: str


def targets(rng: np.random.Generator, loss: str, n: int, k: int) -> np.ndarray:
    """Targets that suit `loss`: probabilities (some one-hot) for cross_entropy, values in
    [0, 1] (some exactly 0 or 1) for bce, any reals for sse and mse."""
    if loss == "cross_entropy":
        y = rng.dirichlet(np.ones(k), size=n)
        y[0] = np.eye(k)[rng.integers(k)]  # one-hot row: exercises the y = 0 terms
        return y
    if loss == "bce":
        y = rng.uniform(0.0, 1.0, size=(n, k))
        y.flat[0] = float(rng.integers(2))
        return y
    return rng.normal(0.0, 1.0, size=(n, k))


def random_case(
    rng: np.random.Generator,
    output: str,
    loss: str,
    hidden_layers: int,
    batch: int,
    train_biases: bool = True,
    max_width: int = 5,
    input_width: int | None = None,
) -> Case:
    """A network with `hidden_layers` hidden layers of 1..max_width neurons (activations drawn
    from all elementwise ones), the given output activation, and a batch of `batch` samples.
    Redrawn until no relu / leaky_relu unit sits within KINK_MARGIN of its kink, so finite
    differences are meaningful. With `train_biases=False` some layers' biases are frozen."""
    for _ in range(1000):
        k = int(rng.integers(2, 5)) if output == "softmax" else int(rng.integers(1, 4))
        n_in = int(rng.integers(1, 5)) if input_width is None else input_width
        sizes = [n_in, *(int(rng.integers(1, max_width + 1)) for _ in range(hidden_layers)), k]
        hidden = [HIDDEN_ACTIVATIONS[int(i)] for i in rng.integers(0, 5, size=hidden_layers)]
        names = [*hidden, output]
        weights = [rng.normal(0.0, 0.8, size=(sizes[i + 1], sizes[i])) for i in range(len(names))]
        biases = [rng.normal(0.0, 0.5, size=sizes[i + 1]) for i in range(len(names))]
        trainable = None
        if not train_biases:  # the first layer's biases fixed, the others at random
            trainable = [i > 0 and bool(rng.integers(2)) for i in range(len(names))]
        net = Network(sizes, names, weights, biases, trainable)
        x = rng.normal(0.0, 1.0, size=(batch, n_in))
        fwd = forward(net, x)
        near_kink = any(
            name in KINKED and np.any(np.abs(z) < KINK_MARGIN)
            for name, z in zip(names, fwd.z, strict=True)
        )
        if not near_kink:
            return Case(net, x, targets(rng, loss, batch, k), loss)
    raise AssertionError("could not draw a network away from the relu kink")
