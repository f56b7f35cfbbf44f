"""``slo-harness report``: the periodic SLO report from recorded data, or the demo's index of results.

With a source (``--store`` or ``--prometheus``) it reads each SLO's good/total events over the period,
the previous period (the trend) and the alert rules' longest window before it, and writes
``OUT/report.json`` and a self-contained ``OUT/report.html``. With only ``RESULTS_DIR`` it rebuilds
the demo's index page from existing result folders.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slo.foundation.durations import parse_duration
from slo_harness.commands.catalog_commands import load_or_fail
from slo_harness.shared.source_options import (
    GoodOption,
    PrometheusOption,
    SelectorOption,
    StoreOption,
    TotalOption,
)
from slo_harness.shared.terminal import fail

if TYPE_CHECKING:
    from recorded.period import Period
    from recorded.series import RecordedSeries
    from slo.catalogs.catalog import Catalog

__all__ = ["register"]

# The store (aiohttp via the prober), the report's figures (the simulator) and its page (matplotlib)
# are imported inside the functions that use them, so the CLI starts fast.


def _period(month: str | None, start: str | None, end: str | None, now: float) -> Period:
    from recorded.period import Period
    from recorded.periods import month_period, parse_time, previous_period

    if (month is None) == (start is None and end is None):
        raise ValueError("give --period YYYY-MM or --from T --to T")
    if month is not None:
        a, b = month_period(month)
        label = month
    else:
        if start is None or end is None:
            raise ValueError("--from and --to go together")
        a, b = parse_time(start), parse_time(end)
        label = f"{start} to {end}"
    if b <= a:
        raise ValueError("the period ends before it starts")
    if a >= now:
        raise ValueError(f"{label} has not started yet")
    previous = previous_period(a, b, month)
    return Period(label, a, min(b, now), *previous)


def _budgeted(catalog: Catalog, slo_id: str) -> bool:
    slo = catalog.slo(slo_id)
    return slo.target is not None and slo.window_seconds is not None


def _from_store(
    path: Path, catalog: Catalog, slo_ids: list[str], first: float, step: float, steps: int
) -> list[RecordedSeries]:
    from probes.schedule.store import ResultStore
    from recorded.series import from_store

    if not path.exists():
        raise fail(f"{path}: no results store")
    with ResultStore.reader(path) as store:
        rows = [r for r in store.bindings() if not slo_ids or r[0] in slo_ids]
        missing = set(slo_ids) - {r[0] for r in rows}
        if missing:
            raise fail(f"{path}: no series measures {sorted(missing)[0]} (the exporter's targets: name SLOs)")
        known = {s.id for s in catalog.slos}
        return [
            from_store(store, catalog.slo(slo), target, module, start=first, step_seconds=step, steps=steps)
            for slo, target, module in rows
            if slo in known and _budgeted(catalog, slo)
        ]


def _from_prometheus(
    url: str,
    catalog: Catalog,
    slo_ids: list[str],
    queries: tuple[str | None, str | None, str],
    first: float,
    step: float,
    steps: int,
) -> list[RecordedSeries]:
    from recorded.prometheus import PrometheusSource, SourceError, queries_for
    from recorded.series import from_prometheus

    if not slo_ids:
        raise fail("--slo: name the SLOs to report with --prometheus")
    client = PrometheusSource(url)
    series = []
    try:
        for slo_id in slo_ids:
            good_q, total_q = queries_for(catalog.slo(slo_id), *queries)
            series.append(
                from_prometheus(client, slo_id, good_q, total_q, start=first, step_seconds=step, steps=steps)
            )
    except SourceError as exc:
        raise fail(str(exc)) from None
    return series


def register(app: typer.Typer) -> None:
    """Add ``report`` to the CLI."""

    @app.command("report")
    def report(
        results_dir: Annotated[
            Path | None, typer.Argument(help="Result folders to rebuild the demo's index from.")
        ] = None,
        month: Annotated[str | None, typer.Option("--period", help="A month, e.g. 2026-11 (UTC).")] = None,
        start: Annotated[str | None, typer.Option("--from", help="Start, e.g. 2026-11-01T00:00:00Z.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="End (exclusive).")] = None,
        store: StoreOption = None,
        prometheus: PrometheusOption = None,
        good: GoodOption = None,
        total: TotalOption = None,
        selector: SelectorOption = "",
        slo_ids: Annotated[list[str], typer.Option("--slo", help="SLO id; repeat for several.")] = [],  # noqa: B006
        catalog: Annotated[Path | None, typer.Option("--catalog", help="SLO catalogue.")] = None,
        step: Annotated[str, typer.Option("--step", help="Resolution of the counts read.")] = "30s",
        out: Annotated[Path | None, typer.Option("--out", help="Directory for report.html/json.")] = None,
    ) -> None:
        """Periodic SLO report (attainment, budget, incidents, alerts, SLA, trend) as HTML + JSON."""
        if store is None and prometheus is None:
            if results_dir is not None:
                from slo_harness.commands.demo_commands import rebuild_index

                rebuild_index(results_dir)
                return
            raise fail("give --store or --prometheus (or RESULTS_DIR to rebuild the demo's index)")
        if store is not None and prometheus is not None:
            raise fail("give one of --store and --prometheus")
        if out is None:
            raise fail("--out: name the directory for the report")
        cat = load_or_fail(catalog)
        try:
            period = _period(month, start, end, time.time())
            step_seconds = parse_duration(step)
            for slo_id in slo_ids:
                if not _budgeted(cat, slo_id):
                    raise ValueError(f"--slo: {slo_id} has no error budget over a time window")
        except (ValueError, KeyError) as exc:
            raise fail(str(exc.args[0])) from None
        if step_seconds <= 0:
            raise fail("--step must be longer than zero")
        from recorded.period import lookback_seconds

        earliest = min(period.previous_start, period.start - lookback_seconds(cat))
        first = period.start - math.ceil((period.start - earliest) / step_seconds) * step_seconds
        steps = math.ceil((period.end - first) / step_seconds)
        if store is not None:
            series = _from_store(store, cat, slo_ids, first, step_seconds, steps)
            source = f"results store {store.name}"
        else:
            assert prometheus is not None
            series = _from_prometheus(
                prometheus, cat, slo_ids, (good, total, selector), first, step_seconds, steps
            )
            source = f"Prometheus {prometheus}"
        if not series:
            raise fail("no SLO with an error budget to report")
        from recorded.period_page import write_period_report

        doc = write_period_report(out, cat, series, period, source=source)
        for service in doc["services"]:
            for s in service["slos"]:
                attained = "–" if s["attainment"] is None else f"{100 * s['attainment']:.3f}%"
                typer.echo(
                    f"{s['id']}: attainment {attained} (target {100 * s['target']:.3f}%), budget consumed "
                    f"{100 * s['budget']['consumed']:.1f}%, {s['budget']['status']}, "
                    f"{len(s['incidents'])} incidents, {len(s['alerts'])} alerts"
                )
        typer.echo(f"report: {out / 'report.html'}")
