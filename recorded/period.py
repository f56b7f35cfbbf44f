"""The periodic SLO report's numbers: what recorded events say about each SLO over a period.

Per SLO, over the period ``[start, end)``:

- **attainment** ``good / total`` against the target;
- **budget** of the period, ``allowed = (1 − T) × total``, ``consumed = bad / allowed`` and
  ``remaining = 1 − consumed`` (below 0 when overspent), its status, and the burn-down (remaining
  after each step, against the whole period's allowance, as the simulator draws it) with the times
  the status changed;
- **incidents**: spans where the 1-hour burn rate (the source's "budget consumed in 1 hour / budget
  per hour") was at or above the error-budget policy's warning burn rate (2x), from the first to
  the last bad step that burn saw, with peak burn rate and the budget those bad events spent;
- **alerts** every rule of every catalogue policy would have fired (evaluated on the same series,
  with lookback before the period so long windows are full);
- **SLA** outcomes at period end for the ratio commitments on the SLO's indicator, with the ladder
  step reached;
- **trend**: the same attainment and budget over the previous period.

All arithmetic is :mod:`slo`'s; counts come from :mod:`recorded.series`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from recorded.periods import format_time
from recorded.series import RecordedSeries
from sim.replay.outcome import BudgetTrack
from sim.replay.result import sla_json
from slo.budgets.budget import budget_status, budget_status_codes, consumed_fraction, event_budget
from slo.budgets.burn_rate import RELATIVE_TOLERANCE, RollingSeries, burn_rate, evaluate_policy
from slo.catalogs.catalog import SLO, Catalog
from slo.foundation.json_numbers import json_number
from slo.sla import evaluate_commitment

__all__ = ["SCHEMA", "Period", "SloPeriod", "lookback_seconds", "period_document", "slo_period"]

SCHEMA = "slo-harness/period-report/1"
# The source's burn rate is "budget consumed in 1 hour / budget per hour": incidents are read over 1 h.
INCIDENT_WINDOW_SECONDS = 3600.0
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Period:
    """The reported span and the one the trend compares it with, Unix seconds, half-open."""

    label: str
    start: float
    end: float
    previous_start: float
    previous_end: float


@dataclass(frozen=True)
class SloPeriod:
    """One SLO's figures for the period, plus its burn-down and incident spans for the plot."""

    slo: SLO
    service: str
    series_label: str
    doc: dict[str, Any]
    track: BudgetTrack
    incident_spans: tuple[tuple[float, float], ...]


def lookback_seconds(catalog: Catalog) -> float:
    """The longest alert-rule window: how much history before the period alerts need."""
    return max((r.long_window_seconds for p in catalog.alert_policies for r in p.rules), default=0.0)


def incident_rule(catalog: Catalog) -> tuple[float, float]:
    """(window, burn rate) that marks an incident: the source's 1-hour burn rate at its warning rate."""
    return INCIDENT_WINDOW_SECONDS, catalog.error_budget_policy.warning_burn_rate


def _incidents(
    catalog: Catalog, series: RecordedSeries, rolling: RollingSeries, allowed: float, a: int, b: int
) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """Each span of period steps ``[a, b)`` whose 1-hour burn rate is at or above the warning rate.

    An incident runs from the start of the first step with bad events that the span's windows saw
    (not before the period) to the end of the last bad step in the span: the time the SLO was burning.
    """
    target = catalog.slo(series.slo_id).target
    assert target is not None
    window, rate = incident_rule(catalog)
    burn = burn_rate(rolling.error_ratio(window), target)[a:b]
    with np.errstate(invalid="ignore"):
        above = np.nan_to_num(burn) >= rate * (1.0 - RELATIVE_TOLERANCE)
    bad = series.total - series.good
    reach = max(round(window / series.step_seconds), 1)
    incidents: list[dict[str, Any]] = []
    spans: list[tuple[float, float]] = []
    for first, stop in _spans(above):
        lo = max(a + first - reach + 1, a)
        hits = np.flatnonzero(bad[lo : a + stop] > 0)
        if not hits.size:
            continue
        start_t = series.start + (lo + int(hits[0])) * series.step_seconds
        end_t = series.start + (lo + int(hits[-1]) + 1) * series.step_seconds
        spent = float(bad[lo : a + stop].sum())
        spans.append((start_t, end_t))
        incidents.append(
            {
                "start": format_time(start_t),
                "start_seconds": json_number(start_t),
                "end": format_time(end_t),
                "duration_seconds": json_number(end_t - start_t),
                "peak_burn_rate": json_number(float(np.nanmax(burn[first:stop]))),
                "budget_spent": json_number(float(consumed_fraction(spent, allowed))),
            }
        )
    return incidents, spans


def _index(series: RecordedSeries, t: float) -> int:
    return int(np.clip(round((t - series.start) / series.step_seconds), 0, len(series.total)))


def _sums(series: RecordedSeries, start: float, end: float) -> tuple[float, float]:
    a, b = _index(series, start), _index(series, end)
    return float(series.good[a:b].sum()), float(series.total[a:b].sum())


def _spans(flags: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """[first, stop) index pairs of each run of True."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _alerts(
    catalog: Catalog, series: RecordedSeries, rolling: RollingSeries, track: BudgetTrack, period: Period
) -> list[dict[str, Any]]:
    """Every firing span of every catalogue rule that overlaps the period, in time order."""
    slo = catalog.slo(series.slo_id)
    assert slo.target is not None and slo.window_seconds is not None
    alerts: list[dict[str, Any]] = []
    for policy in catalog.alert_policies:
        for evaluation in evaluate_policy(rolling, slo.target, policy.to_rules(slo.window_seconds)):
            for fired, resolved in evaluation.firing_intervals():
                fired_t = series.start + fired
                resolved_t = None if resolved is None else series.start + resolved
                if fired_t >= period.end or (resolved_t is not None and resolved_t <= period.start):
                    continue
                alerts.append(
                    {
                        "policy": policy.name,
                        "rule": evaluation.rule.name,
                        "severity": evaluation.rule.severity,
                        "action": evaluation.rule.action,
                        "fired_at": format_time(fired_t),
                        "fired_at_seconds": json_number(fired_t),
                        "resolved_at_seconds": json_number(resolved_t),
                        "duration_seconds": json_number(None if resolved_t is None else resolved_t - fired_t),
                        "budget_consumed_at_fire": json_number(
                            track.consumed_at(fired_t) if fired_t >= period.start else 0.0
                        ),
                    }
                )
    return sorted(alerts, key=lambda x: (x["fired_at_seconds"], x["policy"], x["rule"]))


def slo_period(catalog: Catalog, series: RecordedSeries, period: Period) -> SloPeriod:
    """Every figure of one SLO over ``period`` from ``series`` (which must cover it and may start before)."""
    slo = catalog.slo(series.slo_id)
    target, window = slo.target, slo.window_seconds
    if target is None or window is None:
        raise ValueError(f"{slo.id}: a {slo.objective.kind} objective has no error budget to report")
    service = catalog.sli(slo.sli).service
    a, b = _index(series, period.start), _index(series, period.end)
    bad_steps = series.total - series.good
    good, total = float(series.good[a:b].sum()), float(series.total[a:b].sum())
    bad = total - good
    allowed = event_budget(target, total)
    times = series.start + series.step_seconds * np.arange(a + 1, b + 1, dtype=np.float64)
    cum_bad = np.cumsum(bad_steps[a:b])
    remaining_t = 1.0 - np.asarray(consumed_fraction(cum_bad, allowed), dtype=np.float64)
    thresholds = catalog.status_thresholds
    track = BudgetTrack(
        slo.id,
        allowed,
        times,
        cum_bad,
        np.cumsum(series.total[a:b]),
        remaining_t,
        budget_status_codes(remaining_t, thresholds),
    )
    remaining = float(remaining_t[-1]) if len(remaining_t) else 1.0
    attainment = good / total if total > 0 else None

    incidents: list[dict[str, Any]] = []
    spans: list[tuple[float, float]] = []
    alerts: list[dict[str, Any]] = []
    if target < 1.0 and b > a:
        rolling = series.rolling()
        incidents, spans = _incidents(catalog, series, rolling, allowed, a, b)
        alerts = _alerts(catalog, series, rolling, track, period)

    sla: list[dict[str, Any]] = []
    if attainment is not None:
        for contract in catalog.slas:
            for commitment in contract.commitments:
                if commitment.sli == slo.sli and commitment.statistic == "ratio":
                    sla.append(sla_json(evaluate_commitment(contract.id, commitment, attainment)))

    prev_good, prev_total = _sums(series, period.previous_start, period.previous_end)
    prev_attainment = prev_good / prev_total if prev_total > 0 else None
    prev_consumed = (
        float(consumed_fraction(prev_total - prev_good, event_budget(target, prev_total)))
        if prev_total > 0
        else None
    )
    doc = {
        "id": slo.id,
        "name": slo.name,
        "series": series.label,
        "target": json_number(target),
        "window_seconds": json_number(window),
        "good": json_number(good),
        "total": json_number(total),
        "attainment": json_number(attainment),
        "met": None if attainment is None else attainment >= target,
        "budget": {
            "allowed": json_number(allowed),
            "bad": json_number(bad),
            "consumed": json_number(1.0 - remaining),
            "remaining": json_number(remaining),
            "status": budget_status(remaining, thresholds).value,
        },
        "status_transitions": [
            {"at": format_time(t), "at_seconds": json_number(t), "from": x.value, "to": y.value}
            for t, x, y in track.transitions()
        ],
        "incidents": incidents,
        "alerts": alerts,
        "sla": sla,
        "trend": {
            "previous_attainment": json_number(prev_attainment),
            "previous_consumed": json_number(prev_consumed),
            "attainment_change": json_number(
                None if attainment is None or prev_attainment is None else attainment - prev_attainment
            ),
        },
    }
    return SloPeriod(slo, service, series.label, doc, track, tuple(spans))


def period_document(
    catalog: Catalog, period: Period, results: list[SloPeriod], *, source: str, step_seconds: float
) -> dict[str, Any]:
    """The ``report.json`` document: the period, how incidents are found, and SLOs grouped by service."""
    inc_window, inc_rate = incident_rule(catalog)
    services = []
    for service in catalog.services:
        slos = [r.doc for r in results if r.service == service.id]
        if slos:
            services.append({"id": service.id, "name": service.name, "slos": slos})
    return {
        "schema": SCHEMA,
        "catalog": catalog.name,
        "source": source,
        "period": {
            "label": period.label,
            "start": format_time(period.start),
            "end": format_time(period.end),
            "start_seconds": period.start,
            "end_seconds": period.end,
            "previous_start": format_time(period.previous_start),
            "previous_end": format_time(period.previous_end),
        },
        "step_seconds": step_seconds,
        "budget_basis": "events of the period: allowed = (1 − target) × total events in the period",
        "incident_rule": {"window_seconds": inc_window, "burn_rate": inc_rate},
        "services": services,
    }
