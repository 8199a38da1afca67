"""The walkthrough: stepping forward and back through training steps, finishing steps and
epochs, and scrubbing the timeline, always landing on exactly the numbers training gives."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from reference_runs import write_diverging
from seed_tables import EXAMPLE_2_VALUES

from bpstudio.document.format import load
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.engine.training import Trainer, training_step
from bpstudio.resources import examples_dir

SEED2 = examples_dir() / "seed-2-two-neurons.bpnet"


@pytest.fixture(scope="module", name="spiral")
def spiral_fixture(tmp_path_factory):
    """The spiral example trained in shuffled mini-batches of 25 with momentum: 20 batches an
    epoch, the hardest case for exact replay."""
    doc = json.loads((examples_dir() / "spiral.bpnet").read_text())
    doc["training"].update(learning_rate=0.03, batch_size=25, shuffle=True)
    path = tmp_path_factory.mktemp("spiral") / "spiral-batches.bpnet"
    path.write_text(json.dumps(doc))
    return path


def trained(path, epochs: int) -> np.ndarray:
    doc = load(path)
    net = doc.build_network()
    x, y = doc.dataset()
    Trainer(net, x, y, doc.training_config()).run(epochs)
    return net.params


def test_walking_example_2_forward_shows_the_article_values_in_order():
    """The 15 micro-steps of Example 2 carry the seed table's values in the article's order."""
    w = Walkthrough(load(SEED2))
    seen = []
    while w.current is not None:
        seen.append(round(w.current.value, 10))
        assert w.next()
    assert seen == [round(v, 10) for v in EXAMPLE_2_VALUES]


def test_stepping_all_the_way_back_restores_the_initial_network_exactly():
    """After a whole training step and one more micro-step, going back step by step ends
    on the initial parameters, bit for bit, with no value known."""
    w = Walkthrough(load(SEED2))
    initial = w.displayed_network().params.copy()
    for _ in range(17):
        w.next()
    assert w.epoch == 1 and w.index == 1
    while w.prev():
        pass
    assert w.epoch == 0 and w.index == 0
    assert np.array_equal(w.displayed_network().params, initial)
    assert np.array_equal(w.net.params, initial)
    assert w.known_values() == {}


def test_update_steps_change_the_displayed_network_one_parameter_at_a_time():
    """At the update phase each step changes exactly its own parameter to the new value."""
    w = Walkthrough(load(SEED2))
    w.jump(11)
    before = w.displayed_network().params.copy()
    w.next()
    after = w.displayed_network().params
    assert np.flatnonzero(after != before).tolist() == [0]  # w(1) is params[0]
    assert after[0] == pytest.approx(0.3005043463, abs=1e-10)


def test_finishing_a_step_equals_one_engine_training_step():
    """finish_step applies exactly what training_step computes."""
    doc = load(SEED2)
    x, y = doc.dataset()
    expected = training_step(doc.build_network(), x, y, doc.training_config()).after.params
    w = Walkthrough(doc)
    assert w.finish_step()
    assert np.array_equal(w.net.params, expected)
    assert w.epoch == 1 and w.index == 0


@pytest.mark.parametrize(
    "granularity, counts", [("layer", [2, 2, 1, 3, 3, 2, 2]), ("phase", [4, 1, 6, 4])]
)
def test_granularity_moves_by_layer_or_phase(granularity, counts):
    """By layer a move shows one layer's steps; by phase, a whole phase."""
    w = Walkthrough(load(SEED2))
    w.granularity = granularity
    moved = []
    while w.current is not None:
        before = w.index
        w.next()
        moved.append(w.index - before)
    assert moved == counts


def test_position_text_says_epoch_phase_quantity_and_step():
    """The status line names the epoch, the phase, the quantity and the step number."""
    w = Walkthrough(load(SEED2))
    w.jump(8)
    assert w.position_text() == "Epoch 0 · Backward pass · δ⁽²⁾₁ · step 9 of 15"


def test_mini_batches_walk_batch_by_batch_and_finish_epochs_like_the_trainer(spiral):
    """With mini-batches and shuffling, finishing every batch by hand equals the Trainer."""
    w = Walkthrough(load(spiral))
    batches = len(w.batches())
    assert batches == 20
    for _ in range(batches):
        assert w.finish_step()
    assert w.epoch == 1
    assert np.array_equal(w.net.params, trained(spiral, 1))


def test_epochs_finished_by_hand_record_the_trainers_gradient_flow(spiral):
    """The gradient flow of each epoch's last batch, whether the walk finished its batches
    one by one or the Trainer's fast path ran the epochs."""
    by_hand = Walkthrough(load(spiral))
    for _ in range(2):
        by_hand.run_epoch()
    fast = Walkthrough(load(spiral))
    fast.train(2)
    for name in ("grad_norm", "delta_mean"):
        hand = getattr(by_hand.trainer.history, name)
        np.testing.assert_allclose(hand, getattr(fast.trainer.history, name), rtol=1e-9)
        assert np.isfinite(hand[1:]).all()


@pytest.mark.parametrize("every", [1, 3, 100])
def test_scrubbing_to_any_epoch_gives_the_trained_weights_exactly(every, spiral):
    """The timeline replays from keyframes: epoch k equals k epochs of training, bit for bit,
    with momentum, mini-batches and shuffling (the spiral example)."""
    w = Walkthrough(load(spiral), timeline_every=every)
    w.train(7)
    for k in (7, 0, 2, 5):
        w.scrub(k)
        assert w.epoch == k
        assert np.array_equal(w.net.params, trained(spiral, k))
    assert w.has_future()


def test_scrub_matches_the_train_command(tmp_path, spiral):
    """Scrubbing to epoch k restores exactly the weights `bpstudio train --epochs k` writes."""
    out = tmp_path / "out.bpnet"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bpstudio",
            "train",
            str(spiral),
            "--epochs",
            "4",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    saved = json.loads(out.read_text())
    w = Walkthrough(load(spiral))
    w.train(9)
    w.scrub(4)
    net = w.displayed_network()
    for i, layer in enumerate(saved["layers"][1:]):
        assert np.array_equal(net.w[i], np.array(layer["weights"]))
        assert np.array_equal(net.b[i], np.array(layer["biases"]))


def test_training_from_a_past_epoch_discards_the_later_history_only_when_asked():
    """After scrubbing back the later epochs stay until truncate_future; then training
    continues from the scrubbed epoch."""
    w = Walkthrough(load(SEED2))
    w.train(10)
    w.scrub(4)
    assert w.last_epoch == 10
    w.truncate_future()
    assert w.last_epoch == 4
    w.train(6)
    assert np.array_equal(w.net.params, trained(SEED2, 10))
    epochs, losses = w.loss_history()
    assert epochs.tolist() == list(range(11)) and len(losses) == 11


def test_home_returns_to_the_starting_weights_and_forgets_history():
    """Home goes back to the weights the walk began with."""
    w = Walkthrough(load(SEED2))
    w.train(3)
    w.next()
    w.home()
    assert w.epoch == 0 and w.index == 0 and w.last_epoch == 0
    assert np.array_equal(w.net.params, w.initial.params)


def test_divergence_stops_and_keeps_the_last_finite_state(tmp_path):
    """A diverging document stops at the bad epoch with the previous parameters kept."""
    bad = write_diverging(tmp_path)
    w = Walkthrough(load(bad))
    divergence = w.train(1000)
    assert divergence is not None and divergence.epoch == w.epoch + 1
    assert np.all(np.isfinite(w.net.params))
    assert not w.finish_step()


@pytest.mark.parametrize("every", [1, 3, 100])
def test_the_timeline_stays_exact_across_a_learning_rate_changed_mid_epoch(every, spiral):
    """The rate changes halfway through epoch 2's batches, and back at the start of epoch 4:
    scrubbing and the parameter history give every epoch's weights as they were trained,
    never a replay of that mixed epoch or of later epochs with the first rate."""
    w = Walkthrough(load(spiral), timeline_every=every)
    config = w.config
    lower = replace(config, learning_rate=config.learning_rate / 3)
    states = [w.net.params.copy()]
    w.train(1)
    states.append(w.net.params.copy())
    for _ in range(len(w.batches()) // 2):
        w.finish_step()
    w.next()
    w.retune(lower)
    w.run_epoch()
    states.append(w.net.params.copy())
    w.train(1)
    states.append(w.net.params.copy())
    w.retune(config)
    for _ in range(3):
        w.train(1)
        states.append(w.net.params.copy())
    everything = np.arange(w.net.parameter_count)
    epochs, values = w.parameter_history(everything)
    assert epochs.tolist() == list(range(7))
    assert np.array_equal(values, np.array(states))
    for k in (6, 0, 2, 3, 5, 1):
        w.scrub(k)
        assert np.array_equal(w.net.params, states[k]), k


def test_only_the_rates_and_the_stop_loss_can_be_retuned():
    """A new batch size needs a new walk: retune refuses it and changes nothing."""
    w = Walkthrough(load(SEED2))
    with pytest.raises(ValueError, match="learning rate, momentum, weight decay and stop loss"):
        w.retune(replace(w.config, batch_size=1))
    assert w.config.batch_size is None
