"""Burn rates over rolling windows and the timing of burn-rate alerts, vectorised over NumPy series.

A series is good and total event counts per fixed step (step ``i`` covers ``(i·step, (i+1)·step]``).
Rolling windows come from one cumulative sum, read at fractional positions (events are taken as
spread evenly within a step), so any window and evaluation interval work and no window is rescanned.
Evaluations happen at ``t = j × evaluation_interval`` for ``j ≥ 1``, as a Prometheus rule group does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from slo.budgets.alert_policy import BurnRateRule

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# A burn rate within float noise of the factor is a tie: 1 − 0.999 is 0.0010000000000000009 in
# binary, so an error ratio of exactly 0.01 would otherwise read as a 9.999999999999998x burn, where
# Prometheus compares 0.01 with the literal 0.01 and sees them equal. A tie fires under "ge" only.
RELATIVE_TOLERANCE = 1e-9
# Error ratios kept per series: a policy's rules share a few windows, and each array of a 28-day
# series at 1 s evaluations is 19 MB, so the cache holds the most recent few rather than all.
_CACHED_WINDOWS = 4


def burn_rate(error_ratio: ArrayLike, target: float) -> FloatArray:
    """``error_ratio / (1 - T)``: 1 spends the budget exactly over the objective's window."""
    if not 0 < target < 1:
        raise ValueError(f"burn rate needs a target in (0, 1), got {target!r}")
    return np.asarray(error_ratio, dtype=np.float64) / (1.0 - target)


def error_ratios(bad: FloatArray, total: FloatArray) -> FloatArray:
    """Bad / total per window, NaN where a window saw no events (as in PromQL).

    Written in place into ``bad`` (which the caller gives up): a 28-day series at 1 s evaluations
    makes every temporary 19 MB.
    """
    seen = total > 0
    ratio = np.divide(bad, total, out=bad, where=seen)
    ratio[~seen] = np.nan
    return ratio


@dataclass
class RollingSeries:
    """Good/total counts per step, with window sums read at any evaluation time.

    >>> s = RollingSeries.from_counts([10, 10, 5, 10], [10, 10, 10, 10], step_seconds=10,
    ...                               evaluation_interval_seconds=10)
    >>> s.error_ratio(20).tolist()
    [0.0, 0.0, 0.25, 0.25]
    """

    step_seconds: float
    evaluation_interval_seconds: float
    cum_bad: FloatArray
    cum_total: FloatArray
    times_seconds: FloatArray
    _cache: dict[float, FloatArray] = field(default_factory=dict, repr=False)
    # Set by from_counts: evaluation j is at (j + 1) × interval, so whole-step offsets are slices.
    _on_grid: bool = field(default=False, repr=False)

    @classmethod
    def from_counts(
        cls,
        good: ArrayLike,
        total: ArrayLike,
        *,
        step_seconds: float,
        evaluation_interval_seconds: float = 30.0,
    ) -> RollingSeries:
        good_a = np.asarray(good, dtype=np.float64)
        total_a = np.asarray(total, dtype=np.float64)
        if good_a.shape != total_a.shape or good_a.ndim != 1:
            raise ValueError("good and total must be 1-D arrays of the same length")
        if np.any(good_a > total_a) or np.any(good_a < 0):
            raise ValueError("good counts must lie between 0 and total")
        if step_seconds <= 0 or evaluation_interval_seconds <= 0:
            raise ValueError("step and evaluation interval must be positive")
        zero = np.zeros(1)
        cum_bad = np.concatenate([zero, np.cumsum(total_a - good_a)])
        cum_total = np.concatenate([zero, np.cumsum(total_a)])
        span = len(total_a) * step_seconds
        n_eval = math.floor(span / evaluation_interval_seconds + 1e-9)
        times = evaluation_interval_seconds * np.arange(1, n_eval + 1, dtype=np.float64)
        return cls(step_seconds, evaluation_interval_seconds, cum_bad, cum_total, times, _on_grid=True)

    def _at(self, cum: FloatArray, seconds: FloatArray) -> FloatArray:
        pos = np.clip(seconds / self.step_seconds, 0.0, len(cum) - 1)
        return np.interp(pos, np.arange(len(cum), dtype=np.float64), cum)

    def _whole_steps(self, seconds: float) -> int | None:
        steps = seconds / self.step_seconds
        return round(steps) if abs(steps - round(steps)) <= 1e-9 else None

    def _lagged(self, cum: FloatArray, lag_seconds: float) -> FloatArray:
        """``cum`` at every evaluation time minus ``lag_seconds`` (before the start: the first value).

        On the usual grid (the evaluation interval and the lag whole numbers of steps) that is a
        strided slice of ``cum``, read without copying it; otherwise linear interpolation.
        """
        every, lag = self._whole_steps(self.evaluation_interval_seconds), self._whole_steps(lag_seconds)
        n = len(self.times_seconds)
        if not self._on_grid or every is None or lag is None or every < 1 or n == 0:
            return self._at(cum, self.times_seconds - lag_seconds)
        # Evaluation j reads position (j + 1) × every − lag; the first ``skip`` fall before the start.
        skip = min(n, max(0, -(-lag // every) - 1))
        tail = cum[(skip + 1) * every - lag :: every][: n - skip]
        if skip == 0:
            return tail
        return np.concatenate([np.full(skip, cum[0]), tail])

    def cumulative(self) -> tuple[FloatArray, FloatArray]:
        """Bad and total events from the start of the series up to each evaluation time."""
        return self._lagged(self.cum_bad, 0.0), self._lagged(self.cum_total, 0.0)

    def window_sums(self, window_seconds: float) -> tuple[FloatArray, FloatArray]:
        """Bad and total events in ``(t - window, t]`` at each evaluation time ``t``."""
        if window_seconds <= 0:
            raise ValueError(f"window must be positive, got {window_seconds!r}")
        bad = self._lagged(self.cum_bad, 0.0) - self._lagged(self.cum_bad, window_seconds)
        total = self._lagged(self.cum_total, 0.0) - self._lagged(self.cum_total, window_seconds)
        return bad, total

    def error_ratio(self, window_seconds: float) -> FloatArray:
        """Bad / total over each trailing window; NaN where the window saw no events (as in PromQL)."""
        cached = self._cache.get(window_seconds)
        if cached is None:
            cached = error_ratios(*self.window_sums(window_seconds))
            if len(self._cache) >= _CACHED_WINDOWS:
                del self._cache[next(iter(self._cache))]
            self._cache[window_seconds] = cached
        return cached


@dataclass(frozen=True)
class RuleEvaluation:
    """What one rule did over a series: condition and firing per evaluation, burn rates on demand.

    The burn rates are recomputed from the series when asked for rather than kept: a rule on a
    28-day series at 1 s evaluations would otherwise hold 19 MB per window.
    """

    rule: BurnRateRule
    times_seconds: FloatArray
    condition: BoolArray
    firing: BoolArray
    series: RollingSeries = field(repr=False)
    target: float

    @property
    def burn_rates(self) -> tuple[FloatArray, ...]:
        """The burn rate over each of the rule's windows at every evaluation."""
        return tuple(burn_rate(self.series.error_ratio(w), self.target) for w in self.rule.windows)

    def first_fire_seconds(self) -> float | None:
        hits = np.flatnonzero(self.firing)
        return float(self.times_seconds[hits[0]]) if hits.size else None

    def firing_intervals(self) -> list[tuple[float, float | None]]:
        """(fired_at, resolved_at) per firing span; resolved_at is None if still firing at the end."""
        f = self.firing.astype(np.int8)
        edges = np.diff(np.concatenate([[0], f, [0]]))
        starts = np.flatnonzero(edges == 1)
        stops = np.flatnonzero(edges == -1)
        out: list[tuple[float, float | None]] = []
        for a, b in zip(starts, stops, strict=True):
            resolved = float(self.times_seconds[b]) if b < len(self.times_seconds) else None
            out.append((float(self.times_seconds[a]), resolved))
        return out


def held_for(condition: BoolArray, interval_seconds: float, for_seconds: float) -> BoolArray:
    """Prometheus ``for:``: true where the condition has held continuously for ``for_seconds``."""
    if for_seconds <= 0:
        return condition.copy()
    idx = np.arange(len(condition))
    last_false = np.maximum.accumulate(np.where(condition, -1, idx))
    elapsed = (idx - last_false - 1) * interval_seconds
    return condition & (elapsed >= for_seconds - 1e-9 * interval_seconds)


def exceeds(burn: FloatArray, rule: BurnRateRule) -> BoolArray:
    """Where ``burn`` exceeds the rule's factor by its comparison; a tie within float noise is equal."""
    with np.errstate(invalid="ignore"):
        if rule.comparison == "ge":
            return np.asarray(burn >= rule.factor * (1.0 - RELATIVE_TOLERANCE))
        return np.asarray(burn > rule.factor * (1.0 + RELATIVE_TOLERANCE))


def evaluate_rule(series: RollingSeries, target: float, rule: BurnRateRule) -> RuleEvaluation:
    """Evaluate one burn-rate rule at every evaluation time of ``series``."""
    condition = np.ones(len(series.times_seconds), dtype=np.bool_)
    for window in rule.windows:
        condition &= exceeds(burn_rate(series.error_ratio(window), target), rule)
    firing = held_for(condition, series.evaluation_interval_seconds, rule.for_seconds)
    return RuleEvaluation(rule, series.times_seconds, condition, firing, series, target)


def evaluate_policy(
    series: RollingSeries, target: float, rules: Sequence[BurnRateRule]
) -> list[RuleEvaluation]:
    """Evaluate every rule of a policy; windows the rules share are summed once."""
    return [evaluate_rule(series, target, rule) for rule in rules]


def _round_up(value: float, step: float) -> float:
    # A value within float noise of an evaluation instant belongs to that instant.
    return math.ceil(value / step - 1e-9) * step


def _next_after(value: float, step: float) -> float:
    """The first evaluation strictly after ``value`` (one within float noise of it counts as at it)."""
    return math.floor(value / step + 1e-9) * step + step


def first_fire_seconds_constant(
    *,
    target: float,
    error_ratio: float,
    rule: BurnRateRule,
    start_seconds: float,
    evaluation_interval_seconds: float = 30.0,
) -> float | None:
    """Closed form: when ``rule`` first fires for a constant error ratio that starts at ``start_seconds``.

    Traffic is steady and error-free for at least one long window before the start. Over a window
    ``w`` the burn rate reaches ``k`` once ``k (1 - T) w / e`` has elapsed; every window must get there.
    Under "ge" the result is rounded up to the next evaluation, under "gt" it is the first evaluation
    strictly after; then ``for:`` is added in whole evaluations. None when the rule never fires:
    ``e < k (1 - T)``, or ``e = k (1 - T)`` under "gt".
    """
    threshold = rule.factor * (1.0 - target)
    tie = abs(error_ratio - threshold) <= RELATIVE_TOLERANCE * threshold
    if error_ratio <= 0 or error_ratio < threshold or (tie and rule.comparison == "gt"):
        return None
    needed = max(threshold * w / error_ratio for w in rule.windows)
    step = evaluation_interval_seconds
    fire = (_round_up if rule.comparison == "ge" else _next_after)(start_seconds + needed, step)
    if rule.for_seconds > 0:
        fire += _round_up(rule.for_seconds, step)
    return fire


def reset_seconds_constant(
    *,
    target: float,
    error_ratio: float,
    rule: BurnRateRule,
    end_seconds: float,
    evaluation_interval_seconds: float = 30.0,
) -> float:
    """Closed form: when a firing rule resolves after a constant error ratio stops at ``end_seconds``.

    The errors lasted at least one long window, so every window was full of them. A window ``w``
    is back at ``k`` once ``w (1 - k (1 - T) / e)`` has passed; the rule resolves when its first
    window is no longer over the factor: at the first evaluation strictly after that under "ge", at
    or after it under "gt".
    """
    threshold = rule.factor * (1.0 - target)
    if error_ratio < threshold:
        raise ValueError("the rule never fired at this error ratio")
    needed = min(w * (1.0 - threshold / error_ratio) for w in rule.windows)
    step = evaluation_interval_seconds
    return (_next_after if rule.comparison == "ge" else _round_up)(end_seconds + needed, step)
