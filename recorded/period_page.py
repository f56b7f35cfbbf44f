"""The periodic SLO report as files: ``report.json`` and one self-contained ``report.html`` with its plot.

The page is built from the JSON document with the simulator's renderer (:mod:`sim.reports.html`) and its
budget bands (:mod:`sim.reports.plots`), so the page and the file never disagree and every report looks alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from recorded.period import Period, SloPeriod, period_document, slo_period
from recorded.series import RecordedSeries
from sim.reports.html import duration, image, page, pct, table
from sim.reports.plots import png_bytes, reduce_points, status_bands
from slo.catalogs.catalog import Catalog
from slo.foundation.atomic_write import write_bytes_atomic

__all__ = ["budget_figure", "period_html", "write_period_report"]

_DAY = 86400.0


def budget_figure(results: Sequence[SloPeriod], period: Period, catalog: Catalog) -> Figure:
    """Remaining budget of the period per SLO, on the status bands, with incidents shaded."""
    figure = Figure(figsize=(10, 2.4 * max(len(results), 1)), layout="constrained")
    axes = figure.subplots(max(len(results), 1), 1, squeeze=False)[:, 0]
    for ax, result in zip(axes, results, strict=False):
        track = result.track
        t, remaining = reduce_points(
            track.times_seconds - period.start, track.remaining * 100.0, keep_max=False
        )
        status_bands(ax, catalog.status_thresholds, remaining)
        for start, end in result.incident_spans:
            ax.axvspan(
                (start - period.start) / _DAY, (end - period.start) / _DAY, color="#888888", alpha=0.3, lw=0
            )
        ax.plot(t / _DAY, remaining, color="#1f3b73", lw=1.4)
        ax.set_xlim(0, (period.end - period.start) / _DAY)
        ax.set_ylabel("budget remaining (%)")
        ax.set_title(f"{result.slo.id} {result.slo.name} ({result.series_label})", fontsize=10)
    axes[-1].set_xlabel(f"day of {period.label}")
    return figure


def _signed_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.3f} pts"


def _slo_rows(doc: dict[str, Any]) -> list[str]:
    s = doc
    return [
        f"<h3><code>{escape(s['id'])}</code> {escape(s['name'])}</h3>",
        f"<p>Series {escape(s['series'])}: {s['good']:.0f} good of {s['total']:.0f} events.</p>",
        "<h4>Status transitions</h4>",
        table(
            ["at", "from", "to"],
            [[escape(t["at"]), t["from"], t["to"]] for t in s["status_transitions"]],
        ),
        "<h4>Incidents</h4>",
        table(
            ["start", "end", "duration", "peak burn rate", "budget spent"],
            [
                [
                    escape(i["start"]),
                    escape(i["end"]),
                    duration(i["duration_seconds"]),
                    f"{i['peak_burn_rate']:.1f}x",
                    pct(i["budget_spent"]),
                ]
                for i in s["incidents"]
            ],
        ),
        "<h4>Alerts the policies fired</h4>",
        table(
            ["policy / rule", "severity", "fired", "for", "budget consumed at fire"],
            [
                [
                    escape(f"{a['policy']}/{a['rule']}"),
                    a["severity"],
                    escape(a["fired_at"]),
                    duration(a["duration_seconds"]) if a["duration_seconds"] is not None else "still firing",
                    pct(a["budget_consumed_at_fire"]),
                ]
                for a in s["alerts"]
            ],
        ),
    ]


def period_html(doc: dict[str, Any], budget_png: bytes) -> str:
    period = doc["period"]
    rule = doc["incident_rule"]
    parts = [
        f"<h1>SLO report {escape(period['label'])}</h1>",
        f"<p>Catalogue <code>{escape(doc['catalog'])}</code>, source {escape(doc['source'])}, "
        f"{escape(period['start'])} to {escape(period['end'])} (trend against "
        f"{escape(period['previous_start'])} to {escape(period['previous_end'])}), steps of "
        f"{duration(doc['step_seconds'])}. Budgets are the period's: (1 − target) × events in the period; "
        "consumed is the share of that spent. An incident is a span where the burn rate over "
        f"{duration(rule['window_seconds'])} was at least {rule['burn_rate']:g}x, from its first to its last "
        "bad step.</p>",
    ]
    for service in doc["services"]:
        slos = service["slos"]
        parts += [
            f"<h2>{escape(service['name'])}</h2>",
            table(
                [
                    "SLO",
                    "target",
                    "attainment",
                    "met",
                    "consumed",
                    "remaining",
                    "status",
                    "previous",
                    "change",
                ],
                [
                    [
                        escape(f"{s['id']} {s['name']}"),
                        pct(s["target"]),
                        pct(s["attainment"]),
                        "—"
                        if s["met"] is None
                        else (
                            '<span class="pass">yes</span>' if s["met"] else '<span class="fail">no</span>'
                        ),
                        pct(s["budget"]["consumed"]),
                        pct(s["budget"]["remaining"]),
                        s["budget"]["status"],
                        pct(s["trend"]["previous_attainment"]),
                        _signed_pct(s["trend"]["attainment_change"]),
                    ]
                    for s in slos
                ],
            ),
        ]
        sla_rows = [
            [
                escape(f"{o['sla']}/{o['commitment']}"),
                escape(s["id"]),
                pct(o["measured"]),
                "yes" if o["met"] else "no",
                escape(o["step"] or "—"),
                escape("; ".join(c["description"] for c in o["consequences"])),
            ]
            for s in slos
            for o in s["sla"]
        ]
        if sla_rows:
            parts += [
                "<h3>SLA outcomes at period end</h3>",
                table(["SLA / commitment", "SLO", "measured", "met", "step", "consequences"], sla_rows),
            ]
    parts += ["<h2>Budget burn-down</h2>", image(budget_png, "budget burn-down over the period")]
    for service in doc["services"]:
        parts.append(f"<h2>{escape(service['name'])}: details</h2>")
        for s in service["slos"]:
            parts += _slo_rows(s)
    return page(f"SLO report {period['label']}", parts)


def write_period_report(
    out_dir: Path,
    catalog: Catalog,
    series: Sequence[RecordedSeries],
    period: Period,
    *,
    source: str,
) -> dict[str, Any]:
    """Write ``report.json`` and ``report.html`` into ``out_dir`` (each whole or not at all)."""
    results = [slo_period(catalog, s, period) for s in series]
    step = series[0].step_seconds if series else 0.0
    doc = period_document(catalog, period, results, source=source, step_seconds=step)
    png = png_bytes(budget_figure(results, period, catalog))
    write_bytes_atomic(
        out_dir / "report.json", (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
    )
    write_bytes_atomic(out_dir / "report.html", period_html(doc, png).encode())
    return doc
