"""`steps.length`: the number of steps `build` lists, known without building them (the
window decides from it whether to build the sequence after every edit). No Qt."""

from __future__ import annotations

import numpy as np
import pytest
from random_nets import VALID_PAIRS, random_case

from bpstudio.engine.training import TrainingConfig, training_step
from bpstudio.maths import steps


@pytest.mark.parametrize("seed", range(24))
def test_length_is_the_number_of_steps_build_lists(seed):
    """Random networks (every output and loss pair, frozen biases too), batches of 1 to 12,
    walking all samples or some: `length` counts exactly what `build` lists."""
    rng = np.random.default_rng(seed)
    output, loss = VALID_PAIRS[seed % len(VALID_PAIRS)]
    batch = int(rng.integers(1, 13))
    case = random_case(rng, output, loss, int(rng.integers(1, 3)), batch, train_biases=seed % 2)
    config = TrainingConfig(loss=loss, learning_rate=0.1)
    walked = None if seed % 3 else sorted({int(p) for p in rng.integers(0, batch, size=3)})
    built = steps.build(training_step(case.net, case.x, case.y, config), config, walked)
    assert steps.length(case.net, batch, walked) == len(built)
