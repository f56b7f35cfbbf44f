"""Budget arithmetic against hand-worked figures and its identities under Hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slo.budgets.budget import (
    STATUS_ORDER,
    BudgetStatus,
    budget_consumed_by_burn,
    budget_status,
    budget_status_codes,
    consumed_fraction,
    event_budget,
    remaining_fraction,
    time_budget_seconds,
    time_to_exhaustion_seconds,
)

DAY = 86400.0
targets = st.floats(min_value=0.5, max_value=0.99999, allow_nan=False)
windows = st.floats(min_value=60.0, max_value=400 * DAY, allow_nan=False)


@pytest.mark.parametrize(
    ("target", "days", "minutes"),
    [
        (0.999, 28, 40.32),  # the source's worked example
        (0.9995, 28, 20.16),
        (0.995, 28, 201.6),
        (0.99, 28, 403.2),
        (0.95, 28, 2016.0),
        (0.999, 30, 43.2),
        (0.9999, 28, 4.032),
    ],
)
def test_time_budget_closed_forms(target: float, days: int, minutes: float) -> None:
    assert time_budget_seconds(target, days * DAY) / 60 == pytest.approx(minutes, rel=1e-9)


def test_event_budget_counts_bad_events() -> None:
    # 28 days at 50 TPS is 120,960,000 requests; 99.9 % allows 120,960 bad ones.
    assert event_budget(0.999, 120_960_000.0) == pytest.approx(120_960.0)


def test_hundred_percent_target_allows_nothing() -> None:
    assert time_budget_seconds(1.0, 28 * DAY) == 0.0
    assert consumed_fraction(0.0, 0.0) == 0.0
    assert consumed_fraction(1.0, 0.0) == math.inf


@pytest.mark.parametrize("bad_target", [0.0, -0.1, 1.5, math.nan])
def test_targets_outside_the_unit_interval_are_refused(bad_target: float) -> None:
    with pytest.raises(ValueError, match="target"):
        time_budget_seconds(bad_target, DAY)


@given(targets, windows, st.floats(min_value=0.01, max_value=100.0))
def test_budget_is_linear_in_one_minus_target_times_window(
    target: float, window: float, scale: float
) -> None:
    budget = time_budget_seconds(target, window)
    assert budget == pytest.approx((1 - target) * window, rel=1e-12)
    assert time_budget_seconds(target, window * scale) == pytest.approx(budget * scale, rel=1e-9)
    # Halving the allowed unreliability halves the budget.
    tighter = 1 - (1 - target) / 2
    assert time_budget_seconds(tighter, window) == pytest.approx(budget / 2, rel=1e-6)


@given(st.floats(min_value=0, max_value=1e9), st.floats(min_value=1e-6, max_value=1e9))
def test_consumed_plus_remaining_is_one(bad: float, allowed: float) -> None:
    assert consumed_fraction(bad, allowed) + remaining_fraction(bad, allowed) == pytest.approx(1.0)


def test_fractions_work_elementwise_on_arrays() -> None:
    bad = np.array([0.0, 20.16, 40.32, 80.64])
    out = remaining_fraction(bad, np.full(4, 40.32))
    assert out.tolist() == pytest.approx([1.0, 0.5, 0.0, -1.0])


@pytest.mark.parametrize(
    ("remaining", "status"),
    [
        (1.0, BudgetStatus.HEALTHY),
        (0.5000001, BudgetStatus.HEALTHY),
        (0.5, BudgetStatus.WARNING),
        (0.25, BudgetStatus.WARNING),
        (0.2499999, BudgetStatus.CRITICAL),
        (0.05, BudgetStatus.CRITICAL),
        (0.0499999, BudgetStatus.DEPLETED),
        (0.0, BudgetStatus.DEPLETED),
        (-3.0, BudgetStatus.DEPLETED),
    ],
)
def test_status_boundaries(remaining: float, status: BudgetStatus) -> None:
    assert budget_status(remaining) is status


_ORDER = list(BudgetStatus)


@given(st.floats(min_value=-2, max_value=2), st.floats(min_value=-2, max_value=2))
def test_status_is_monotone_in_remaining_budget(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert _ORDER.index(budget_status(high)) <= _ORDER.index(budget_status(low))


def test_exhaustion_and_consumption_at_a_burn_rate() -> None:
    window = 28 * DAY
    # 14.4x empties a 28-day budget in 28 d / 14.4 = 46.67 h, spending 2.14 % per hour.
    assert time_to_exhaustion_seconds(window, 14.4) / 3600 == pytest.approx(46.6667, rel=1e-4)
    assert budget_consumed_by_burn(14.4, 3600, window) == pytest.approx(14.4 / 672)
    assert time_to_exhaustion_seconds(window, 0.0) == math.inf
    assert time_to_exhaustion_seconds(window, 2.0, remaining=0.5) == pytest.approx(7 * DAY)


@given(st.floats(min_value=0.01, max_value=1000), windows)
def test_burning_for_the_exhaustion_time_spends_exactly_the_budget(rate: float, window: float) -> None:
    assert budget_consumed_by_burn(rate, time_to_exhaustion_seconds(window, rate), window) == pytest.approx(
        1.0
    )


@given(
    st.lists(
        st.one_of(
            st.floats(min_value=-2.0, max_value=2.0, allow_nan=False),
            st.sampled_from([0.5, 0.25, 0.05, 0.0, float("nan")]),
        ),
        max_size=50,
    )
)
def test_status_codes_agree_with_budget_status_elementwise(remaining: list[float]) -> None:
    codes = budget_status_codes(np.array(remaining, dtype=np.float64))
    assert [STATUS_ORDER[c] for c in codes.tolist()] == [budget_status(r) for r in remaining]
