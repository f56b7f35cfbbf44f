"""``catalog``, ``budget`` and ``check``: the catalogue and its budget arithmetic on the command line."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo.foundation.json_numbers import json_number
from slo_harness.shared.terminal import fail, positive_duration, print_table, table

if TYPE_CHECKING:
    from slo.catalogs.catalog import SLO, Catalog
    from slo.catalogs.lint import Finding

# The domain modules load NumPy, pydantic and YAML: each command imports what it uses when it runs,
# so `--help` and `budget` start fast.


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table for people, json for programs")]
CatalogArgument = Annotated[
    Path | None, typer.Argument(help="catalogue YAML (default: the packaged VirtEngine catalogue)")
]


def load_or_fail(path: Path | None) -> Catalog:
    """The catalogue, or a one-line error naming file, line and field."""
    from slo.catalogs.catalog_file import CatalogError, load_catalog

    try:
        return load_catalog(path)
    except CatalogError as exc:
        raise fail(str(exc)) from None


def slo_row(slo: SLO) -> dict[str, Any]:
    """An SLO as the stable JSON object ``catalog --format json`` prints."""
    from slo.budgets.budget import time_budget_seconds

    target, window = slo.target, slo.window_seconds
    budget_seconds = (
        time_budget_seconds(target, window) if target is not None and window is not None else None
    )
    return {
        "id": slo.id,
        "metric": slo.name,
        "sli": slo.sli,
        "tier": slo.tier,
        "objective": slo.objective.model_dump(by_alias=False),
        "target": json_number(target),
        "target_text": slo.target_text,
        "window": slo.window,
        "window_seconds": window,
        "budget_basis": slo.budget_basis,
        "computed_budget": None
        if budget_seconds is None or target is None
        else {
            "seconds": json_number(budget_seconds),
            "minutes": json_number(budget_seconds / 60.0),
            "bad_event_ratio": json_number(1.0 - target),
        },
        "declared_budget": slo.declared_budget,
    }


def _budget_text(row: dict[str, Any]) -> str:
    budget = row["computed_budget"]
    if budget is None:
        return "n/a"
    minutes = f"{budget['minutes']:,.2f} min"
    if row["budget_basis"] == "events":
        return f"{budget['bad_event_ratio'] * 100:g}% of events ({minutes})"
    return minutes


class ExportFormat(StrEnum):
    openslo = "openslo"


def catalog_command(
    catalog: CatalogArgument = None,
    output: FormatOption = OutputFormat.table,
    export: Annotated[
        ExportFormat | None,
        typer.Option("--export", help="write the catalogue as OpenSLO v1 documents instead of listing it"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="with --export: write here (atomically)")] = None,
) -> None:
    """List every SLO with its computed and declared error budget (or export the catalogue)."""
    cat = load_or_fail(catalog)
    if export is ExportFormat.openslo:
        from slo.catalogs.openslo import to_openslo, unmapped
        from slo.foundation.atomic_write import write_text_atomic

        text = to_openslo(cat)
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_text_atomic(out, text)
        for line in unmapped(cat):
            typer.echo(f"not mapped: {line}", err=True)
        return
    rows = [slo_row(slo) for slo in cat.slos]
    if output is OutputFormat.json:
        typer.echo(json.dumps({"catalog": cat.name, "source": cat.source, "slos": rows}, indent=2))
        return
    grid = table(
        f"{cat.name}: {len(rows)} SLOs ({cat.source})",
        ("SLO", "metric", "target", "window", "computed budget", "declared budget"),
        keys=("SLO",),
    )
    for row in rows:
        grid.add_row(
            row["id"],
            row["metric"],
            row["target_text"],
            row["window"],
            _budget_text(row),
            row["declared_budget"],
        )
    print_table(grid)


def budget_command(
    target: Annotated[str, typer.Option(help="objective target in percent, e.g. 99.9")],
    window: Annotated[str, typer.Option(help="objective window, e.g. 28d")] = "28d",
    burn_rate: Annotated[float | None, typer.Option("--burn-rate", help="a steady burn rate K")] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Error budget for a target and window; with --burn-rate, how fast K spends it."""
    from slo.budgets.budget import budget_consumed_by_burn, time_budget_seconds, time_to_exhaustion_seconds
    from slo.catalogs.quantities import percent_to_ratio
    from slo.foundation.durations import format_duration

    try:
        ratio = percent_to_ratio(target)
    except ValueError as exc:
        raise fail(f"--target: {exc}") from None
    window_seconds = positive_duration(window, "--window")
    if burn_rate is not None and burn_rate <= 0:
        raise fail("--burn-rate: must be positive")
    seconds = time_budget_seconds(ratio, window_seconds)
    result: dict[str, Any] = {
        "target": json_number(ratio),
        "window": format_duration(window_seconds),
        "window_seconds": window_seconds,
        "budget_seconds": json_number(seconds),
        "budget_minutes": json_number(seconds / 60.0),
    }
    if burn_rate is not None:
        exhaustion = time_to_exhaustion_seconds(window_seconds, burn_rate)
        result |= {
            "burn_rate": burn_rate,
            "time_to_exhaustion_seconds": json_number(exhaustion),
            "time_to_exhaustion_hours": json_number(exhaustion / 3600.0),
            "budget_consumed_per_hour": json_number(
                budget_consumed_by_burn(burn_rate, 3600.0, window_seconds)
            ),
        }
    if output is OutputFormat.json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"target {ratio * 100:g}% over {result['window']}")
    typer.echo(f"error budget: {result['budget_minutes']:g} minutes ({result['budget_seconds']:g} seconds)")
    if burn_rate is not None:
        typer.echo(
            f"at burn rate {burn_rate:g}: budget exhausted in {result['time_to_exhaustion_hours']:g} hours; "
            f"{result['budget_consumed_per_hour'] * 100:.4g}% of the budget consumed per hour"
        )


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "subject": f.subject,
        "field": f.field,
        "statement": f.statement,
        "severity": f.severity,
        "declared": f.declared,
        "declared_value": f.declared_value,
        "computed": json_number(f.computed),
        "difference": json_number(f.difference),
        "unit": f.unit,
        "tolerance": json_number(f.tolerance),
        "agrees": f.agrees,
        "note": f.note,
    }


def _with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "%":
        return f"{value:,.6g}%"
    plural = "" if value == 1 or not unit else "s"
    return f"{value:,.6g} {unit}{plural}".strip()


def _verdict(f: Finding) -> str:
    if f.severity == "error":
        return "ok" if f.agrees else "MISMATCH"
    return f.severity


def check_command(catalog: CatalogArgument = None, output: FormatOption = OutputFormat.table) -> None:
    """Recompute every declared figure; exit 1 if any disagrees with the formulas."""
    from slo.catalogs.lint import failures, lint_catalog

    cat = load_or_fail(catalog)
    findings = lint_catalog(cat)
    bad = failures(findings)
    if output is OutputFormat.json:
        typer.echo(
            json.dumps(
                {
                    "catalog": cat.name,
                    "mismatches": len(bad),
                    "findings": [_finding_dict(f) for f in findings],
                },
                indent=2,
            )
        )
    else:
        grid = table(
            f"{cat.name}: {len(findings)} declared figures checked",
            ("verdict", "subject", "declared", "computed", "difference", "how"),
            keys=("verdict", "subject"),
        )
        for f in findings:
            diff = json_number(f.difference)
            grid.add_row(
                _verdict(f),
                f.subject,
                f.declared,
                _with_unit(json_number(f.computed), f.unit),
                "" if diff is None else f"{diff:+,.6g}",
                f.note,
            )
        print_table(grid)
        for f in bad:
            diff = json_number(f.difference)
            computed = _with_unit(json_number(f.computed), f.unit)
            typer.echo(
                f"MISMATCH {f.field}: declared {f.declared!r}, computed {computed}"
                + ("" if diff is None else f" (difference {diff:+,.6g})")
                + f": {f.statement}"
            )
        typer.echo(f"{len(bad)} mismatch(es)" if bad else "all declared figures agree with the formulas")
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("catalog")(catalog_command)
    app.command("budget")(budget_command)
    app.command("check")(check_command)
