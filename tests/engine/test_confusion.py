"""The confusion matrix (engine/metrics.py) against counts made sample by sample here.
Headless: no Qt."""

import numpy as np

from bpstudio.engine import metrics


def counted(decided, true, k):
    table = [[0] * k for _ in range(k)]
    for t, d in zip(true, decided, strict=True):
        table[t][d] += 1
    return np.array(table)


def test_several_outputs_count_target_class_against_the_largest_output():
    gen = np.random.default_rng(7)
    y_hat = gen.random((500, 4))
    true = gen.integers(0, 4, 500)
    y = np.eye(4)[true]
    decided = [max(range(4), key=lambda j, row=row: (row[j], -j)) for row in y_hat]
    matrix = metrics.confusion(y_hat, y)
    assert np.array_equal(matrix, counted(decided, true, 4))
    assert matrix.sum() == 500
    assert np.trace(matrix) / 500 == metrics.accuracy(y_hat, y)


def test_a_tie_goes_to_the_first_class():
    y_hat = np.array([[0.5, 0.5, 0.0], [0.2, 0.4, 0.4]])
    y = np.array([[0, 1, 0], [0, 0, 1]])
    assert metrics.confusion(y_hat, y).tolist() == [[0, 0, 0], [1, 0, 0], [0, 1, 0]]


def test_one_output_has_two_classes_split_at_one_half():
    y_hat = np.array([[0.1], [0.5], [0.7], [0.49], [0.9], [0.2]])
    y = np.array([[0.0], [0.0], [1.0], [1.0], [1.0], [0.0]])
    decided = [int(v >= 0.5) for v in y_hat[:, 0]]
    true = [int(v >= 0.5) for v in y[:, 0]]
    assert np.array_equal(metrics.confusion(y_hat, y), counted(decided, true, 2))
    assert metrics.confusion(y_hat, y).tolist() == [[2, 1], [1, 2]]
