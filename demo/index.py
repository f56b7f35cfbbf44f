"""``index.html`` for a results folder: one page, readable with no network, over every run found in it.

It finds runs by their ``summary.json``: the demo's probe results (schema ``slo-harness/demo-probes/1``),
load runs (``slo-harness load``: a summary with ``steps``, ``knee`` and ``verdicts``) and simulator
runs (schema ``slo-harness/sim-summary/1``). Plots drawn here and the load run's PNGs are inlined
as data URIs; each scenario's own ``budget.png`` and ``report.html`` are linked by relative path,
so the folder can be moved or copied as a whole. Hidden folders (a run being written) are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from demo.plots import probe_alerts_figure, probe_sli_figure, sim_alerts_figure, sim_budgets_figure
from demo.probe_sli import SCHEMA as PROBE_SCHEMA
from sim.replay.result import SCHEMA as SIM_SCHEMA
from sim.reports.html import image, page, pct, table
from sim.reports.plots import png_bytes
from slo.foundation.atomic_write import write_text_atomic
from slo.foundation.durations import format_duration

__all__ = ["Runs", "find_runs", "index_html", "write_index"]

_MAX_DEPTH = 3
_LOAD_KEYS = frozenset(("api", "steps", "knee", "verdicts"))
# Beside the reports' style: the section links and the grid of load-test plots.
_STYLE = """
nav a{margin-right:1.5em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1em}
.grid figure{margin:0}.grid figcaption{font-size:13px}
"""


@dataclass
class Runs:
    """Every run found under a results folder, each summary with the folder it came from."""

    root: Path
    probes: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    loads: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    sims: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.probes or self.loads or self.sims)


def find_runs(root: Path) -> Runs:
    """Every ``summary.json`` up to three folders below ``root``, sorted by kind and path."""
    runs = Runs(root)
    found = sorted(root.glob("summary.json")) + sorted(
        p for depth in range(1, _MAX_DEPTH + 1) for p in root.glob("/".join(["*"] * depth) + "/summary.json")
    )
    for path in found:
        relative = path.parent.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict):
            continue
        if doc.get("schema") == PROBE_SCHEMA:
            runs.probes.append((path.parent, doc))
        elif doc.get("schema") == SIM_SCHEMA:
            runs.sims.append((path.parent, doc))
        elif doc.keys() >= _LOAD_KEYS:
            runs.loads.append((path.parent, doc))
    return runs


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def _verdict(passed: bool) -> str:
    return '<span class="pass">pass</span>' if passed else '<span class="fail">FAIL</span>'


def _link(root: Path, path: Path, text: str) -> str:
    return f'<a href="{escape(path.relative_to(root).as_posix())}">{escape(text)}</a>'


def _probe_section(root: Path, folder: Path, doc: dict[str, Any]) -> list[str]:
    incidents = table(
        ["fault", "what", "from", "to"],
        [
            [
                escape(i["name"]),
                f"<code>{escape(json.dumps(i['fault']))}</code>",
                _seconds(i["start_seconds"]),
                _seconds(i["end_seconds"]),
            ]
            for i in doc["incidents"]
        ],
    )
    modules = table(
        ["module", "target", "probes", "failed", "availability", "failure reasons"],
        [
            [
                escape(m["label"]),
                f"<code>{escape(m['target'])}</code>",
                str(m["probes"]),
                str(m["failed"]),
                pct(m["availability"], 2),
                escape(", ".join(f"{k} ×{v}" for k, v in sorted(m["failure_reasons"].items())) or "—"),
            ]
            for m in doc["modules"]
        ],
    )
    slos = table(
        ["SLO", "module", "SLI during the demo", "burn rate over the demo", "alerts fired"],
        [
            [
                escape(f"{s['slo']} {s['name']}"),
                escape(s["module"]),
                pct(s["sli"]),
                "—" if s.get("burn_rate") is None else f"{s['burn_rate']:.1f}x",
                escape(
                    "; ".join(
                        f"{a['policy']}/{a['rule']} ({a['severity']}) at {a['fired_at_seconds']:.0f} s"
                        for a in s["alerts"]
                    )
                    or "none"
                ),
            ]
            for s in doc["slos"]
        ],
    )
    files = [p for p in (folder / "exporter.yml",) if p.exists()]
    return [
        '<h2 id="probes">Live probes during the incident</h2>',
        f"<p>The exporter probed the testbed every {doc['step_seconds']:g} s for "
        f"{doc['duration_seconds']:.0f} s while the scripted incident ran"
        + (f" (config: {_link(root, files[0], files[0].name)})" if files else "")
        + ". Shaded: the faults, from installation to expiry.</p>",
        incidents,
        image(png_bytes(probe_sli_figure(doc)), "probe availability and latency per module"),
        modules,
        "<h3>SLOs and the alerts their policies would have fired</h3>",
        "<p>The burn rate is the demo's error ratio over the share the objective allows (1x spends the "
        "budget exactly over the SLO's window); the alert rules compare the same counts over their "
        "windows, which here reach back to the start of the demo.</p>",
        slos,
        image(png_bytes(probe_alerts_figure(doc)), "alert firing spans"),
    ]


def _load_section(root: Path, folder: Path, doc: dict[str, Any]) -> list[str]:
    c = doc["confirmation_seconds"]
    knee = doc["knee"]
    steps = table(
        [
            "step",
            "offered tx/s",
            "sent tx/s",
            "achieved tx/s",
            "confirmed",
            "rejected",
            "errors",
            "timed out",
            "confirm P50 / P95 / P99",
            "result",
        ],
        [
            [
                str(s["step"]),
                f"{s['offered_tps']:g}",
                f"{s['send_tps']:.1f}",
                "—" if s["achieved_tps"] is None else f"{s['achieved_tps']:.1f}",
                str(s["outcomes"]["confirmed"]),
                str(s["outcomes"]["rejected"]),
                str(s["outcomes"]["transport_error"]),
                str(s["outcomes"]["timed_out"]),
                " / ".join(_seconds(s["confirmation_seconds"][k]) for k in ("p50", "p95", "p99")),
                _verdict(s["passed"]),
            ]
            for s in doc["steps"]
        ],
    )
    verdicts = table(
        ["SLO", "verdict", "good", "total"],
        [
            [escape(v["slo"]), escape(v["verdict"]), f"{v['good']:g}", f"{v['total']:g}"]
            for v in doc["verdicts"]
        ],
    )
    images = [
        image((folder / name).read_bytes(), alt)
        for name, alt in (
            ("tps.png", "offered vs achieved TPS"),
            ("confirmation.png", "confirmation latency percentiles"),
            ("knee.png", "the knee"),
        )
        if (folder / name).exists()
    ]
    links = [_link(root, folder / n, n) for n in ("summary.json", "locust.html") if (folder / n).exists()]
    return [
        f"<h3>{escape(folder.relative_to(root).as_posix())}: {doc['sent']} signed txs over "
        f"{escape(doc['api'])}</h3>",
        f"<p>Achieved {doc['achieved_tps']:.1f} tx/s; confirmation P50 {_seconds(c['p50'])}, P95 "
        f"{_seconds(c['p95'])}, P99 {_seconds(c['p99'])}; knee: "
        + (
            "none found"
            if knee is None
            else f"{knee['offered_tps']:g} tx/s offered, {knee['achieved_tps']:.1f} achieved"
        )
        + f"; every tx accounted for: {'yes' if doc['accounted'] else 'no'}; {_verdict(doc['passed'])}. "
        + " · ".join(links)
        + "</p>",
        steps,
        verdicts,
        f'<div class="grid">{"".join(images)}</div>',
    ]


def _sim_rows(root: Path, sims: list[tuple[Path, dict[str, Any]]]) -> tuple[str, str]:
    results = []
    slas = []
    for folder, doc in sims:
        report = folder / "report.html"
        name = _link(root, report, doc["scenario"]) if report.exists() else escape(doc["scenario"])
        results.append(
            [
                name,
                _verdict(doc["passed"]),
                escape(
                    ", ".join(
                        f"{s['id']} {s['budget']['status']} ({pct(s['budget']['remaining'], 1)} left)"
                        for s in doc["slos"]
                    )
                ),
                str(len(doc["alerts"])),
                escape(format_duration(doc["window_seconds"])),
            ]
        )
        for o in doc["sla"]:
            consequences = "; ".join(
                c["description"] + (f" ({c['amount']:g} {c['unit']})" if c["amount"] is not None else "")
                for c in o["consequences"]
            )
            slas.append(
                [
                    escape(doc["scenario"]),
                    escape(f"{o['sla']}/{o['commitment']}"),
                    f"{o['measured']:.6g}",
                    "yes" if o["met"] else "no",
                    escape(o["step"] or "—"),
                    escape(consequences or "—"),
                ]
            )
    return (
        table(["scenario", "expectations", "budget at window end", "alerts", "window"], results),
        table(["scenario", "SLA / commitment", "measured", "met", "step", "consequences"], slas),
    )


def _sim_section(root: Path, sims: list[tuple[Path, dict[str, Any]]]) -> list[str]:
    docs = [doc for _, doc in sims]
    results, slas = _sim_rows(root, sims)
    burn_downs = "".join(
        f'<figure><a href="{escape((folder / "report.html").relative_to(root).as_posix())}">'
        f'<img loading="lazy" alt="{escape(doc["scenario"])} budget burn-down" '
        f'src="{escape((folder / "budget.png").relative_to(root).as_posix())}"></a>'
        f"<figcaption>{escape(doc['scenario'])}</figcaption></figure>"
        for folder, doc in sims
        if (folder / "budget.png").exists() and (folder / "report.html").exists()
    )
    passed = sum(1 for d in docs if d["passed"])
    return [
        '<h2 id="simulations">Simulations</h2>',
        f"<p>{len(docs)} scenario(s) replayed over their windows; {passed} met every expectation. Each name "
        "links its report (burn rates, every alert with detection and reset time, pages, actions).</p>",
        results,
        image(png_bytes(sim_alerts_figure(docs)), "alert timelines of the scenarios"),
        image(png_bytes(sim_budgets_figure(docs)), "budget left at window end"),
        "<h3>SLA outcomes</h3>",
        slas,
        "<h3>Budget burn-down per scenario</h3>",
        f'<div class="grid">{burn_downs}</div>' if burn_downs else "<p>none</p>",
    ]


def index_html(runs: Runs, title: str) -> str:
    """The page for ``runs``; links are relative to ``runs.root``."""
    root = runs.root
    nav = [
        f'<a href="#{anchor}">{text}</a>'
        for anchor, text, present in (
            ("probes", "Live probes during the incident", runs.probes),
            ("load", "Load test", runs.loads),
            ("simulations", "Simulations", runs.sims),
        )
        if present
    ]
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<nav>{''.join(nav)}</nav>",
    ]
    for folder, doc in runs.probes:
        parts += _probe_section(root, folder, doc)
    if runs.loads:
        parts.append('<h2 id="load">Load test</h2>')
        for folder, doc in runs.loads:
            parts += _load_section(root, folder, doc)
    if runs.sims:
        parts += _sim_section(root, runs.sims)
    return page(title, parts, _STYLE)


def write_index(root: Path, title: str = "slo-harness results") -> Path | None:
    """Write ``root/index.html`` (atomically) over the runs found there; None when there are none."""
    runs = find_runs(root)
    if not runs:
        return None
    target = root / "index.html"
    write_text_atomic(target, index_html(runs, title))
    return target
