"""`bpstudio trace FILE` (spec section 3): the seed's three worked examples to 1e-9, the shapes
of the output, floats that round-trip, and a valid document after the step. Headless: no Qt.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from bpstudio.document.format import from_dict, load
from bpstudio.engine.training import TrainingConfig, first_batch, training_step

SEED_TOL = 1e-9  # the seed's tables give 10 decimals

# The tables of seed-examples.md, copied as literals: per non-input layer its z, a, delta
# ([sample][neuron]), grad_weights, grad_biases, and the weights and biases after the step.
SEED_TABLES = {
    "seed-1-one-neuron": {
        "loss": 0.4397564577,
        "layers": [
            {
                "z": [[0.25]],
                "a": [[0.5621765009]],
                "delta": [[-0.2308303267]],
                "grad_weights": [[-0.1154151634]],
                "grad_biases": [-0.2308303267],
                "weights_after": [[0.3115415163]],
                "biases_after": [0.1230830327],
            }
        ],
        "dl_dyhat": -0.9378234991,
        "dyhat_dz": 0.2461340827,
    },
    "seed-2-two-neurons": {
        "loss": 0.3824825282,
        "layers": [
            {
                "z": [[0.25]],
                "a": [[0.5621765009]],
                "delta": [[-0.0100869253]],
                "grad_weights": [[-0.0050434626]],
                "grad_biases": [-0.0100869253],
                "weights_after": [[0.3005043463]],
                "biases_after": [0.1010086925],
            },
            {
                "z": [[0.5124353002]],
                "a": [[0.6253771919]],
                "delta": [[-0.2049071210]],
                "grad_weights": [[-0.1151939683]],
                "grad_biases": [-0.2049071210],
                "weights_after": [[0.2115193968]],
                "biases_after": [0.4204907121],
            },
        ],
        "dl_dyhat": -0.8746228081,
        "dyhat_dz": 0.2342805597,
    },
    "seed-3-hidden-layer": {
        "loss": 0.3356795983,
        "layers": [
            {
                "z": [[0.25, 0.45]],
                "a": [[0.5621765009, 0.6106392339]],
                "delta": [[-0.0087676036, -0.0169385425]],
                "grad_weights": [[-0.0043838018], [-0.0084692712]],
                "grad_biases": [-0.0087676036, -0.0169385425],
                "weights_after": [[0.3004383802], [0.5008469271]],
                "biases_after": [0.1008767604, 0.2016938542],
            },
            {
                "z": [[0.7566909938]],
                "a": [[0.6806348820]],
                "delta": [[-0.1781062474]],
                "grad_weights": [[-0.1001271469, -0.1087586624]],
                "grad_biases": [-0.1781062474],
                "weights_after": [[0.2100127147, 0.4108758662]],
                "biases_after": [0.4178106247],
            },
        ],
        "dl_dyhat": None,  # the seed gives only delta for Example 3
        "dyhat_dz": None,
    },
}
# Beyond the seed: several samples (18 written in the file; 25 drawn, shuffled, batched).
MORE_EXAMPLES = ["three-classes", "spiral"]
LAYER_KEYS = {"z", "a", "delta", "grad_weights", "grad_biases"}


@pytest.fixture(scope="module")
def traces(run_cli, examples) -> dict[str, tuple[Path, str]]:
    """Each example's file and the standard output of `bpstudio trace` on it, run once."""
    out = {}
    for name in [*SEED_TABLES, *MORE_EXAMPLES]:
        path = examples / f"{name}.bpnet"
        result = run_cli("trace", path)
        assert (result.code, result.stderr) == (0, ""), result.stderr
        out[name] = (path, result.stdout)
    return out


@pytest.mark.parametrize("name", list(SEED_TABLES))
def test_trace_matches_the_seed_table(traces, name):
    """trace gives every number of the seed's worked examples (loss, z, a, delta, gradients)."""
    table, trace = SEED_TABLES[name], json.loads(traces[name][1])
    assert trace["loss"] == pytest.approx(table["loss"], abs=SEED_TOL)
    assert len(trace["layers"]) == len(table["layers"])
    for got, want in zip(trace["layers"], table["layers"], strict=True):
        for key in LAYER_KEYS:
            np.testing.assert_allclose(got[key], want[key], rtol=0, atol=SEED_TOL, err_msg=key)
    if table["dl_dyhat"] is not None:  # the chain-rule factors behind the output delta
        y_hat, y = trace["layers"][-1]["a"][0][0], 1.5
        assert y_hat - y == pytest.approx(table["dl_dyhat"], abs=SEED_TOL)
        assert y_hat * (1 - y_hat) == pytest.approx(table["dyhat_dz"], abs=SEED_TOL)


@pytest.mark.parametrize("name", list(SEED_TABLES))
def test_trace_network_holds_the_seed_parameters_after_the_step(traces, name):
    """trace's `network` is the input document with exactly the seed's updated parameters."""
    path, stdout = traces[name]
    table, network = SEED_TABLES[name], json.loads(stdout)["network"]
    original = json.loads(path.read_text(encoding="utf-8"))
    for layer, want in zip(network["layers"][1:], table["layers"], strict=True):
        np.testing.assert_allclose(layer["weights"], want["weights_after"], rtol=0, atol=SEED_TOL)
        np.testing.assert_allclose(layer["biases"], want["biases_after"], rtol=0, atol=SEED_TOL)
    assert _without_parameters(network) == _without_parameters(original)


def _without_parameters(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    for layer in doc["layers"]:
        layer.pop("weights", None)
        layer.pop("biases", None)
    return doc


@pytest.mark.parametrize("name", [*SEED_TABLES, *MORE_EXAMPLES])
def test_trace_output_has_the_shapes_of_the_spec(traces, name):
    """layers[i] is document layer i+1: z, a, delta [sample][neuron]; gradients as parameters."""
    path, stdout = traces[name]
    trace, doc = json.loads(stdout), load(path)
    assert set(trace) == {"loss", "layers", "network"}
    assert type(trace["loss"]) is float
    t = doc.training
    config = TrainingConfig(loss=doc.loss, learning_rate=t.learning_rate, batch_size=t.batch_size)
    batch = len(first_batch(len(doc.dataset()[0]), config))
    assert len(trace["layers"]) == len(doc.layers) - 1
    for i, layer in enumerate(trace["layers"]):
        size, before = doc.layers[i + 1].size, doc.layers[i].size
        assert set(layer) == LAYER_KEYS
        for key in ("z", "a", "delta"):
            assert np.shape(layer[key]) == (batch, size), key
        assert np.shape(layer["grad_weights"]) == (size, before)
        assert np.shape(layer["grad_biases"]) == (size,)
        written = trace["network"]["layers"][i + 1]
        assert np.shape(written["weights"]) == (size, before)
        assert np.shape(written["biases"]) == (size,)


@pytest.mark.parametrize("name", [*SEED_TABLES, *MORE_EXAMPLES])
def test_trace_floats_round_trip_exactly(traces, name):
    """Every printed float is Python's repr and reads back as the engine's exact float64."""
    path, stdout = traces[name]
    literals: list[str] = []
    json.loads(stdout, parse_float=lambda text: literals.append(text) or float(text))
    assert literals and all(repr(float(text)) == text for text in literals)

    doc, trace = load(path), json.loads(stdout)
    t = doc.training
    config = TrainingConfig(
        loss=doc.loss,
        learning_rate=t.learning_rate,
        momentum=t.momentum,
        batch_size=t.batch_size,
        shuffle=t.shuffle,
        seed=t.seed,
    )
    x, y = doc.dataset()
    idx = first_batch(len(x), config)
    step = training_step(doc.build_network(), x[idx], y[idx], config)
    assert trace["loss"] == step.loss
    for i, layer in enumerate(trace["layers"]):
        assert np.array_equal(layer["z"], step.fwd.z[i])
        assert np.array_equal(layer["a"], step.fwd.a[i])
        assert np.array_equal(layer["delta"], step.deltas[i])
        assert np.array_equal(layer["grad_weights"], step.grad_w[i])
        assert np.array_equal(layer["grad_biases"], step.grad_b[i])
        assert np.array_equal(trace["network"]["layers"][i + 1]["weights"], step.after.w[i])
        assert np.array_equal(trace["network"]["layers"][i + 1]["biases"], step.after.b[i])


@pytest.mark.parametrize("name", [*SEED_TABLES, *MORE_EXAMPLES])
def test_trace_network_is_a_valid_document(traces, name):
    """trace's `network` loads as a document and keeps the file's setting and data."""
    path, stdout = traces[name]
    network = from_dict(json.loads(stdout)["network"], "trace network")
    original = load(path)
    assert network.sizes == original.sizes
    assert network.activation_names == original.activation_names
    assert (network.name, network.loss) == (original.name, original.loss)
    assert network.training == original.training
    assert network.data == original.data
