"""The engine against the closed forms of the budget and burn-rate math, over a grid of inputs."""

from __future__ import annotations

import numpy as np
import pytest

from sim import assess, sweep
from slo import (
    BurnRateRule,
    budget_consumed_by_burn,
    first_fire_seconds_constant,
    reset_seconds_constant,
    time_budget_seconds,
)
from tests.sim.builders import rule, uptime_plan

RULES = [
    rule("single-2x-1h", 2, "1h"),
    rule("single-10x-5m", 10, "5m"),
    rule("multi-14.4x-1h", 14.4, "1h", "5m"),
    rule("multi-6x-6h", 6, "6h", "30m"),
    rule("multi-6x-6h-for-2m", 6, "6h", "30m", hold="2m"),
]
START = 86400.0 + 7.0  # not on a step or an evaluation edge


@pytest.mark.parametrize("error_ratio", [0.0008, 0.003, 0.0071, 0.02, 0.25, 1.0])
def test_first_fire_matches_closed_form(error_ratio: float) -> None:
    plan = uptime_plan(
        [
            {
                "id": "e",
                "kind": "error_ratio",
                "magnitude": error_ratio,
                "service": "node",
                "start": START,
                "duration": "until_resolved",
            }
        ],
        RULES,
    )
    result = assess(plan)
    for alert in plan.alerts:
        expected = first_fire_seconds_constant(
            target=0.9995,
            error_ratio=error_ratio,
            rule=alert.rule,
            start_seconds=START,
            evaluation_interval_seconds=30.0,
        )
        fires = [f.fired_seconds for f in result.fires if f.rule == alert.rule.name]
        if expected is None or expected > plan.window_seconds:
            assert fires == [], alert.rule.name
        else:
            assert fires and fires[0] == pytest.approx(expected, abs=1e-6), alert.rule.name


@pytest.mark.parametrize("error_ratio", [0.01, 0.2, 1.0])
def test_reset_matches_closed_form(error_ratio: float) -> None:
    end = START + 8 * 3600.0 + 13.0  # longer than every long window
    plan = uptime_plan(
        [
            {
                "id": "e",
                "kind": "error_ratio",
                "magnitude": error_ratio,
                "service": "node",
                "start": START,
                "duration": end - START,
            }
        ],
        [r for r in RULES if "for" not in r["name"]],
    )
    result = assess(plan)
    for alert in plan.alerts:
        fires = [f for f in result.fires if f.rule == alert.rule.name]
        if error_ratio < alert.rule.factor * 0.0005:
            assert fires == []
            continue
        expected = reset_seconds_constant(
            target=0.9995,
            error_ratio=error_ratio,
            rule=alert.rule,
            end_seconds=end,
            evaluation_interval_seconds=30.0,
        )
        assert len(fires) == 1, alert.rule.name
        assert fires[0].resolved_seconds == pytest.approx(expected, abs=1e-6), alert.rule.name
        assert fires[0].reset_seconds == pytest.approx(expected - end, abs=1e-6)


@pytest.mark.parametrize("duration", [60.0, 433.0, 1500.0, 7200.0, 86399.0])
def test_outage_spends_its_length_over_the_budget(duration: float) -> None:
    """On a time-based objective an outage of length d spends exactly d / B."""
    plan = uptime_plan(
        [{"id": "o", "kind": "outage", "service": "node", "start": 3600 * 5 + 3.5, "duration": duration}],
        [rule("r", 2, "1h")],
        window="28d",
    )
    result = assess(plan)
    budget = time_budget_seconds(0.9995, plan.window_seconds)
    consumed = 1.0 - float(result.tracks["SLO-NODE-001"].remaining[-1])
    assert consumed == pytest.approx(duration / budget, rel=1e-9)
    assert np.all(np.diff(result.tracks["SLO-NODE-001"].remaining) <= 0)


def test_sweep_detection_and_budget_match_closed_forms() -> None:
    """Sweep rows agree with the closed form for detection, and spend ``b × detection / W`` before it."""
    error_ratio, end = 0.05, START + 12 * 3600.0
    plan = uptime_plan(
        [
            {
                "id": "e",
                "kind": "error_ratio",
                "magnitude": error_ratio,
                "service": "node",
                "start": START,
                "duration": end - START,
            }
        ],
        [rule("r", 2, "1h")],
    )
    rows = sweep(assess(plan), factors=[2, 14.4, 50], long_windows=[300, 3600], short_ratio=12)
    for row in rows:
        alert = BurnRateRule("r", row.factor, row.long_window_seconds, row.short_window_seconds)
        expected = first_fire_seconds_constant(
            target=0.9995, error_ratio=error_ratio, rule=alert, start_seconds=START
        )
        assert expected is not None
        assert row.detected == 1 and row.false_positives == 0
        assert row.detection_seconds == pytest.approx(expected - START, abs=1e-6)
        burn = error_ratio / 0.0005
        assert row.budget_spent_before_detection == pytest.approx(
            budget_consumed_by_burn(burn, expected - START, plan.window_seconds), rel=1e-9
        )
