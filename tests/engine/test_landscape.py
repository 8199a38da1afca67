"""The loss landscape (engine/landscape.py): every grid value is the loss of the network with
the two parameters replaced, computed the plain way (`network.loss_value`), whichever layers
hold them and however the grid is split into chunks; names are those of the history CSV."""

from __future__ import annotations

import numpy as np
import pytest
from random_nets import VALID_PAIRS, random_case

from bpstudio.engine import landscape as ls
from bpstudio.engine.network import Network, loss_value


def _reference(net: Network, loss: str, x, y, names, xs, ys) -> np.ndarray:
    """L at every grid point, one plain forward pass each, on a copy with the two set."""
    first, second = (net.parameter_names().index(n) for n in names)
    work = net.copy()
    out = np.empty((len(ys), len(xs)))
    for i, v2 in enumerate(ys):
        for j, v1 in enumerate(xs):
            work.params[first], work.params[second] = v1, v2
            out[i, j] = loss_value(work, loss, x, y)
    return out


def _pairs(net: Network, rng: np.random.Generator) -> list[tuple[str, str]]:
    """Parameter pairs covering each placement: the same neuron, one layer, two layers either
    way round."""
    names = net.parameter_names()
    picks = [tuple(rng.choice(names, 2, replace=False)) for _ in range(3)]
    same = [n for n in names if n[1:].startswith(names[-1][1:4])]  # "[3]" of "b[3][0]"
    picks.append((same[0], same[-1]))
    first, last = names[0], names[-1]
    return [*picks, (first, last), (last, first)]


@pytest.mark.parametrize(("output", "loss"), VALID_PAIRS)
def test_every_grid_value_is_the_loss_with_the_two_parameters_replaced(output, loss):
    rng = np.random.default_rng(len(output) * 31 + len(loss))
    case = random_case(rng, output, loss, hidden_layers=2, batch=7)
    before = case.net.params.copy()
    for names in _pairs(case.net, rng):
        got = ls.landscape(case.net, case.loss, case.x, case.y, names, span=0.7, grid=5)
        want = _reference(case.net, case.loss, case.x, case.y, names, got.x, got.y)
        np.testing.assert_allclose(got.loss, want, rtol=1e-12, atol=1e-12)
    assert np.array_equal(case.net.params, before)


def test_axes_are_evenly_spaced_around_the_current_values():
    case = random_case(np.random.default_rng(3), "sigmoid", "sse", hidden_layers=1, batch=3)
    names = ("w[1][0][0]", "b[2][0]")
    got = ls.landscape(case.net, case.loss, case.x, case.y, names, span=0.25, grid=11)
    w, b = float(case.net.w[0][0, 0]), float(case.net.b[1][0])
    assert got.current == (w, b) and got.params == names
    spaced = ls.landscape(case.net, case.loss, case.x, case.y, (" w[01][0][0]", "b[2][0] "))
    assert spaced.params == names
    np.testing.assert_array_equal(got.x, np.linspace(w - 0.25, w + 0.25, 11))
    np.testing.assert_array_equal(got.y, np.linspace(b - 0.25, b + 0.25, 11))
    assert got.loss.shape == (11, 11)


@pytest.mark.parametrize("chunk", [1, 3 * 8 * 5, 10**9])
def test_chunks_and_the_plain_fallback_give_the_same_values(monkeypatch, chunk):
    """CHUNK_BYTES of 1: every point the plain way; of one point's size: stacks of one."""
    case = random_case(np.random.default_rng(5), "tanh", "mse", hidden_layers=2, batch=8)
    names = ("w[1][0][0]", "b[3][0]")
    whole = ls.landscape(case.net, case.loss, case.x, case.y, names, grid=6)
    monkeypatch.setattr(ls, "CHUNK_BYTES", chunk)
    split = ls.landscape(case.net, case.loss, case.x, case.y, names, grid=6)
    np.testing.assert_allclose(split.loss, whole.loss, rtol=1e-12, atol=1e-12)


def test_parameter_index_follows_the_history_names():
    net = random_case(np.random.default_rng(7), "softmax", "cross_entropy", 2, 2).net
    names = net.parameter_names()
    assert [ls.parameter_index(net, n) for n in names] == list(range(len(names)))
    for index in range(len(names)):
        place = ls.locate(net, index)
        kind = "b" if place.source is None else "w"
        source = "" if place.source is None else f"[{place.source}]"
        assert names[index] == f"{kind}[{place.layer + 1}][{place.neuron}]{source}"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("w[1][0]", "write a weight as w[l][j][k]"),
        ("b[1][0][0]", "write a weight as w[l][j][k]"),
        ("x[1][0]", "write a weight"),
        ("w[0][0][0]", "the network has layers 1 to 2"),
        ("b[3][0]", "the network has layers 1 to 2"),
        ("b[2][1]", "layer 2 has neurons 0 to 0"),
        ("w[1][2][0]", "layer 1 has neurons 0 to 1"),
        ("w[1][0][1]", "layer 0 has neurons 0 to 0"),
    ],
)
def test_bad_names_say_what_is_wrong(name, message):
    net = Network((1, 2, 1), ("tanh", "linear"))
    with pytest.raises(ls.LandscapeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ls.parameter_index(net, name)


def test_the_same_parameter_twice_and_bad_grids_are_refused():
    net = Network((1, 1), ("linear",))
    x = y = np.ones((1, 1))
    with pytest.raises(ls.LandscapeError, match="the same parameter twice") as refused:
        ls.landscape(net, "sse", x, y, ("b[1][0]", " b[01][0]"))
    assert refused.value.argument == "params"
    for grid in (1, ls.MAX_GRID + 1):
        with pytest.raises(ls.LandscapeError, match=f"must be 2 to {ls.MAX_GRID}") as refused:
            ls.landscape(net, "sse", x, y, ("w[1][0][0]", "b[1][0]"), grid=grid)
        assert refused.value.argument == "grid"
    for span in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ls.LandscapeError, match="finite number above 0") as refused:
            ls.landscape(net, "sse", x, y, ("w[1][0][0]", "b[1][0]"), span=span)
        assert refused.value.argument == "span"
    net.params[:] = 1e308
    with pytest.raises(ls.LandscapeError, match="beyond the largest number"):
        ls.landscape(net, "sse", x, y, ("w[1][0][0]", "b[1][0]"), span=1e308)


def test_overflow_gives_inf_without_a_warning():
    net = Network((1, 1), ("linear",), [np.array([[1e200]])], [np.zeros(1)])
    got = ls.landscape(net, "sse", np.ones((1, 1)), np.zeros((1, 1)), ("w[1][0][0]", "b[1][0]"))
    assert np.isinf(got.loss).all()
