"""``rules``: Prometheus recording and burn-rate alert rules for catalogue SLOs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slo_harness.catalog_commands import CatalogArgument, load_or_fail
from slo_harness.terminal import fail

# The scheduled prober's own counters, so rules work on what `slo-harness exporter` exposes.
PROBE_COUNTER = "slo_harness_probe_total"


def default_queries(selector: str) -> tuple[str, str]:
    """Failure and total rates of the scheduled prober's counter, narrowed by ``selector``."""
    matchers = selector.strip().strip(",")
    extra = f",{matchers}" if matchers else ""
    total = f"{{{matchers}}}" if matchers else ""
    return (
        f'sum(rate({PROBE_COUNTER}{{result="failure"{extra}}}[$window]))',
        f"sum(rate({PROBE_COUNTER}{total}[$window]))",
    )


def rules_command(
    catalog: CatalogArgument = None,
    slo_ids: Annotated[list[str], typer.Option("--slo", help="SLO id; repeat for several")] = [],  # noqa: B006
    policy: Annotated[str, typer.Option(help="alert policy of the catalogue")] = "sre-workbook",
    errors: Annotated[
        str | None, typer.Option(help="PromQL for bad events per second; $window marks the range")
    ] = None,
    total: Annotated[
        str | None, typer.Option(help="PromQL for all events per second; $window marks the range")
    ] = None,
    selector: Annotated[
        str, typer.Option(help='label matchers for the default queries, e.g. module="rpc"')
    ] = "",
    evaluation_interval: Annotated[str, typer.Option("--evaluation-interval")] = "30s",
    out: Annotated[Path | None, typer.Option(help="write here (atomically) instead of stdout")] = None,
) -> None:
    """Sloth-style recording rules and burn-rate alerts; check them with `promtool check rules`."""
    import yaml

    from slo.atomic_write import write_text_atomic
    from slo.durations import format_duration, parse_duration
    from slo.prometheus_rules import rule_group

    cat = load_or_fail(catalog)
    if not slo_ids:
        raise fail("--slo: name at least one SLO, e.g. --slo SLO-NODE-001")
    try:
        alert_policy = cat.policy(policy)
        interval = parse_duration(evaluation_interval)
    except (KeyError, ValueError) as exc:
        raise fail(str(exc.args[0])) from None
    default_errors, default_total = default_queries(selector)
    error_query, total_query = errors or default_errors, total or default_total
    groups = []
    for slo_id in slo_ids:
        try:
            slo = cat.slo(slo_id)
        except KeyError as exc:
            raise fail(f"--slo: {exc.args[0]}") from None
        if slo.target is None or slo.window_seconds is None or slo.target >= 1:
            raise fail(f"--slo: {slo_id} has no error budget over a time window, so no burn rate")
        try:
            groups.append(
                rule_group(
                    slo_id=slo.id,
                    target=slo.target,
                    rules=alert_policy.to_rules(slo.window_seconds),
                    error_query=error_query,
                    total_query=total_query,
                    evaluation_interval_seconds=interval,
                )
            )
        except ValueError as exc:
            raise fail(str(exc)) from None
    header = (
        f"# {cat.name} {', '.join(slo_ids)}: policy {policy}, evaluated every {format_duration(interval)}\n"
    )
    text = header + yaml.safe_dump({"groups": groups}, sort_keys=False, allow_unicode=True, width=120)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)


def register(app: typer.Typer) -> None:
    app.command("rules")(rules_command)
