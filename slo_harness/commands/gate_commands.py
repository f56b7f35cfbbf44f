"""``slo-harness gate``: may we release now? The error-budget policy applied to live data, as an exit code.

Each named SLO's budget status is read from a running exporter (``/slo``), its results file, or
Prometheus; the catalogue's release matrix turns status × risk into approve / review / defer / block,
and the strictest decision over the SLOs wins. Exit codes (for a CI/CD step): 0 approve, 3 review,
1 defer or block, 2 bad input or a source that cannot vouch for the present (unreachable, no data, or
no result newer than ``--max-age``): a stale source is never an approval.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slo.budgets.budget import BudgetStatus
from slo.budgets.release import EXIT_CODES, Decision, Risk, decide, strictest
from slo.foundation.durations import format_duration, parse_duration
from slo_harness.commands.catalog_commands import load_or_fail
from slo_harness.shared.source_options import (
    GoodOption,
    PrometheusOption,
    SelectorOption,
    StoreOption,
    TotalOption,
)
from slo_harness.shared.terminal import fail

if TYPE_CHECKING:  # the catalogue loads pydantic; commands import what they read when they run
    from slo.catalogs.catalog import Catalog

__all__ = ["gate_decision", "register"]


def _entries_from_store(path: Path, catalog: Catalog, slo_ids: list[str], at: float) -> list[dict[str, Any]]:
    # The prober's modules (aiohttp) load only when a command reads them, so the CLI starts fast.
    from probes.schedule.slo_view import SloBinding, slo_report
    from probes.schedule.store import ResultStore

    if not path.exists():
        raise fail(f"{path}: no results store")
    with ResultStore.reader(path) as store:
        bound = [SloBinding(*row) for row in store.bindings() if row[0] in slo_ids]
        unknown = {b.slo_id for b in bound} - {s.id for s in catalog.slos}
        if unknown:
            raise fail(f"{path}: SLO {sorted(unknown)[0]} is not in catalogue {catalog.name}")
        entries: list[dict[str, Any]] = slo_report(store, catalog, bound, at)["slos"]
        return entries


def _entries_from_prometheus(
    url: str,
    catalog: Catalog,
    slo_ids: list[str],
    queries: tuple[str | None, str | None, str],
    at: float,
    max_age: float,
) -> list[dict[str, Any]]:
    from recorded.prometheus import PrometheusSource, SourceError, queries_for
    from recorded.snapshot import prometheus_entry

    good, total, selector = queries
    source = PrometheusSource(url)
    out = []
    for slo_id in slo_ids:
        try:
            good_q, total_q = queries_for(catalog.slo(slo_id), good, total, selector)
            out.append(
                prometheus_entry(source, catalog, slo_id, good_q, total_q, at=at, freshness_seconds=max_age)
            )
        except SourceError as exc:
            raise fail(str(exc)) from None
    return out


def _burn(entry: dict[str, Any], window: str) -> float | None:
    value = entry.get("windows", {}).get(window, {}).get("burn_rate")
    return None if value is None else float(value)


def gate_decision(
    entries: list[dict[str, Any]],
    catalog: Catalog,
    slo_ids: list[str],
    risk: Risk,
    *,
    at: float,
    max_age_seconds: float,
) -> dict[str, Any]:
    """The decision document; raises ``ValueError`` (exit 2) for a missing, budgetless or stale SLO."""
    rows = []
    for slo_id in slo_ids:
        found = [e for e in entries if e.get("slo") == slo_id]
        if not found:
            raise ValueError(f"{slo_id}: the source has no data for this SLO")
        for entry in found:
            series = f"{slo_id} ({entry.get('target')} {entry.get('module')})"
            if "error" in entry:
                raise ValueError(f"{series}: {entry['error']}")
            latest = entry.get("latest_result_at")
            if latest is None:
                limit = format_duration(max_age_seconds)
                raise ValueError(f"{series}: stale source: no result in the last {limit}")
            if at - float(latest) > max_age_seconds:
                age = format_duration(round(at - float(latest)))
                raise ValueError(
                    f"{series}: stale source: newest result is {age} old (--max-age "
                    f"{format_duration(max_age_seconds)})"
                )
            status = BudgetStatus(entry["budget"]["status"])
            rows.append(
                {
                    "slo": slo_id,
                    "name": entry.get("name"),
                    "series": f"{entry.get('target')} {entry.get('module')}",
                    "remaining": entry["budget"]["remaining"],
                    "status": status.value,
                    "burn_rate_1h": _burn(entry, "1h"),
                    "burn_rate_6h": _burn(entry, "6h"),
                    "decision": decide(status, risk, catalog.release_policy.matrix).value,
                }
            )
    decision = strictest(Decision(r["decision"]) for r in rows)
    deciding = [r for r in rows if r["decision"] == decision.value]
    worst = max(deciding, key=lambda r: list(BudgetStatus).index(BudgetStatus(r["status"])))
    level = catalog.status_level(BudgetStatus(worst["status"]))
    return {
        "decision": decision.value,
        "exit_code": EXIT_CODES[decision],
        "risk": risk.value,
        "at": at,
        "reason": _reason(worst, decision, risk),
        "conditions": list(level.actions) if level is not None else [],
        "slos": rows,
    }


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}x"


def _remaining(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def _reason(row: dict[str, Any], decision: Decision, risk: Risk) -> str:
    return (
        f"{row['slo']} has {_remaining(row['remaining'])} of its error budget left ({row['status']}), "
        f"burn rate {_rate(row['burn_rate_1h'])} over 1h and {_rate(row['burn_rate_6h'])} over 6h: "
        f"a {risk.value}-risk release is {decision.value}"
    )


def _text(doc: dict[str, Any]) -> str:
    lines = [f"{doc['decision'].upper()}: {doc['reason']}"]
    for r in doc["slos"]:
        lines.append(
            f"  {r['slo']} [{r['series']}]: budget {_remaining(r['remaining'])} left, {r['status']}, "
            f"burn 1h {_rate(r['burn_rate_1h'])}, 6h {_rate(r['burn_rate_6h'])} → {r['decision']}"
        )
    if doc["conditions"]:
        lines.append("conditions:")
        lines.extend(f"  - {c}" for c in doc["conditions"])
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``gate`` to the CLI."""

    @app.command("gate")
    def gate(
        slo_ids: Annotated[list[str], typer.Option("--slo", help="SLO id; repeat for several.")],
        risk: Annotated[Risk, typer.Option("--risk", help="Release risk: low, medium or high.")],
        url: Annotated[str | None, typer.Option("--url", help="A running exporter (reads /slo).")] = None,
        store: StoreOption = None,
        prometheus: PrometheusOption = None,
        good: GoodOption = None,
        total: TotalOption = None,
        selector: SelectorOption = "",
        catalog: Annotated[Path | None, typer.Option("--catalog", help="SLO catalogue.")] = None,
        at: Annotated[str | None, typer.Option("--at", help="Decide as of this time (default: now).")] = None,
        max_age: Annotated[str, typer.Option("--max-age", help="Newest result must be this recent.")] = "5m",
        output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    ) -> None:
        """Release decision from the error-budget policy: exit 0 approve, 3 review, 1 defer/block, 2 stale."""
        if sum(x is not None for x in (url, store, prometheus)) != 1:
            raise fail("give exactly one of --url, --store and --prometheus")
        if output not in ("text", "json"):
            raise fail(f"--format must be text or json, not {output!r}")
        from recorded.periods import parse_time

        cat = load_or_fail(catalog)
        try:
            when = time.time() if at is None else parse_time(at)
            max_age_seconds = parse_duration(max_age)
            for slo_id in slo_ids:
                cat.slo(slo_id)
        except (ValueError, KeyError) as exc:
            raise fail(str(exc.args[0])) from None
        if url is not None:
            if at is not None:
                raise fail("--at reads history: give it with --store or --prometheus, not --url")
            from slo_harness.commands.status_commands import read_slo_view

            view = read_slo_view(url)
            entries: list[dict[str, Any]] = view.get("slos", [])
            when = float(view.get("generated_at", when))
        elif store is not None:
            entries = _entries_from_store(store, cat, slo_ids, when)
        else:
            assert prometheus is not None
            entries = _entries_from_prometheus(
                prometheus, cat, slo_ids, (good, total, selector), when, max_age_seconds
            )
        try:
            doc = gate_decision(entries, cat, slo_ids, risk, at=when, max_age_seconds=max_age_seconds)
        except ValueError as exc:
            raise fail(str(exc)) from None
        typer.echo(json.dumps(doc, indent=2) if output == "json" else _text(doc))
        raise typer.Exit(doc["exit_code"])
