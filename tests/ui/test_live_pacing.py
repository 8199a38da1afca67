"""How live training shares the GUI thread, checked for what it must never change: Run in
slices trains exactly what `bpstudio train` trains, the heap is frozen for the garbage
collector only while training runs, panels sharing `Turns` refresh one after the other, the
decision boundary's grid in row blocks is the one forward pass, and the recovery
copy's snapshot shares no list with the live document. (Speed and lateness are benchmark
figures: tests/benchmarks/run.py --only gui.)"""

from __future__ import annotations

import gc
import time

import numpy as np
import pytest

from bpstudio.document.format import load
from bpstudio.document.model import History
from bpstudio.engine.network import Network, forward
from bpstudio.engine.training import Trainer
from bpstudio.resources import examples_dir
from bpstudio.ui.plots.decision_panel import (
    BLOCK_WORK,
    GRID,
    MIN_BLOCK_ROWS,
    DecisionBoundaryPanel,
    block_rows,
)
from bpstudio.ui.plots.refresh import GAP, Coalescer, PlotWidget, Turns
from bpstudio.ui.recovery import _snapshot

SPIRAL = examples_dir() / "spiral.bpnet"


@pytest.mark.parametrize(("speed", "epochs"), [("As fast as possible", 250), ("100 epochs/s", 15)])
def test_run_trains_bit_for_bit_what_bpstudio_train_trains(qtbot, quiet_main_window, speed, epochs):
    window = quiet_main_window()
    assert window.files.open_path(SPIRAL)
    box = window.lesson.speed_box
    box.setCurrentIndex(box.findText(speed))
    assert gc.get_freeze_count() == 0
    window.lesson.toggle_run()
    assert window.lesson.runner.running and gc.get_freeze_count() > 0
    qtbot.waitUntil(lambda: window.lesson.walk.epoch >= epochs, timeout=20_000)
    window.lesson.toggle_run()
    assert not window.lesson.runner.running and gc.get_freeze_count() == 0
    epochs = window.lesson.walk.epoch
    doc = load(SPIRAL)
    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, doc.training_config())
    assert trainer.run(epochs) is None
    trained = window.document
    for layer, w, b in zip(trained.layers[1:], trainer.net.w, trainer.net.b, strict=True):
        assert np.array_equal(layer.weights, w) and np.array_equal(layer.biases, b)
    assert trained.history.epoch == [int(e) for e in trainer.history.epochs]
    assert trained.history.loss == [float(v) for v in trainer.history.loss.values]


class _Recorder:
    """A refresh that notes when it started and ended (perf_counter seconds)."""

    def __init__(self) -> None:
        self.runs: list[tuple[float, float]] = []

    def __call__(self) -> None:
        started = time.perf_counter()
        sum(range(20_000))  # some work, so a refresh takes a measurable time
        self.runs.append((started, time.perf_counter()))


def test_panels_sharing_turns_refresh_one_after_the_other(qtbot):
    plot = PlotWidget()
    qtbot.addWidget(plot)
    turns = Turns()
    first, second = _Recorder(), _Recorder()
    coalescers = [Coalescer(r, 0, lambda: True, plot, turns=turns) for r in (first, second)]
    for coalescer in coalescers:
        coalescer.request()
    qtbot.waitUntil(lambda: bool(first.runs and second.runs), timeout=5000)
    (_, a_end), (b_start, _) = sorted(first.runs + second.runs)
    assert b_start >= a_end + GAP  # never in the same turn of the event loop
    assert turns.free_at >= max(end for _, end in first.runs + second.runs) + GAP


def test_the_grid_in_row_blocks_is_one_forward_pass(qtbot):
    """Equal to the last bit but for BLAS's own rounding: a matrix product of a few rows may
    take another kernel (and summation order) than one of many."""
    doc = load(SPIRAL)
    panel = DecisionBoundaryPanel()
    qtbot.addWidget(panel)
    x, y = doc.dataset()
    rng = np.random.default_rng(3)
    for net in (doc.build_network(), _wide_network(rng)):
        assert block_rows(net.sizes) < GRID * GRID
        panel.show_network(net, x, y, ("x₁", "x₂", "ŷ"))
        whole = forward(net, panel._grid).output
        np.testing.assert_allclose(panel.output.reshape(whole.shape), whole, rtol=1e-13, atol=0)


def test_a_wide_network_multiplies_its_grid_in_blocks_not_point_by_point():
    """A million weights: the threshold alone gives one point per block (each weight read
    from memory 10,000 times, 4-16 s); the grid goes through in 40 blocks instead."""
    assert block_rows((2, 1000, 990, 1)) == MIN_BLOCK_ROWS == 256
    assert block_rows((2, 4, 1)) == BLOCK_WORK // 8  # small networks keep their large blocks


def _wide_network(rng):
    """2-64-64-1: the work threshold alone would give it blocks of 16 rows; it gets 256."""
    sizes = (2, 64, 64, 1)
    weights = [rng.normal(0, 0.5, (b, a)) for a, b in zip(sizes, sizes[1:], strict=False)]
    biases = [rng.normal(0, 0.1, b) for b in sizes[1:]]
    return Network(sizes, ("tanh", "tanh", "sigmoid"), weights, biases, [True] * 3)


def test_the_recovery_snapshot_is_equal_and_shares_no_list(tmp_path):
    doc = load(SPIRAL)
    x, y = doc.dataset()
    trainer = Trainer(doc.build_network(), x, y, doc.training_config())
    trainer.run(50)
    doc.set_parameters_from(trainer.net)
    doc.history = History(
        [int(e) for e in trainer.history.epochs], [float(v) for v in trainer.history.loss.values]
    )
    snapshot = _snapshot(doc)
    assert snapshot == doc
    assert snapshot.history.epoch is not doc.history.epoch
    assert snapshot.history.loss is not doc.history.loss
    assert snapshot.layers[1].weights is not doc.layers[1].weights
    doc.history.loss.append(0.5)
    doc.layers[1].weights[0, 0] += 1.0
    assert len(snapshot.history.loss) == 51
    assert snapshot.layers[1].weights[0, 0] != doc.layers[1].weights[0, 0]
