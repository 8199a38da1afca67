"""The step sequence: one training step unrolled into the micro-steps a student calculates
by hand. Pure Python and NumPy; no Qt. The GUI, quiz mode and `bpstudio steps` all present
this one sequence.

Order (phase by phase, sample by sample inside a phase), one module per phase: forward (z
then a, layer by layer), loss (each sample's share, then L), backward (from the output: each
neuron's delta, then the gradients of its weights and bias), combine (several samples only:
the shares of each gradient summed) and update (layer by layer, weights then bias), the last
two in `update.py`.

Every value comes from `training.training_step`, the same arithmetic as training and
`trace`; the substituted formula shows the numbers that produce it.
"""

from __future__ import annotations

import numpy as np

from bpstudio.engine.network import Network
from bpstudio.engine.training import StepResult, TrainingConfig
from bpstudio.maths.steps.backward import backward_steps
from bpstudio.maths.steps.batch import Batch
from bpstudio.maths.steps.forward import forward_steps
from bpstudio.maths.steps.loss import loss_steps
from bpstudio.maths.steps.records import (
    MAX_STEPS,
    PHASES,
    Factor,
    Step,
    StepSequence,
    json_number,
    parameter_index,
)
from bpstudio.maths.steps.update import combine_steps, update_steps

__all__ = [
    "MAX_STEPS",
    "PHASES",
    "Factor",
    "Step",
    "StepSequence",
    "build",
    "json_number",
    "length",
    "parameter_index",
]


def build(
    result: StepResult, config: TrainingConfig, samples: list[int] | None = None
) -> StepSequence:
    """The step sequence of the training step in `result` (from `training_step`). With
    `samples`, only those samples' forward, loss and backward steps are listed; the
    combined gradients and the update always cover the whole batch."""
    batch = Batch(result, config, samples)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for phase in (forward_steps, loss_steps, backward_steps, combine_steps, update_steps):
            phase(batch)
    return StepSequence(result, batch.steps)


def length(net: Network, batch_size: int, samples: list[int] | None = None) -> int:
    """How many steps `build` lists for a batch of `batch_size` through `net` (walking
    `samples`, None: all of them), without building them: the forward, loss and backward
    steps of each walked sample, then the combined gradients and the updates."""
    walked = batch_size if samples is None else len(samples)
    several = batch_size > 1
    neurons = sum(net.sizes[1:])
    weights = sum(w.size for w in net.w)
    trained_biases = sum(b.size for b, on in zip(net.b, net.train_biases, strict=True) if on)
    per_sample = 2 * neurons + (1 if several else 0) + (neurons + weights + neurons)
    combine = weights + neurons if several else 0
    return walked * per_sample + 1 + combine + weights + trained_biases
