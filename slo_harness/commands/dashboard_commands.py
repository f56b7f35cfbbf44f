"""``dashboards``: Grafana dashboard JSON per service, over the series ``slo-harness rules`` records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from slo import write_text_atomic
from slo_harness.commands.catalog_commands import CatalogArgument, load_or_fail
from slo_harness.shared.terminal import fail, stdout_console


def dashboards_command(
    catalog: CatalogArgument = None,
    out: Annotated[Path, typer.Option("--out", help="directory for <uid>.json, one per service")] = Path(
        "dashboards"
    ),
    policies: Annotated[
        list[str], typer.Option("--policy", help="policies whose windows and factors to draw (default: all)")
    ] = [],  # noqa: B006
) -> None:
    """Write a Grafana dashboard per service: SLO summary, budget remaining in the four status bands,
    burn rate per window against the policy factors, probe latency P50/P95/P99 and success."""
    # grafana-foundation-sdk loads only when the command runs, so the CLI starts fast.
    from slo_harness.monitoring.dashboards import expressions, service_dashboards

    cat = load_or_fail(catalog)
    try:
        boards = service_dashboards(cat, policies)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    console = stdout_console()
    for board in boards:
        path = out / f"{board.uid}.json"
        write_text_atomic(path, json.dumps(board.model, indent=2, sort_keys=True) + "\n")
        panels = len(board.model.get("panels", []))
        console.print(f"wrote {path}: {panels} panels, {len(expressions(board.model))} queries", markup=False)


def register(app: typer.Typer) -> None:
    app.command("dashboards")(dashboards_command)
