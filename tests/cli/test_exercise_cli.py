"""`bpstudio exercise`: variants with new rounded weights, biases and inline inputs, the same
targets and structure; each answer key is `bpstudio steps` on that variant's document;
sigmoid outputs stay in (0.05, 0.95); the same seed gives the same bytes, Markdown and PDF."""

from __future__ import annotations

import json

import numpy as np
import pytest

HEADLESS = {"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}


def _forward_outputs(doc: dict) -> np.ndarray:
    """The network's outputs on its inline inputs, computed here from the JSON (sigmoid
    layers only, as in the XOR example)."""
    a = np.array(doc["data"]["inputs"], dtype=float)
    for layer in doc["layers"][1:]:
        assert layer["activation"] == "sigmoid"
        z = a @ np.array(layer["weights"]).T + np.array(layer["biases"])
        a = 1.0 / (1.0 + np.exp(-z))
    return a


def test_variants_differ_and_each_key_is_steps_on_its_document(tmp_path, run_cli, examples):
    source = examples / "xor.bpnet"
    done = run_cli("exercise", source, "--variants", 4, "--seed", 11, "--out", tmp_path / "ex")
    assert done.code == 0, done.stderr
    assert done.stdout == f"4 variants in {tmp_path / 'ex'} (seed 11)\n"
    original = json.loads(source.read_text(encoding="utf-8"))
    parameters = set()
    for k in range(1, 5):
        path = tmp_path / "ex" / f"variant-0{k}.bpnet"
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["data"]["targets"] == original["data"]["targets"]
        assert [(x.get("size"), x.get("activation")) for x in doc["layers"]] == [
            (x.get("size"), x.get("activation")) for x in original["layers"]
        ]
        layers = doc["layers"][1:]
        values = [v for layer in layers for row in layer["weights"] for v in row]
        values += [v for layer in layers for v in layer["biases"]]
        values += [v for row in doc["data"]["inputs"] for v in row]
        assert all(round(v, 2) == v and -1 <= v <= 1 for v in values)  # two decimals
        assert doc["data"]["inputs"] != original["data"]["inputs"]
        parameters.add(tuple(values))
        outputs = _forward_outputs(doc)
        assert np.all((outputs > 0.05) & (outputs < 0.95))
        key = run_cli("steps", path, "--decimals", 4)
        answers = (tmp_path / "ex" / f"variant-0{k}-answers.md").read_text(encoding="utf-8")
        assert answers == key.stdout
        questions = (tmp_path / "ex" / f"variant-0{k}-questions.md").read_text(encoding="utf-8")
        assert "## Compute" in questions and f"variant-0{k}.bpnet" in questions
        first_weight = doc["layers"][1]["weights"][0][0]
        assert f"| $w^{{(1)}}_{{11}}$ | {first_weight:.2f} |" in questions
    assert len(parameters) == 4  # all different


def test_same_seed_same_bytes_and_another_seed_other_numbers(tmp_path, run_cli, examples):
    source = examples / "seed-3-hidden-layer.bpnet"
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        done = run_cli(
            "exercise", source, "--variants", 2, "--seed", seed, "--decimals", 1, "--pdf",
            "--out", tmp_path / name, env=HEADLESS,
        )  # fmt: skip
        assert done.code == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "variant-01-answers.pdf",
        "variant-01-questions.pdf",
        "variant-01.bpnet",
        "variant-02-answers.pdf",
        "variant-02-questions.pdf",
        "variant-02.bpnet",
    ]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "variant-01.bpnet").read_bytes() != (
        tmp_path / "c" / "variant-01.bpnet"
    ).read_bytes()


def test_pdf_answer_key_holds_the_steps_values(tmp_path, run_cli, examples):
    pypdf = pytest.importorskip("pypdf")
    done = run_cli(
        "exercise", examples / "seed-2-two-neurons.bpnet", "--variants", 1, "--seed", 1,
        "--pdf", "--out", tmp_path, env=HEADLESS,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    steps = run_cli("steps", tmp_path / "variant-01.bpnet", "--format", "json").json
    reader = pypdf.PdfReader(tmp_path / "variant-01-answers.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for step in steps:
        assert f"{step['value']:.4f}".replace("-", "−") in text or f"{step['value']:.4f}" in text


def test_generated_data_keeps_its_generator(tmp_path, run_cli, examples):
    done = run_cli(
        "exercise", examples / "circle.bpnet", "--variants", 1, "--seed", 2, "--out", tmp_path
    )
    assert done.code == 0, done.stderr
    original = json.loads((examples / "circle.bpnet").read_text(encoding="utf-8"))
    doc = json.loads((tmp_path / "variant-01.bpnet").read_text(encoding="utf-8"))
    assert doc["data"] == original["data"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--variants", "0"], "--variants 0: must be 1 or more"),
        (["--variants", "2", "--decimals", "9"], "--decimals 9: must be 0 to 6"),
    ],
)
def test_bad_arguments_are_one_line_and_write_nothing(tmp_path, run_cli, examples, args, message):
    done = run_cli("exercise", examples / "xor.bpnet", *args, "--out", tmp_path / "ex")
    assert done.code == 2
    assert done.stderr == f"bpstudio: error: {message}\n"
    assert not (tmp_path / "ex").exists()
