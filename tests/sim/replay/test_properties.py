"""Hypothesis properties of the engine: monotone in errors, in factor, and in spent budget."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import assess
from tests.sim.builders import rule, uptime_plan

RATIOS = st.floats(min_value=1e-4, max_value=1.0, allow_nan=False)
FAST = settings(max_examples=15, deadline=None)


def _first_fire(error_ratio: float, factor: float = 10.0, baseline: float = 0.0) -> float | None:
    plan = uptime_plan(
        [
            {
                "id": "e",
                "kind": "error_ratio",
                "magnitude": error_ratio,
                "service": "node",
                "start": "6h",
                "duration": "until_resolved",
            }
        ],
        [rule("r", factor, "1h", "5m")],
        window="1d",
        error_ratio=baseline,
    )
    fires = assess(plan).fires
    return fires[0].fired_seconds if fires else None


@FAST
@given(a=RATIOS, b=RATIOS)
def test_more_errors_never_fire_later(a: float, b: float) -> None:
    low, high = sorted((a, b))
    fire_low, fire_high = _first_fire(low), _first_fire(high)
    if fire_low is not None:
        assert fire_high is not None and fire_high <= fire_low


@FAST
@given(k1=st.floats(min_value=0.5, max_value=500), k2=st.floats(min_value=0.5, max_value=500), e=RATIOS)
def test_higher_factor_never_fires_earlier(k1: float, k2: float, e: float) -> None:
    low, high = sorted((k1, k2))
    fire_low, fire_high = _first_fire(e, low, baseline=1e-5), _first_fire(e, high, baseline=1e-5)
    if fire_high is not None:
        assert fire_low is not None and fire_low <= fire_high


@FAST
@given(
    starts=st.lists(st.floats(min_value=0, max_value=80000), min_size=1, max_size=4),
    lengths=st.lists(st.floats(min_value=1, max_value=20000), min_size=4, max_size=4),
)
def test_budget_remaining_never_rises_under_zero_good_traffic(
    starts: list[float], lengths: list[float]
) -> None:
    incidents = [
        {"id": f"o{i}", "kind": "outage", "service": "node", "start": s, "duration": min(d, 86400 - s)}
        for i, (s, d) in enumerate(zip(starts, lengths, strict=False))
    ]
    plan = uptime_plan(incidents, [rule("r", 2, "1h")], window="1d", error_ratio=1e-4)
    remaining = assess(plan).tracks["SLO-NODE-001"].remaining
    assert np.all(np.diff(remaining) <= 1e-12)
