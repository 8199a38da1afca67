"""The bundled examples whose weights (and data) are drawn from their seed must stay the same
examples: if a NumPy release changed its random streams, a lesson's numbers, screenshots and
handouts would silently change. Pinned to the values drawn when constraints.txt was made
(NumPy 2.4.6): SHA-256 of the float64 bytes of the initial parameters, the inputs and the
targets, and two values in full for a readable failure. Headless: no Qt."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from bpstudio.document.format import load
from bpstudio.resources import examples_dir

# name: (parameters, sha of params, sha of inputs, sha of targets, params[0], inputs[0, 0])
PINNED = {
    "circle.bpnet": (
        17, "090ac4d4dcf49480", "7fff197052bff293", "ecfeca3e2844a708",
        0.023643249400513433, 0.32040526153096666,
    ),
    "digits.bpnet": (
        1210, "0d0a061e24c02d40", "af156b176e008ab9", "119c467fa559d570",
        0.10531353903782659, 0.0,
    ),
    "gauss.bpnet": (
        9, "633fa03ea5e4f934", "152a7fd85a13a8ed", "ecfeca3e2844a708",
        0.028956948446311026, -0.22072585285160856,
    ),
    "spiral.bpnet": (
        105, "7c5b6c110e50457a", "661277b215f33312", "7bc2884ea296052d",
        -0.5651104894823273, -0.3069570028554263,
    ),
    "three-classes.bpnet": (
        27, "f7f6a63aa8504818", "80b6afff5e8ac378", "dfd3a1f8ba350eb4",
        0.023643249400513433, 0.0,
    ),
    "vanishing-sigmoid.bpnet": (
        117, "40eae26a7cc0c0c3", "e8f2e4834f6f63c0", "ecfeca3e2844a708",
        0.023643249400513433, 0.2158476900197596,
    ),
    "vanishing-tanh.bpnet": (
        117, "40eae26a7cc0c0c3", "e8f2e4834f6f63c0", "ecfeca3e2844a708",
        0.023643249400513433, 0.2158476900197596,
    ),
    "xor.bpnet": (
        17, "090ac4d4dcf49480", "5302888e23a4dc3a", "c9a2fb79c96caefa",
        0.023643249400513433, 0.0,
    ),
}  # fmt: skip


def _sha(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values, dtype="<f8").tobytes()).hexdigest()[:16]


def _drawn(path) -> bool:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return any("weights" not in layer for layer in raw["layers"][1:]) or "generator" in raw["data"]


def test_every_example_drawn_from_its_seed_is_pinned():
    assert sorted(p.name for p in examples_dir().glob("*.bpnet") if _drawn(p)) == sorted(PINNED)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_a_drawn_example_has_the_values_drawn_today(name):
    count, params_sha, inputs_sha, targets_sha, first_param, first_input = PINNED[name]
    doc = load(examples_dir() / name)
    params = doc.build_network().params
    x, y = doc.dataset()
    assert params.size == count
    assert (float(params[0]), float(x[0, 0])) == (first_param, first_input), (
        f"{name}: NumPy {np.__version__} draws other values from the same seed; write the "
        "weights (and data) of the example into its file"
    )
    assert (_sha(params), _sha(x), _sha(y)) == (params_sha, inputs_sha, targets_sha)
