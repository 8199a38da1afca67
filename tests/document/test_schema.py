"""docs/bpnet.schema.json against bpstudio's own validator: every bundled example and every
valid test document passes the schema, and every bad document of test_format's rule table is
refused by the schema too, except the rules that relate one part of a document to another,
which no JSON Schema can state (and three about how a number is written); those are
listed here, and the schema accepts them (so
docs/format.md's list of what the schema cannot check is exact). Headless: no Qt."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from document_examples import generator_example, spec_example
from test_format import RULES

from bpstudio.document.format import load, to_dict
from bpstudio.resources import examples_dir

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "bpnet.schema.json"
EXAMPLES = sorted(examples_dir().glob("*.bpnet"))

# (place, problem) of the rules that compare two parts of the document: shapes against the
# layer sizes, softmax against the layer's position, the loss against the output layer and
# the targets, a generator against the network's widths, the history's two lists against
# each other.
BEYOND_THE_SCHEMA = {
    ("layers[1].activation", "only the last layer"),
    ("layers[2].weights", "has 3 rows, expected 1"),
    ("layers[2].weights[0]", "has 2 columns, expected 1"),
    ("layers[1].biases", "has 2 numbers, expected 1"),
    ("layers[0].labels", "has 2 labels, expected 1"),
    ("loss", "needs a softmax output layer"),
    ("data.inputs[0]", "has 2 numbers, expected 1"),
    ("data.targets", "has 2 rows, expected 1"),
    ("data.targets[0]", "has 2 numbers, expected 1"),
    ("data.targets[0][0]", "between 0 and 1 for the bce loss"),
    ("data.generator", "2 inputs and 1 target"),
    ("history.loss", "expected 2"),
    ("history.accuracy", "expected 2"),
    ("data.test.inputs[0]", "has 2"),
    # and how a whole number is written: JSON Schema takes 1.0 as the integer 1, bpstudio
    # wants a count written as a count
    ("version", "must be an integer, not 1.0"),
    ("training.batch_size", "must be an integer"),
    ("data.samples", "must be an integer"),
}


@pytest.fixture(scope="module")
def schema():
    loaded = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


def test_there_are_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_bundled_example_passes_the_schema_and_the_validator(schema, path):
    load(path)
    obj = json.loads(path.read_text(encoding="utf-8"))
    assert list(schema.iter_errors(obj)) == []
    assert list(schema.iter_errors(to_dict(load(path)))) == []  # as bpstudio writes it


@pytest.mark.parametrize("make", [spec_example, generator_example])
def test_the_valid_test_documents_pass_the_schema(schema, make):
    assert list(schema.iter_errors(make())) == []


def test_unknown_top_level_keys_pass_as_the_validator_keeps_them(schema):
    obj = spec_example()
    obj["made_by"] = {"tool": "a newer bpstudio"}
    assert list(schema.iter_errors(obj)) == []


@pytest.mark.parametrize(
    ("mutate", "place", "problem"), RULES, ids=[f"{p} {q}" for _m, p, q in RULES]
)
def test_the_schema_refuses_what_the_validator_refuses(schema, mutate, place, problem):
    """The validator's verdict is test_format's (each of these documents is refused there)."""
    obj = spec_example()
    mutate(obj)
    errors = list(schema.iter_errors(obj))
    if (place, problem) in BEYOND_THE_SCHEMA:
        assert errors == [], "the schema now checks this rule: take it off BEYOND_THE_SCHEMA"
    else:
        assert errors, f"the schema accepts a document refused at {place}: {problem}"


def test_every_rule_beyond_the_schema_is_in_the_rule_table():
    assert BEYOND_THE_SCHEMA <= {(place, problem) for _m, place, problem in RULES}
