"""What the scheduled probes saw during the demo, as ``probes/summary.json``: per module the
availability over time and the latencies measured, per bound SLO its SLI, budget spent and every
alert span the catalogue's policies would have fired, and the incident's fault windows.

Times are seconds from the start of the live phase. Alerts come from ``slo`` on the same step as the
timeline (``probes.schedule.slo_view.binding_series``); SLO windows longer than the demo read what exists, so
a rule whose long window is 1 h compares the whole demo with its factor, as Prometheus would a
freshly started series.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from demo.plan import IncidentStep
from demo.probe_config import MODULE_LABELS
from probes.config import ProberConfig
from probes.schedule.slo_view import SloBinding, binding_series, bindings
from probes.schedule.store import ResultStore
from slo.budgets.burn_rate import burn_rate, evaluate_rule
from slo.catalogs.catalog import Catalog
from slo.foundation.json_numbers import json_number

__all__ = ["SCHEMA", "IncidentWindow", "probe_summary"]

SCHEMA = "slo-harness/demo-probes/1"


@dataclass(frozen=True)
class IncidentWindow:
    """A fault as it happened: installed at ``start`` and expired at ``end`` (live-phase seconds)."""

    step: IncidentStep
    start_seconds: float
    end_seconds: float


def _numbers(values: np.ndarray[Any, np.dtype[np.float64]]) -> list[float | None]:
    return [json_number(float(v)) for v in values]


def _module_entry(
    store: ResultStore, target: str, module: str, start: float, steps: int, step: float
) -> dict[str, Any]:
    end = start + steps * step
    rows = store.results(target, module, start=start, end=end)
    good, total = store.success_counts(target, module, start=start, step_seconds=step, steps=steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        availability = np.where(total > 0, good / np.where(total > 0, total, 1.0), np.nan)
    times, seconds = store.observations(target, module, start=start, end=end)
    failed = sum(1 for _, ok, _ in rows if not ok)
    return {
        "module": module,
        "label": MODULE_LABELS.get(module, module),
        "target": target,
        "probes": len(rows),
        "failed": failed,
        "availability": json_number(1.0 - failed / len(rows)) if rows else None,
        "failure_reasons": dict(Counter(reason or "unknown" for _, ok, reason in rows if not ok)),
        "timeline": {
            "time_seconds": _numbers(step * np.arange(1, steps + 1, dtype=np.float64)),
            "availability": _numbers(availability),
        },
        "latencies": {"time_seconds": _numbers(times - start), "seconds": _numbers(seconds)},
    }


def _slo_entry(
    store: ResultStore, catalog: Catalog, binding: SloBinding, start: float, steps: int, step: float
) -> dict[str, Any]:
    slo = catalog.slo(binding.slo_id)
    series = binding_series(store, slo, binding, start=start, steps=steps, step_seconds=step)
    bad = float(series.cum_bad[-1])
    total = float(series.cum_total[-1])
    target, window = slo.target, slo.window_seconds
    entry: dict[str, Any] = {
        "slo": slo.id,
        "name": slo.name,
        "module": binding.module,
        "target": json_number(target),
        "good": total - bad,
        "total": total,
        "sli": json_number(1.0 - bad / total) if total else None,
        "alerts": [],
    }
    if target is None or window is None or not 0 < target < 1:
        return entry
    # Over the demo's own events: how fast they would spend the budget (1: exactly over the window).
    entry["burn_rate"] = json_number(float(burn_rate(bad / total, target))) if total else None
    for policy in catalog.alert_policies:
        for rule in policy.to_rules(window):
            for fired, resolved in evaluate_rule(series, target, rule).firing_intervals():
                entry["alerts"].append(
                    {
                        "policy": policy.name,
                        "rule": rule.name,
                        "severity": rule.severity,
                        "action": rule.action,
                        "fired_at_seconds": json_number(fired),
                        "resolved_at_seconds": json_number(resolved),
                    }
                )
    return entry


def probe_summary(
    store_path: Path,
    config: ProberConfig,
    catalog: Catalog,
    *,
    started_at: float,
    duration_seconds: float,
    step_seconds: float,
    incidents: list[IncidentWindow],
) -> dict[str, Any]:
    """The ``probes/summary.json`` document from the results file the demo's exporter wrote."""
    steps = max(1, int(np.ceil(duration_seconds / step_seconds)))
    with ResultStore.reader(store_path) as store:
        modules = [
            _module_entry(store, t.target, t.module, started_at, steps, step_seconds) for t in config.targets
        ]
        slos = [
            _slo_entry(store, catalog, b, started_at, steps, step_seconds) for b in bindings(config, catalog)
        ]
    return {
        "schema": SCHEMA,
        "started_at": started_at,
        "duration_seconds": json_number(duration_seconds),
        "step_seconds": step_seconds,
        "incidents": [
            {
                "name": w.step.name,
                "fault": w.step.body(),
                "start_seconds": json_number(w.start_seconds),
                "end_seconds": json_number(w.end_seconds),
            }
            for w in incidents
        ],
        "modules": modules,
        "slos": slos,
    }
