"""``report.html``: one self-contained page per run (plots inlined as data URIs, no external assets).

It is rendered from the same summary document as ``summary.json``, so the page and the file can
never disagree.
"""

from __future__ import annotations

from html import escape
from typing import Any

from sim.replay.result import Result, summary
from sim.reports.html import duration as _duration
from sim.reports.html import image as _image
from sim.reports.html import page
from sim.reports.html import pct as _pct
from sim.reports.html import table as _table


def budget_window_note(doc: dict[str, Any]) -> str:
    """Which window budgets are relative to, and each SLO whose own window differs from it."""
    window = doc["window_seconds"]
    note = f"Budgets are relative to the simulated window, {_duration(window)}"
    others = [
        f"{s['id']} is defined over {_duration(s['slo_window_seconds'])}"
        for s in doc["slos"]
        if s["slo_window_seconds"] is not None and s["slo_window_seconds"] != window
    ]
    return note + (f" ({'; '.join(others)})." if others else ".")


def report_html(result: Result, budget_png: bytes, burn_png: bytes) -> str:
    doc: dict[str, Any] = summary(result)
    verdict = (
        '<span class="pass">all expectations met</span>'
        if doc["passed"]
        else ('<span class="fail">expectations failed</span>')
    )
    parts = [
        f"<h1>Scenario <code>{escape(doc['scenario'])}</code></h1><p>{escape(doc['description'])}</p>",
        f"<p>Seed {doc['seed']}, catalogue <code>{escape(doc['catalog'])}</code>, window "
        f"{_duration(doc['window_seconds'])}, step {_duration(doc['step_seconds'])}, evaluation every "
        f"{_duration(doc['evaluation_interval_seconds'])}: {verdict}.</p>",
        "<h2>Expectations</h2>",
        _table(
            ["expectation", "result", "observed"],
            [
                [
                    escape(e["expectation"]),
                    '<span class="pass">pass</span>' if e["passed"] else '<span class="fail">FAIL</span>',
                    escape(e["observed"]),
                ]
                for e in doc["expectations"]
            ],
        ),
        "<h2>Error budgets</h2>",
        f"<p>{escape(budget_window_note(doc))}</p>",
        _table(
            [
                "SLO",
                "target",
                "SLI",
                "consumed",
                "remaining",
                "status",
                "exhausted at",
                "warning / critical / depleted reached",
                "transitions",
            ],
            [
                [
                    escape(f"{s['id']} {s['name']}"),
                    _pct(s["target"]),
                    _pct(s["sli"]["ratio"]),
                    _pct(s["budget"]["consumed"]),
                    _pct(s["budget"]["remaining"]),
                    s["budget"]["status"],
                    _duration(s["budget"]["exhausted_at_seconds"]),
                    " / ".join(_duration(t) for t in s["budget"]["status_reached_at_seconds"].values()),
                    escape(
                        ", ".join(
                            f"{t['to']} at {_duration(t['at_seconds'])}" for t in s["status_transitions"]
                        )
                    ),
                ]
                for s in doc["slos"]
            ],
        ),
        _image(budget_png, "budget burn-down"),
    ]
    if doc["automation_savings"]:
        parts += [
            "<h2>Budget saved by automation</h2>",
            "<p>The same scenario and seed replayed without the automated responder.</p>",
            _table(
                ["SLO", "consumed with automation", "consumed without", "saved"],
                [
                    [
                        escape(s["slo"]),
                        _pct(s["consumed_with_automation"]),
                        _pct(s["consumed_without_automation"]),
                        _pct(s["saved"]),
                    ]
                    for s in doc["automation_savings"]
                ],
            ),
        ]
    parts += [
        "<h2>Incidents</h2>",
        _table(
            ["id", "kind", "sources", "cause", "start", "end", "ended by"],
            [
                [
                    escape(i["id"]),
                    i["kind"],
                    escape(", ".join(i["sources"])),
                    escape(i["cause"] or "—"),
                    _duration(i["start_seconds"]),
                    _duration(i["end_seconds"]),
                    escape(i["ended_by"] or "open"),
                ]
                for i in doc["incidents"]
            ],
        ),
        "<h2>Alerts</h2>",
        "<p><em>Budget consumed at fire</em> is the share of the window's error budget already spent when "
        "the rule fired (consumed, not remaining).</p>",
        _table(
            [
                "SLO",
                "policy / rule",
                "severity",
                "fired",
                "resolved",
                "incident",
                "detection",
                "reset",
                "budget consumed at fire",
            ],
            [
                [
                    escape(a["slo"]),
                    escape(f"{a['policy']}/{a['rule']}"),
                    a["severity"],
                    _duration(a["fired_at_seconds"]),
                    _duration(a["resolved_at_seconds"]),
                    escape(a["incident"] or "—"),
                    _duration(a["detection_seconds"]),
                    _duration(a["reset_seconds"]),
                    _pct(a["budget_consumed_at_fire"]),
                ]
                for a in doc["alerts"]
            ],
        ),
        _image(burn_png, "burn rates and alert spans"),
        "<h2>Automated actions and pages</h2>",
        _table(
            ["action", "alert", "triggered", "completed", "incidents"],
            [
                [
                    a["action"],
                    escape(a["alert"]),
                    _duration(a["triggered_at_seconds"]),
                    _duration(a["completed_at_seconds"]),
                    escape(", ".join(a["incidents"])),
                ]
                for a in doc["actions"]
            ],
        ),
        _table(
            ["page", "paged", "acknowledged", "mitigated", "incidents"],
            [
                [
                    escape(r["alert"]),
                    _duration(r["paged_at_seconds"]),
                    _duration(r["acknowledged_at_seconds"]),
                    _duration(r["mitigated_at_seconds"]),
                    escape(", ".join(r["incidents"])),
                ]
                for r in doc["responses"]
            ],
        ),
        "<h2>SLA outcomes</h2>",
        _table(
            ["SLA / commitment", "measured", "met", "step", "consequences"],
            [
                [
                    escape(f"{o['sla']}/{o['commitment']}"),
                    f"{o['measured']:.6g}",
                    "yes" if o["met"] else "no",
                    escape(o["step"] or "—"),
                    escape(
                        "; ".join(
                            c["description"]
                            + (f" ({c['amount']:g} {c['unit']})" if c["amount"] is not None else "")
                            for c in o["consequences"]
                        )
                    ),
                ]
                for o in doc["sla"]
            ],
        ),
    ]
    return page(doc["scenario"], parts)
