"""The test loss and the accuracies a Trainer records after each epoch, against a NumPy
computation written here from the recorded parameters; and stopping at a target loss.
Headless: no Qt."""

import numpy as np
import pytest

from bpstudio.engine import metrics
from bpstudio.engine.network import Network
from bpstudio.engine.training import Trainer, TrainingConfig


def xor_like(gen, n):
    x = gen.uniform(-1, 1, size=(n, 2))
    return x, (x[:, :1] * x[:, 1:] > 0).astype(float)


def split(flat, sizes):
    """Weights and biases of each layer from bpstudio's flat parameter order."""
    out, i = [], 0
    for fan_in, fan_out in zip(sizes, sizes[1:], strict=False):
        w = flat[i : i + fan_in * fan_out].reshape(fan_out, fan_in)
        i += fan_in * fan_out
        out.append((w, flat[i : i + fan_out]))
        i += fan_out
    return out


def sigmoid_bce_scores(flat, x, y):
    """L (bce) and the accuracy of a tanh-sigmoid network, computed by hand."""
    (w1, b1), (w2, b2) = split(flat, (2, 4, 1))
    out = 1 / (1 + np.exp(-(np.tanh(x @ w1.T + b1) @ w2.T + b2)))
    loss = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
    right = sum((o[0] >= 0.5) == (t[0] >= 0.5) for o, t in zip(out, y, strict=True))
    return loss, right / len(y)


@pytest.mark.parametrize("batch_size", [None, 5])
def test_test_loss_and_accuracies_equal_a_computation_by_hand(batch_size):
    gen = np.random.default_rng(7)
    x, y = xor_like(gen, 23)
    tx, ty = xor_like(gen, 9)
    net = Network(
        (2, 4, 1), ("tanh", "sigmoid"), [gen.normal(size=(4, 2)), gen.normal(size=(1, 4))]
    )
    config = TrainingConfig(loss="bce", learning_rate=0.8, batch_size=batch_size)
    trainer = Trainer(net, x, y, config, record_parameters=True, test=(tx, ty))
    trainer.run(3)
    trainer.run(4)
    h = trainer.history
    assert len(h.test_loss) == len(h.accuracy) == len(h.test_accuracy) == 8
    for e, flat in enumerate(h.params.values):
        train_loss, train_accuracy = sigmoid_bce_scores(flat, x, y)
        test_loss, test_accuracy = sigmoid_bce_scores(flat, tx, ty)
        assert h.loss.values[e] == pytest.approx(train_loss, abs=1e-12)
        assert h.test_loss.values[e] == pytest.approx(test_loss, abs=1e-12)
        assert h.accuracy.values[e] == train_accuracy
        assert h.test_accuracy.values[e] == test_accuracy
    assert h.accuracy.values[-1] > h.accuracy.values[0]  # it learned something


def test_accuracy_of_several_outputs_is_the_argmax_and_of_one_the_half():
    y_hat = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.4, 0.4, 0.2]])
    y = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 1], [1, 0, 0]], dtype=float)
    assert metrics.accuracy(y_hat, y) == 3 / 4  # ties go to the first, as argmax says
    one = np.array([[0.5], [0.49], [0.9], [0.1]])
    assert metrics.accuracy(one, np.array([[1.0], [0.0], [0.0], [0.5]])) == 2 / 4


def test_only_classifiers_record_accuracy_and_only_a_test_set_a_test_loss():
    gen = np.random.default_rng(3)
    x, y = xor_like(gen, 6)
    net = Network((2, 1), ("sigmoid",))
    mse = Trainer(net.copy(), x, y, TrainingConfig(loss="mse", learning_rate=0.1))
    assert mse.history.accuracy is None and mse.history.test_loss is None
    bce = Trainer(net.copy(), x, y, TrainingConfig(loss="bce", learning_rate=0.1))
    assert bce.history.accuracy is not None and bce.history.test_accuracy is None
    assert metrics.is_classifier("softmax", "cross_entropy")
    assert not metrics.is_classifier("softmax", "mse")


@pytest.mark.parametrize(
    "batch_size, shuffle", [(None, False), (4, False), (None, True)], ids=["full", "mini", "perm"]
)
def test_stop_loss_stops_after_the_first_epoch_at_or_below_it(batch_size, shuffle):
    gen = np.random.default_rng(11)
    x, y = xor_like(gen, 12)
    net = Network(
        (2, 3, 1), ("tanh", "sigmoid"), [gen.normal(size=(3, 2)), gen.normal(size=(1, 3))]
    )
    free = TrainingConfig(loss="mse", learning_rate=2.0, batch_size=batch_size, shuffle=shuffle)
    reference = Trainer(net.copy(), x, y, free)
    reference.run(60)
    losses = reference.history.loss.values
    target = float(losses[25])
    first = next(e for e in range(1, 61) if losses[e] <= target)
    assert first <= 25
    stopping = Trainer(net.copy(), x, y, TrainingConfig(**{**vars(free), "stop_loss": target}))
    assert stopping.run(60) is None
    assert stopping.reached_stop_loss
    assert stopping.epoch == first
    assert np.array_equal(stopping.history.loss.values, losses[: first + 1])
    assert stopping.run(2) is None and stopping.epoch == first + 1  # goes on one at a time
