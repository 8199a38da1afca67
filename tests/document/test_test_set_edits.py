"""The held-out test set under data edits: holding rows out and putting them back, which
replacements keep it and which drop it (and say so), and the noise edit that merges a drag."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from edit_cases import generated_221, network_231

from bpstudio.document.edits import (
    AddDataRow,
    EditError,
    HoldOut,
    RemoveDataRow,
    SetData,
    SetDataCell,
    SetNoise,
)
from bpstudio.document.model import Document
from bpstudio.document.session import DocumentModel
from bpstudio.engine import datasets
from bpstudio.engine.init import STREAM_HOLD_OUT, rng

TEST_X = np.array([[0.5, 0.5]])
TEST_Y = np.array([[1.0]])


def table_with_test() -> Document:
    doc = network_231()
    doc.data = dataclasses.replace(doc.data, test_inputs=TEST_X, test_targets=TEST_Y)
    return doc


def generated_with_test() -> Document:
    doc = generated_221()
    doc.data = dataclasses.replace(doc.data, test_samples=5)
    return doc


def ten_rows() -> Document:
    doc = network_231()
    x = np.arange(20.0).reshape(10, 2)
    doc.data = dataclasses.replace(doc.data, inputs=x, targets=np.arange(10.0)[:, None])
    return doc


def applied(doc: Document, edit) -> DocumentModel:
    model = DocumentModel(doc)
    model.apply(edit)
    return model


def test_holding_out_picks_the_seeded_rows_and_keeps_their_order():
    model = applied(ten_rows(), HoldOut(30))
    held = np.sort(rng(7, STREAM_HOLD_OUT).permutation(10)[:3])  # training.seed is 7
    kept = np.setdiff1d(np.arange(10), held)
    data = model.document.data
    np.testing.assert_array_equal(data.test_targets[:, 0], held)
    np.testing.assert_array_equal(data.targets[:, 0], kept)
    np.testing.assert_array_equal(data.test_inputs, np.arange(20.0).reshape(10, 2)[held])
    assert model.document.version == 2


@pytest.mark.parametrize(("percent", "held"), [(1, 1), (50, 5), (99, 9), (94, 9), (96, 9)])
def test_hold_out_keeps_at_least_one_row_on_each_side(percent, held):
    data = applied(ten_rows(), HoldOut(percent)).document.data
    assert (len(data.test_inputs), len(data.inputs)) == (held, 10 - held)


def test_putting_the_test_set_back_gives_all_rows_and_undo_the_split():
    doc = ten_rows()
    model = applied(doc, HoldOut(40))
    split = model.document.copy()
    back = HoldOut(0)
    model.apply(back)
    data = model.document.data
    assert data.test_inputs is None and model.document.version == 1
    expected = np.vstack([split.data.targets, split.data.test_targets])
    np.testing.assert_array_equal(data.targets, expected)
    model.revert(back)
    assert model.document == split


def test_a_new_percentage_splits_all_rows_again():
    model = applied(ten_rows(), HoldOut(20))
    model.apply(HoldOut(50))
    data = model.document.data
    rows = np.concatenate([data.targets[:, 0], data.test_targets[:, 0]])
    assert sorted(rows) == list(range(10)) and len(data.test_targets) == 5


@pytest.mark.parametrize(
    ("percent", "problem"), [(100, "less than 100"), (-1, "from 0"), ("x", "number")]
)
def test_a_bad_percentage_is_refused(percent, problem):
    with pytest.raises(EditError, match=problem):
        applied(ten_rows(), HoldOut(percent))


def test_generated_data_held_out_becomes_a_table_of_its_samples():
    doc = generated_221()
    x, _ = datasets.generate("xor", 6, 0.1, 3)
    data = applied(doc, HoldOut(50)).document.data
    assert data.generator is None
    together = np.vstack([data.inputs, data.test_inputs])
    assert sorted(map(tuple, together)) == sorted(map(tuple, x))


@pytest.mark.parametrize(
    "edit",
    [
        lambda: AddDataRow(),
        lambda: RemoveDataRow(0),
        lambda: SetDataCell("inputs", 0, 0, 0.3),
        lambda: SetData.table(np.zeros((2, 2)), np.zeros((2, 1))),  # e.g. removing rows
    ],
)
def test_editing_the_training_rows_keeps_the_test_rows(edit):
    data = applied(table_with_test(), edit()).document.data
    np.testing.assert_array_equal(data.test_inputs, TEST_X)
    np.testing.assert_array_equal(data.test_targets, TEST_Y)


@pytest.mark.parametrize(
    "edit",
    [lambda: AddDataRow(), lambda: RemoveDataRow(0), lambda: SetDataCell("inputs", 0, 0, 0.3)],
)
def test_editing_generated_data_writes_its_test_samples_out_as_rows(edit):
    doc = generated_with_test()
    test_x, test_y = datasets.generate("xor", 5, 0.1, 3, test=True)
    data = applied(doc, edit()).document.data
    assert data.generator is None and data.test_samples is None
    np.testing.assert_array_equal(data.test_inputs, test_x)
    np.testing.assert_array_equal(data.test_targets, test_y)


def test_another_generator_or_its_settings_keep_test_samples():
    for edit in (SetData.generated("circle", 8), SetData.generated("xor", 9, 0.3, seed=4)):
        assert applied(generated_with_test(), edit).document.data.test_samples == 5


@pytest.mark.parametrize(
    ("make_doc", "edit"),
    [
        (table_with_test, lambda: SetData.generated("circle", 8)),
        (generated_with_test, lambda: SetData.table(np.zeros((2, 2)), np.zeros((2, 1)))),
        (
            table_with_test,
            lambda: SetData.table(np.zeros((2, 3)), np.zeros((2, 1)), fit_network=True),
        ),
        (
            table_with_test,
            lambda: SetData.table(np.zeros((2, 2)), np.zeros((2, 1)), keep_test=False),
        ),
    ],
)
def test_data_the_test_set_does_not_match_drops_it_says_so_and_undoes(make_doc, edit):
    model = DocumentModel(make_doc())
    before = model.document.copy()
    edit = edit()
    assert model.describe(edit).endswith("(drops the test set)")
    model.apply(edit)
    assert model.document.test_set() is None
    model.revert(edit)
    assert model.document == before


def test_noise_settings_of_one_drag_merge_and_undo_to_the_first():
    model = DocumentModel(generated_with_test())
    before = model.document.copy()
    first = SetNoise(model.document.data, 0.2, drag=1)
    model.apply(first)
    second = SetNoise(model.document.data, 0.35, drag=1)
    model.apply(second)
    assert first.merge(second)
    assert model.document.data.noise == 0.35 and model.document.data.test_samples == 5
    assert not first.merge(SetNoise(model.document.data, 0.4, drag=2))
    first.revert(model)
    assert model.document == before
    first.apply(model)
    assert model.document.data.noise == 0.35
