"""The vectorised alert evaluator against closed forms, hand-worked cases and Hypothesis properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slo.budgets.alert_policy import BurnRateRule, Comparison, budget_spent_by_factor, factor_for_budget_spent
from slo.budgets.burn_rate import (
    RollingSeries,
    burn_rate,
    evaluate_policy,
    evaluate_rule,
    first_fire_seconds_constant,
    held_for,
    reset_seconds_constant,
)

STEP = 10.0
EVAL = 30.0
PER_STEP = 100.0


def constant_incident(
    error_ratio: float, start: float, end: float, length: float
) -> tuple[np.ndarray, np.ndarray]:
    """Steady traffic with ``error_ratio`` bad between ``start`` and ``end`` (step-aligned)."""
    n = round(length / STEP)
    t = np.arange(n) * STEP
    total = np.full(n, PER_STEP)
    bad = np.where((t >= start) & (t < end), error_ratio * PER_STEP, 0.0)
    return total - bad, total


def _eval(good: np.ndarray, total: np.ndarray, target: float, rule: BurnRateRule):  # type: ignore[no-untyped-def]
    series = RollingSeries.from_counts(good, total, step_seconds=STEP, evaluation_interval_seconds=EVAL)
    return evaluate_rule(series, target, rule)


def test_burn_rate_is_error_ratio_over_allowed() -> None:
    assert burn_rate(0.001, 0.999).item() == pytest.approx(1.0)
    assert burn_rate(0.0144, 0.999).item() == pytest.approx(14.4)


def test_window_sums_by_hand() -> None:
    series = RollingSeries.from_counts(
        [10, 10, 5, 10], [10, 10, 10, 10], step_seconds=10, evaluation_interval_seconds=10
    )
    assert series.times_seconds.tolist() == [10, 20, 30, 40]
    bad, total = series.window_sums(20)
    assert bad.tolist() == [0, 0, 5, 5]
    assert total.tolist() == [10, 20, 20, 20]
    # A window of 15 s reads half of the older step.
    bad, total = series.window_sums(15)
    assert bad.tolist() == [0, 0, 5, 2.5]
    assert total.tolist() == [10, 15, 15, 15]


def test_no_traffic_means_no_ratio_and_no_alert() -> None:
    series = RollingSeries.from_counts(np.zeros(100), np.zeros(100), step_seconds=STEP)
    assert np.isnan(series.error_ratio(300)).all()
    rule = BurnRateRule("r", factor=1, long_window_seconds=300)
    assert not evaluate_rule(series, 0.999, rule).firing.any()


def test_counts_are_validated() -> None:
    with pytest.raises(ValueError, match="between 0 and total"):
        RollingSeries.from_counts([11], [10], step_seconds=10)
    with pytest.raises(ValueError, match="same length"):
        RollingSeries.from_counts([1, 2], [10], step_seconds=10)


def test_for_duration_holds_the_condition() -> None:
    cond = np.array([False, True, True, True, False, True, True, True, True])
    # for: 60 s at 30 s evaluations fires on the third consecutive true evaluation.
    assert held_for(cond, 30, 60).tolist() == [False, False, False, True, False, False, False, True, True]
    assert held_for(cond, 30, 0).tolist() == cond.tolist()


def test_hand_worked_outage_fires_the_source_rules() -> None:
    # 99.9 %, a full outage from t=2 h: 10x over 5 m needs 10 × 0.001 × 300 s = 3 s of errors,
    # so it fires at the first evaluation after the start (2 h + 30 s); 2x over 1 h needs 7.2 s.
    good, total = constant_incident(1.0, 7200, 7200 + 1500, 4 * 3600)
    fast = _eval(good, total, 0.999, BurnRateRule("10x", 10, 300))
    slow = _eval(good, total, 0.999, BurnRateRule("2x", 2, 3600))
    assert fast.first_fire_seconds() == 7230
    assert slow.first_fire_seconds() == 7230
    # After the outage ends at 7200 + 1500, 10x/5m resolves once less than 3 s of errors remain
    # in its window: 300 − 3 = 297 s later, at the next evaluation strictly after 8997 s.
    ((fired, resolved),) = fast.firing_intervals()
    assert (fired, resolved) == (7230, 9000)


rule_windows = st.integers(min_value=6, max_value=2160).map(lambda n: n * STEP)  # 1 min .. 6 h


@settings(max_examples=150, deadline=None)
@given(
    target=st.floats(min_value=0.9, max_value=0.9999),
    factor=st.floats(min_value=1.0, max_value=20.0),
    long_window=rule_windows,
    multiwindow=st.booleans(),
    for_evals=st.integers(min_value=0, max_value=4),
    excess=st.floats(min_value=1.0, max_value=50.0),
    comparison=st.sampled_from(["gt", "ge"]),
)
def test_first_fire_matches_the_closed_form(
    target: float,
    factor: float,
    long_window: float,
    multiwindow: bool,
    for_evals: int,
    excess: float,
    comparison: Comparison,
) -> None:
    threshold = factor * (1 - target)
    error_ratio = min(threshold * excess, 1.0)
    assume(threshold <= 1.0)
    assume(excess == 1.0 or excess > 1.0 + 1e-6)  # an exact tie, or clearly above it
    short = long_window / 12 if multiwindow else None
    rule = BurnRateRule("r", factor, long_window, short, for_seconds=for_evals * EVAL, comparison=comparison)
    start = math.ceil(long_window / STEP) * STEP
    needed = threshold * long_window / error_ratio
    crossing = (start + needed) / EVAL
    assume(abs(crossing - round(crossing)) > 1e-6)  # not on an evaluation instant, where floats decide
    expected = first_fire_seconds_constant(
        target=target,
        error_ratio=error_ratio,
        rule=rule,
        start_seconds=start,
        evaluation_interval_seconds=EVAL,
    )
    if error_ratio == threshold and comparison == "gt":
        # A burn rate exactly at the factor is not above it: the workbook's rule never fires.
        assert expected is None
        good, total = constant_incident(error_ratio, start, math.inf, start + 3 * long_window)
        assert not _eval(good, total, target, rule).firing.any()
        return
    assert expected is not None
    good, total = constant_incident(error_ratio, start, math.inf, expected + 2 * EVAL)
    assert _eval(good, total, target, rule).first_fire_seconds() == expected


@settings(max_examples=60, deadline=None)
@given(
    target=st.floats(min_value=0.9, max_value=0.9999),
    factor=st.floats(min_value=1.0, max_value=20.0),
    long_window=rule_windows,
    shortfall=st.floats(min_value=0.05, max_value=0.99),
)
def test_below_the_threshold_nothing_ever_fires(
    target: float, factor: float, long_window: float, shortfall: float
) -> None:
    error_ratio = factor * (1 - target) * shortfall
    rule = BurnRateRule("r", factor, long_window, long_window / 12)
    assert (
        first_fire_seconds_constant(target=target, error_ratio=error_ratio, rule=rule, start_seconds=0)
        is None
    )
    good, total = constant_incident(min(error_ratio, 1.0), long_window, math.inf, 4 * long_window)
    assert not _eval(good, total, target, rule).firing.any()


@settings(max_examples=80, deadline=None)
@given(
    target=st.sampled_from([0.99, 0.995, 0.999, 0.9995]),
    factor=st.sampled_from([1.0, 2.0, 5.0, 6.0, 10.0, 14.4]),
    long_window=rule_windows,
    excess=st.floats(min_value=1.2, max_value=50.0),
    multiwindow=st.booleans(),
)
def test_reset_time_matches_the_closed_form(
    target: float, factor: float, long_window: float, excess: float, multiwindow: bool
) -> None:
    error_ratio = min(factor * (1 - target) * excess, 1.0)
    assume(error_ratio > factor * (1 - target) * 1.01)
    rule = BurnRateRule("r", factor, long_window, long_window / 12 if multiwindow else None)
    start = math.ceil(long_window / STEP) * STEP
    end = start + math.ceil(long_window / STEP) * STEP + 600
    instant = min(w * (1 - factor * (1 - target) / error_ratio) for w in rule.windows) + end
    assume(abs(instant / EVAL - round(instant / EVAL)) > 1e-6)
    expected = reset_seconds_constant(
        target=target, error_ratio=error_ratio, rule=rule, end_seconds=end, evaluation_interval_seconds=EVAL
    )
    good, total = constant_incident(error_ratio, start, end, end + 2 * long_window + EVAL)
    intervals = _eval(good, total, target, rule).firing_intervals()
    assert len(intervals) == 1
    assert intervals[0][1] == expected


@settings(max_examples=60, deadline=None)
@given(
    ratios=st.tuples(st.floats(0.001, 1.0), st.floats(0.001, 1.0)),
    factors=st.tuples(st.floats(1.0, 20.0), st.floats(1.0, 20.0)),
    long_window=st.sampled_from([300.0, 900.0, 3600.0]),
)
def test_more_errors_never_fire_later_and_higher_factors_never_earlier(
    ratios: tuple[float, float], factors: tuple[float, float], long_window: float
) -> None:
    low_e, high_e = sorted(ratios)
    low_k, high_k = sorted(factors)
    length = 4 * long_window

    def fire(e: float, k: float) -> float:
        good, total = constant_incident(e, long_window, math.inf, length)
        t = _eval(good, total, 0.99, BurnRateRule("r", k, long_window, long_window / 12)).first_fire_seconds()
        return math.inf if t is None else t

    assert fire(high_e, low_k) <= fire(low_e, low_k)
    assert fire(low_e, high_k) >= fire(low_e, low_k)


def test_policy_evaluates_every_rule() -> None:
    good, total = constant_incident(1.0, 3 * 86400, 3 * 86400 + 1500, 4 * 86400)
    rules = [
        BurnRateRule("a", 14.4, 3600, 300),
        BurnRateRule("b", 6, 21600, 1800),
        BurnRateRule("c", 1, 259200, 21600),
    ]
    series = RollingSeries.from_counts(good, total, step_seconds=STEP)
    evals = evaluate_policy(series, 0.999, rules)
    assert [e.rule.name for e in evals] == ["a", "b", "c"]
    # A 25-minute outage spends 1500 / 2419.2 = 62 % of a 99.9 % budget: every rule pages or tickets.
    assert all(e.first_fire_seconds() is not None for e in evals)


def test_factor_derivation_sloth_style() -> None:
    month, four_weeks = 30 * 86400, 28 * 86400
    assert factor_for_budget_spent(0.02, month, 3600) == pytest.approx(14.4)
    assert factor_for_budget_spent(0.02, four_weeks, 3600) == pytest.approx(13.44)
    assert budget_spent_by_factor(14.4, four_weeks, 3600) == pytest.approx(0.0214286, rel=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"factor": 0, "long_window_seconds": 60},
        {"factor": 1, "long_window_seconds": 0},
        {"factor": 1, "long_window_seconds": 60, "short_window_seconds": 120},
        {"factor": 1, "long_window_seconds": 60, "for_seconds": -1},
    ],
)
def test_bad_rules_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="rule 'r'"):
        BurnRateRule("r", **kwargs)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(
    counts=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=40),
    step=st.sampled_from([1.0, 2.0, 10.0]),
    every=st.integers(1, 4),
    window_steps=st.sampled_from([0.5, 1.0, 3.0, 7.5, 100.0]),
)
def test_grid_slices_read_what_interpolation_reads(
    counts: list[tuple[int, int]], step: float, every: int, window_steps: float
) -> None:
    """The strided-slice reading of whole-step windows equals the general interpolation, exactly."""
    total = [float(max(a, b)) for a, b in counts]
    good = [float(min(a, b)) for a, b in counts]
    grid = RollingSeries.from_counts(good, total, step_seconds=step, evaluation_interval_seconds=every * step)
    general = RollingSeries(
        grid.step_seconds, grid.evaluation_interval_seconds, grid.cum_bad, grid.cum_total, grid.times_seconds
    )
    window = window_steps * step
    for ours, theirs in zip(grid.window_sums(window), general.window_sums(window), strict=True):
        assert np.array_equal(ours, theirs)
    for ours, theirs in zip(grid.cumulative(), general.cumulative(), strict=True):
        assert np.array_equal(ours, theirs)
