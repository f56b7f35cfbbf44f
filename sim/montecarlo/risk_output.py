"""A risk run's files: ``summary.json``, ``replications.csv`` and PNG histograms, each written atomically.

``summary.json`` holds no wall-clock time, host or path, so the same scenario, seed and run count give
the same bytes whether the replications ran in one process, several, or on a Dask cluster.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.montecarlo.risk import Outcomes, paired_difference, summarise
from sim.reports.output import csv_bytes
from sim.reports.plots import png_bytes
from slo.foundation.atomic_write import write_bytes_atomic
from slo.foundation.json_numbers import json_number

SCHEMA = "slo-harness/risk-summary/1"


@dataclass(frozen=True)
class Column:
    """One variant of the scenario and its replications' outcomes; ``change`` is None for the scenario."""

    name: str
    change: str | None
    outcomes: Outcomes


def summary_document(
    columns: list[Column], seed: int, runs: int, path: str, note: str | None, gates: list[dict[str, Any]]
) -> dict[str, Any]:
    base = columns[0].outcomes
    plan = base.plan
    out: list[dict[str, Any]] = []
    for column in columns:
        entry: dict[str, Any] = {"name": column.name, "change": column.change, **summarise(column.outcomes)}
        if column.change is not None:
            entry["difference_from_scenario"] = paired_difference(base, column.outcomes)
        out.append(entry)
    return {
        "schema": SCHEMA,
        "scenario": plan.name,
        "description": plan.description,
        "seed": seed,
        "runs": runs,
        "window_seconds": json_number(plan.window_seconds),
        "path": path,
        "path_note": note,
        "columns": out,
        "gates": gates,
    }


def replications_csv(columns: list[Column]) -> bytes:
    """One row per variant and replication: every per-replication value and flag."""
    values = list(dict.fromkeys(k for c in columns for k in c.outcomes.values))
    flags = list(dict.fromkeys(k for c in columns for k in c.outcomes.flags))
    rows: list[list[object]] = []
    for column in columns:
        count = len(next(iter(column.outcomes.values.values())))
        for i in range(count):
            row: list[object] = [column.name, i]
            for key in values:
                series = column.outcomes.values.get(key)
                x = None if series is None else float(series[i])
                row.append(None if x is None or math.isnan(x) else x)
            for key in flags:
                flag = column.outcomes.flags.get(key)
                row.append(None if flag is None else int(bool(flag[i])))
            rows.append(row)
    return csv_bytes(["variant", "replication", *values, *flags], rows)


def _histograms(columns: list[Column], keys: list[str], xlabel: str) -> Figure:
    figure = Figure(figsize=(10, 2.4 * max(1, len(keys))), layout="constrained")
    axes = figure.subplots(max(1, len(keys)), 1, squeeze=False)[:, 0]
    for ax, key in zip(axes, keys, strict=False):
        data = [(c.name, c.outcomes.values[key]) for c in columns if key in c.outcomes.values]
        finite = [(name, v[~np.isnan(v)]) for name, v in data]
        everything = np.concatenate([v for _, v in finite]) if finite else np.zeros(0)
        if everything.size == 0:
            ax.set_title(f"{key}: no values")
            continue
        low, high = float(everything.min()), float(everything.max())
        integers = bool(np.all(everything == np.round(everything)))
        title = key
        # A long tail (one replication at 40 % availability among thousands near 99.9 %) would squeeze
        # every other value into one bar: the lowest 1 % are drawn in the first bin instead.
        floor = float(np.quantile(everything, 0.01))
        if not integers and floor > low:
            low = floor
            title = f"{key} (the lowest 1 %, down to {everything.min():.4g}, in the first bar)"
        bins: Any = np.arange(low - 0.5, high + 1.5) if integers and high - low < 80 else 40
        for name, v in finite:
            shown = v if integers else np.clip(v, low, None)
            span = None if integers else (low, high or low + 1)
            ax.hist(shown, bins=bins, range=span, alpha=0.55, label=name)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("replications")
        ax.legend(fontsize=8)
    return figure


def write_risk_results(out_dir: Path, document: dict[str, Any], columns: list[Column]) -> list[Path]:
    """Write every file under ``out_dir`` and return their paths (rendered first, then each renamed)."""
    keys = list(dict.fromkeys(k for c in columns for k in c.outcomes.values))
    budget = [k for k in keys if k.endswith(" budget remaining")]
    alerts = [k for k in keys if k.endswith((" pages", " tickets"))]
    sla = [k for k in keys if k.endswith(" measured")]
    files: dict[str, bytes] = {
        "summary.json": (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode(),
        "replications.csv": replications_csv(columns),
        "budget_remaining.png": png_bytes(_histograms(columns, budget, "budget remaining at window end")),
    }
    if alerts:
        files["alerts.png"] = png_bytes(_histograms(columns, alerts, "per window"))
    if sla:
        files["sla.png"] = png_bytes(_histograms(columns, sla, "measured at window end"))
    paths = []
    for name, data in files.items():
        write_bytes_atomic(out_dir / name, data)
        paths.append(out_dir / name)
    return paths
