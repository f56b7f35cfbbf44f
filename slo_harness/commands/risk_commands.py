"""``risk``: Monte Carlo over a scenario's random incidents, locally or on a Dask cluster, as a CI gate.

NumPy, SimPy, matplotlib and Dask are imported inside the command, so ``slo-harness --help`` stays fast.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo_harness.shared.terminal import fail, stdout_console

if TYPE_CHECKING:
    from rich.progress import Progress

    from sim.montecarlo.risk_output import Column
    from sim.scenarios.plan import Plan


def _plans(scenario: Path, window: str | None, what_ifs: list[str]) -> list[tuple[str, str | None, Plan]]:
    """The scenario (with ``--window``) and one variant per ``--what-if``, each validated."""
    from sim.scenarios.scenario_file import ScenarioError, parse_scenario
    from sim.scenarios.what_if import WhatIf, apply_what_if, parse_what_if
    from slo.foundation.input_errors import InputError, parse_yaml

    try:
        changes = [parse_what_if(w) for w in what_ifs]
    except ValueError as exc:
        raise fail(f"--what-if: {exc}") from None
    try:
        text = scenario.read_text(encoding="utf-8")
        document, _ = parse_yaml(text, str(scenario))
    except OSError as exc:
        raise fail(f"{scenario}: cannot read: {exc.strerror or exc}") from None
    except InputError as exc:
        raise fail(str(exc)) from None
    if not isinstance(document, dict):
        raise fail(f"{scenario}: expected a mapping at the top level")
    if window is not None:
        document = apply_what_if(document, WhatIf(f"window={window}", ("window",), window))
        text = json.dumps(document)
    out: list[tuple[str, str | None, Plan]] = []
    try:
        base = parse_scenario(text, str(scenario), base_dir=scenario.parent)
        out.append(("scenario", None, base))
        for change in changes:
            try:
                changed = apply_what_if(document, change)
            except ValueError as exc:
                raise fail(f"--what-if {change.text}: {exc}") from None
            plan = parse_scenario(json.dumps(changed), f"{scenario} --what-if {change.text}", scenario.parent)
            out.append((f"what-if {change.text}", change.text, plan))
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    if base.compare_without_automation:
        out.append(("without automation", "responders.automation=null", base.without_automation()))
    return out


def _probability_cell(entry: dict[str, Any]) -> str:
    low, high = entry["ci95"]
    return f"{entry['p'] * 100:.2f}% ({low * 100:.2f}–{high * 100:.2f})"


def _mean_cell(entry: dict[str, Any]) -> str:
    if entry["mean"] is None:
        return "—"
    cell = f"{entry['mean']:.4g} ± {entry['se']:.2g}"
    if "p_zero" in entry:
        cell += f", P(0) {entry['p_zero']['p'] * 100:.1f}%"
    return cell


def _print(document: dict[str, Any]) -> None:
    from rich.table import Table

    columns = document["columns"]
    table = Table(
        title=f"{document['scenario']}: {document['runs']} replications of "
        f"{document['window_seconds'] / 86400:g} days ({document['path']} path); P (95 % interval), mean ± SE"
    )
    table.add_column("quantity")
    for column in columns:
        table.add_column(column["name"])
    shown = [
        n
        for n in columns[0]["probabilities"]
        if n.startswith("SLA") or n.endswith((" exhausted", " depleted"))
    ]
    for name in shown:
        table.add_row(
            f"P({name})",
            *(
                _probability_cell(c["probabilities"][name]) if name in c["probabilities"] else "—"
                for c in columns
            ),
        )
    for name in columns[0]["means"]:
        if name.endswith(("time to exhaustion", " measured")):
            continue
        table.add_row(
            f"E({name})", *(_mean_cell(c["means"][name]) if name in c["means"] else "—" for c in columns)
        )
    stdout_console().print(table)
    for column in columns[1:]:
        for name, entry in column.get("difference_from_scenario", {}).items():
            if name.endswith(("percent_of_fee", "percent_of_stake", "points")) and entry["mean"] is not None:
                stdout_console().print(
                    f"{column['name']} minus scenario, same histories: E({name}) {entry['mean']:+.4g} "
                    f"± {entry['se']:.2g} (95 % {entry['ci95'][0]:+.4g} to {entry['ci95'][1]:+.4g})",
                    markup=False,
                )


def _outcomes(
    plan: Plan, seed: int, runs: int, jobs: int, scheduler: str | None, progress: Progress, label: str
) -> Column:
    from sim.montecarlo.risk import outcomes, run_dask, run_local
    from sim.montecarlo.risk_output import Column

    task = progress.add_task(label, total=runs)

    def advance(count: int) -> None:
        progress.advance(task, count)

    if scheduler is None:
        reps = run_local(plan, seed, runs, jobs, advance)
    else:
        try:
            reps = run_dask(plan, seed, runs, scheduler, advance)
        except (OSError, TimeoutError) as exc:
            raise fail(f"--scheduler {scheduler}: cannot reach the Dask scheduler: {exc}") from None
    return Column(label, None, outcomes(plan, reps))


def risk_command(
    scenario: Annotated[
        Path, typer.Argument(help="scenario YAML with incident_processes", show_default=False)
    ],
    runs: Annotated[int, typer.Option("--runs", min=1, help="replications")] = 10000,
    window: Annotated[
        str | None, typer.Option("--window", help="replace the scenario's window, e.g. 90d")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="root seed (default: the scenario's)")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="local processes (default: CPUs, at most 2)")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    ] = None,
    what_if: Annotated[
        list[str] | None, typer.Option("--what-if", help="KEY=VALUE change, one column each (repeatable)")
    ] = None,
    fail_if: Annotated[
        list[str] | None, typer.Option("--fail-if", help="e.g. 'P(SLA-VALIDATOR slash) > 1%' (repeatable)")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="results directory; writes <scenario>/risk/")] = Path(
        "results"
    ),
) -> None:
    """Run independent replications of the scenario's random incidents and report SLA ladder, page and
    budget probabilities with intervals; write summary.json, replications.csv and histograms under
    OUT/<scenario>/risk/; exit 1 if a --fail-if bound is crossed."""
    from dataclasses import replace

    from sim.montecarlo.risk import gate_value, parse_gate, path_for
    from sim.montecarlo.risk_output import summary_document, write_risk_results

    try:
        gates = [parse_gate(g) for g in fail_if or []]
    except ValueError as exc:
        raise fail(f"--fail-if: {exc}") from None
    variants = _plans(scenario, window, what_if or [])
    base = variants[0][2]
    root = base.seed if seed is None else seed
    if jobs is None:
        jobs = max(1, min(2, os.cpu_count() or 1))
    path, note = path_for(base)
    from rich.progress import Progress

    columns = []
    with Progress(console=stdout_console(), transient=True) as progress:
        for name, change, plan in variants:
            column = _outcomes(plan, root, runs, jobs, scheduler, progress, name)
            columns.append(replace(column, change=change))
    document = summary_document(columns, root, runs, path, note, [])
    failed = []
    for gate in gates:
        try:
            value = gate_value(gate, document["columns"][0])
        except KeyError as exc:
            raise fail(f"--fail-if {gate.text}: {exc.args[0]}") from None
        crossed = gate.holds(value)
        document["gates"].append({"expression": gate.text, "value": value, "failed": crossed})
        if crossed:
            failed.append((gate, value))
    target = out / base.name / "risk"
    written = write_risk_results(target, document, columns)
    _print(document)
    if note is not None:
        stdout_console().print(f"engine path: {note}", markup=False)
    stdout_console().print(f"wrote {', '.join(str(p) for p in written)}", markup=False, highlight=False)
    for gate, value in failed:
        typer.echo(f"FAIL {gate.text}: estimate {value:.6g}", err=True)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("risk")(risk_command)
