"""``sim`` and ``sweep``: replay scenarios and compare alert designs on the command line."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slo_harness.shared.terminal import fail, positive_duration, print_table, stdout_console, table

if TYPE_CHECKING:
    from concurrent.futures import Future

    from rich.progress import Progress, TaskID

    from sim import Plan, SweepRow
    from slo import Catalog


@dataclass(frozen=True)
class _Done:
    """What a worker sends back: enough for the table and the failure lines."""

    name: str
    passed: bool
    statuses: str
    alerts: int
    sla: str
    failures: tuple[tuple[str, str], ...]
    seconds: float


def _run_one(plan: Plan, out: Path, timeline_seconds: float | None) -> _Done:
    from sim import assess, write_results

    started = time.perf_counter()
    result = assess(plan)
    write_results(result, out, timeline_seconds)
    statuses = ", ".join(f"{slo_id} {t.statuses[-1].value}" for slo_id, t in result.tracks.items())
    breaches = [f"{o.sla_id}/{o.commitment_id}:{o.step or 'breach'}" for o in result.slas if not o.met]
    return _Done(
        name=plan.name,
        passed=result.passed,
        statuses=statuses,
        alerts=len(result.fires),
        sla=", ".join(breaches) if breaches else ("met" if result.slas else "—"),
        failures=tuple((f.expectation, f.observed) for f in result.failures),
        seconds=time.perf_counter() - started,
    )


def _as_completed_naming(
    futures: dict[Future[_Done], str], pending: list[str], progress: Progress, task: TaskID, jobs: int
) -> Iterator[Future[_Done]]:
    """``as_completed``, naming on the progress bar the scenarios running now (the pool takes them in
    order, so they are the first ``jobs`` not yet finished)."""
    progress.update(task, description=f"simulating {', '.join(pending[:jobs])}")
    from concurrent.futures import as_completed

    for future in as_completed(futures):
        yield future
        progress.update(task, description=f"simulating {', '.join(pending[:jobs])}")


def _load_all(paths: list[Path]) -> list[Plan]:
    from sim import ScenarioError, load_scenario

    catalogs: dict[str, Catalog] = {}
    plans = []
    for path in paths:
        try:
            plans.append(load_scenario(path, catalogs))
        except ScenarioError as exc:
            raise fail(str(exc)) from None
    for plan in plans:
        for warning in plan.warnings:
            typer.echo(f"warning: {warning}", err=True)
    names = [p.name for p in plans]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise fail(f"two scenarios are named {duplicate!r}; their results would overwrite each other")
    return plans


def timeline_resolution(text: str) -> float | None:
    """``--timeline``: ``full`` (None, every evaluation) or a positive duration in seconds."""
    return None if text.strip() == "full" else positive_duration(text, "--timeline")


def sim_command(
    scenarios: Annotated[list[Path], typer.Argument(help="scenario YAML files", show_default=False)],
    out: Annotated[
        Path, typer.Option("--out", help="results directory; one sub-directory per scenario")
    ] = Path("results"),
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="parallel processes (default: CPUs, at most 2)")
    ] = None,
    timeline: Annotated[
        str,
        typer.Option(
            "--timeline",
            help="timeline.csv.gz row interval: a duration (never finer than the evaluation interval) "
            "or 'full' for one row per evaluation",
        ),
    ] = "5m",
) -> None:
    """Replay each scenario over its window; write summary.json, timeline.csv.gz, alerts.csv, plots and
    report.html under OUT/<scenario>/; exit 1 if any expectation fails."""
    from rich.progress import Progress

    from slo.foundation.atomic_write import remove_stale_temporaries
    from slo_harness.shared.workers import bound_pool

    timeline_seconds = timeline_resolution(timeline)
    plans = _load_all(scenarios)
    remove_stale_temporaries(out)  # what a killed run left: hidden temporary files and folders
    if jobs is None:
        jobs = max(1, min(2, os.cpu_count() or 1))
    console = stdout_console()
    done: list[_Done] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("simulating", total=len(plans))
        if jobs == 1 or len(plans) == 1:
            for plan in plans:
                progress.update(task, description=f"simulating {plan.name}")
                done.append(_run_one(plan, out, timeline_seconds))
                progress.advance(task)
        else:
            with bound_pool(min(jobs, len(plans))) as pool:
                futures = {pool.submit(_run_one, plan, out, timeline_seconds): plan.name for plan in plans}
                pending = list(futures.values())
                for future in _as_completed_naming(futures, pending, progress, task, jobs):
                    done.append(future.result())
                    pending.remove(futures[future])
                    progress.advance(task)
    order = {p.name: i for i, p in enumerate(plans)}
    done.sort(key=lambda d: order[d.name])
    grid = table(
        f"{len(done)} scenario(s) → {out}/",
        ("scenario", "result", "budget status at window end", "alerts", "SLA", "seconds"),
        keys=("scenario", "result"),
    )
    for d in done:
        grid.add_row(
            d.name,
            "[green]pass[/]" if d.passed else "[red]FAIL[/]",
            d.statuses,
            str(d.alerts),
            d.sla,
            f"{d.seconds:.2f}",
        )
    print_table(grid, console)
    first = next((d for d in done if not d.passed), done[0])
    more = f" (one per scenario; `slo-harness report {out}` indexes them)" if len(done) > 1 else ""
    console.print(f"report: {out / first.name / 'report.html'}{more}", markup=False)
    failed = [d for d in done if not d.passed]
    for d in failed:
        for expectation, observed in d.failures:
            typer.echo(f"FAIL {d.name}: {expectation}: observed {observed}", err=True)
    if failed:
        raise typer.Exit(1)


def floats(text: str, what: str, durations: bool) -> list[float]:
    from slo.foundation.durations import parse_duration

    try:
        values = [parse_duration(v) if durations else float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise fail(f"--{what}: {exc}") from None
    if not values or any(v < 0 or (v == 0 and what != "for") for v in values):
        raise fail(f"--{what}: expected a comma-separated list of positive values, got {text!r}")
    return values


def _cell(value: float | None, duration: bool = False, percent: bool = False) -> str:
    from slo.foundation.durations import format_duration

    if value is None:
        return "—"
    if duration:
        return format_duration(round(value))
    return f"{value * 100:.2f}%" if percent else f"{value:g}"


def sweep_command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    factor: Annotated[
        str, typer.Option("--factor", help="burn-rate factors, e.g. 2,5,10,14.4")
    ] = "2,5,10,14.4",
    long_window: Annotated[str, typer.Option("--long-window", help="long windows, e.g. 5m,15m,1h,6h")] = (
        "5m,15m,1h,6h"
    ),
    short_ratio: Annotated[
        float, typer.Option("--short-ratio", min=1, help="short window = long / ratio")
    ] = 12.0,
    hold: Annotated[str, typer.Option("--for", help="for: durations, e.g. 0,2m")] = "0",
    out: Annotated[Path, typer.Option("--out", help="results directory; writes <scenario>/sweep.csv")] = Path(
        "results"
    ),
) -> None:
    """Evaluate every alert configuration on the scenario: detection, reset, budget spent before
    detection, false positives in quiet periods (a table and OUT/<scenario>/sweep.csv)."""
    from sim import assess, sweep

    factors = floats(factor, "factor", durations=False)
    windows = floats(long_window, "long-window", durations=True)
    holds = floats(hold, "for", durations=True)
    plan = _load_all([scenario])[0]
    rows: list[SweepRow] = sweep(assess(plan), factors, windows, short_ratio, holds)
    print_sweep(rows, plan.name, out)


def print_sweep(rows: list[SweepRow], name: str, out: Path) -> None:
    """The sweep's table on stdout, and ``OUT/<name>/sweep.csv``."""
    from sim import sweep_csv
    from slo.foundation.atomic_write import write_bytes_atomic

    grid = table(
        f"{name}: alert configurations",
        (
            "SLO",
            "rule",
            "for",
            "recall",
            "detection",
            "budget before detection",
            "reset",
            "fires",
            "false positives",
            "precision",
        ),
        keys=("SLO", "rule"),
    )
    for r in rows:
        grid.add_row(
            r.slo_id,
            r.name,
            _cell(r.for_seconds, duration=True),
            f"{r.detected}/{r.incidents}",
            _cell(r.detection_seconds, duration=True),
            _cell(r.budget_spent_before_detection, percent=True),
            _cell(r.reset_seconds, duration=True),
            str(r.fires),
            str(r.false_positives),
            _cell(r.precision, percent=True),
        )
    print_table(grid)
    target = out / name / "sweep.csv"
    write_bytes_atomic(target, sweep_csv(rows))
    stdout_console().print(f"wrote {target}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("sim")(sim_command)
    app.command("sweep")(sweep_command)
