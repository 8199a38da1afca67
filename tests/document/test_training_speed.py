"""TrainingSpeed: the epochs a second of a run over about the last second, on a clock the
tests set by hand."""

from __future__ import annotations

import pytest

from bpstudio.document.training_speed import TrainingSpeed


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def meter_at(start_epoch: int = 0) -> tuple[TrainingSpeed, Clock]:
    clock = Clock()
    meter = TrainingSpeed(clock)
    meter.start(start_epoch)
    return meter, clock


def feed(meter: TrainingSpeed, clock: Clock, readings: list[tuple[float, int]]) -> None:
    for seconds, epoch in readings:
        clock.now += seconds
        meter.reached(epoch)


def test_a_steady_run_reads_its_rate():
    """500 epochs every 0.1 s, from epoch 40: 5,000 epochs a second."""
    meter, clock = meter_at(40)
    feed(meter, clock, [(0.1, 40 + 500 * k) for k in range(1, 21)])
    assert meter.rate() == pytest.approx(5000.0)
    assert meter.text() == "5,000 epochs/s"


def test_no_rate_before_a_quarter_second_nor_before_any_progress():
    meter, clock = meter_at()
    assert meter.rate() is None and meter.text() == ""
    feed(meter, clock, [(0.1, 10), (0.1, 20)])
    assert meter.rate() is None and meter.text() == ""
    feed(meter, clock, [(0.1, 30)])
    assert meter.rate() == pytest.approx(100.0)


def test_the_rate_follows_the_last_second_only():
    """2 s at 1,000 epochs/s, then 1.5 s at 200: the rate is the slower one alone once the
    faster readings are more than a second old. (Steps of 1/8 s add up exactly.)"""
    meter, clock = meter_at()
    feed(meter, clock, [(0.125, 125 * k) for k in range(1, 17)])  # epoch 2,000 at 2.0 s
    feed(meter, clock, [(0.125, 2000 + 25 * k) for k in range(1, 13)])  # epoch 2,300 at 3.5 s
    assert meter.rate() == pytest.approx(200.0)


def test_half_way_through_a_change_the_window_mixes_both():
    """0.5 s after a change from 1,000 to 200 epochs/s, the last second held 500 + 100
    epochs."""
    meter, clock = meter_at()
    feed(meter, clock, [(0.125, 125 * k) for k in range(1, 17)])
    feed(meter, clock, [(0.125, 2000 + 25 * k) for k in range(1, 5)])
    assert meter.rate() == pytest.approx(600.0)


def test_slow_runs_read_with_a_decimal():
    """Run at "3 epochs/s" with one reading per epoch: 3.0, not 3."""
    meter, clock = meter_at(7)
    feed(meter, clock, [(1 / 3, 7 + k) for k in range(1, 7)])
    assert meter.rate() == pytest.approx(3.0)
    assert meter.text() == "3.0 epochs/s"


def test_start_forgets_the_last_run():
    meter, clock = meter_at()
    feed(meter, clock, [(0.1, 1000 * k) for k in range(1, 11)])
    clock.now += 60.0  # paused a minute
    meter.start(10_000)
    assert meter.rate() is None
    feed(meter, clock, [(0.25, 10_010), (0.25, 10_020)])
    assert meter.rate() == pytest.approx(40.0)
    assert meter.text() == "40 epochs/s"
