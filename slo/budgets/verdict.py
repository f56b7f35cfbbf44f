"""Pass or fail for one measurement run against an objective: the load test's verdicts.

A run is judged by the objective's own definition, with the error-budget arithmetic of
``slo.budgets.budget``: a ratio or latency objective passes when the bad events stay within the budget the
run's events allow (``bad ≤ (1 − T) × total``; for a latency objective T is the percentile, good
= at or under the threshold, so "P95 < 10 s" passes when at most 5 % of txs took longer). A
throughput objective passes when an offered rate at or above its minimum was *held*: the achieved
rate stayed within ``tolerance`` of the offered one. A run without events measures nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slo.budgets.budget import consumed_fraction, event_budget

HELD_TOLERANCE = 0.05


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_MEASURED = "not_measured"


@dataclass(frozen=True)
class Judgement:
    """A verdict with the counts it rests on (``consumed``: share of the run's budget spent)."""

    verdict: Verdict
    good: float
    total: float
    consumed: float | None


def judge_events(good: float, total: float, target: float) -> Judgement:
    """A ratio objective over a run's events: pass while the bad events fit the run's budget."""
    if total <= 0:
        return Judgement(Verdict.NOT_MEASURED, good, total, None)
    consumed = consumed_fraction(total - good, event_budget(target, total))
    verdict = Verdict.PASS if consumed <= 1.0 else Verdict.FAIL
    return Judgement(verdict, good, total, consumed)


def judge_latencies(
    latencies_seconds: Sequence[float], threshold_seconds: float, percentile: float
) -> Judgement:
    """A latency objective: good = at or under the threshold; an infinite latency (a timeout) is bad."""
    values = np.asarray(latencies_seconds, dtype=np.float64)
    good = float(np.count_nonzero(values <= threshold_seconds))
    return judge_events(good, float(values.size), percentile / 100.0)


def rate_held(offered: float, achieved: float, tolerance: float = HELD_TOLERANCE) -> bool:
    """Whether the achieved rate stayed within ``tolerance`` (a share) below the offered one."""
    return offered > 0 and achieved >= offered * (1.0 - tolerance)


def judge_throughput(
    steps: Sequence[tuple[float, float]], minimum: float, tolerance: float = HELD_TOLERANCE
) -> Judgement:
    """A throughput objective from (offered, achieved) rate pairs: pass when a rate of at least
    ``minimum`` was offered and held. ``good`` is the highest held offered rate, ``total`` the minimum.

    A run that never offered ``minimum`` cannot show it: not measured.
    """
    if not any(offered >= minimum for offered, _ in steps):
        return Judgement(Verdict.NOT_MEASURED, 0.0, minimum, None)
    best = max(
        (offered for offered, achieved in steps if rate_held(offered, achieved, tolerance)), default=0.0
    )
    verdict = Verdict.PASS if best >= minimum else Verdict.FAIL
    return Judgement(verdict, best, minimum, None)
