"""The bundled handwritten digits (resources/examples/digits.bpnet): the UCI data as
packaging/make_digits.py writes it. Checked against the UCI set's own description (1,797
samples of 8×8 pixels counted 0..16, and its digit counts). Headless: no Qt."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from bpstudio.document.format import load
from bpstudio.resources import examples_dir, resources_root

DIGITS = examples_dir() / "digits.bpnet"
# samples of each digit 0..9 in the UCI "optdigits.tes" set, which scikit-learn ships
UCI_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def doc():
    return load(DIGITS)


@pytest.fixture(scope="module")
def generator():
    script = resources_root().parent / "packaging" / "make_digits.py"
    if not script.is_file():
        pytest.skip("packaging/ is not beside this installation")
    spec = importlib.util.spec_from_file_location("make_digits", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _all(doc):
    return (
        np.vstack([doc.data.inputs, doc.data.test_inputs]),
        np.vstack([doc.data.targets, doc.data.test_targets]),
    )


def test_the_network_is_64_16_10_softmax_with_cross_entropy_in_batches_of_32(doc):
    assert [layer.size for layer in doc.layers] == [64, 16, 10]
    assert doc.layers[-1].activation == "softmax" and doc.loss == "cross_entropy"
    assert doc.layers[-1].labels == [str(d) for d in range(10)]
    assert doc.training.batch_size == 32


def test_1797_samples_of_64_pixels_in_sixteenths_with_one_hot_targets(doc):
    x, y = _all(doc)
    assert x.shape == (1797, 64) and y.shape == (1797, 10)
    counts = x * 16
    assert np.array_equal(counts, np.round(counts)) and counts.min() == 0 and counts.max() == 16
    assert set(np.unique(y)) == {0.0, 1.0} and np.all(y.sum(axis=1) == 1)


def test_the_digits_are_counted_as_in_the_uci_set(doc):
    _, y = _all(doc)
    assert np.bincount(np.argmax(y, axis=1), minlength=10).tolist() == UCI_COUNTS


def test_about_a_fifth_is_held_out_and_no_row_is_in_both_sets(doc):
    test = len(doc.data.test_inputs)
    assert test == 360 and 0.19 < test / 1797 < 0.21
    train_rows = {row.tobytes() for row in np.hstack([doc.data.inputs, doc.data.targets])}
    test_rows = np.hstack([doc.data.test_inputs, doc.data.test_targets])
    assert not any(row.tobytes() in train_rows for row in test_rows)
    assert all(np.bincount(np.argmax(doc.data.test_targets, axis=1), minlength=10) >= 25)


def test_the_generator_writes_exactly_the_bundled_file(doc, generator):
    train, test = generator.split(1797)
    assert np.intersect1d(train, test).size == 0 and np.union1d(train, test).size == 1797
    pixels = np.empty((1797, 64))
    digits = np.empty(1797, dtype=np.int64)
    pixels[train], pixels[test] = doc.data.inputs * 16, doc.data.test_inputs * 16
    digits[train] = np.argmax(doc.data.targets, axis=1)
    digits[test] = np.argmax(doc.data.test_targets, axis=1)
    text = generator.document(pixels.astype(np.int64), digits)
    assert text == DIGITS.read_text(encoding="utf-8")
