"""The plot panels with values no axis can hold: a loss of inf (or NaN, or 0 on a log axis)
is a gap, never a point; parameters near 1e308 or far apart are fitted in one update, with
no pyqtgraph range error; a decision boundary whose outputs overflowed shows those places
in a checkered grey and says so. Every warning while painting, from any module, fails."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from bpstudio.document.edits import SetWeight
from bpstudio.document.format import load
from bpstudio.engine.network import Network
from bpstudio.resources import examples_dir
from bpstudio.ui.plots.decision_panel import GRID, NO_OUTPUT_NOTE, DecisionBoundaryPanel
from bpstudio.ui.plots.lesson_values import ParameterNames
from bpstudio.ui.plots.loss_panel import LossPanel
from bpstudio.ui.plots.parameter_panel import ParameterPanel
from bpstudio.ui.plots.style import PLOT_LIMIT

SEED1 = examples_dir() / "seed-1-one-neuron.bpnet"
SEED3 = examples_dir() / "seed-3-hidden-layer.bpnet"
STRICT = pytest.mark.filterwarnings("error")


def painting_warnings(widget) -> list[str]:
    """The warnings raised, from any module, while `widget` paints itself twice (recorded, not
    raised: a Python exception inside Qt's paint would take the test process down)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        widget.grab()
        widget.grab()
    return [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]


def shown(qtbot, panel, width: int = 500, height: int = 320):
    qtbot.addWidget(panel)
    panel.resize(width, height)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def y_range(panel) -> list[float]:
    return panel.plot.getPlotItem().getViewBox().viewRange()[1]


# loss -------------------------------------------------------------------------------------
def lone_dot(panel: LossPanel) -> list[tuple[float, float]]:
    """The dot drawn for a lone epoch (its x and its y on the axis, log10 on a log axis)."""
    x, y = panel._lone.getData()
    return [(float(a), float(b)) for a, b in zip(x, y, strict=True)]


@STRICT
@pytest.mark.parametrize("loss", [np.inf, np.nan])
def test_a_lone_non_finite_loss_is_no_point(qtbot, loss):
    """Epoch 0 with an infinite loss (a target of 1e308), after a finite one (the target typed
    over a finite loss): nothing to draw, so no dot, and the readout still tells the value;
    painting warns about nothing."""
    panel = shown(qtbot, LossPanel())
    panel.set_history(np.array([0]), np.array([0.5]))
    panel.grab()
    panel.set_history(np.array([0]), np.array([loss]))
    assert lone_dot(panel) == []
    assert panel.readout.text() == f"last: epoch 0 · loss {loss}"
    assert painting_warnings(panel.plot) == []


@STRICT
def test_a_lone_finite_loss_is_a_dot_and_on_a_log_axis_only_above_zero(qtbot):
    panel = shown(qtbot, LossPanel())
    panel.set_history(np.array([0]), np.array([0.0]))
    assert lone_dot(panel) == [(0.0, 0.0)]
    panel.set_log(True)  # log10(0) has no place on the axis
    assert lone_dot(panel) == []
    assert painting_warnings(panel.plot) == []
    panel.set_history(np.array([0]), np.array([0.25]))
    assert lone_dot(panel) == [(0.0, np.log10(0.25))]
    assert painting_warnings(panel.plot) == []
    panel.set_log(False)
    assert lone_dot(panel) == [(0.0, 0.25)]
    panel.set_history(np.array([0, 1]), np.array([0.25, 0.2]))  # a line now: no dot
    assert lone_dot(panel) == []


@STRICT
def test_hovering_an_infinite_loss_shows_its_value_but_no_dot(qtbot):
    panel = shown(qtbot, LossPanel())
    panel.set_history(np.array([0, 1, 2]), np.array([np.inf, 2.0, 1.0]))
    vb = panel.plot.getPlotItem().getViewBox()
    panel.readout_at(vb.mapViewToScene(QPointF(0.1, 1.5)))
    assert panel.readout.text() == "epoch 0 · loss inf"
    assert panel._cross.isVisible() and not panel._dot.isVisible()
    assert painting_warnings(panel.plot) == []
    panel.readout_at(vb.mapViewToScene(QPointF(1.9, 1.5)))
    assert panel.readout.text() == "epoch 2 · loss 1"
    assert panel._dot.isVisible() and panel._dot.getData()[1].tolist() == [1.0]


# parameters -------------------------------------------------------------------------------
def parameter_panel(qtbot, chosen: list[int]) -> ParameterPanel:
    panel = shown(qtbot, ParameterPanel(), 700)
    panel.set_parameters(ParameterNames(load(SEED3)), chosen)
    return panel


@STRICT
def test_parameters_far_apart_are_all_in_view_after_one_update(qtbot):
    """-1e13 to 1e13: the view holds both ends at once (pyqtgraph's autorange widened its
    range a little on each repaint, starting at ±2.6e12)."""
    panel = parameter_panel(qtbot, [0, 1])
    panel.set_history(np.arange(3), [np.array([-1e13, 0.0, 1e13]), np.array([1.0, 2.0, 3.0])])
    low, high = y_range(panel)
    assert low <= -1e13 and high >= 1e13 and high - low < 2.5e13
    assert painting_warnings(panel.plot) == []
    assert y_range(panel) == [low, high]  # painting did not move it


@STRICT
@pytest.mark.parametrize("value", [1e308, -1.7976931348623157e308])
def test_a_parameter_near_the_largest_float_is_drawn_at_the_plot_limit(qtbot, value):
    panel = parameter_panel(qtbot, [0])
    panel.set_history(np.array([0]), [np.array([value])])
    low, high = y_range(panel)
    assert np.isfinite([low, high]).all() and low < np.sign(value) * PLOT_LIMIT < high
    assert painting_warnings(panel.plot) == []


@STRICT
def test_a_weight_of_1e308_in_the_window_raises_nothing(quiet_main_window, qtbot):
    """Typed on the canvas and flushed (as File ▸ Export does): the panel plots it."""
    window = quiet_main_window()
    assert window.files.open_path(SEED1)
    window.plots.parameter_dock.raise_()
    qtbot.waitUntil(lambda: not window.plots.parameters.visibleRegion().isEmpty())
    assert window.push(SetWeight(1, 0, 0, 1e308))
    window.plots.flush()
    panel = window.plots.parameters
    weight = panel.chosen().index(0)
    assert panel.curves[weight].getOriginalDataset()[1].tolist() == [PLOT_LIMIT]
    low, high = y_range(panel)
    assert low < PLOT_LIMIT < high
    assert painting_warnings(panel.plot) == []
    assert window.errors == []


# decision boundary ------------------------------------------------------------------------
def overflowing(outputs: int) -> Network:
    """2-2-k linear: both hidden sums are 1e308 (x₁ + x₂), inf beyond x₁ + x₂ ≈ 1.8; each
    output is a₁ − a₂, which is inf − inf = NaN there and 0 elsewhere."""
    return Network(
        (2, 2, outputs),
        ("linear", "linear"),
        [np.full((2, 2), 1e308), np.tile([1.0, -1.0], (outputs, 1))],
        [np.zeros(2), np.zeros(outputs)],
    )


def expected_gaps(panel: DecisionBoundaryPanel) -> np.ndarray:
    """Grid points (row: ys, column: xs) where 1e308 (x₁ + x₂) overflows (the grid is in
    [0.4, 1.6]², so 1e308 x₁ and 1e308 x₂ are finite: only their sum can overflow)."""
    gx, gy = np.meshgrid(panel.xs, panel.ys)
    with np.errstate(over="ignore", invalid="ignore"):
        return ~np.isfinite(1e308 * gx + 1e308 * gy)


@STRICT
@pytest.mark.parametrize("outputs", [1, 3])
def test_outputs_that_are_not_numbers_show_checkered_grey_and_a_note(qtbot, outputs):
    panel = shown(qtbot, DecisionBoundaryPanel())
    x = np.array([[0.5, 0.5], [1.5, 0.5], [0.5, 1.5], [1.5, 1.5]])
    y = np.eye(outputs)[[0, 1, 0, 1]] if outputs > 1 else np.array([[0.0], [1.0], [0.0], [1.0]])
    panel.show_network(overflowing(outputs), x, y, ("x₁", "x₂", "ŷ"))
    gaps = expected_gaps(panel)
    assert 0 < gaps.sum() < GRID * GRID
    assert np.array_equal(np.isnan(panel.output).any(axis=-1), gaps)
    assert np.array_equal(panel.gaps(), gaps)
    assert panel.gaps_note.isVisible() and panel.gaps_note.text() == NO_OUTPUT_NOTE
    assert "not a number" in panel.gaps_note.toolTip()
    assert painting_warnings(panel) == []
    image = panel.plot.grab().toImage()
    background = panel.plot.backgroundBrush().color().name()
    vb = panel.plot.getPlotItem().getViewBox()
    for r, c in [(99, 40), (60, 99), (75, 75)]:  # away from the data points
        assert gaps[r, c]
        where = panel.plot.mapFromScene(vb.mapViewToScene(QPointF(panel.xs[c], panel.ys[r])))
        colour = image.pixelColor(where)
        assert colour.red() == colour.green() == colour.blue()  # grey, no colour of the map
        assert colour.name() != background  # not left blank
    net = overflowing(outputs)
    net.w[0][...] = 1.0  # every output finite again: no pattern, no note
    panel.show_network(net, x, y, ("x₁", "x₂", "ŷ"))
    assert not panel.gaps().any() and not panel.gaps_note.isVisible()
