"""The training kernel (the Trainer's fast path) against the readable path, bit for bit:
whole training runs against `training_step` plus a separate full-data forward pass per
epoch (so the loss recorded one epoch late from the next forward pass is checked), for every
activation and loss, full batch, mini-batches, shuffle, momentum, frozen biases and
divergence; and the kernel's replacements of NumPy's row-by-row loops against NumPy on
values of extreme range. Headless: no Qt."""

import math
import zlib
from dataclasses import replace

import numpy as np
import pytest
from random_nets import VALID_PAIRS, random_case

from bpstudio.engine import activations, losses, network
from bpstudio.engine.kernel import LARGE_BATCH, bias_calls, column_sum_calls
from bpstudio.engine.network import Network, loss_value
from bpstudio.engine.training import Trainer, TrainingConfig, training_step


def naive_run(net: Network, x, y, config: TrainingConfig, epochs: int, batches_of):
    """Epoch by epoch with the readable path: `training_step` per batch, then the loss over
    the whole data set by a forward pass of its own; stops at the first epoch whose loss or
    parameters are not finite. Returns the losses (epoch 0 first), the network, velocity
    and the epoch it diverged at (None)."""
    velocity = np.zeros_like(net.params)
    history = [loss_value(net, config.loss, x, y)]
    for epoch in range(1, epochs + 1):
        batches = batches_of(epoch)
        after, v = net, velocity
        for idx in [np.arange(len(x))] if batches is None else batches:
            r = training_step(after, x[idx], y[idx], config, v)
            after, v = r.after, r.velocity_after
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = loss_value(after, config.loss, x, y)
        if not (math.isfinite(loss) and np.all(np.isfinite(after.params))):
            return history, net, velocity, epoch
        history.append(loss)
        net, velocity = after, v
    return history, net, velocity, None


CONFIGS = [
    TrainingConfig(loss="", learning_rate=0.1),
    TrainingConfig(loss="", learning_rate=0.05, momentum=0.9),
    TrainingConfig(loss="", learning_rate=0.1, batch_size=3),
    TrainingConfig(loss="", learning_rate=0.1, momentum=0.5, batch_size=4, shuffle=True, seed=4),
    TrainingConfig(loss="", learning_rate=0.1, shuffle=True, seed=1),  # one batch, shuffled
    TrainingConfig(loss="", learning_rate=0.1, weight_decay=0.3),
    TrainingConfig(loss="", learning_rate=0.05, momentum=0.9, batch_size=3, weight_decay=0.01),
]
IDS = ["full", "momentum", "mini", "shuffle", "perm", "decay", "decay-momentum-mini"]


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
@pytest.mark.parametrize(("output", "loss"), VALID_PAIRS)
@pytest.mark.parametrize("train_biases", [True, False])
@pytest.mark.parametrize("chunk", [None, 3], ids=["whole", "chunks-of-3"])
def test_training_runs_equal_the_readable_path_with_a_loss_pass_per_epoch(
    config, output, loss, train_biases, chunk, monkeypatch
):
    """Also with batches computed in chunks of 3 samples (the last one shorter), as a batch
    of a network a thousand times wider would be."""
    seed = zlib.crc32(f"{output} {loss} {config} {train_biases}".encode())
    case = random_case(np.random.default_rng(seed), output, loss, 2, 10, train_biases)
    if chunk:
        monkeypatch.setattr(network, "CHUNK_BYTES", chunk * 32 * sum(case.net.sizes[1:]))
        assert len(network.chunks(case.net, 10)) == 4
    config = replace(config, loss=loss)
    trainer = Trainer(case.net.copy(), case.x, case.y, config)
    divergence = None
    for chunk in (1, 4, 2):  # runs of several epochs, and of one
        divergence = divergence or trainer.run(chunk)
    history, net, velocity, diverged = naive_run(
        case.net.copy(), case.x, case.y, config, 7, trainer.batches
    )
    assert (divergence and divergence.epoch) == diverged
    assert trainer.epoch == (7 if diverged is None else diverged - 1)
    assert np.array_equal(trainer.history.loss.values, history)
    assert np.array_equal(trainer.net.params, net.params)
    assert np.array_equal(trainer.velocity, velocity)


@pytest.mark.parametrize("config", CONFIGS[:4], ids=["full", "momentum", "mini", "shuffle"])
def test_divergence_found_one_epoch_late_restores_the_state_before_it(config):
    """A learning rate that blows up: the kernel sees epoch e's loss only in the forward pass
    of epoch e + 1 (full batch), yet stops at the same epoch as the readable path with the
    same state, history and message."""
    rng = np.random.default_rng(5)
    net = Network(
        [2, 3, 1], ["linear", "linear"], [rng.normal(size=(3, 2)), rng.normal(size=(1, 3))]
    )
    x, y = rng.normal(0, 3.0, size=(12, 2)), rng.normal(size=(12, 1))
    config = replace(config, loss="sse", learning_rate=0.9, seed=2)
    trainer = Trainer(net.copy(), x, y, config)
    divergence = trainer.run(500)
    history, expected, velocity, epoch = naive_run(net.copy(), x, y, config, 500, trainer.batches)
    assert epoch is not None and divergence is not None
    assert divergence.epoch == epoch
    assert trainer.epoch == epoch - 1
    assert np.array_equal(trainer.history.loss.values, history)
    assert np.array_equal(trainer.net.params, expected.params)
    assert np.array_equal(trainer.velocity, velocity)
    assert trainer.run(3).epoch == epoch  # again at once, changing nothing
    assert np.array_equal(trainer.net.params, expected.params)


def test_a_parameter_gone_infinite_behind_a_finite_loss_is_still_divergence():
    """relu can hide an infinite weight: a dead unit multiplies it by 0 or drops it, so the
    loss stays finite; the check on the parameters must still stop training."""
    net = Network([1, 1, 1], ["relu", "linear"], [np.array([[-1.0]]), np.array([[1.0]])])
    trainer = Trainer(net, [[1.0]], [[0.0]], TrainingConfig(loss="sse", learning_rate=0.1))
    assert trainer.run(2) is None
    trainer.net.w[0][0, 0] = -np.inf  # relu(-inf) = 0: the loss stays finite
    divergence = trainer.run(1)
    assert divergence is not None
    assert divergence.what == "parameter w[1][0][0] is -inf"
    assert trainer.epoch == 2


def test_parameters_whose_sum_overflows_are_not_divergence():
    """The quick check sums the parameters; a sum that overflows while every parameter is
    finite falls back to the exact check, which lets training go on."""
    net = Network([1, 2], ["linear"], [np.array([[1e308], [1e308]])], [np.zeros(2)])
    trainer = Trainer(net, [[0.0]], [[0.0, 0.0]], TrainingConfig(loss="sse", learning_rate=0.1))
    with np.errstate(over="ignore"):
        assert not math.isfinite(net.params.sum())
    assert trainer.run(3) is None
    assert trainer.epoch == 3


EXTREME = [(LARGE_BATCH, 3), (500, 8), (499, 8), (1000, 2), (777, 16), (10, 4), (500, 1)]


def extreme(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values across 20 orders of magnitude either way, and some zeros of both signs: any
    change of the order of additions shows in the bits."""
    values = rng.normal(size=shape) * np.exp(rng.normal(0.0, 15.0, size=shape))
    values.flat[:: max(1, values.size // 7)] = -0.0
    return values


@pytest.mark.parametrize("shape", EXTREME)
def test_column_sums_are_numpys_sum_over_axis_0_bit_for_bit(shape):
    rng = np.random.default_rng(shape[0] * shape[1])
    for _ in range(20):
        delta = extreme(rng, shape)
        out = np.full(shape[1], np.nan)
        for call in column_sum_calls(delta, out):
            call()
        expected = np.sum(delta, axis=0)
        assert np.array_equal(out, expected)
        assert np.array_equal(np.signbit(out), np.signbit(expected))


@pytest.mark.parametrize("shape", EXTREME)
def test_tiled_bias_additions_are_numpys_broadcast_bit_for_bit(shape):
    rng = np.random.default_rng(shape[0] + shape[1])
    for _ in range(5):
        z, b = extreme(rng, shape), extreme(rng, shape[1:])
        expected = z + b
        for call in bias_calls(z, b):
            call()
        assert np.array_equal(z, expected)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_bound_activation_calls_equal_the_functions_even_saturated(name):
    act = activations.get(name)
    rng = np.random.default_rng(3)
    z = np.concatenate([rng.normal(0.0, 3.0, size=(6, 3)), [[1000.0, -1000.0, 0.0]]])
    g = rng.normal(size=z.shape)
    a, out, delta = act(z), np.full_like(z, np.nan), np.full_like(z, np.nan)
    with np.errstate(over="ignore"):  # as the kernel runs them
        for call in act.forward_calls(z, out):
            call()
        for call in act.backward_calls(z, a, g, delta):
            call()
    assert np.array_equal(out, a)
    assert np.array_equal(delta, act.backward(z, a, g))


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_bound_loss_gradients_equal_the_functions(name):
    rng = np.random.default_rng(4)
    y_hat, y = rng.uniform(0.01, 0.99, size=(5, 3)), rng.uniform(size=(5, 3))
    out = np.full_like(y, np.nan)
    for call in losses.get(name).gradient_calls(y_hat, y, out):
        call()
    assert np.array_equal(out, losses.get(name).gradient(y_hat, y))
