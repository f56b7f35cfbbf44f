"""Time to exhaustion and each status boundary, against the closed form of a full outage on uptime."""

from __future__ import annotations

import math

import pytest

from sim import assess, summary
from sim.reports.report import budget_window_note
from slo import time_budget_seconds
from tests.sim.builders import rule, uptime_plan

START = 86400.0 + 7.0
INTERVAL = 30.0


def _tick(seconds: float) -> float:
    return math.ceil(seconds / INTERVAL - 1e-9) * INTERVAL


@pytest.mark.parametrize("duration", ["2m", "1h"])
def test_a_full_outage_reaches_each_boundary_when_that_share_of_budget_is_spent(duration: str) -> None:
    plan = uptime_plan(
        [{"id": "down", "kind": "outage", "service": "node", "start": START, "duration": duration}],
        [rule("r", 14.4, "1h", "5m")],
    )
    doc = summary(assess(plan))
    budget = doc["slos"][0]["budget"]
    allowed = time_budget_seconds(0.9995, 3 * 86400.0)  # SLO-NODE-001 over the 3-day window: 129.6 s
    assert budget["allowed"] == pytest.approx(allowed)
    reached = budget["status_reached_at_seconds"]
    # An outage spends budget at 1 s per s: Warning at 50 % spent, Critical past 75 %, Depleted past 95 %.
    assert reached["warning"] == _tick(START + 0.50 * allowed)
    if duration == "2m":  # 120 s of 129.6: Critical (92.6 % spent), never Depleted or exhausted
        assert reached["critical"] == _tick(START + 0.75 * allowed)
        assert reached["depleted"] is None and budget["exhausted_at_seconds"] is None
    else:
        assert reached["depleted"] == _tick(START + 0.95 * allowed)
        assert budget["exhausted_at_seconds"] == _tick(START + allowed)
    transitions = [t["at_seconds"] for t in doc["slos"][0]["status_transitions"]]
    assert transitions == sorted(v for v in reached.values() if v is not None)


def test_the_report_says_which_window_budgets_are_relative_to() -> None:
    plan = uptime_plan([], [rule("r", 14.4, "1h", "5m")])
    note = budget_window_note(summary(assess(plan)))
    assert note == "Budgets are relative to the simulated window, 3d (SLO-NODE-001 is defined over 28d)."
