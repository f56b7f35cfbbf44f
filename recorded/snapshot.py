"""An SLO's budget at one instant from Prometheus, in the shape of one entry of the exporter's ``/slo``.

The gate reads the exporter's view, its results file, or Prometheus; this makes the third look like
the first two (``windows`` with burn rates, ``budget`` with remaining and status, and
``latest_result_at``), so one decision function serves all three.
"""

from __future__ import annotations

from typing import Any

from recorded.prometheus import PrometheusSource, with_window
from slo.budgets.report import budget_entry, window_entry
from slo.catalogs.catalog import Catalog
from slo.foundation.durations import format_duration, parse_duration

__all__ = ["GATE_WINDOWS", "prometheus_entry"]

GATE_WINDOWS = ("1h", "6h")


def prometheus_entry(
    source: PrometheusSource,
    catalog: Catalog,
    slo_id: str,
    good_query: str,
    total_query: str,
    *,
    at: float,
    freshness_seconds: float,
) -> dict[str, Any]:
    """The budget of ``slo_id`` at ``at`` over its window, burn rates over 1 h and 6 h, and freshness.

    ``latest_result_at`` is ``at`` when the total query saw events in the last ``freshness_seconds``,
    else None: a series that stopped is stale, however healthy its last window looked.
    """
    slo = catalog.slo(slo_id)
    entry: dict[str, Any] = {"slo": slo.id, "name": slo.name, "target": source.url, "module": "prometheus"}
    target, window = slo.target, slo.window_seconds
    if target is None or window is None:
        entry["error"] = f"a {slo.objective.kind} objective over {slo.window} has no error budget to track"
        return entry

    def counts(seconds: float) -> tuple[float, float]:
        good, total = (source.instant(with_window(q, seconds), at) for q in (good_query, total_query))
        total_n = max(total or 0.0, 0.0)
        return min(max(good or 0.0, 0.0), total_n), total_n

    recent = counts(freshness_seconds)[1]
    entry["latest_result_at"] = at if recent > 0 else None
    def bad_and_total(seconds: float) -> tuple[float, float]:
        good, total = counts(seconds)
        return total - good, total

    entry["windows"] = {
        name: window_entry(*bad_and_total(parse_duration(name)), target) for name in GATE_WINDOWS
    }
    entry["budget"] = budget_entry(*bad_and_total(window), target, catalog.status_thresholds)
    entry["window"] = format_duration(window)
    return entry

