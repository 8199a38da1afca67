"""The three worked examples of the article, checked value by value against the seed tables
(/work/shared/reference/seed-examples.md: float64, 10 decimals). Headless: no Qt.

The numbers below are copied from the tables, never computed by the engine.
"""

import numpy as np
import pytest

from bpstudio.engine import activations, losses
from bpstudio.engine.network import Network
from bpstudio.engine.training import StepResult, TrainingConfig, training_step

TOL = 1e-9  # the tables are rounded to 10 decimals
X, Y = 0.5, 1.5
CONFIG = TrainingConfig(loss="sse", learning_rate=0.1)


def example_1() -> Network:
    return Network([1, 1], ["sigmoid"], [np.array([[0.3]])], [np.array([0.1])])


def example_2() -> Network:
    return Network(
        [1, 1, 1],
        ["sigmoid", "sigmoid"],
        [np.array([[0.3]]), np.array([[0.2]])],
        [np.array([0.1]), np.array([0.4])],
    )


def example_3() -> Network:
    return Network(
        [1, 2, 1],
        ["sigmoid", "sigmoid"],
        [np.array([[0.3], [0.5]]), np.array([[0.2, 0.4]])],
        [np.array([0.1, 0.2]), np.array([0.4])],
    )


def step(net: Network) -> StepResult:
    return training_step(net, np.array([[X]]), np.array([[Y]]), CONFIG)


def close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), expected, rtol=0, atol=TOL)


def dl_dyhat(r: StepResult) -> np.ndarray:
    return losses.get("sse").gradient(r.fwd.output, r.y)


def dyhat_dz(r: StepResult) -> np.ndarray:
    return activations.get("sigmoid").derivative(r.fwd.z[-1], r.fwd.a[-1])


def test_example_1_one_neuron_matches_the_seed_table():
    """Example 1 (w 0.3, b 0.1): z, ŷ, L, ∂L/∂ŷ, ∂ŷ/∂z, gradients and new parameters."""
    net = example_1()
    r = step(net)
    close(r.fwd.z[0], [[0.25]])
    close(r.fwd.output, [[0.5621765009]])
    close(r.loss, 0.4397564577)
    close(dl_dyhat(r), [[-0.9378234991]])
    close(dyhat_dz(r), [[0.2461340827]])
    close(r.deltas[0], [[-0.2308303267]])  # δ = ∂L/∂ŷ · ∂ŷ/∂z = ∂L/∂b
    close(r.grad_w[0], [[-0.1154151634]])
    close(r.grad_b[0], [-0.2308303267])
    close(r.after.w[0], [[0.3115415163]])
    close(r.after.b[0], [0.1230830327])
    # training_step leaves its input alone
    assert net.w[0][0, 0] == 0.3 and net.b[0][0] == 0.1


def test_example_2_two_neurons_in_series_matches_the_seed_table():
    """Example 2 (1-1-1): every row of the table, including the article's two slips
    (∂L/∂w(2) uses a(2), not x; b(2) moves up, not down)."""
    r = step(example_2())
    close(r.fwd.z[0], [[0.25]])
    close(r.fwd.a[0], [[0.5621765009]])
    close(r.fwd.z[1], [[0.5124353002]])
    close(r.fwd.output, [[0.6253771919]])
    close(r.loss, 0.3824825282)
    close(dl_dyhat(r), [[-0.8746228081]])
    close(dyhat_dz(r), [[0.2342805597]])
    close(r.grad_w[1], [[-0.1151939683]])
    close(r.grad_b[1], [-0.2049071210])
    close(r.deltas[1], [[-0.2049071210]])
    close(r.grad_w[0], [[-0.0050434626]])
    close(r.grad_b[0], [-0.0100869253])
    close(r.deltas[0], [[-0.0100869253]])
    close(r.after.w[0], [[0.3005043463]])
    close(r.after.b[0], [0.1010086925])
    close(r.after.w[1], [[0.2115193968]])
    close(r.after.b[1], [0.4204907121])


def test_example_3_one_hidden_layer_of_two_matches_the_seed_table():
    """Example 3 (1-2-1): every row of the table."""
    r = step(example_3())
    close(r.fwd.z[0], [[0.25, 0.45]])
    close(r.fwd.a[0], [[0.5621765009, 0.6106392339]])
    close(r.fwd.z[1], [[0.7566909938]])
    close(r.fwd.output, [[0.6806348820]])
    close(r.loss, 0.3356795983)
    # ∂L/∂ŷ = -(y - ŷ) from the table's ŷ, by hand
    close(dl_dyhat(r), [[-(1.5 - 0.6806348820)]])
    close(r.deltas[1], [[-0.1781062474]])
    close(r.grad_w[1], [[-0.1001271469, -0.1087586624]])
    close(r.grad_b[1], [-0.1781062474])
    close(r.deltas[0], [[-0.0087676036, -0.0169385425]])
    close(r.grad_w[0], [[-0.0043838018], [-0.0084692712]])
    close(r.grad_b[0], [-0.0087676036, -0.0169385425])
    close(r.after.w[0], [[0.3004383802], [0.5008469271]])
    close(r.after.b[0], [0.1008767604, 0.2016938542])
    close(r.after.w[1], [[0.2100127147, 0.4108758662]])
    close(r.after.b[1], [0.4178106247])


@pytest.mark.parametrize("build", [example_1, example_2, example_3])
def test_training_step_keeps_the_starting_network_as_before(build):
    """`result.before` is the network the step started from, and the input is untouched."""
    net = build()
    params = net.params.copy()
    r = step(net)
    assert np.array_equal(net.params, params)
    assert np.array_equal(r.before.params, params)
    assert r.before is not net and r.after is not net
