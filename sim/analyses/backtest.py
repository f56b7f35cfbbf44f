"""Backtesting: recorded good/total counts run through the simulator's evaluator, budgets and report.

A backtest is a run whose traffic is history instead of draws: the exporter's results store or a
Prometheus range query gives good and total events per step for each SLO, :func:`backtest_plan`
makes a :class:`~sim.scenarios.plan.Plan` of the period (the SLOs, the catalogue's alert policies, the
incidents the user marks), and :func:`sim.replay.result.assess` runs it with those counts. So alert
timing, detection delay, budget, status transitions and every output file are the simulator's own,
and a backtest of the counts a simulation produced agrees with that simulation.

Budgets are relative to the period and count events (a probe is an event), whatever the SLO's own
window and basis; the plan's warnings say when the period is not the SLO's window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.scenarios.plan import AlertPlan, IncidentPlan, ObjectivePlan, Plan, SourcePlan
from sim.scenarios.scenario import Expectations
from slo.catalogs.catalog import Catalog
from slo.foundation.durations import format_duration

FloatArray = NDArray[np.float64]
SERVICE = "recorded"


@dataclass(frozen=True)
class Period:
    """The recorded period on a grid: ``steps`` steps of ``step_seconds`` from ``start_unix``."""

    start_unix: float
    step_seconds: float
    steps: int

    @classmethod
    def covering(cls, start_unix: float, end_unix: float, step_seconds: float) -> Period:
        """Whole steps from ``start_unix`` up to (at least) ``end_unix``."""
        if step_seconds <= 0:
            raise ValueError(f"step must be positive, got {step_seconds!r}")
        if end_unix <= start_unix:
            raise ValueError("the period must end after it starts")
        steps = math.ceil((end_unix - start_unix) / step_seconds - 1e-9)
        return cls(start_unix, step_seconds, max(1, steps))

    @property
    def seconds(self) -> float:
        return self.steps * self.step_seconds

    @property
    def end_unix(self) -> float:
        return self.start_unix + self.seconds


@dataclass(frozen=True)
class MarkedIncident:
    """A span the user marks as an incident, in seconds from the period's start."""

    start_seconds: float
    end_seconds: float


def source_key(slo_id: str) -> str:
    return f"{SERVICE}.{slo_id}"


def counts_from_counters(values: FloatArray) -> FloatArray:
    """Per-step increases of a counter sampled at the ``steps + 1`` step edges.

    A missing sample (NaN) repeats the last one seen (none before the first: 0); a decrease is a
    counter reset, whose increase is the new value, as Prometheus' ``increase()`` takes it.
    """
    filled = np.asarray(values, dtype=np.float64).copy()
    seen = ~np.isnan(filled)
    if not seen.any():
        return np.zeros(max(0, len(filled) - 1))
    last = np.maximum.accumulate(np.where(seen, np.arange(len(filled)), -1))
    filled = np.where(last >= 0, filled[np.maximum(last, 0)], 0.0)
    if not seen[0]:
        filled[: int(np.argmax(seen))] = filled[int(np.argmax(seen))]
    step = np.diff(filled)
    return np.where(step < 0, filled[1:], step)


def clean_counts(good: FloatArray, total: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Counts the evaluator accepts: total ≥ 0 and 0 ≤ good ≤ total (scrapes of two series may skew)."""
    total_c = np.maximum(np.asarray(total, dtype=np.float64), 0.0)
    good_c = np.clip(np.asarray(good, dtype=np.float64), 0.0, total_c)
    return good_c, total_c


def backtest_plan(
    catalog: Catalog,
    slo_ids: Sequence[str],
    period: Period,
    *,
    name: str,
    policies: Sequence[str] | None = None,
    incidents: Sequence[MarkedIncident] = (),
    source: str = "backtest",
) -> Plan:
    """The plan of a backtest: each SLO over the period, every (or the named) catalogue policy."""
    objectives = []
    for slo_id in slo_ids:
        slo = catalog.slo(slo_id)
        if slo.target is None or slo.window_seconds is None or slo.target >= 1:
            raise ValueError(f"{slo_id} ({slo.objective.kind}, window {slo.window}) has no error budget")
        objectives.append(ObjectivePlan.from_slo(slo, source_key(slo_id), basis="events"))
    chosen = [catalog.policy(p) for p in policies] if policies else list(catalog.alert_policies)
    alerts = tuple(
        AlertPlan(o.slo_id, p.name, rule)
        for p in chosen
        for o in objectives
        for rule in p.to_rules(o.slo_window_seconds)
    )
    sources = tuple(SourcePlan(o.source, SERVICE, 0.0, 0.0, 0.0, 0.0, ()) for o in objectives)
    marked = tuple(
        IncidentPlan(
            id=f"incident-{i + 1}",
            kind="custom",
            service=SERVICE,
            sources=tuple(s.key for s in sources),
            start_seconds=m.start_seconds,
            planned_end_seconds=m.end_seconds,
            until_resolved=False,
            error_ratio=0.0,
            latency_multiplier=1.0,
            cause=None,
        )
        for i, m in enumerate(incidents)
    )
    warnings = tuple(
        f"{source}: {o.slo_id}: the period is {format_duration(period.seconds)} but the SLO's window is "
        f"{format_duration(o.slo_window_seconds)}: budgets are relative to the period"
        for o in objectives
        if abs(o.slo_window_seconds - period.seconds) > 1e-9
    )
    return Plan(
        name=name,
        description=f"backtest of {source} from Unix time {period.start_unix:g}",
        file=source,
        seed=0,
        window_seconds=period.seconds,
        step_seconds=period.step_seconds,
        evaluation_interval_seconds=period.step_seconds,
        catalog_name=catalog.name,
        sources=sources,
        objectives=tuple(objectives),
        incidents=marked,
        alerts=alerts,
        on_call=None,
        automation=None,
        sla_bindings=(),
        status_thresholds=catalog.status_thresholds,
        expectations=Expectations(),
        compare_without_automation=False,
        warnings=warnings,
    )


def recorded_streams(
    counts: Mapping[str, tuple[FloatArray, FloatArray]],
) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Per SLO id, cleaned good and total counts: the ``recorded`` argument of :func:`sim.assess`."""
    return {slo_id: clean_counts(good, total) for slo_id, (good, total) in counts.items()}
