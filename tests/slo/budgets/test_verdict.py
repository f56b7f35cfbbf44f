"""Run verdicts against hand-worked counts: the event budget of a run decides, at its exact edges."""

from __future__ import annotations

import math

import pytest

from slo.budgets.verdict import Verdict, judge_events, judge_latencies, judge_throughput, rate_held


@pytest.mark.parametrize(
    ("good", "total", "target", "verdict"),
    [
        (999, 1000, 0.999, Verdict.PASS),  # 1 bad of 1000 at 99.9 %: exactly the budget
        (998, 1000, 0.999, Verdict.FAIL),  # 2 bad: twice the budget
        (1000, 1000, 1.0, Verdict.PASS),
        (999, 1000, 1.0, Verdict.FAIL),  # a 100 % target allows nothing
        (0, 0, 0.999, Verdict.NOT_MEASURED),
    ],
)
def test_event_verdicts(good: int, total: int, target: float, verdict: Verdict) -> None:
    assert judge_events(good, total, target).verdict is verdict


def test_budget_consumed_is_bad_over_allowed() -> None:
    judgement = judge_events(990, 1000, 0.995)  # 10 bad, 5 allowed
    assert judgement.consumed == pytest.approx(2.0)


def test_p95_threshold_counts_samples_over_it() -> None:
    # 100 samples, P95 < 10 s: five above the threshold are allowed, six are not.
    five_slow = [1.0] * 95 + [11.0] * 5
    six_slow = [1.0] * 94 + [11.0] * 6
    assert judge_latencies(five_slow, 10.0, 95).verdict is Verdict.PASS
    assert judge_latencies(six_slow, 10.0, 95).verdict is Verdict.FAIL


def test_a_timeout_is_a_bad_latency_and_the_threshold_itself_is_good() -> None:
    judgement = judge_latencies([10.0, math.inf], 10.0, 50)
    assert (judgement.good, judgement.total) == (1.0, 2.0)


def test_rate_held_within_five_percent() -> None:
    assert rate_held(100.0, 95.0)
    assert not rate_held(100.0, 94.9)
    assert not rate_held(0.0, 0.0)


def test_throughput_needs_a_held_rate_at_the_minimum() -> None:
    assert judge_throughput([(25.0, 25.0), (50.0, 48.0)], 50.0).verdict is Verdict.PASS
    assert judge_throughput([(25.0, 25.0), (50.0, 40.0)], 50.0).verdict is Verdict.FAIL
    # Past the knee the node still showed 100 tx/s held: the SLO of 50 passes.
    steps = [(50.0, 50.0), (100.0, 99.0), (200.0, 101.0)]
    judgement = judge_throughput(steps, 50.0)
    assert (judgement.verdict, judgement.good) == (Verdict.PASS, 100.0)
    assert judge_throughput([(10.0, 10.0)], 50.0).verdict is Verdict.NOT_MEASURED
