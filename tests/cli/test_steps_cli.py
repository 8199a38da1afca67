"""`bpstudio steps` (spec section 6): its JSON values equal `trace`'s on random networks, the
order of phases, `--sample`, and the Markdown answer key of the seed's Example 2. Headless.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from seed_tables import EXAMPLE_2_STEPS as EXAMPLE_2

from bpstudio.engine.training import TrainingConfig, first_batch

TOL = 1e-12
PHASE_ORDER = ("forward", "loss", "backward", "combine", "update")
STEP_KEYS = {
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
HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
# (output activation, loss, targets in [0, 1]) pairs the spec allows
OUTPUTS = [
    ("sigmoid", "sse", False),
    ("tanh", "mse", False),
    ("linear", "sse", False),
    ("sigmoid", "bce", True),
    ("softmax", "cross_entropy", True),
    ("softmax", "mse", True),
    ("relu", "mse", False),
    ("leaky_relu", "sse", False),
]

# (seed, samples in the file, batch_size, shuffle): single samples, full batches, mini-batches.
RANDOM_CASES = [
    (1, 1, None, False),
    (2, 3, None, False),
    (3, 4, 2, False),
    (4, 5, None, False),
    (5, 5, 2, True),
    (6, 3, None, False),
    (7, 4, 2, False),
    (8, 1, None, False),
]


def random_document(seed: int, samples: int, batch_size: int | None, shuffle: bool) -> dict:
    """A valid document of random sizes, activations, loss and data, some parameters absent
    (drawn by the init scheme), some biases frozen, with momentum in some."""
    rng = np.random.default_rng(seed)
    output, loss, unit_targets = OUTPUTS[seed % len(OUTPUTS)]
    sizes = [int(rng.integers(1, 4)), *rng.integers(1, 5, size=int(rng.integers(0, 3))).tolist()]
    sizes.append(int(rng.integers(2, 4)) if output == "softmax" else int(rng.integers(1, 3)))
    layers: list[dict] = [{"size": sizes[0]}]
    for i, size in enumerate(sizes[1:], start=1):
        layer = {
            "size": size,
            "activation": output if i == len(sizes) - 1 else HIDDEN[int(rng.integers(len(HIDDEN)))],
        }
        if seed % 3 or i == 1:  # every third document draws its deeper weights
            layer["weights"] = rng.normal(0, 0.8, size=(size, sizes[i - 1])).tolist()
        if rng.random() < 0.7:
            layer["biases"] = rng.normal(0, 0.5, size=size).tolist()
        if rng.random() < 0.25:
            layer["train_biases"] = False
        layers.append(layer)
    k = sizes[-1]
    if output == "softmax":
        targets = rng.dirichlet(np.ones(k), size=samples)
        targets[0] = np.eye(k)[int(rng.integers(k))]
    elif unit_targets:
        targets = rng.uniform(0, 1, size=(samples, k))
    else:
        targets = rng.normal(0, 1, size=(samples, k))
    return {
        "format": "bpstudio.network",
        "version": 1,
        "name": f"random {seed}",
        "layers": layers,
        "loss": loss,
        "training": {
            "learning_rate": float(rng.uniform(0.05, 1.0)),
            "momentum": 0.5 if seed % 2 else 0.0,
            "batch_size": batch_size,
            "shuffle": shuffle,
            "seed": seed,
            "init": ("xavier", "he", "uniform")[seed % 3],
        },
        "data": {
            "inputs": rng.normal(0, 1, size=(samples, sizes[0])).tolist(),
            "targets": targets.tolist(),
        },
    }


@pytest.fixture(scope="module")
def random_runs(tmp_path_factory, run_cli) -> dict[int, dict]:
    """For each random case: the document, trace's output, and steps' JSON."""
    folder = tmp_path_factory.mktemp("random")
    runs = {}
    for seed, samples, batch, shuffle in RANDOM_CASES:
        doc = random_document(seed, samples, batch, shuffle)
        path = folder / f"random-{seed}.bpnet"
        path.write_text(json.dumps(doc), encoding="utf-8")
        trace, steps = run_cli("trace", path), run_cli("steps", path, "--format", "json")
        assert (trace.code, trace.stderr, steps.code, steps.stderr) == (0, "", 0, ""), (
            trace.stderr + steps.stderr
        )
        runs[seed] = {"doc": doc, "path": path, "trace": trace.json, "steps": steps.json}
    return runs


def _batch(case: dict) -> int:
    return len(case["trace"]["layers"][0]["z"])


CASE_IDS = [f"seed{c[0]}-n{c[1]}-batch{c[2]}" for c in RANDOM_CASES]


@pytest.mark.parametrize("seed", [c[0] for c in RANDOM_CASES], ids=CASE_IDS)
def test_steps_values_equal_trace(random_runs, seed):
    """Each step's value is the same quantity in trace's output, as spec section 6 maps them."""
    case = random_runs[seed]
    trace, steps = case["trace"], case["steps"]
    several = _batch(case) > 1
    for step in steps:
        assert set(step) == STEP_KEYS
        kind, layer, j, k, p = (
            step[key] for key in ("kind", "layer", "neuron", "source", "sample")
        )
        value = step["value"]
        assert type(value) is float
        if kind == "loss":
            if p is None:
                assert value == pytest.approx(trace["loss"], abs=TOL)
            continue
        t = trace["layers"][layer - 1]
        new = trace["network"]["layers"][layer]
        if kind in ("z", "a", "delta"):
            assert p is not None or not several
            assert value == pytest.approx(t[kind][p or 0][j], abs=TOL), step
        elif kind == "grad_w" and p is None:
            assert value == pytest.approx(t["grad_weights"][j][k], abs=TOL), step
        elif kind == "grad_b" and p is None:
            assert value == pytest.approx(t["grad_biases"][j], abs=TOL), step
        elif kind == "grad_w":  # one sample's share: its delta times the activation it carries
            a_in = (
                trace["layers"][layer - 2]["a"][p][k]
                if layer > 1
                else _first_batch_inputs(case)[p][k]
            )
            assert value == pytest.approx(t["delta"][p][j] * a_in, abs=TOL), step
        elif kind == "grad_b":
            assert value == pytest.approx(t["delta"][p][j], abs=TOL), step
        elif kind == "update_w":
            assert value == pytest.approx(new["weights"][j][k], abs=TOL), step
        elif kind == "update_b":
            assert value == pytest.approx(new["biases"][j], abs=TOL), step
        else:
            pytest.fail(f"unknown kind {kind!r}")


def _first_batch_inputs(case: dict) -> np.ndarray:
    """The input rows of the first batch of epoch 1: the first rows in file order, or the
    first of the seeded shuffle."""
    t = case["doc"]["training"]
    config = TrainingConfig(
        loss=case["doc"]["loss"],
        learning_rate=t["learning_rate"],
        momentum=t["momentum"],
        batch_size=t["batch_size"],
        shuffle=t["shuffle"],
        seed=t["seed"],
    )
    inputs = np.array(case["doc"]["data"]["inputs"])
    return inputs[first_batch(len(inputs), config)]


@pytest.mark.parametrize("seed", [c[0] for c in RANDOM_CASES], ids=CASE_IDS)
def test_steps_cover_every_quantity_in_phase_order(random_runs, seed):
    """Every z, a, delta, gradient and update appears once, phases in the spec's order."""
    case = random_runs[seed]
    trace, steps, doc = case["trace"], case["steps"], case["doc"]
    n, several = _batch(case), _batch(case) > 1
    phases = [PHASE_ORDER.index(s["phase"]) for s in steps]
    assert phases == sorted(phases)
    assert ("combine" in {s["phase"] for s in steps}) == several
    counts = Counter((s["phase"], s["kind"], s["sample"]) for s in steps)
    neurons = sum(len(layer["z"][0]) for layer in trace["layers"])
    weights = sum(np.size(layer["grad_weights"]) for layer in trace["layers"])
    trainable_biases = sum(
        layer["size"] for layer in doc["layers"][1:] if layer.get("train_biases", True)
    )
    samples = range(n) if several else [None]
    for p in samples:
        assert counts["forward", "z", p] == counts["forward", "a", p] == neurons
        assert counts["backward", "delta", p] == counts["backward", "grad_b", p] == neurons
        assert counts["backward", "grad_w", p] == weights
        assert counts["loss", "loss", p] == 1
    assert counts["loss", "loss", None] == 1
    if several:
        assert counts["combine", "grad_w", None] == weights
        assert counts["combine", "grad_b", None] == neurons
    assert counts["update", "update_w", None] == weights
    assert counts["update", "update_b", None] == trainable_biases
    assert sum(counts.values()) == len(steps)


@pytest.mark.parametrize(
    "seed",
    [c[0] for c in RANDOM_CASES if c[1] > 1 and (c[2] or 2) > 1],
    ids=lambda seed: f"seed{seed}",
)
def test_sample_shares_add_up_to_the_combined_values(random_runs, seed):
    """With several samples the per-sample loss and gradient shares sum to the batch values."""
    steps = random_runs[seed]["steps"]
    shares: dict[tuple, float] = {}
    combined: dict[tuple, float] = {}
    for s in steps:
        key = (s["kind"], s["layer"], s["neuron"], s["source"])
        if s["kind"] in ("loss", "grad_w", "grad_b"):
            if s["sample"] is None:
                combined[key] = s["value"]
            else:
                shares[key] = shares.get(key, 0.0) + s["value"]
    assert shares.keys() == combined.keys()
    for key, total in shares.items():
        assert total == pytest.approx(combined[key], abs=1e-12, rel=1e-12), key


def test_frozen_biases_keep_their_value(random_runs):
    """A layer with train_biases false gets no update_b step and its biases stay as they were."""
    frozen = 0
    for case in random_runs.values():
        for layer, (before, after) in enumerate(
            zip(case["doc"]["layers"][1:], case["trace"]["network"]["layers"][1:], strict=True),
            start=1,
        ):
            if before.get("train_biases", True):
                continue
            frozen += 1
            assert after["biases"] == before.get("biases", [0.0] * before["size"])
            assert not [s for s in case["steps"] if s["kind"] == "update_b" and s["layer"] == layer]
    assert frozen, "no random case froze a layer's biases: change RANDOM_CASES"


@pytest.fixture(scope="module")
def restricted(random_runs, run_cli) -> tuple[dict, list[dict], int]:
    """steps --sample 1 on a full batch of several samples."""
    seed = next(c[0] for c in RANDOM_CASES if c[1] >= 3 and c[2] is None)
    case = random_runs[seed]
    result = run_cli("steps", case["path"], "--format", "json", "--sample", "1")
    assert (result.code, result.stderr) == (0, "")
    return case, result.json, 1


def test_sample_option_restricts_the_per_sample_steps(restricted):
    """--sample K lists only sample K's forward, loss and backward steps, then the batch's."""
    case, steps, k = restricted
    assert {s["sample"] for s in steps} == {k, None}
    full = {_key(s): s["value"] for s in case["steps"]}
    kept = [s for s in case["steps"] if s["sample"] in (k, None)]
    assert [_key(s) for s in steps] == [_key(s) for s in kept]
    for s in steps:
        assert s["value"] == full[_key(s)]


def _key(step: dict) -> tuple:
    return tuple(step[key] for key in ("phase", "kind", "layer", "neuron", "source", "sample"))


@pytest.mark.parametrize("sample", ["4", "-1"])
def test_sample_out_of_range_is_a_one_line_error(random_runs, run_cli, sample):
    """--sample outside the first batch exits 2 with one bpstudio error line, no output."""
    case = random_runs[next(c[0] for c in RANDOM_CASES if c[1] == 4 and c[2] == 2)]
    result = run_cli("steps", case["path"], "--format", "json", "--sample", sample)
    assert result.code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("bpstudio: error: ")
    assert f"--sample {sample}" in line and "0 to 1" in line


@pytest.fixture(scope="module")
def example_2(run_cli, examples) -> tuple[str, list[dict]]:
    """steps' Markdown (the default) and JSON for the seed's Example 2."""
    path: Path = examples / "seed-2-two-neurons.bpnet"
    markdown, as_json = run_cli("steps", path), run_cli("steps", path, "--format", "json")
    assert (markdown.code, markdown.stderr, as_json.code, as_json.stderr) == (0, "", 0, "")
    return markdown.stdout, as_json.json


def test_example_2_steps_json_follows_the_seed_table(example_2):
    """The 15 steps of Example 2 come in the article's order with the seed's values."""
    _, steps = example_2
    assert [(s["kind"], s["layer"]) for s in steps] == [(k, layer) for k, layer, _ in EXAMPLE_2]
    for step, (_, _, value) in zip(steps, EXAMPLE_2, strict=True):
        assert step["value"] == pytest.approx(value, abs=1e-9)
        assert step["sample"] is None
    assert steps[0]["substituted"].endswith(r"0.3 \cdot 0.5 + 0.1")


def test_example_2_markdown_is_a_worked_solution(example_2):
    """Markdown: a heading per phase, steps numbered 1 to 15, each formula with its numbers
    substituted and the exact result."""
    markdown, steps = example_2
    headings = [
        line.lstrip("#").strip() for line in markdown.splitlines() if line.startswith("## ")
    ]
    assert headings == ["Forward pass", "Loss", "Backward pass", "Update"]
    numbers = [int(n) for n in re.findall(r"\bStep (\d+)\b", markdown)]
    assert numbers == list(range(1, 16))
    assert r"0.3 \cdot 0.5 + 0.1 = 0.25" in markdown
    for step in steps:
        assert step["formula"] in markdown
        assert f"{step['substituted']} = {step['value']!r}" in markdown
    sections = {title: markdown.index(f"## {title}") for title in headings}
    first_update = markdown.index(steps[11]["substituted"])
    assert sections["Update"] < first_update
    assert markdown.count("$") % 2 == 0  # every maths span is closed


def test_markdown_prints_any_name_whatever_the_locale(tmp_path, run_cli, examples):
    """A name beyond the locale's encoding (a Windows pipe is cp1252) is printed as UTF-8."""
    doc = json.loads((examples / "seed-1-one-neuron.bpnet").read_text(encoding="utf-8"))
    doc["name"] = "Σ and ŷ: one neuron"
    path = tmp_path / "unicode.bpnet"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = run_cli("steps", path, env={"PYTHONIOENCODING": "cp1252"})
    assert (result.code, result.stderr) == (0, "")
    assert "# Worked solution: Σ and ŷ: one neuron" in result.stdout
