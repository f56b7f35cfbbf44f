"""``slo-harness status``: the scheduled SLO view as a table, from a running exporter or its results file.

With ``--url`` it reads a running exporter's ``GET /slo``; with ``--config`` it computes the same
document from the results file next to that config, so it works while the exporter is down.
Either way the numbers come from ``probes.schedule.slo_view``, which takes them from ``slo``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo_harness.shared.terminal import fail, stdout_console

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["read_slo_view", "register", "status_table"]

_HTTP_TIMEOUT_SECONDS = 10.0
_STATUS_STYLE = {"healthy": "green", "warning": "yellow", "critical": "red", "depleted": "bold red"}


def _percent(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.3f}"


def status_table(report: dict[str, Any]) -> Table:
    """One row per (SLO, target): SLI per window, budget left and status, alerts that would fire."""
    from rich.table import Table

    table = Table(title="Scheduled SLO view (SLI and budget left in %)", title_justify="left")
    table.add_column("SLO", no_wrap=True)
    table.add_column("target", overflow="fold")
    table.add_column("module", overflow="fold")
    for column in (*report["windows"], "budget"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("firing", overflow="fold")
    for entry in report["slos"]:
        head = (entry["slo"], entry["target"], entry["module"])
        if "error" in entry:
            table.add_row(*head, *(["–"] * len(report["windows"])), "–", "–", entry["error"])
            continue
        slis = [_percent(entry["windows"][w]["sli"]) for w in report["windows"]]
        status = entry["budget"]["status"]
        table.add_row(
            *head,
            *slis,
            _percent(entry["budget"]["remaining"]),
            f"[{_STATUS_STYLE.get(status, '')}]{status}[/]",
            ", ".join(entry["firing"]) or "none",
        )
    return table


def read_slo_view(url: str) -> dict[str, Any]:
    """A running exporter's ``GET /slo`` document; unreachable or not JSON is a one-line exit 2."""
    import urllib.error
    import urllib.request

    endpoint = url.rstrip("/") if url.rstrip("/").endswith("/slo") else url.rstrip("/") + "/slo"
    try:
        with urllib.request.urlopen(endpoint, timeout=_HTTP_TIMEOUT_SECONDS) as response:
            data: dict[str, Any] = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise fail(f"{endpoint}: cannot read the SLO view: {exc}") from None
    return data


def _from_config(config_path: Path, store_path: Path | None, catalog_path: Path | None) -> dict[str, Any]:
    from probes.config import load_config
    from probes.schedule.slo_view import bindings, slo_report
    from probes.schedule.store import ResultStore, default_store_path
    from slo.catalogs.catalog_file import load_catalog
    from slo.foundation.input_errors import InputError

    try:
        config = load_config(config_path)
        catalog = load_catalog(catalog_path)
        bound = bindings(config, catalog)
    except InputError as exc:
        raise fail(str(exc)) from None
    except KeyError as exc:
        raise fail(f"{config_path}: {exc.args[0]}") from None
    path = store_path or default_store_path(config_path)
    if not path.exists():
        raise fail(f"{path}: no results yet (the exporter writes them once it probes on schedule)")
    with ResultStore.reader(path) as store:
        return slo_report(store, catalog, bound, time.time())


def register(app: typer.Typer) -> None:
    """Add ``status`` to the CLI."""

    @app.command("status")
    def status(
        config: Annotated[
            Path | None, typer.Option("--config", help="Probe config with targets:; reads its results file.")
        ] = None,
        url: Annotated[
            str | None, typer.Option("--url", help="A running exporter, e.g. http://127.0.0.1:9115.")
        ] = None,
        store: Annotated[
            Path | None, typer.Option("--store", help="Results file (default: <config>.results.sqlite).")
        ] = None,
        catalog: Annotated[
            Path | None, typer.Option("--catalog", help="SLO catalogue (default: the packaged one).")
        ] = None,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """Per SLO mapped to a scheduled probe: SLI over 5m…28d, budget left, status, firing alerts."""
        if (config is None) == (url is None):
            raise fail("give exactly one of --config and --url")
        if output not in ("table", "json"):
            raise fail(f"--format must be table or json, not {output!r}")
        if url is not None:
            report = read_slo_view(url)
        else:
            assert config is not None
            report = _from_config(config, store, catalog)
        if output == "json":
            typer.echo(json.dumps(report, indent=2))
        else:
            stdout_console().print(status_table(report))
