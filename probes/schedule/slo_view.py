"""The scheduled SLO view: per SLO mapped to a probe, SLIs, budget, burn rates and alerts, as JSON.

Every number comes from the ``slo`` package, the same code the simulator and the catalogue checker
use: stored results become good/total counts per 30 s step, the counts a
:class:`~slo.budgets.burn_rate.RollingSeries` whose last evaluation is "now", and from it the SLI over
each window, the burn rates, the remaining budget and its status, and which rule of each alert
policy would be firing. The step equals Prometheus' default rule evaluation interval, so ``for:``
behaves as it would there.

Which events count depends on the objective: a ratio objective counts probes (good = succeeded);
a latency objective counts the latencies probes measured (good = at or under the threshold) plus
one bad event per failed probe.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from aiohttp import web
from numpy.typing import NDArray

from probes.schedule.store import ResultStore
from slo.budgets.burn_rate import RollingSeries, evaluate_policy
from slo.budgets.report import budget_entry, window_entry
from slo.catalogs.catalog import SLO, Catalog, LatencyObjective
from slo.foundation.durations import parse_duration
from slo.foundation.input_errors import InputError
from slo.foundation.json_numbers import json_number

if TYPE_CHECKING:
    from probes.config import ProberConfig

__all__ = [
    "REPORT_WINDOWS",
    "SloBinding",
    "SloView",
    "add_slo_routes",
    "binding_series",
    "bindings",
    "recorded_counts",
    "retention_seconds",
    "slo_entry",
    "slo_report",
]

REPORT_WINDOWS: tuple[tuple[str, float], ...] = tuple(
    (name, parse_duration(name)) for name in ("5m", "30m", "1h", "6h", "1d", "3d", "28d")
)
STEP_SECONDS = 30.0
FloatArray = NDArray[np.float64]
_DEFAULT_WINDOW_SECONDS = 28 * 86400.0


@dataclass(frozen=True)
class SloBinding:
    """An SLO measured by the scheduled probes of one (target, module)."""

    slo_id: str
    target: str
    module: str


def bindings(config: ProberConfig, catalog: Catalog) -> list[SloBinding]:
    """Every (SLO, target, module) the config's ``targets:`` name; an unknown SLO id is an InputError."""
    known = {slo.id for slo in catalog.slos}
    out: list[SloBinding] = []
    for i, t in enumerate(config.targets):
        for j, slo_id in enumerate(t.slos):
            if slo_id not in known:
                reason = f"unknown SLO {slo_id!r} in catalogue {catalog.name}"
                raise InputError(f"targets[{i}].slos[{j}]: {reason}")
            out.append(SloBinding(slo_id, t.target, t.module))
    return out


def retention_seconds(catalog: Catalog, bound: Sequence[SloBinding]) -> float:
    """The longest window among the bound SLOs (28 d when none is bound): older results serve nothing."""
    windows = [catalog.slo(b.slo_id).window_seconds for b in bound]
    return max([w for w in windows if w is not None], default=_DEFAULT_WINDOW_SECONDS)


def recorded_counts(
    store: ResultStore, slo: SLO, target: str, module: str, *, start: float, step_seconds: float, steps: int
) -> tuple[FloatArray, FloatArray]:
    """Good and total events of one SLO's (target, module) per step ``(start + i·step, start + (i+1)·step]``.

    A ratio objective counts probes; a latency objective counts measured latencies against its
    threshold, plus one bad event per failed probe.
    """
    objective = slo.objective
    if isinstance(objective, LatencyObjective):
        return store.latency_counts(
            target, module, objective.threshold_seconds, start=start, step_seconds=step_seconds, steps=steps
        )
    return store.success_counts(target, module, start=start, step_seconds=step_seconds, steps=steps)


def binding_series(
    store: ResultStore, slo: SLO, binding: SloBinding, *, start: float, steps: int, step_seconds: float
) -> RollingSeries:
    """The binding's good and total events per step from ``start`` (Unix seconds), evaluated every step."""
    good, total = recorded_counts(
        store, slo, binding.target, binding.module, start=start, step_seconds=step_seconds, steps=steps
    )
    return RollingSeries.from_counts(
        good, total, step_seconds=step_seconds, evaluation_interval_seconds=step_seconds
    )


def _series(store: ResultStore, slo: SLO, binding: SloBinding, now: float, window: float) -> RollingSeries:
    steps = math.ceil(window / STEP_SECONDS)
    return binding_series(
        store, slo, binding, start=now - steps * STEP_SECONDS, steps=steps, step_seconds=STEP_SECONDS
    )


def slo_entry(store: ResultStore, catalog: Catalog, binding: SloBinding, now: float) -> dict[str, Any]:
    """The view of one binding at ``now`` (Unix seconds), JSON-ready."""
    slo = catalog.slo(binding.slo_id)
    entry: dict[str, Any] = {
        "slo": slo.id,
        "name": slo.name,
        "target": binding.target,
        "module": binding.module,
        "objective": slo.objective.kind,
        "latest_result_at": store.latest_finished_at(binding.target, binding.module),
    }
    good_ratio, window = slo.target, slo.window_seconds
    if good_ratio is None or window is None:
        entry["error"] = f"a {slo.objective.kind} objective over {slo.window} has no error budget to track"
        return entry
    entry["good_ratio_target"] = good_ratio
    entry["window_seconds"] = window
    if isinstance(slo.objective, LatencyObjective):
        entry["threshold_seconds"] = slo.objective.threshold_seconds
    # One series long enough for the SLO's window and every report window.
    series = _series(store, slo, binding, now, max(window, REPORT_WINDOWS[-1][1]))

    def bad_and_total(seconds: float) -> tuple[float, float]:
        bad, total = series.window_sums(seconds)
        return float(bad[-1]), float(total[-1])

    entry["windows"] = {
        name: window_entry(*bad_and_total(seconds), good_ratio) for name, seconds in REPORT_WINDOWS
    }
    entry["budget"] = budget_entry(*bad_and_total(window), good_ratio, catalog.status_thresholds)
    alerts: list[dict[str, Any]] = []
    if good_ratio < 1.0:
        for policy in catalog.alert_policies:
            for evaluation in evaluate_policy(series, good_ratio, policy.to_rules(window)):
                rule = evaluation.rule
                alerts.append(
                    {
                        "policy": policy.name,
                        "rule": rule.name,
                        "severity": rule.severity,
                        "action": rule.action,
                        "factor": rule.factor,
                        "windows_seconds": list(rule.windows),
                        "burn_rates": [json_number(float(b[-1])) for b in evaluation.burn_rates],
                        "firing": bool(evaluation.firing[-1]),
                    }
                )
    entry["alerts"] = alerts
    entry["firing"] = [f"{a['policy']}/{a['rule']}" for a in alerts if a["firing"]]
    return entry


def slo_report(
    store: ResultStore, catalog: Catalog, bound: Sequence[SloBinding], now: float
) -> dict[str, Any]:
    """The whole ``GET /slo`` document at ``now``."""
    return {
        "generated_at": now,
        "step_seconds": STEP_SECONDS,
        "windows": [name for name, _ in REPORT_WINDOWS],
        "results_stored": store.result_count(),
        "slos": [slo_entry(store, catalog, b, now) for b in bound],
    }


@dataclass(frozen=True)
class SloView:
    """What ``GET /slo`` needs: the results file, the catalogue, the bindings, a clock, a pre-read hook.

    ``before_read`` runs on the event loop and flushes results the scheduler still holds, so the
    view includes the last second; the report itself is computed off the loop, in a worker thread
    with its own read connection, since 28 days of results take a noticeable fraction of a second.
    """

    store_path: Path
    catalog: Catalog
    bound: tuple[SloBinding, ...]
    wall_clock: Callable[[], float]
    before_read: Callable[[], None] = lambda: None

    def report(self) -> dict[str, Any]:
        """The report now; safe to call from any thread."""
        with ResultStore.reader(self.store_path) as store:
            return slo_report(store, self.catalog, self.bound, self.wall_clock())


def add_slo_routes(app: web.Application, view: SloView) -> None:
    """Mount ``GET /slo`` (JSON) on the exporter's application."""

    async def handle(request: web.Request) -> web.Response:
        view.before_read()
        try:
            return web.json_response(await asyncio.to_thread(view.report))
        except FileNotFoundError:
            return web.json_response({"error": "no results stored yet"}, status=503)

    app.router.add_get("/slo", handle)
