"""Burn-rate rules over sparse traffic: every rule of every SLO of one source in one NumPy pass.

The risk fast path evaluates a rule only at the times an incident can move it
(:meth:`~sim.montecarlo.expected_traffic.SparseTraffic.evaluation_times`), a few thousand per replication.
Evaluating each rule of each SLO on its own would cost more in NumPy calls than in arithmetic, so
:func:`firing_transitions` lays the rules of one source end to end and reads the ends and starts of
every window of every rule for every SLO of that source in one lookup
(:func:`~sim.montecarlo.expected_traffic.bad_and_total`); burn rates, comparisons and ``for:`` then come from
:mod:`slo.budgets.burn_rate` on the whole array. The arithmetic per evaluation is the one
:func:`slo.budgets.burn_rate.evaluate_rule` does, so the results are the same to the bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from sim.montecarlo.expected_traffic import SparseStream, bad_and_total
from sim.replay.traffic import FloatArray
from sim.scenarios.plan import Plan
from slo.budgets.alert_policy import BurnRateRule
from slo.budgets.burn_rate import burn_rate, error_ratios, exceeds, held_for


def firing_transitions(
    streams: Sequence[SparseStream],
    targets: Sequence[float],
    plan: Plan,
    rules: Sequence[tuple[BurnRateRule, FloatArray]],
    alerts: NDArray[np.int64],
) -> list[tuple[float, int, bool]]:
    """(time, alert index, fired?) for every change of state of the alerts on one source.

    ``streams`` (with their SLOs' ``targets``) share one source and basis; ``rules`` are the distinct
    rules (each with its evaluation times) of their alerts, and ``alerts[s, r]`` is the alert index
    of rule ``r`` on stream ``s``, or −1 where there is none. Each rule is evaluated at its own times
    only; one still firing at its last evaluation time has no resolve entry.
    """
    ends = [times for _, times in rules]
    offsets = np.cumsum([0] + [len(t) for t in ends])
    n = int(offsets[-1])
    if n == 0:
        return []
    windows = [(k, w) for k, (rule, _) in enumerate(rules) for w in rule.windows]
    bad, total = bad_and_total(
        streams, np.concatenate(ends + [ends[k] - w for k, w in windows]) / plan.step_seconds
    )
    end_index = np.concatenate([np.arange(offsets[k], offsets[k + 1]) for k, _ in windows])
    window_bad = np.take(bad, end_index, axis=1) - bad[:, n:]  # take: far faster than [:, index]
    window_total = np.broadcast_to(total[end_index] - total[n:], window_bad.shape)
    ratio = error_ratios(window_bad, window_total)
    burn = np.stack([burn_rate(row, target) for row, target in zip(ratio, targets, strict=True)])
    firing = np.ones((len(streams), n), dtype=np.bool_)
    at = 0
    for k, _ in windows:
        size = len(ends[k])
        firing[:, offsets[k] : offsets[k + 1]] &= exceeds(burn[:, at : at + size], rules[k][0])
        at += size
    for k, (rule, _) in enumerate(rules):
        if rule.for_seconds > 0:
            part = slice(offsets[k], offsets[k + 1])
            for each in firing:
                each[part] = held_for(each[part], plan.evaluation_interval_seconds, rule.for_seconds)
    before = np.empty_like(firing)  # firing at the rule's previous evaluation (none at its first)
    before[:, 1:] = firing[:, :-1]
    before[:, offsets[:-1]] = False
    times = np.concatenate(ends)
    alert = np.take(alerts, np.repeat(np.arange(len(rules)), np.diff(offsets)), axis=1)
    out: list[tuple[float, int, bool]] = []
    for edges, fired in ((firing & ~before, True), (~firing & before, False)):
        row, index = np.nonzero(edges & (alert >= 0))
        out.extend(
            (t, a, fired) for t, a in zip(times[index].tolist(), alert[row, index].tolist(), strict=True)
        )
    return out
