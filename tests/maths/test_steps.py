"""The step sequence (`bpstudio steps`, the GUI's walk-through): order, JSON form, values
against the seed table and against training, stepping back, and rendering. Headless: no Qt.
"""

import itertools
import math

import numpy as np
import pytest
from random_nets import VALID_PAIRS, Case, random_case
from seed_tables import EXAMPLE_2_STEPS

from bpstudio.engine.network import Network
from bpstudio.engine.training import StepResult, TrainingConfig, training_step
from bpstudio.maths import steps
from bpstudio.maths.formula import Eq

JSON_KEYS = {
    "phase",
    "kind",
    "layer",
    "neuron",
    "source",
    "sample",
    "formula",
    "substituted",
    "value",
}
SEVERAL = 10  # > LONG_SUM, so the long substituted sums are shortened with an ellipsis


def example_2() -> tuple[StepResult, TrainingConfig]:
    net = Network(
        [1, 1, 1],
        ["sigmoid", "sigmoid"],
        [np.array([[0.3]]), np.array([[0.2]])],
        [np.array([0.1]), np.array([0.4])],
    )
    config = TrainingConfig(loss="sse", learning_rate=0.1)
    return training_step(net, np.array([[0.5]]), np.array([[1.5]]), config), config


def test_example_2_lists_the_articles_calculations_in_order_with_the_seed_values():
    result, config = example_2()
    seq = steps.build(result, config)
    assert [(s.kind, s.layer) for s in seq] == [(k, lay) for k, lay, _ in EXAMPLE_2_STEPS]
    for s, (_, _, expected) in zip(seq, EXAMPLE_2_STEPS, strict=True):
        assert s.value == pytest.approx(expected, rel=0, abs=1e-9), s.key
    assert [s.phase for s in seq] == ["forward"] * 4 + ["loss"] + ["backward"] * 6 + ["update"] * 4
    assert [s.index for s in seq] == list(range(15))
    assert seq.phase_starts() == [0, 4, 5, 11]
    assert all(s.sample is None for s in seq)  # one sample: nothing is tagged with a sample


def test_example_2_output_delta_shows_the_two_chain_rule_factors_of_the_article():
    """δ(3) = ∂L/∂ŷ · ∂ŷ/∂z(3) with the seed's -0.8746228081 and 0.2342805597."""
    result, config = example_2()
    delta = steps.build(result, config)[5]
    assert (delta.kind, delta.layer) == ("delta", 2)
    values = [f.value for f in delta.factors]
    assert values == pytest.approx([-0.8746228081, 0.2342805597], rel=0, abs=1e-9)
    for f in delta.factors:
        assert f.substituted.evaluate() == pytest.approx(f.value, rel=1e-12)


def test_step_json_has_exactly_the_spec_keys_and_example_2s_first_step():
    """Spec §6: keys, the LaTeX formula and substituted formula of the spec's example."""
    result, config = example_2()
    seq = steps.build(result, config)
    for s in seq:
        assert set(s.to_json()) == JSON_KEYS
        assert isinstance(s.to_json()["value"], float)
    assert seq[0].to_json() == {
        "phase": "forward",
        "kind": "z",
        "layer": 1,
        "neuron": 0,
        "source": None,
        "sample": None,
        "formula": "z^{(2)}_{1} = w^{(1)}_{1} x + b^{(1)}_{1}",
        "substituted": r"z^{(2)}_{1} = 0.3 \cdot 0.5 + 0.1",
        "value": 0.25,
    }
    grad_w = seq[6].to_json()
    assert (grad_w["kind"], grad_w["layer"], grad_w["neuron"], grad_w["source"]) == (
        "grad_w",
        2,
        0,
        0,
    )
    assert seq[4].to_json()["layer"] is None and seq[4].to_json()["neuron"] is None


# --- random networks ----------------------------------------------------------------------


def configurations():
    """Every valid activation/loss pair x 1-3 hidden layers x batch 1 and several x momentum
    0 and 0.9, each with its own seed."""
    grid = itertools.product(VALID_PAIRS, (1, 2, 3), (1, SEVERAL), (0.0, 0.9))
    return [
        pytest.param(
            seed,
            output,
            loss,
            hidden,
            batch,
            momentum,
            id=f"{output}-{loss}-h{hidden}-n{batch}-m{momentum}",
        )
        for seed, ((output, loss), hidden, batch, momentum) in enumerate(grid)
    ]


def run_case(seed, output, loss, hidden, batch, momentum, **kw):
    rng = np.random.default_rng(seed)
    case: Case = random_case(rng, output, loss, hidden, batch, **kw)
    config = TrainingConfig(
        loss=loss, learning_rate=float(rng.uniform(0.05, 0.5)), momentum=momentum
    )
    # a nonzero starting velocity, on the trainable parameters only
    velocity = rng.normal(0.0, 0.1, size=case.net.params.size) * case.net.trainable
    result = training_step(case.net, case.x, case.y, config, velocity if momentum else None)
    return result, config, steps.build(result, config)


def assert_close(actual, expected, rel, abs_, what):
    assert math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_), (
        f"{what}: {actual!r} != {expected!r}"
    )


@pytest.mark.parametrize(
    ("seed", "output", "loss", "hidden", "batch", "momentum"), configurations()
)
def test_step_values_agree_with_the_training_step_and_their_substituted_numbers(
    seed, output, loss, hidden, batch, momentum
):
    """The numbers shown produce each value, and each value is the one training computes."""
    result, config, seq = run_case(seed, output, loss, hidden, batch, momentum)
    several = batch > 1
    for s in seq:
        what = f"step {s.index} {s.key}"
        assert_close(s.substituted.evaluate(), s.value, 1e-9, 1e-12, what)
        for f in s.factors:
            assert_close(f.substituted.evaluate(), f.value, 1e-9, 1e-12, f"factor of {what}")
        if s.kind == "delta" and len(s.factors) == 2:  # δ = ∂L/∂a · ∂a/∂z
            product = s.factors[0].value * s.factors[1].value
            assert_close(product, s.value, 1e-9, 1e-12, f"chain of {what}")
        if s.kind in ("z", "a", "delta"):
            arrays = {"z": result.fwd.z, "a": result.fwd.a, "delta": result.deltas}[s.kind]
            assert s.value == arrays[s.layer - 1][s.sample or 0, s.neuron], what
        elif s.kind in ("grad_w", "grad_b") and s.sample is None:
            grad = result.grad_w if s.kind == "grad_w" else result.grad_b
            index = (s.neuron, s.source) if s.kind == "grad_w" else (s.neuron,)
            assert s.value == grad[s.layer - 1][index], what
        elif s.kind == "loss" and s.sample is None:
            assert s.value == result.loss, what
        elif s.kind == "update_w":
            assert s.value == result.after.w[s.layer - 1][s.neuron, s.source], what
        elif s.kind == "update_b":
            assert s.value == result.after.b[s.layer - 1][s.neuron], what

    phases = [s.phase for s in seq]
    assert phases == sorted(phases, key=steps.PHASES.index), "phases out of order"
    assert ("combine" in phases) == several
    if not several:
        assert all(s.sample is None for s in seq if s.kind in ("loss", "grad_w", "grad_b"))
    else:
        assert_shares_sum_to_the_combined_gradient(seq)
        per_sample = [s for s in seq if s.phase in ("forward", "backward")]
        assert {s.sample for s in per_sample} == set(range(batch))

    # one update step per trainable parameter, and the frozen biases have none
    updates = {(s.kind, s.layer, s.neuron, s.source) for s in seq if s.phase == "update"}
    net = result.before
    expected = {
        ("update_w", lay, j, k)
        for lay in range(1, net.depth + 1)
        for j in range(net.sizes[lay])
        for k in range(net.sizes[lay - 1])
    } | {
        ("update_b", lay, j, None)
        for lay in range(1, net.depth + 1)
        if net.train_biases[lay - 1]
        for j in range(net.sizes[lay])
    }
    assert updates == expected


def assert_shares_sum_to_the_combined_gradient(seq):
    """Each combined gradient is the sum of the per-sample shares listed before it. The
    tolerance is 1e-12 of the sum of the shares' sizes, which is what float addition
    guarantees even when the shares cancel."""
    shares: dict[tuple, list[float]] = {}
    for s in seq:
        if s.kind in ("grad_w", "grad_b"):
            key = (s.kind, s.layer, s.neuron, s.source)
            if s.sample is not None:
                assert s.phase == "backward"
                shares.setdefault(key, []).append(s.value)
            else:
                assert s.phase == "combine"
                parts = shares.pop(key)
                scale = max(abs(s.value), math.fsum(abs(v) for v in parts))
                assert abs(math.fsum(parts) - s.value) <= 1e-12 * scale, key
    assert not shares, "per-sample shares without a combined value"


STEP_BACK_CASES = [
    (101, "sigmoid", "sse", 1, 1, 0.0),
    (102, "tanh", "mse", 2, 3, 0.9),
    (103, "softmax", "cross_entropy", 1, 2, 0.9),
    (104, "sigmoid", "bce", 2, 1, 0.9),
    (105, "relu", "sse", 1, 3, 0.0),
]


@pytest.mark.parametrize(("seed", "output", "loss", "hidden", "batch", "momentum"), STEP_BACK_CASES)
def test_stepping_back_restores_exactly_the_network_and_the_known_values_before_each_step(
    seed, output, loss, hidden, batch, momentum
):
    result, config, seq = run_case(
        seed, output, loss, hidden, batch, momentum, train_biases=False, max_width=3
    )
    assert len({s.key for s in seq}) == len(seq), "two steps share a key"
    assert np.array_equal(seq.network_before(0).params, result.before.params)
    assert np.array_equal(seq.network_before(len(seq)).params, result.after.params)
    # the expected state, built by hand: start from the initial parameters and apply each
    # update step's value as it goes by
    w = [m.copy() for m in result.before.w]
    b = [v.copy() for v in result.before.b]
    for i in range(len(seq) + 1):
        net = seq.network_before(i)
        for lay in range(net.depth):
            assert np.array_equal(net.w[lay], w[lay]), (i, lay)
            assert np.array_equal(net.b[lay], b[lay]), (i, lay)
        known = seq.known_before(i)
        assert known == {s.key: s.value for s in seq.steps[:i]}
        if i < len(seq):
            s = seq[i]
            if s.kind == "update_w":
                w[s.layer - 1][s.neuron, s.source] = result.after.w[s.layer - 1][s.neuron, s.source]
            elif s.kind == "update_b":
                b[s.layer - 1][s.neuron] = result.after.b[s.layer - 1][s.neuron]


def test_network_before_leaves_the_result_untouched():
    result, config, seq = run_case(7, "sigmoid", "mse", 2, 3, 0.9)
    before, after = result.before.params.copy(), result.after.params.copy()
    seq.network_before(len(seq)).params[:] = 123.0
    assert np.array_equal(result.before.params, before)
    assert np.array_equal(result.after.params, after)


@pytest.mark.parametrize("k", [0, 2, 3])
def test_a_chosen_sample_restricts_forward_loss_backward_and_keeps_combine_and_update(k):
    result, config, full = run_case(11, "tanh", "mse", 2, 4, 0.9)
    seq = steps.build(result, config, samples=[k])
    for s in seq:
        if s.phase in ("forward", "backward"):
            assert s.sample == k, s.key
        elif s.phase == "loss":
            assert s.sample in (k, None), s.key
    assert [s.sample for s in seq if s.kind == "loss"] == [k, None]
    net = result.before
    count = net.parameter_count
    assert sum(s.phase == "combine" for s in seq) == count
    assert sum(s.phase == "update" for s in seq) == count
    full_values = {s.key: s.value for s in full}
    for s in seq:
        assert s.value == full_values[s.key], s.key
    assert np.array_equal(seq.network_before(len(seq)).params, result.after.params)


# --- rendering ----------------------------------------------------------------------------


def balanced(latex: str) -> bool:
    depth = 0
    escaped = False
    for ch in latex:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


RENDER_CASES = [
    (201 + i, output, loss, hidden, batch, momentum)
    for i, ((output, loss), (hidden, batch, momentum)) in enumerate(
        itertools.product(VALID_PAIRS, ((1, SEVERAL, 0.9), (2, 1, 0.0)))
    )
]


def formulas(seq) -> list[Eq]:
    """Every formula of the steps and their chain-rule factors, each object once."""
    out = {}
    for s in seq:
        for formula in (s.formula, s.substituted):
            out[id(formula)] = formula
        for f in s.factors:
            out[id(f.formula)] = f.formula
            out[id(f.substituted)] = f.substituted
    return list(out.values())


@pytest.mark.parametrize(("seed", "output", "loss", "hidden", "batch", "momentum"), RENDER_CASES)
def test_every_formula_renders_to_latex_html_and_text_with_balanced_latex_braces(
    seed, output, loss, hidden, batch, momentum
):
    # input width 6 > 4: the z formula is written as a sum over k
    _, _, seq = run_case(seed, output, loss, hidden, batch, momentum, input_width=6)
    for formula in formulas(seq):
        for decimals in (None, 2, 4):
            latex = formula.latex(decimals)
            assert balanced(latex), latex
            assert formula.html(decimals) and formula.text(decimals)


@pytest.mark.parametrize("hidden_activation", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_html_and_text_renderings_contain_no_latex_commands(hidden_activation):
    """The GUI shows HTML and the terminal text: a LaTeX command such as \\operatorname
    must never leak into them."""
    net = Network(
        [1, 2, 1],
        [hidden_activation, "sigmoid"],
        [np.array([[0.3], [-0.5]]), np.array([[0.2, 0.4]])],
        [np.array([0.1, 0.2]), np.array([0.4])],
    )
    config = TrainingConfig(loss="sse", learning_rate=0.1)
    seq = steps.build(training_step(net, [[0.5]], [[1.5]], config), config)
    for formula in formulas(seq):
        for text in (formula.html(), formula.text(), formula.text(4)):
            assert "\\" not in text, text


def test_softmax_output_delta_formula_does_not_equate_dl_dz_with_dl_dyhat():
    """With softmax and a loss other than cross-entropy, ∂L/∂z_j is a sum over all outputs,
    Σ_m ∂L/∂ŷ_m ∂ŷ_m/∂z_j: the chain written in the formula must not say ∂L/∂z_j = ∂L/∂ŷ_j."""
    net = Network(
        [1, 2],
        ["softmax"],
        [np.array([[0.3], [-0.5]])],
        [np.array([0.1, 0.2])],
    )
    config = TrainingConfig(loss="sse", learning_rate=0.1)
    seq = steps.build(training_step(net, [[0.5]], [[1.0, 0.0]], config), config)
    deltas = [s for s in seq if s.kind == "delta"]
    assert len(deltas) == 2
    for s in deltas:
        sides = [side.latex() for side in s.formula.sides]
        dl_dyhat = rf"\frac{{\partial L}}{{\partial \hat{{y}}_{{{s.neuron + 1}}}}}"
        assert dl_dyhat not in sides, " = ".join(sides)


def test_long_sums_are_shortened_with_an_ellipsis_that_keeps_their_total():
    """Sums of more than LONG_SUM terms (z over 12 inputs, softmax over 10 outputs, δ over 10
    successors, L and the combined gradients over 10 samples) show an ellipsis, and the
    substituted formula still evaluates to the step's value."""
    rng = np.random.default_rng(12)
    net = Network(
        [12, 10, 10],
        ["tanh", "softmax"],
        [rng.normal(0, 0.5, size=(10, 12)), rng.normal(0, 0.5, size=(10, 10))],
        [rng.normal(0, 0.5, size=10), rng.normal(0, 0.5, size=10)],
    )
    x, y = rng.normal(size=(10, 12)), rng.dirichlet(np.ones(10), size=10)
    config = TrainingConfig(loss="cross_entropy", learning_rate=0.1)
    seq = steps.build(training_step(net, x, y, config), config, samples=[0])
    shortened = set()
    for s in seq:
        assert_close(s.substituted.evaluate(), s.value, 1e-9, 1e-12, f"step {s.index} {s.key}")
        if r"\dots" in s.substituted.latex():
            shortened.add((s.kind, s.sample))
        for f in s.factors:
            assert_close(f.substituted.evaluate(), f.value, 1e-9, 1e-12, f"factor of {s.key}")
            if r"\dots" in f.substituted.latex():
                shortened.add(("factor", s.kind))
    assert {("z", 0), ("a", 0), ("loss", None), ("grad_w", None), ("grad_b", None)} <= shortened
    assert ("factor", "delta") in shortened
