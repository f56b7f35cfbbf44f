"""``rules``: Prometheus recording and burn-rate alert rules for catalogue SLOs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo.prometheus.metric_sources import MetricSource
from slo_harness.commands.catalog_commands import CatalogArgument, load_or_fail
from slo_harness.shared.terminal import fail

if TYPE_CHECKING:
    from slo.catalogs.catalog import Catalog


def rules_document(
    catalog: Catalog,
    *,
    slo_ids: list[str],
    policies: list[str],
    source: MetricSource = "probe",
    selector: str = "",
    queries: tuple[str, str] | None = None,
    evaluation_interval_seconds: float = 30.0,
    skipped: list[str] | None = None,
) -> dict[str, Any]:
    """``{"groups": [...]}`` for the SLOs (every one with a budget when none is named) and policies
    (every one of the catalogue when none is named). Unnamed SLOs the source cannot measure are
    appended to ``skipped``; a named one is an error (ValueError or KeyError naming it)."""
    from slo.prometheus.metric_sources import NoQueryError, has_budget, slo_rules
    from slo.prometheus.prometheus_rules import PolicyRules, rule_group

    chosen = [catalog.policy(p) for p in policies] or list(catalog.alert_policies)
    slos = [catalog.slo(s) for s in slo_ids] or [s for s in catalog.slos if has_budget(s)]
    groups = []
    for slo in slos:
        try:
            spec = slo_rules(catalog, slo, source, selector, queries)
        except NoQueryError as exc:
            if slo_ids or skipped is None:
                raise
            skipped.append(str(exc))
            continue
        assert slo.window_seconds is not None
        resolved = [PolicyRules(p.name, p.to_rules(slo.window_seconds)) for p in chosen]
        groups.append(rule_group(spec, resolved, evaluation_interval_seconds=evaluation_interval_seconds))
    return {"groups": groups}


def dump_rules(document: dict[str, Any], header: str) -> str:
    import yaml

    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


def rules_command(
    catalog: CatalogArgument = None,
    slo_ids: Annotated[
        list[str], typer.Option("--slo", help="SLO id; repeat for several (default: every SLO with a budget)")
    ] = [],  # noqa: B006
    policies: Annotated[
        list[str], typer.Option("--policy", help="alert policy; repeat for several (default: all)")
    ] = [],  # noqa: B006
    source: Annotated[
        MetricSource, typer.Option(help="where events come from: probe (the exporter), cometbft, catalog")
    ] = "probe",
    errors: Annotated[
        str | None, typer.Option(help="PromQL for bad events per second; $window marks the range")
    ] = None,
    total: Annotated[
        str | None, typer.Option(help="PromQL for all events per second; $window marks the range")
    ] = None,
    selector: Annotated[
        str, typer.Option(help='label matchers for the probe source, e.g. module="rpc"')
    ] = "",
    evaluation_interval: Annotated[str, typer.Option("--evaluation-interval")] = "30s",
    out: Annotated[Path | None, typer.Option(help="write here (atomically) instead of stdout")] = None,
) -> None:
    """Sloth-style recording rules and burn-rate alerts; check them with `promtool check rules`."""
    from slo.foundation.atomic_write import write_text_atomic
    from slo.foundation.durations import format_duration, parse_duration

    cat = load_or_fail(catalog)
    if (errors is None) != (total is None):
        raise fail("--errors and --total go together")
    skipped: list[str] = []
    try:
        interval = parse_duration(evaluation_interval)
        document = rules_document(
            cat,
            slo_ids=slo_ids,
            policies=policies,
            source=source,
            selector=selector,
            queries=None if errors is None or total is None else (errors, total),
            evaluation_interval_seconds=interval,
            skipped=skipped,
        )
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    for note in skipped:
        typer.echo(f"skipped: {note}", err=True)
    named = ", ".join(slo_ids) if slo_ids else "every SLO with a budget"
    policy_names = ", ".join(policies) if policies else "every policy"
    header = f"# {cat.name} {named}: {policy_names}, evaluated every {format_duration(interval)}\n"
    text = dump_rules(document, header)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)


def register(app: typer.Typer) -> None:
    app.command("rules")(rules_command)
