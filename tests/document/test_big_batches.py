"""Step sequences of big batches (up to the spec's 100,000 samples): the sequence walks one
chosen sample and computes only the numbers it shows (a sum over every sample shows five
around an ellipsis that keeps the rest), the walk tells its length without building it, and
choosing "all" samples of a big batch walks the first ones that fit. No Qt."""

from __future__ import annotations

import dataclasses
import math

import pytest

from bpstudio.document.edits import SetData
from bpstudio.document.format import load
from bpstudio.document.session import DocumentModel
from bpstudio.document.walkthrough import MAX_WALKED_STEPS, Walkthrough
from bpstudio.engine import losses
from bpstudio.engine.training import training_step
from bpstudio.maths import steps
from bpstudio.maths.formula import Ellipsis_
from bpstudio.resources import examples_dir

BIG = 100_000


def walk_of(example: str, samples: int) -> Walkthrough:
    model = DocumentModel(load(examples_dir() / example))
    SetData.generated(model.document.data.generator or "xor", samples).apply(model)
    return Walkthrough(model.document)


@pytest.fixture(scope="module", name="big_xor")
def big_xor_fixture():
    """xor (2-4-1, sse) on 100,000 generated samples in one batch, its training step and the
    sequence walking sample 0, with the per-sample losses its build computed."""
    walk = walk_of("xor.bpnet", BIG)
    idx = walk.batches()[0]
    assert len(idx) == BIG and walk.chosen_samples(BIG) == [0]
    result = training_step(walk.net, walk.x[idx], walk.y[idx], walk.config)
    computed: list[int] = []
    real_get = losses.get

    def counting_get(name: str):
        loss = real_get(name)

        def value(y_hat, y):
            computed.append(len(y_hat))
            return loss.value(y_hat, y)

        return dataclasses.replace(loss, value=value)

    mp = pytest.MonkeyPatch()
    mp.setattr(losses, "get", counting_get)
    try:
        seq = steps.build(result, walk.config, [0])
    finally:
        mp.undo()
    return walk, result, seq, computed


def test_a_batch_of_100000_computes_only_the_shown_samples_losses(big_xor):
    """The loss of sample 0 (walked) and of the five samples the sum shows: not 100,000."""
    _walk, _result, _seq, computed = big_xor
    assert computed and len(computed) <= 6 and set(computed) == {1}


def test_a_batch_of_100000_walks_one_sample_and_sums_over_all(big_xor):
    """Forward, loss and backward of sample 0 only; L and every combined gradient are the
    engine's values, each written as five numbers around an ellipsis standing for the
    other 99,995, and the substituted formula still evaluates to the value."""
    walk, result, seq, _computed = big_xor
    assert len(seq) == steps.length(walk.net, BIG, [0]) == walk.expected_length()
    assert {s.sample for s in seq if s.phase in ("forward", "backward")} == {0}
    total = [s for s in seq if s.kind == "loss" and s.sample is None]
    combined = [s for s in seq if s.phase == "combine"]
    assert len(total) == 1 and total[0].value == result.loss
    assert len(combined) == walk.net.parameter_count
    y_hat, y = result.fwd.output, result.y
    shares = 0.5 * ((y - y_hat) ** 2).sum(axis=1)  # sse: each sample's share, by hand
    terms = total[0].substituted.rhs.terms
    assert [t.value for t in terms[:3] + terms[4:]] == pytest.approx(
        shares[[0, 1, 2, BIG - 2, BIG - 1]], rel=1e-15
    )
    assert isinstance(terms[3], Ellipsis_)
    for s in total + combined:
        assert math.isclose(s.substituted.evaluate(), s.value, rel_tol=1e-9, abs_tol=1e-12)
        assert len(s.substituted.rhs.terms) == 6
    first = combined[0]  # ∂L/∂w of the output layer's first weight: Σ_p δ_p a_p
    delta, a = result.deltas[-1][:, 0], result.fwd.a[-2][:, first.source]
    shown = first.substituted.rhs.terms
    assert [t.value for t in shown[:3]] == [float(delta[p] * a[p]) for p in range(3)]
    assert [t.value for t in shown[4:]] == [float(delta[p] * a[p]) for p in (BIG - 2, BIG - 1)]


def test_choosing_all_of_a_big_batch_walks_the_first_samples_that_fit():
    """ "All samples" of 100,000 through xor would list 2.7 million steps: the walk takes the
    first samples whose forward, loss and backward steps fit in MAX_WALKED_STEPS."""
    walk = walk_of("xor.bpnet", BIG)
    per_sample = steps.length(walk.net, 2, [0]) - steps.length(walk.net, 2, [])
    fit = MAX_WALKED_STEPS // per_sample
    assert walk.samples_that_fit() == fit and 100 < fit < BIG
    walk.set_samples(list(range(BIG)))
    assert walk.chosen_samples(BIG) == list(range(fit))
    assert walk.expected_length() == steps.length(walk.net, BIG, list(range(fit)))
    assert fit * per_sample <= MAX_WALKED_STEPS


def test_a_small_batch_still_walks_all_its_samples():
    walk = walk_of("xor.bpnet", 4)
    assert walk.chosen_samples(4) is None
    assert {s.sample for s in walk.sequence if s.phase == "forward"} == {0, 1, 2, 3}
    assert walk.expected_length() == len(walk.sequence)
