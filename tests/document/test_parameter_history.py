"""Parameter histories of a walkthrough: recorded columns, replayed columns and filled-in
pasts all equal the parameters that plain epoch-by-epoch training gives, bit for bit, and
only the chosen parameters cost memory."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from reference_runs import params_by_epoch

from bpstudio.document.format import load
from bpstudio.document.model import History
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.resources import examples_dir

SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"
# 2-6-5-1 tanh/sigmoid on generated spiral data, shuffled mini-batches of 7 with momentum:
# every path of the replay matters (59 parameters, initial weights drawn from the seed).
BATCHES = {
    "format": "bpstudio.network",
    "version": 1,
    "layers": [
        {"size": 2},
        {"size": 6, "activation": "tanh"},
        {"size": 5, "activation": "tanh"},
        {"size": 1, "activation": "sigmoid"},
    ],
    "loss": "bce",
    "training": {
        "learning_rate": 0.2,
        "momentum": 0.9,
        "batch_size": 7,
        "shuffle": True,
        "seed": 4,
    },
    "data": {"generator": "spiral", "samples": 40, "noise": 0.05},
}


@pytest.fixture
def batches(tmp_path):
    path = tmp_path / "batches.bpnet"
    path.write_text(json.dumps(BATCHES))
    return path


@pytest.mark.parametrize("every", [1, 4, 100])
def test_untracked_parameters_are_replayed_exactly(every, batches):
    """With momentum, shuffled mini-batches and sparse keyframes, any parameter's history
    (not recorded) equals epoch-by-epoch training bit for bit, over any epoch range."""
    w = Walkthrough(load(batches), timeline_every=every)
    w.train(9)
    expected = params_by_epoch(batches, 9)
    indices = [0, 17, 45, 3]
    epochs, values = w.parameter_history(indices)
    assert epochs.tolist() == list(range(10))
    assert np.array_equal(values, expected[:, indices])
    epochs, values = w.parameter_history([40], first=3, last=6)
    assert epochs.tolist() == [3, 4, 5, 6]
    assert np.array_equal(values[:, 0], expected[3:7, 40])


def test_tracked_parameters_are_recorded_and_their_past_filled_in(batches):
    """Tracking records the chosen columns only; a column chosen after training has its
    earlier epochs filled in by replay, chunk by chunk, to the same values."""
    w = Walkthrough(load(batches), timeline_every=3)
    w.parameters.track([5, 9])
    w.train(4)
    w.parameters.track([9, 50])  # 5 dropped, 9 kept, 50 new with 4 epochs of past
    assert w.trainer.history.params.values.shape == (5, 2)
    # epoch 0 of column 9 (chosen before any row was recorded) and epochs 0..4 of 50
    assert w.parameters.pending() == 6
    assert w.parameters.fill(2) == 5
    w.train(3)
    assert w.parameters.fill(2) == 3
    assert w.parameters.fill(100) == 0
    expected = params_by_epoch(batches, 7)
    assert np.array_equal(w.trainer.history.params.values, expected[:, [9, 50]])
    _, values = w.parameter_history([50, 9])
    assert np.array_equal(values, expected[:, [50, 9]])


def test_history_through_hand_steps_and_back_steps_matches_training():
    """Epochs finished micro-step by micro-step, stepped back into and finished again,
    record the same parameters as plain training."""
    w = Walkthrough(load(SEED3))
    w.parameters.track(range(7))
    assert w.parameters.fill(1) == 0  # epoch 0, recorded before tracking began
    for _ in range(40):  # 16 micro-steps per epoch: two and a half epochs
        w.next()
    for _ in range(20):
        w.prev()
    w.run_epoch()
    w.train(3)
    expected = params_by_epoch(SEED3, w.epoch)
    assert np.array_equal(w.trainer.history.params.values, expected)


def test_truncating_the_future_cuts_pending_fills():
    """After scrubbing back and truncating, a pending fill stops at the new last epoch."""
    w = Walkthrough(load(SEED3), timeline_every=2)
    w.train(10)
    w.parameters.track([1])
    w.scrub(4)
    w.truncate_future()
    assert w.parameters.pending() == 5
    w.train(2)
    w.parameters.fill(1000)
    _, values = w.parameter_history([1])
    assert np.array_equal(values[:, 0], params_by_epoch(SEED3, 6)[:, 1])


def test_bad_epoch_range_is_refused_with_the_recorded_range():
    w = Walkthrough(load(SEED3))
    w.train(2)
    with pytest.raises(ValueError, match=r"epochs 1\.\.5 are outside the recorded 0\.\.2"):
        w.parameter_history([0], first=1, last=5)


def test_parameter_history_matches_the_train_command(tmp_path, batches):
    """The history's last row equals the weights `bpstudio train --epochs 6` writes."""
    out = tmp_path / "out.bpnet"
    subprocess.run(
        [sys.executable, "-m", "bpstudio", "train", str(batches), "--epochs", "6"]
        + ["--out", str(out)],
        check=True,
        capture_output=True,
    )
    saved = json.loads(out.read_text())
    w = Walkthrough(load(batches))
    w.train(6)
    _, values = w.parameter_history(range(w.net.parameter_count), first=6)
    net = w.net.copy()
    net.params[:] = values[0]
    for i, layer in enumerate(saved["layers"][1:]):
        assert np.array_equal(net.w[i], np.array(layer["weights"]))
        assert np.array_equal(net.b[i], np.array(layer["biases"]))


def test_full_loss_history_begins_with_the_documents_saved_history():
    """A trained document reopened has its saved losses before the new epochs (the spec:
    training more appends to the history); loss_history keeps to the walk's own epochs."""
    first = Walkthrough(load(SEED3))
    first.train(5)
    doc = load(SEED3)
    doc.set_parameters_from(first.net)
    epochs, losses = first.loss_history()
    doc.history = History([int(e) for e in epochs], [float(v) for v in losses])
    again = Walkthrough(doc)
    again.train(3)
    assert again.loss_history()[0].tolist() == [5, 6, 7, 8]
    epochs, losses = again.full_loss_history()
    assert epochs.tolist() == list(range(9))
    straight = Walkthrough(load(SEED3))
    straight.train(8)
    assert np.array_equal(losses, straight.loss_history()[1])
