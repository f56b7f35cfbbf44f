"""Grafana dashboards per service over the series ``slo-harness rules`` records (grafana-foundation-sdk).

Each dashboard has, per SLO of the service: the SLI and objective over the SLO window, the error
budget remaining coloured by the catalogue's four status bands, and burn-rate trends for every
window the alert policies read with each rule's factor as a threshold line. Then, for the
exporter's scheduled probes: latency P50/P95/P99 and probe success by target and module. Queries
read the recorded ``slo:*`` series and the prober's own counters, with fixed ranges (no Grafana
variables inside PromQL), so each one also runs as it is against Prometheus' ``/api/v1/query``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboards
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import DataSourceRef, Threshold, ThresholdsMode

from slo import SLO, BudgetStatus, Catalog, format_duration
from slo.prometheus.metric_sources import PROBE_COUNTER, PROBE_LATENCY, has_budget
from slo.prometheus.prometheus_rules import ERROR_BUDGET, OBJECTIVE, PERIOD_REMAINING, recording_name

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
STATUS_COLOURS = {
    BudgetStatus.DEPLETED: "red",
    BudgetStatus.CRITICAL: "orange",
    BudgetStatus.WARNING: "yellow",
    BudgetStatus.HEALTHY: "green",
}
FACTOR_COLOURS = ("red", "orange", "yellow", "purple", "blue", "dark-red")
PROBE_RANGE = "5m"
LAST = common_builders.ReduceDataOptions().calcs(["lastNotNull"])


@dataclass(frozen=True)
class ServiceDashboard:
    """One service's dashboard as JSON-ready data."""

    service: str
    uid: str
    model: dict[str, Any]


def _query(expr: str, legend: str, ref: str) -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(DATASOURCE)


def _thresholds(steps: list[tuple[float | None, str]]) -> dashboards.ThresholdsConfig:
    return (
        dashboards.ThresholdsConfig()
        .mode(ThresholdsMode.ABSOLUTE)
        .steps([Threshold(value=v, color=c) for v, c in steps])
    )


def _budget_bands(catalog: Catalog) -> list[tuple[float | None, str]]:
    """Status bands from the catalogue's levels. Grafana colours a value at a step's bound with that
    step; a level that excludes its bound (Healthy above 50 %) differs from the catalogue only there."""
    bands: list[tuple[float | None, str]] = [(None, STATUS_COLOURS[BudgetStatus.DEPLETED])]
    for level in sorted(catalog.status_thresholds, key=lambda t: t.lower):
        bands.append((level.lower, STATUS_COLOURS[level.status]))
    return bands


def _selector(slo: SLO) -> str:
    return f'{{slo="{slo.id}"}}'


def _slo_panels(catalog: Catalog, slo: SLO, windows: list[float], factors: list[float]) -> Iterator[Any]:
    sel = _selector(slo)
    assert slo.window_seconds is not None
    period = format_duration(slo.window_seconds)
    yield (
        stat.Panel()
        .title(f"{slo.id} {slo.name}: SLI over {period}")
        .unit("percentunit")
        .decimals(3)
        .reduce_options(LAST)
        .with_target(_query(f"1 - {recording_name(slo.window_seconds)}{sel}", "SLI", "A"))
        .with_target(_query(f"{OBJECTIVE}{sel}", "objective", "B"))
        .height(5)
        .span(8)
    )
    yield (
        stat.Panel()
        .title(f"{slo.id}: error budget remaining")
        .unit("percentunit")
        .decimals(1)
        .thresholds(_thresholds(_budget_bands(catalog)))
        .color_mode(common.BigValueColorMode.BACKGROUND)
        .reduce_options(LAST)
        .with_target(_query(f"{PERIOD_REMAINING}{sel}", "remaining", "A"))
        .height(5)
        .span(4)
    )
    burn = timeseries.Panel().title(f"{slo.id}: burn rate per window").unit("x").height(5).span(12)
    for i, w in enumerate(windows):
        expr = f"{recording_name(w)}{sel} / on (slo, service, tier) {ERROR_BUDGET}{sel}"
        burn = burn.with_target(_query(expr, f"burn rate {format_duration(w)}", chr(ord("A") + i)))
    steps: list[tuple[float | None, str]] = [(None, "transparent")]
    steps += [(f, FACTOR_COLOURS[i % len(FACTOR_COLOURS)]) for i, f in enumerate(sorted(set(factors)))]
    yield (
        burn.thresholds(_thresholds(steps)).thresholds_style(
            common_builders.GraphThresholdsStyleConfig().mode(common.GraphTresholdsStyleMode.DASHED)
        )
    )


def _probe_panels() -> Iterator[Any]:
    latency = timeseries.Panel().title("Probe latency P50 / P95 / P99 by target").unit("s").height(8).span(12)
    for i, q in enumerate((0.5, 0.95, 0.99)):
        expr = (
            f"histogram_quantile({q}, sum by (le, target, module) "
            f"(rate({PROBE_LATENCY}_bucket[{PROBE_RANGE}])))"
        )
        legend = f"P{round(q * 100)} {{{{target}}}} {{{{module}}}}"
        latency = latency.with_target(_query(expr, legend, "ABC"[i]))
    yield latency
    success = (
        f'sum by (target, module) (rate({PROBE_COUNTER}{{result="success"}}[{PROBE_RANGE}])) '
        f"/ sum by (target, module) (rate({PROBE_COUNTER}[{PROBE_RANGE}]))"
    )
    yield (
        timeseries.Panel()
        .title("Probe success by target and module")
        .unit("percentunit")
        .min(0)
        .max(1)
        .height(8)
        .span(12)
        .with_target(_query(success, "{{target}} {{module}}", "A"))
    )


def service_dashboards(catalog: Catalog, policies: list[str]) -> list[ServiceDashboard]:
    """A dashboard per service that has SLOs with a budget, for the named policies (all if none)."""
    chosen = [catalog.policy(p) for p in policies] or list(catalog.alert_policies)
    out = []
    for service in catalog.services:
        slos = [s for s in catalog.slos if has_budget(s) and catalog.sli(s.sli).service == service.id]
        if not slos:
            continue
        uid = f"slo-harness-{service.id}"
        board = (
            dashboards.Dashboard(f"SLOs: {service.name}")
            .uid(uid)
            .tags(["slo-harness", "slo", service.id])
            .description(f"{catalog.name}: error budgets and burn rates of {service.name}")
            .time("now-6h", "now")
            .refresh("30s")
            .with_variable(dashboards.DatasourceVariable("datasource").label("Prometheus").type("prometheus"))
        )
        for slo in slos:
            assert slo.window_seconds is not None
            rules = [r for p in chosen for r in p.to_rules(slo.window_seconds)]
            windows = sorted({w for r in rules for w in r.windows})
            board = board.with_row(dashboards.Row(f"{slo.id} {slo.name}"))
            for panel in _slo_panels(catalog, slo, windows, [r.factor for r in rules]):
                board = board.with_panel(panel)
        board = board.with_row(dashboards.Row("Scheduled probes"))
        for panel in _probe_panels():
            board = board.with_panel(panel)
        model = json.loads(JSONEncoder(sort_keys=True).encode(board.build()))
        out.append(ServiceDashboard(service.id, uid, model))
    return out


def expressions(model: dict[str, Any]) -> list[str]:
    """Every PromQL expression in a dashboard's panels (rows included)."""
    found: list[str] = []
    for panel in model.get("panels", []):
        for inner in [panel, *panel.get("panels", [])]:
            found += [t["expr"] for t in inner.get("targets", []) if "expr" in t]
    return found
