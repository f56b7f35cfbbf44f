"""What a run means: SLIs, budget spent and its status over time, alerts with detection and reset
times, automated actions, SLA outcomes. All arithmetic is :mod:`slo`'s; this module only reads the run.

The budget is the simulated window's allowance, ``(1 − T) × W`` for time-based objectives and
``(1 − T) × (events the window saw)`` for event-based ones, so the burn-down only falls and ends at
the true remaining budget. An alert is attributed to the latest incident on its SLO's source that
started before it fired and ended at most one long window earlier; detection time counts from that
incident's start and reset time (for the span still firing when it ended) from its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
from numpy.typing import NDArray

from sim.replay.engine import AlertHistory, IncidentRecord, Run
from sim.scenarios.plan import ObjectivePlan
from slo.budgets.budget import (
    STATUS_ORDER,
    BudgetStatus,
    budget_status_codes,
    consumed_fraction,
    event_budget,
    time_budget_seconds,
)
from slo.sla import CommitmentOutcome, evaluate_commitment

FloatArray = NDArray[np.float64]


class StatusSequence(Sequence[BudgetStatus]):
    """Statuses read from a code array (:data:`slo.budgets.budget.STATUS_ORDER`): no object per evaluation."""

    def __init__(self, codes: NDArray[np.int8]) -> None:
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, index: int) -> BudgetStatus: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[BudgetStatus]: ...
    def __getitem__(self, index: int | slice) -> BudgetStatus | Sequence[BudgetStatus]:
        if isinstance(index, slice):
            return StatusSequence(self.codes[index])
        return STATUS_ORDER[int(self.codes[index])]


@dataclass(frozen=True)
class BudgetTrack:
    """One SLO's budget at every evaluation time; ``status_codes`` index
    :data:`slo.budgets.budget.STATUS_ORDER`."""

    slo_id: str
    allowed: float
    times_seconds: FloatArray
    cumulative_bad: FloatArray
    cumulative_total: FloatArray
    remaining: FloatArray
    status_codes: NDArray[np.int8]

    @property
    def statuses(self) -> StatusSequence:
        return StatusSequence(self.status_codes)

    def exhausted_at(self) -> float | None:
        """The first evaluation at which no budget remained (remaining ≤ 0), or None."""
        hits = np.flatnonzero(self.remaining <= 0)
        return float(self.times_seconds[hits[0]]) if hits.size else None

    def first_reached(self, status: BudgetStatus) -> float | None:
        """The first evaluation at which the status was ``status`` or worse, or None."""
        hits = np.flatnonzero(self.status_codes >= STATUS_ORDER.index(status))
        return float(self.times_seconds[hits[0]]) if hits.size else None

    def consumed_at(self, seconds: float) -> float:
        """Budget consumed by the end of the evaluation at ``seconds`` (0 before the first)."""
        index = int(np.searchsorted(self.times_seconds, seconds - 1e-9))
        if index >= len(self.times_seconds) or self.times_seconds[index] > seconds + 1e-9:
            index -= 1
        return 0.0 if index < 0 else 1.0 - float(self.remaining[index])

    def transitions(self) -> list[tuple[float, BudgetStatus, BudgetStatus]]:
        codes = self.status_codes
        changes = np.flatnonzero(np.diff(codes, prepend=np.int8(STATUS_ORDER.index(BudgetStatus.HEALTHY))))
        before = STATUS_ORDER.index(BudgetStatus.HEALTHY)
        out = []
        for i in changes.tolist():
            out.append((float(self.times_seconds[i]), STATUS_ORDER[before], STATUS_ORDER[int(codes[i])]))
            before = int(codes[i])
        return out


@dataclass(frozen=True)
class AlertFire:
    """One firing span of one rule, with what it meant for the incident it belongs to."""

    slo_id: str
    policy: str
    rule: str
    severity: str
    action: str
    factor: float
    fired_seconds: float
    resolved_seconds: float | None
    incident: str | None
    detection_seconds: float | None
    reset_seconds: float | None
    budget_consumed_at_fire: float


def budget_track(run: Run, objective: ObjectivePlan) -> BudgetTrack:
    series = run.series[objective.slo_id]
    bad, total = series.cumulative()
    if objective.basis == "time":
        allowed = time_budget_seconds(objective.target, run.plan.window_seconds)
    else:
        allowed = event_budget(objective.target, float(series.cum_total[-1]))
    remaining = 1.0 - consumed_fraction(bad, allowed)
    codes = budget_status_codes(remaining, run.plan.status_thresholds)
    return BudgetTrack(objective.slo_id, allowed, series.times_seconds, bad, total, remaining, codes)


def _attribute(run: Run, history: AlertHistory, fired: float) -> IncidentRecord | None:
    source = run.plan.objective(history.slo_id).source
    reach = history.evaluation.rule.long_window_seconds
    candidates = [
        r
        for r in run.incidents
        if source in r.plan.sources and r.plan.start_seconds <= fired and r.end_seconds + reach >= fired
    ]
    return max(candidates, key=lambda r: r.plan.start_seconds, default=None)


def alert_fires(run: Run, tracks: dict[str, BudgetTrack]) -> list[AlertFire]:
    """Every firing span of every rule, in time order."""
    out = []
    for history in run.alerts:
        rule = history.evaluation.rule
        for fired, resolved in history.evaluation.firing_intervals():
            incident = _attribute(run, history, fired)
            reset = None
            # A span that resolves while its incident still runs is a flap, not a reset.
            if (
                incident is not None
                and resolved is not None
                and incident.ended_by is not None
                and resolved >= incident.end_seconds
            ):
                reset = resolved - incident.end_seconds
            out.append(
                AlertFire(
                    slo_id=history.slo_id,
                    policy=history.policy,
                    rule=rule.name,
                    severity=rule.severity,
                    action=rule.action,
                    factor=rule.factor,
                    fired_seconds=fired,
                    resolved_seconds=resolved,
                    incident=None if incident is None else incident.plan.id,
                    detection_seconds=None if incident is None else fired - incident.plan.start_seconds,
                    reset_seconds=reset,
                    budget_consumed_at_fire=tracks[history.slo_id].consumed_at(fired),
                )
            )
    return sorted(out, key=lambda a: (a.fired_seconds, a.slo_id, a.policy, a.rule))


def sla_outcomes(run: Run) -> list[CommitmentOutcome]:
    """Each commitment measured at window end, placed on its ladder by :func:`slo.sla.evaluate_commitment`."""
    return [evaluate_commitment(b.sla_id, b.commitment, measured) for b, measured in run.sla_measurements]
