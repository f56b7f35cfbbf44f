"""Risk estimates against closed forms: Poisson outages against a time-based budget, pages per window.

N ~ Poisson(λW) outages of fixed length d spend N·d of a budget B, so the SLO is breached (budget
below zero at window end) with probability P(N > ⌊B/d⌋); a rule that fires once per outage pages λW
times per window on average. Each estimate must lie within 3 Monte Carlo standard errors (outages
that overlap or run past the window end make the truth differ by far less than that).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sim import Plan, parse_scenario
from sim.montecarlo.risk import outcomes, run_local, summarise
from slo import time_budget_seconds
from tests.sim.builders import rule

WINDOW_DAYS = 28
RUNS = 1000


def _plan(per_window: float, minutes: float, rules: list[dict[str, object]] | None = None) -> Plan:
    doc = {
        "name": "poisson-outages",
        "window": f"{WINDOW_DAYS}d",
        "services": {"node": {"health": {"interval": "30s"}}},
        "slos": {"SLO-NODE-001": "node.health"},  # 99.95 %, time-based: B = 20.16 min over 28 d
        "policies": [{"name": "test", "rules": rules}] if rules else [],
        "incident_processes": [
            {
                "id": "outage",
                "kind": "outage",
                "service": "node",
                "rate": f"{per_window}/{WINDOW_DAYS}d",
                "duration": f"{minutes}m",
            }
        ],
    }
    return parse_scenario(json.dumps(doc), "poisson.yaml")


def _poisson_sf(k: int, mean: float) -> float:
    """P(N > k) for N ~ Poisson(mean)."""
    return 1.0 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k + 1))


@pytest.mark.parametrize(
    ("per_window", "minutes"),
    [(0.8, 25.0), (1.5, 7.0), (3.0, 7.0), (3.0, 12.0), (5.0, 4.5)],
)
def test_breach_probability_is_poisson_tail(per_window: float, minutes: float) -> None:
    plan = _plan(per_window, minutes)
    budget = time_budget_seconds(0.9995, WINDOW_DAYS * 86400.0)
    truth = _poisson_sf(math.floor(budget / (minutes * 60.0)), per_window)
    reps = run_local(plan, seed=11, runs=RUNS, jobs=1)
    remaining = outcomes(plan, reps).values["SLO-NODE-001 budget remaining"]
    estimate = float(np.mean(remaining < 0))
    se = math.sqrt(truth * (1 - truth) / RUNS)
    assert abs(estimate - truth) <= 3 * se, (estimate, truth, se)


def test_pages_per_window_equal_the_arrival_rate() -> None:
    per_window = 2.5
    plan = _plan(per_window, 10.0, [rule("fast", 10, "5m")])
    reps = run_local(plan, seed=5, runs=RUNS, jobs=1)
    pages = summarise(outcomes(plan, reps))["means"]["test pages"]
    assert abs(pages["mean"] - per_window) <= 3 * pages["se"], pages
    assert pages["se"] > 0


def test_a_process_that_never_fires_gives_probability_zero_with_zero_variance() -> None:
    plan = _plan(0, 30.0, [rule("fast", 10, "5m")])
    summary = summarise(outcomes(plan, run_local(plan, seed=3, runs=200, jobs=1)))
    breach = summary["probabilities"]["SLO-NODE-001 exhausted"]
    assert breach["p"] == 0 and breach["se"] == 0
    assert summary["means"]["test pages"]["mean"] == 0 and summary["means"]["test pages"]["se"] == 0
    assert summary["means"]["incidents"]["mean"] == 0
