"""A training step too long to walk (more micro-steps than `steps.MAX_STEPS`, as in a
network near the parameter limit): the walk never builds its step sequence, yet finishes
training steps and epochs exactly as the engine's Trainer does. No Qt."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bpstudio.document.format import load
from bpstudio.document.walkthrough import Walkthrough
from bpstudio.engine.training import Trainer
from bpstudio.maths import steps

SIZES = [2, 250, 250, 1]  # 63,251 weights: two steps per parameter pass 100,000


@pytest.fixture(name="walk")
def walk_fixture(tmp_path) -> Walkthrough:
    doc = {
        "format": "bpstudio.network",
        "version": 1,
        "name": "too long to walk",
        "layers": [{"size": SIZES[0]}]
        + [{"size": n, "activation": "tanh"} for n in SIZES[1:-1]]
        + [{"size": 1, "activation": "sigmoid"}],
        "loss": "mse",
        "training": {"learning_rate": 0.5, "momentum": 0.9, "batch_size": 2, "seed": 3},
        "data": {"generator": "circle", "samples": 5, "seed": 3},
    }
    path = tmp_path / "long.bpnet"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return Walkthrough(load(path))


def test_the_step_count_is_over_the_limit_and_the_sequence_is_never_built(walk):
    # one sample walked of a batch of 2: its forward, loss and backward steps (2 x 501
    # neurons, 1 share, 501 deltas, 63,250 + 501 gradient shares), the loss, 63,751
    # combined gradients and 63,751 updates
    length = walk.expected_length()
    assert length == 2 * 501 + 1 + 501 + 63_751 + 1 + 63_751 + 63_751 == 192_758
    assert length > steps.MAX_STEPS
    assert not walk.steppable()
    with pytest.raises(ValueError, match=f"{length:,} steps: more than 100,000"):
        walk.sequence  # noqa: B018


def test_training_steps_and_epochs_still_run_and_equal_the_trainer(walk):
    start = walk.net.params.copy()
    reference = Trainer(walk.net.copy(), walk.x, walk.y, walk.config)
    reference.run(2)
    assert walk.finish_step()  # batch 1 of 3, without a step sequence
    assert (walk.epoch, walk.batch, walk.index) == (0, 1, 0)
    assert not np.array_equal(walk.net.params, start)
    assert walk.run_epoch() is None  # the rest of epoch 1
    assert walk.train(1) is None  # epoch 2 on the fast path
    assert walk.epoch == 2 and walk._sequence is None
    assert np.array_equal(walk.net.params, reference.net.params)
    assert np.array_equal(walk.trainer.velocity, reference.velocity)
    assert np.array_equal(walk.trainer.history.loss.values, reference.history.loss.values)
