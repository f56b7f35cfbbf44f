"""``backtest``: what the alert policies would have done on recorded history, with the ``sim`` report.

History comes from the exporter's results store (bound to SLOs by the ``slo_bindings`` the file
records, or by a probe config's ``targets:``) or from a Prometheus range query of two counter
expressions, good and total. Both are read with :mod:`recorded`'s readers, as ``gate`` and ``report``
read them (:func:`recorded.series.from_store`, :class:`recorded.prometheus.PrometheusSource`,
:func:`recorded.periods.parse_time`). Either becomes good/total counts per step, and
:mod:`sim.analyses.backtest` runs them through the simulator's evaluator, so the files under ``OUT/<name>/``
are those ``sim`` writes. Heavy modules are imported inside the command, so ``slo-harness --help``
stays fast.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo.foundation.durations import format_duration, parse_duration
from slo_harness.shared.terminal import fail, positive_duration, stdout_console

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from probes.schedule.slo_view import SloBinding
    from probes.schedule.store import ResultStore
    from sim.analyses.backtest import MarkedIncident, Period
    from slo.catalogs.catalog import Catalog

__all__ = ["register"]


def _instant(text: str, what: str) -> float:
    """Unix seconds, or an ISO 8601 time (UTC unless it carries an offset); exit 2 otherwise."""
    from recorded.periods import parse_time

    try:
        return parse_time(text.strip())
    except ValueError:
        raise fail(f"{what}: expected Unix seconds or an ISO 8601 time, got {text!r}") from None


def _incidents(texts: list[str], start_unix: float) -> list[MarkedIncident]:
    """``START..END`` each: Unix or ISO 8601 times, or durations from the start of the period (``2h..3h``)."""
    from sim.analyses.backtest import MarkedIncident

    def side(text: str) -> float:
        # A bare number is a Unix time, as in --from; a duration has a unit (2h, 90s).
        try:
            float(text)
        except ValueError:
            try:
                return parse_duration(text)
            except ValueError:
                pass
        return _instant(text, "--incident") - start_unix

    out = []
    for text in texts:
        begin, sep, end = text.partition("..")
        if not sep:
            raise fail(f"--incident: expected START..END, got {text!r}")
        marked = MarkedIncident(side(begin), side(end))
        if marked.end_seconds <= marked.start_seconds:
            raise fail(f"--incident: {text!r} ends before it starts")
        out.append(marked)
    return out


def _config_bindings(config_path: Path, catalog: Catalog) -> list[SloBinding]:
    """The (SLO, target, module) rows the probe config's ``targets:`` name."""
    from probes.config import load_config
    from probes.schedule.slo_view import bindings
    from slo.foundation.input_errors import InputError

    try:
        return bindings(load_config(config_path), catalog)
    except InputError as exc:
        raise fail(str(exc)) from None


def _stored_bindings(store: ResultStore, path: Path, catalog: Catalog) -> list[SloBinding]:
    """The (SLO, target, module) rows the results file records, as the exporter's config had them."""
    from probes.schedule.slo_view import SloBinding

    bound = [SloBinding(*row) for row in store.bindings()]
    unknown = sorted({b.slo_id for b in bound} - {s.id for s in catalog.slos})
    if unknown:
        raise fail(f"{path}: SLO {unknown[0]} is not in catalogue {catalog.name}")
    return bound


def _store_counts(
    store_path: Path | None,
    config_path: Path | None,
    catalog: Catalog,
    slo_ids: list[str],
    begin: str | None,
    end: str | None,
    step: float,
) -> tuple[Period, dict[str, tuple[Any, Any]]]:
    from probes.schedule.store import ResultStore, default_store_path
    from recorded.series import from_store
    from sim.analyses.backtest import Period

    configured = None if config_path is None else _config_bindings(config_path, catalog)
    if store_path is not None:
        path = store_path
    elif config_path is not None:
        path = default_store_path(config_path)
    else:
        raise fail("give --store with --config (the exporter's results), or --prometheus")
    try:
        store = ResultStore.reader(path)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    with store:
        bound = _stored_bindings(store, path, catalog) if configured is None else configured
        where = path if config_path is None else config_path
        if slo_ids:
            unknown = sorted(set(slo_ids) - {b.slo_id for b in bound})
            if unknown:
                raise fail(f"--slo {unknown[0]}: no target of {where} measures it")
            bound = [b for b in bound if b.slo_id in slo_ids]
        if not bound:
            if config_path is None:
                raise fail(f"{path}: records no SLO bindings; give --config with the probe config")
            raise fail(f"{config_path}: no targets: entry names an SLO to backtest")
        first, last = store.earliest_finished_at(), store.latest_finished_at()
        if first is None or last is None:
            raise fail(f"{path}: no probe results stored")
        # A result at exactly the start belongs to the step before it: start just before the first.
        start = _instant(begin, "--from") if begin else math.floor(first / step) * step
        stop = _instant(end, "--to") if end else last
        try:
            period = Period.covering(start, stop, step)
        except ValueError as exc:
            raise fail(f"--from/--to: {exc}") from None
        counts: dict[str, tuple[Any, Any]] = {}
        for b in bound:
            series = from_store(
                store,
                catalog.slo(b.slo_id),
                b.target,
                b.module,
                start=period.start_unix,
                step_seconds=step,
                steps=period.steps,
            )
            good, total = series.good, series.total
            if b.slo_id in counts:  # the same SLO on several targets: their events together
                good, total = counts[b.slo_id][0] + good, counts[b.slo_id][1] + total
            counts[b.slo_id] = (good, total)
    return period, counts


def _prometheus_counts(
    url: str, good: str, total: str, period: Period
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Good and total counts per step from two counter expressions read at every step edge."""
    from recorded.prometheus import PrometheusSource, SourceError
    from sim.analyses.backtest import counts_from_counters

    source = PrometheusSource(url)
    try:
        good_counts, total_counts = (
            counts_from_counters(
                source.range(
                    expr, first=period.start_unix, step_seconds=period.step_seconds, points=period.steps + 1
                )
            )
            for expr in (good, total)
        )
    except SourceError as exc:
        raise fail(str(exc), code=1) from None
    return good_counts, total_counts


def backtest_command(
    store: Annotated[
        Path | None, typer.Option("--store", help="exporter results file (default: beside --config)")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="probe config whose targets: bind SLOs (else the store's)")
    ] = None,
    prometheus: Annotated[str | None, typer.Option("--prometheus", help="Prometheus base URL")] = None,
    good: Annotated[str | None, typer.Option("--good", help="PromQL: a counter of good events")] = None,
    total: Annotated[str | None, typer.Option("--total", help="PromQL: a counter of all events")] = None,
    slo: Annotated[list[str] | None, typer.Option("--slo", help="SLO id(s) to backtest")] = None,
    begin: Annotated[str | None, typer.Option("--from", help="start: Unix seconds or ISO 8601")] = None,
    end: Annotated[str | None, typer.Option("--to", help="end: Unix seconds or ISO 8601")] = None,
    step: Annotated[str, typer.Option("--step", help="step and evaluation interval")] = "30s",
    incident: Annotated[
        list[str] | None, typer.Option("--incident", help="START..END of an incident (repeatable)")
    ] = None,
    policy: Annotated[
        list[str] | None, typer.Option("--policy", help="alert policies (default: all)")
    ] = None,
    catalog_path: Annotated[Path | None, typer.Option("--catalog", help="SLO catalogue YAML")] = None,
    name: Annotated[str, typer.Option("--name", help="results sub-directory")] = "backtest",
    out: Annotated[Path, typer.Option("--out", help="results directory")] = Path("results"),
    timeline: Annotated[
        str, typer.Option("--timeline", help="timeline.csv.gz row interval or 'full'")
    ] = "5m",
    factor: Annotated[
        str | None, typer.Option("--factor", help="sweep these factors too, e.g. 2,5,14.4")
    ] = None,
    long_window: Annotated[str, typer.Option("--long-window", help="sweep long windows")] = "5m,15m,1h,6h",
    short_ratio: Annotated[
        float, typer.Option("--short-ratio", min=1, help="sweep: short = long / ratio")
    ] = 12.0,
    hold: Annotated[str, typer.Option("--for", help="sweep: for: durations")] = "0",
) -> None:
    """Run recorded good/total history through the catalogue's alert policies (or a sweep grid): which
    alerts would have fired when, detection delay for marked incidents, budget and status over the
    period; writes the files `sim` writes under OUT/<name>/."""
    from sim import assess, sweep, write_results
    from sim.analyses.backtest import Period, backtest_plan, recorded_streams
    from slo_harness.commands.catalog_commands import load_or_fail
    from slo_harness.commands.sim_commands import floats, print_sweep, timeline_resolution

    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name in (".", ".."):
        raise fail(f"--name: letters, digits, '_', '.' and '-' only (a directory under --out), got {name!r}")
    step_seconds = positive_duration(step, "--step")
    timeline_seconds = timeline_resolution(timeline)
    catalog = load_or_fail(catalog_path)
    _incidents(list(incident or []), 0.0)  # syntax first: before any query is made
    slo_ids = list(slo or [])
    if prometheus is not None:
        if store is not None or config is not None:
            raise fail("give either --prometheus or --store/--config, not both")
        if good is None or total is None or begin is None or end is None or len(slo_ids) != 1:
            raise fail("--prometheus needs --good, --total, --from, --to and one --slo")
        if urllib.parse.urlsplit(prometheus).scheme not in ("http", "https"):
            raise fail(f"--prometheus: expected an http(s) URL, got {prometheus!r}")
        try:
            period = Period.covering(_instant(begin, "--from"), _instant(end, "--to"), step_seconds)
        except ValueError as exc:
            raise fail(f"--from/--to: {exc}") from None
        counts = {slo_ids[0]: _prometheus_counts(prometheus, good, total, period)}
        source = prometheus
    elif store is not None or config is not None:
        period, counts = _store_counts(store, config, catalog, slo_ids, begin, end, step_seconds)
        source = str(store or config)
    else:
        raise fail("give --store with --config (the exporter's results), or --prometheus")
    try:
        plan = backtest_plan(
            catalog,
            list(counts),
            period,
            name=name,
            policies=policy,
            incidents=_incidents(list(incident or []), period.start_unix),
            source=source,
        )
    except (KeyError, ValueError) as exc:
        raise fail(str(exc.args[0] if isinstance(exc, KeyError) else exc)) from None
    for warning in plan.warnings:
        typer.echo(f"warning: {warning}", err=True)
    result = assess(plan, recorded_streams(counts))
    directory = write_results(result, out, timeline_seconds)
    console = stdout_console()
    start_text = datetime.fromtimestamp(period.start_unix, UTC).isoformat()
    console.print(
        f"{name}: {format_duration(period.seconds)} from {start_text}, {format_duration(step_seconds)} steps",
        markup=False,
    )
    for slo_id, track in result.tracks.items():
        console.print(
            f"{slo_id}: budget remaining {float(track.remaining[-1]):.2%}, {track.statuses[-1].value}; "
            f"exhausted at {_offset(track.exhausted_at())}",
            markup=False,
        )
    for fire in result.fires:
        detection = f", detected after {_offset(fire.detection_seconds)}" if fire.incident else ""
        console.print(
            f"fired {fire.slo_id}/{fire.policy}/{fire.rule} at {_offset(fire.fired_seconds)}, "
            f"resolved {_offset(fire.resolved_seconds)}{detection}",
            markup=False,
        )
    console.print(f"wrote {directory}/", markup=False)
    if factor is not None:
        rows = sweep(
            result,
            floats(factor, "factor", durations=False),
            floats(long_window, "long-window", durations=True),
            short_ratio,
            floats(hold, "for", durations=True),
        )
        print_sweep(rows, name, out)


def _offset(seconds: float | None) -> str:
    return "never" if seconds is None else f"+{format_duration(round(seconds))}"


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest_command)
