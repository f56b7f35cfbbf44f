"""Recorded counters to per-step counts, and the backtest plan, against hand-worked tables."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analyses.backtest import MarkedIncident, Period, backtest_plan, clean_counts, counts_from_counters
from slo import load_catalog

NAN = float("nan")


@pytest.mark.parametrize(
    ("samples", "counts"),
    [
        ([0, 5, 5, 12], [5, 0, 7]),
        ([3, 5, 2, 4], [2, 2, 2]),  # 5 → 2 is a reset: the counter restarted and counted 2
        ([NAN, 4, NAN, 9], [0, 0, 5]),  # no sample: the last one holds; none yet: no increase
        ([NAN, NAN, NAN], [0, 0]),
    ],
)
def test_counter_samples_become_increases(samples: list[float], counts: list[float]) -> None:
    assert counts_from_counters(np.array(samples, dtype=np.float64)).tolist() == counts


def test_skewed_counts_are_clamped_into_range() -> None:
    good, total = clean_counts(np.array([5.0, -1.0, 2.0]), np.array([4.0, 3.0, -2.0]))
    assert good.tolist() == [4.0, 0.0, 0.0] and total.tolist() == [4.0, 3.0, 0.0]


def test_the_plan_covers_the_period_and_warns_about_the_window() -> None:
    period = Period.covering(1000.0, 1000.0 + 3601.0, 30.0)
    assert (period.steps, period.seconds) == (121, 3630.0)
    plan = backtest_plan(
        load_catalog(),
        ["SLO-API-001"],
        period,
        name="b",
        policies=["sre-workbook"],
        incidents=[MarkedIncident(60.0, 120.0)],
        source="store.sqlite",
    )
    assert [a.rule.name for a in plan.alerts] == ["page-fast", "page-slow", "ticket"]
    assert plan.objectives[0].basis == "events" and plan.evaluation_interval_seconds == 30.0
    assert plan.incidents[0].error_ratio == 0.0 and plan.incidents[0].planned_end_seconds == 120.0
    assert plan.warnings == (
        "store.sqlite: SLO-API-001: the period is 1h30s but the SLO's window is 28d: "
        "budgets are relative to the period",
    )
    with pytest.raises(ValueError, match="no error budget"):
        backtest_plan(load_catalog(), ["SLO-API-005"], period, name="b")
