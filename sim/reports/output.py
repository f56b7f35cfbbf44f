"""Writing a run's files under ``results/<scenario>/``: the folder lands whole or not at all.

The files are written into a temporary folder beside it, renamed into place once complete, so a
reader (or a crashed run) never sees half a ``summary.json`` nor a folder with only some files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sim.replay.result import Result, summary
from sim.reports.plots import budget_figure, burn_rate_figure, png_bytes
from sim.reports.report import report_html
from sim.reports.timeline import DEFAULT_RESOLUTION_SECONDS, write_timeline
from slo.foundation.atomic_write import staged_folder, write_bytes_atomic
from slo.foundation.json_numbers import json_number


def summary_bytes(result: Result) -> bytes:
    return (json.dumps(summary(result), indent=2, ensure_ascii=False) + "\n").encode()


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            rounded = json_number(value)
            return "" if rounded is None else repr(rounded)
        return str(value)

    lines = [",".join(header)]
    lines.extend(",".join(cell(v) for v in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


def alerts_bytes(result: Result) -> bytes:
    header = [
        "slo",
        "policy",
        "rule",
        "severity",
        "action",
        "factor",
        "fired_at_seconds",
        "resolved_at_seconds",
        "incident",
        "detection_seconds",
        "reset_seconds",
        "budget_consumed_at_fire",
    ]
    rows = [
        [
            f.slo_id,
            f.policy,
            f.rule,
            f.severity,
            f.action,
            f.factor,
            f.fired_seconds,
            f.resolved_seconds,
            f.incident,
            f.detection_seconds,
            f.reset_seconds,
            f.budget_consumed_at_fire,
        ]
        for f in result.fires
    ]
    return csv_bytes(header, rows)


def write_results(
    result: Result, out_dir: Path, timeline_resolution_seconds: float | None = DEFAULT_RESOLUTION_SECONDS
) -> Path:
    """Write every file of one run into ``out_dir/<scenario>/`` and return that directory.

    The timeline has a row per ``timeline_resolution_seconds`` (None: one per evaluation). The files
    go to a temporary folder renamed into place when all are written, so a killed run leaves the
    previous results (or none), never a folder holding some of the files.
    """
    target = out_dir / result.run.plan.name
    budget_png = png_bytes(budget_figure(result))
    burn_png = png_bytes(burn_rate_figure(result))
    with staged_folder(target) as folder:
        write_bytes_atomic(folder / "summary.json", summary_bytes(result))
        write_timeline(result, folder, timeline_resolution_seconds)
        write_bytes_atomic(folder / "alerts.csv", alerts_bytes(result))
        write_bytes_atomic(folder / "budget.png", budget_png)
        write_bytes_atomic(folder / "burn_rates.png", burn_png)
        write_bytes_atomic(folder / "report.html", report_html(result, budget_png, burn_png).encode())
    return target
