"""Training: the fast `Trainer` against `training_step`, mini-batches and shuffling, momentum
by hand, frozen biases, the loss history, divergence, GrowingArray and weight init.
Headless: no Qt."""

import math
import warnings

import numpy as np
import pytest

from bpstudio.engine import init
from bpstudio.engine.network import Network, loss_value
from bpstudio.engine.training import (
    GrowingArray,
    Trainer,
    TrainingConfig,
    first_batch,
    training_step,
)


def small_problem(seed: int = 0) -> tuple[Network, np.ndarray, np.ndarray]:
    """A 2-3-2 tanh/sigmoid network and 5 samples."""
    rng = np.random.default_rng(seed)
    net = Network(
        [2, 3, 2],
        ["tanh", "sigmoid"],
        [rng.normal(0, 0.8, size=(3, 2)), rng.normal(0, 0.8, size=(2, 3))],
        [rng.normal(0, 0.5, size=3), rng.normal(0, 0.5, size=2)],
    )
    return net, rng.normal(size=(5, 2)), rng.uniform(size=(5, 2))


def by_training_step(net, x, y, config, batches_of_epoch, epochs):
    """The reference: one `training_step` per batch, the velocity carried from step to step."""
    velocity = np.zeros_like(net.params)
    for epoch in range(1, epochs + 1):
        batches = batches_of_epoch(epoch)
        for idx in [np.arange(len(x))] if batches is None else batches:
            r = training_step(net, x[idx], y[idx], config, velocity)
            net, velocity = r.after, r.velocity_after
    return net, velocity


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_full_batch_epochs_equal_repeated_training_steps_bit_for_bit(momentum):
    net, x, y = small_problem()
    config = TrainingConfig(loss="mse", learning_rate=0.3, momentum=momentum)
    trainer = Trainer(net.copy(), x, y, config)
    assert trainer.batches(1) is None  # one full batch in file order
    assert trainer.run(7) is None
    expected, velocity = by_training_step(net, x, y, config, lambda e: None, 7)
    assert np.array_equal(trainer.net.params, expected.params)
    assert np.array_equal(trainer.velocity, velocity)
    assert trainer.epoch == 7


@pytest.mark.parametrize("shuffle", [False, True])
def test_mini_batches_equal_a_hand_loop_over_the_batches_bit_for_bit(shuffle):
    """batch_size 2 of 5 samples: batches of 2, 2, 1, momentum carried across batches."""
    net, x, y = small_problem(1)
    config = TrainingConfig(
        loss="sse", learning_rate=0.2, momentum=0.9, batch_size=2, shuffle=shuffle, seed=17
    )
    trainer = Trainer(net.copy(), x, y, config)
    for epoch in range(1, 5):
        batches = trainer.batches(epoch)
        assert [len(b) for b in batches] == [2, 2, 1]
        order = np.concatenate(batches)
        assert sorted(order) == [0, 1, 2, 3, 4]
        if not shuffle:
            assert list(order) == [0, 1, 2, 3, 4]
    assert trainer.run(4) is None
    expected, velocity = by_training_step(net, x, y, config, trainer.batches, 4)
    assert np.array_equal(trainer.net.params, expected.params)
    assert np.array_equal(trainer.velocity, velocity)


def test_shuffle_order_depends_only_on_seed_and_epoch():
    net, x, y = small_problem()
    config = TrainingConfig(loss="mse", learning_rate=0.1, batch_size=2, shuffle=True, seed=5)
    a = Trainer(net.copy(), x, y, config)
    b = Trainer(net.copy(), x, y, config)
    b.run(3)  # training in between changes nothing
    resumed = Trainer(net.copy(), x, y, config, epoch=3)
    other = Trainer(
        net.copy(), x, y, TrainingConfig(loss="mse", learning_rate=0.1, batch_size=2, shuffle=True)
    )
    orders = {}
    for epoch in range(1, 9):
        order = np.concatenate(a.batches(epoch))
        assert np.array_equal(order, np.concatenate(b.batches(epoch)))
        assert np.array_equal(order, np.concatenate(resumed.batches(epoch)))
        assert np.array_equal(first_batch(len(x), config, epoch), a.batches(epoch)[0])
        orders[epoch] = tuple(order)
    other_orders = {e: tuple(np.concatenate(other.batches(e))) for e in orders}
    assert orders != other_orders, "a different seed gives the same shuffles"
    assert len(set(orders.values())) > 1, "every epoch has the same order"


def test_momentum_by_hand_for_two_steps_on_example_1():
    """v = μv - ηg; p = p + v, with μ 0.9 and η 0.1, two full-batch steps on Example 1."""
    mu, eta, x, y = 0.9, 0.1, 0.5, 1.5

    def grads(w, b):  # one sigmoid neuron, sse: δ = (ŷ - y) ŷ (1 - ŷ), dL/dw = δ x
        y_hat = 1 / (1 + math.exp(-(w * x + b)))
        delta = (y_hat - y) * y_hat * (1 - y_hat)
        return delta * x, delta

    w, b, vw, vb = 0.3, 0.1, 0.0, 0.0
    gw, gb = grads(w, b)
    assert (gw, gb) == pytest.approx((-0.1154151634, -0.2308303267), abs=1e-9)  # seed table
    vw, vb = mu * vw - eta * gw, mu * vb - eta * gb
    w, b = w + vw, b + vb
    assert (w, b) == pytest.approx((0.3115415163, 0.1230830327), abs=1e-9)  # seed table
    gw, gb = grads(w, b)
    vw, vb = mu * vw - eta * gw, mu * vb - eta * gb
    w, b = w + vw, b + vb

    net = Network([1, 1], ["sigmoid"], [np.array([[0.3]])], [np.array([0.1])])
    trainer = Trainer(net, [[x]], [[y]], TrainingConfig(loss="sse", learning_rate=eta, momentum=mu))
    trainer.run(2)
    np.testing.assert_allclose(trainer.net.params, [w, b], rtol=1e-13)
    np.testing.assert_allclose(trainer.velocity, [vw, vb], rtol=1e-12)


def frozen_bias_network() -> Network:
    rng = np.random.default_rng(4)
    return Network(
        [2, 3, 1],
        ["tanh", "sigmoid"],
        [rng.normal(size=(3, 2)), rng.normal(size=(1, 3))],
        [rng.normal(size=3), rng.normal(size=1)],
        train_biases=[False, True],
    )


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_train_biases_false_keeps_that_layers_biases_while_the_weights_move(momentum):
    net = frozen_bias_network()
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(6, 2)), rng.uniform(size=(6, 1))
    trainer = Trainer(
        net.copy(),
        x,
        y,
        TrainingConfig(loss="sse", learning_rate=0.5, momentum=momentum, batch_size=4),
    )
    assert trainer.run(5) is None
    assert np.array_equal(trainer.net.b[0], net.b[0])
    assert not np.array_equal(trainer.net.w[0], net.w[0])
    assert not np.array_equal(trainer.net.w[1], net.w[1])
    assert not np.array_equal(trainer.net.b[1], net.b[1])
    assert trainer.net.train_biases == (False, True)
    assert trainer.net.copy().train_biases == (False, True)


def test_frozen_biases_stay_fixed_even_with_a_carried_velocity():
    """Spec §2 updates only trainable parameters, so a velocity handed to training_step
    (say, from a trainer that ran before the layer's biases were frozen) must not move them."""
    net = frozen_bias_network()
    velocity = np.full(net.parameter_count, 0.25)
    config = TrainingConfig(loss="sse", learning_rate=0.5, momentum=0.9)
    r = training_step(net, [[0.5, -1.0]], [[1.0]], config, velocity)
    assert np.array_equal(r.after.b[0], net.b[0]), r.after.b[0] - net.b[0]


def test_history_records_the_full_data_loss_after_each_epoch_from_epoch_0():
    net, x, y = small_problem(2)
    config = TrainingConfig(
        loss="mse", learning_rate=0.4, momentum=0.5, batch_size=2, shuffle=True, seed=3
    )
    trainer = Trainer(net.copy(), x, y, config, record_parameters=True)
    expected = [loss_value(net.copy(), "mse", x, y)]
    params = [net.params.copy()]
    for _ in range(4):
        trainer.run(1)
        snapshot = trainer.net.copy()
        expected.append(loss_value(snapshot, "mse", x, y))
        params.append(snapshot.params.copy())
    assert np.array_equal(trainer.history.epochs, [0, 1, 2, 3, 4])
    assert trainer.history.last_epoch == 4
    np.testing.assert_array_equal(trainer.history.loss.values, expected)
    np.testing.assert_array_equal(trainer.history.params.values, params)
    # the same history when the four epochs run in one call
    again = Trainer(net.copy(), x, y, config)
    again.run(4)
    np.testing.assert_array_equal(again.history.loss.values, expected)


def test_history_of_a_resumed_trainer_starts_at_its_epoch():
    net, x, y = small_problem()
    trainer = Trainer(net, x, y, TrainingConfig(loss="mse", learning_rate=0.1), epoch=10)
    trainer.run(2)
    assert list(trainer.history.epochs) == [10, 11, 12]


def hand_divergence(w: float, b: float, x: float, y: float, lr: float):
    """Full-batch gradient descent on a linear 1-1 neuron with sse, in plain floats: the first
    epoch whose loss is not finite, the parameters before it, and that loss."""
    epoch = 0
    while True:
        epoch += 1
        error = w * x + b - y  # ŷ - y = dL/dz
        w, b, last = w - lr * (error * x), b - lr * error, (w, b)
        d = y - (w * x + b)
        loss = 0.5 * (d * d)  # d * d overflows to inf, as numpy does
        if not math.isfinite(loss):
            return epoch, last, loss
        assert epoch < 10_000


def test_divergence_stops_at_the_first_non_finite_epoch_and_keeps_the_last_finite_state():
    epoch, (w, b), loss = hand_divergence(0.5, 0.0, 10.0, 1.0, 5.0)
    net = Network([1, 1], ["linear"], [np.array([[0.5]])], [np.array([0.0])])
    config = TrainingConfig(loss="sse", learning_rate=5.0)
    trainer = Trainer(net, [[10.0]], [[1.0]], config)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning escapes
        divergence = trainer.run(10 * epoch)
    assert divergence is not None
    assert divergence.epoch == epoch
    assert divergence.message() == (
        f"training diverged at epoch {epoch}: loss is {loss}; lower the learning rate"
    )
    assert divergence.message().startswith(f"training diverged at epoch {epoch}: loss is inf")
    assert trainer.epoch == epoch - 1
    assert np.all(np.isfinite(trainer.net.params))
    np.testing.assert_allclose(trainer.net.params, [w, b], rtol=1e-12)
    assert len(trainer.history.loss) == epoch  # epochs 0 .. epoch - 1
    assert np.all(np.isfinite(trainer.history.loss.values))
    # exactly the state of a trainer that ran one epoch less
    before = Trainer(net.copy(), [[10.0]], [[1.0]], config)
    before.net.params[:] = [0.5, 0.0]
    assert before.run(epoch - 1) is None
    assert np.array_equal(trainer.net.params, before.net.params)
    # running on stops at once, again at the same epoch, and changes nothing
    assert trainer.run(5).epoch == epoch
    assert np.array_equal(trainer.net.params, before.net.params)


def test_growing_array_grows_past_its_capacity_and_keeps_its_values():
    column = GrowingArray(capacity=2)
    for i in range(9):
        column.append(i * 0.5)
    assert len(column) == 9
    np.testing.assert_array_equal(column.values, [i * 0.5 for i in range(9)])
    rows = GrowingArray(width=3, capacity=1)
    for i in range(5):
        rows.append(np.array([i, i + 1, i + 2], dtype=float))
    np.testing.assert_array_equal(rows.values, [[i, i + 1, i + 2] for i in range(5)])
    rows.truncate(2)
    assert len(rows) == 2
    rows.append(np.array([7.0, 8.0, 9.0]))
    np.testing.assert_array_equal(rows.values, [[0, 1, 2], [1, 2, 3], [7, 8, 9]])


# --- weight initialisation ----------------------------------------------------------------


@pytest.mark.parametrize("scheme", init.INIT_SCHEMES)
def test_init_weights_shape_and_determinism_per_seed(scheme):
    def draw(seed):
        return init.init_weights(scheme, 4, 7, init.rng(seed, init.STREAM_WEIGHTS))

    w = draw(1)
    assert w.shape == (4, 7) and w.dtype == np.float64
    assert np.array_equal(w, draw(1))
    assert not np.array_equal(w, draw(2))
    layers = init.init_layer_weights(scheme, 3, (2, 5, 1))
    assert [m.shape for m in layers] == [(5, 2), (1, 5)]
    assert all(
        np.array_equal(m, n)
        for m, n in zip(layers, init.init_layer_weights(scheme, 3, (2, 5, 1)), strict=True)
    )


def test_init_schemes_draw_from_their_documented_ranges():
    gen = init.rng(0, init.STREAM_WEIGHTS)
    uniform = init.init_weights("uniform", 200, 300, gen)
    assert uniform.min() >= -0.5 and uniform.max() <= 0.5
    assert uniform.min() < -0.49 and uniform.max() > 0.49  # it uses the whole range
    limit = math.sqrt(6 / (300 + 200))  # Glorot: sqrt(6 / (fan_in + fan_out))
    xavier = init.init_weights("xavier", 200, 300, gen)
    assert xavier.min() >= -limit and xavier.max() <= limit
    assert xavier.min() < -0.98 * limit and xavier.max() > 0.98 * limit
    he = init.init_weights("he", 400, 300, gen)  # N(0, 2 / fan_in)
    assert he.std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    assert abs(he.mean()) < 0.02 * math.sqrt(2 / 300)  # 120,000 draws: the mean is ~0
    with pytest.raises(ValueError):
        init.init_weights("glorot", 2, 2, gen)
