"""The index page's own plots: what the probes saw during the live incident, and an overview of the
scenario library (alert timelines and the budget left at window end), drawn from the summaries.

Built like ``sim.reports.plots``: a :class:`~matplotlib.figure.Figure` on the Agg canvas, no pyplot, so
nothing global is touched; colours come from ``sim.reports.plots.distinct_colours``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.reports.plots import distinct_colours

__all__ = ["probe_alerts_figure", "probe_sli_figure", "sim_alerts_figure", "sim_budgets_figure"]

_DAY = 86400.0
_SEVERITY_COLOURS = {"page": "#c0392b", "ticket": "#e67e22"}
_STATUS_COLOURS = {"healthy": "#2e8b57", "warning": "#d4a017", "critical": "#e67e22", "depleted": "#c0392b"}


def _shade_incidents(ax: Axes, incidents: list[dict[str, Any]], label: bool) -> None:
    colours = ["#9e9e9e", "#b39ddb", "#90caf9", "#a5d6a7"]
    for i, incident in enumerate(incidents):
        ax.axvspan(
            incident["start_seconds"],
            incident["end_seconds"],
            color=colours[i % len(colours)],
            alpha=0.35,
            lw=0,
            label=incident["name"] if label else None,
        )


def _rows_chart(height_per_row: float, rows: int) -> tuple[Figure, Axes]:
    """A figure for a chart with one labelled row per item."""
    figure = Figure(figsize=(12, height_per_row * max(rows, 3) + 1.2), layout="constrained")
    return figure, figure.subplots()


def _finish_rows(ax: Axes, labels: list[str], fontsize: float, xlabel: str, title: str | None = None) -> None:
    """Row labels top to bottom, the x label and title, and the legend outside on the right."""
    ax.set_yticks(range(len(labels)), labels, fontsize=fontsize)
    ax.set_ylim(-0.7, max(len(labels), 1) - 0.3)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if title is not None:
        ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)


def _values(values: list[float | None]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def probe_sli_figure(summary: dict[str, Any]) -> Figure:
    """Per module: availability (%) per step and every latency measured (log scale), incidents shaded."""
    modules = summary["modules"]
    figure = Figure(figsize=(12, 1.9 * len(modules) + 0.6), layout="constrained")
    axes = figure.subplots(len(modules), 2, squeeze=False, sharex=True)
    colours = distinct_colours(len(modules))
    end = summary["duration_seconds"]
    for row, (module, colour) in enumerate(zip(modules, colours, strict=True)):
        left, right = axes[row]
        _shade_incidents(left, summary["incidents"], label=row == 0)
        _shade_incidents(right, summary["incidents"], label=False)
        times = _values(module["timeline"]["time_seconds"])
        availability = _values(module["timeline"]["availability"]) * 100.0
        left.step(times, availability, where="post", color=colour, lw=1.4)
        left.set_ylim(-5, 105)
        left.set_ylabel(f"{module['label']}\navailability (%)", fontsize=8)
        latencies = module["latencies"]
        if latencies["seconds"]:
            right.scatter(
                _values(latencies["time_seconds"]), _values(latencies["seconds"]), s=6, color=colour
            )
            right.set_yscale("log")
        right.set_ylabel("latency (s)", fontsize=8)
        for ax in (left, right):
            ax.set_xlim(0, end)
            ax.tick_params(labelsize=7)
    axes[0][0].set_title("probe availability per step", fontsize=10)
    axes[0][1].set_title("latency measured (probe time, block interval, tx confirmation)", fontsize=10)
    axes[-1][0].set_xlabel("seconds from start")
    axes[-1][1].set_xlabel("seconds from start")
    figure.legend(loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    return figure


def probe_alerts_figure(summary: dict[str, Any]) -> Figure:
    """One row per SLO and rule that fired: its firing spans during the demo, incidents shaded."""
    rows = [
        (f"{s['slo']} ({s['module']}) {a['policy']}/{a['rule']}", a)
        for s in summary["slos"]
        for a in s["alerts"]
    ]
    names = sorted({name for name, _ in rows})
    figure, ax = _rows_chart(0.32, len(names))
    _shade_incidents(ax, summary["incidents"], label=True)
    end = summary["duration_seconds"]
    for name, alert in rows:
        y = names.index(name)
        resolved = end if alert["resolved_at_seconds"] is None else alert["resolved_at_seconds"]
        colour = _SEVERITY_COLOURS.get(alert["severity"], "#555555")
        ax.barh(
            y, resolved - alert["fired_at_seconds"], left=alert["fired_at_seconds"], color=colour, height=0.6
        )
    for severity, colour in _SEVERITY_COLOURS.items():
        ax.barh(0, 0, color=colour, label=severity)
    ax.set_xlim(0, end)
    title = "alerts the catalogue's policies would have fired on the probe results"
    _finish_rows(ax, names, 7, "seconds from start", title)
    return figure


def sim_alerts_figure(summaries: list[dict[str, Any]]) -> Figure:
    """One row per scenario over its window (days): incidents shaded, each alert a tick coloured by
    severity at the time it fired."""
    figure, ax = _rows_chart(0.34, len(summaries))
    longest = max((s["window_seconds"] for s in summaries), default=_DAY) / _DAY
    ticks: dict[str, tuple[list[float], list[int]]] = {}  # one artist per severity: libraries fire thousands
    for y, doc in enumerate(summaries):
        for incident in doc["incidents"]:
            end = incident["end_seconds"] if incident["end_seconds"] is not None else doc["window_seconds"]
            width = max(end - incident["start_seconds"], longest * _DAY / 400) / _DAY
            ax.barh(y, width, left=incident["start_seconds"] / _DAY, height=0.7, color="#bdbdbd")
        for alert in doc["alerts"]:
            days, rows = ticks.setdefault(alert["severity"], ([], []))
            days.append(alert["fired_at_seconds"] / _DAY)
            rows.append(y)
    ax.barh(0, 0, color="#bdbdbd", label="incident")
    for severity, (days, rows) in sorted(ticks.items()):
        colour = _SEVERITY_COLOURS.get(severity, "#555555")
        ax.plot(days, rows, marker="|", ls="", markersize=11, mew=2, color=colour, label=f"{severity} fired")
    ax.set_xlim(0, longest)
    labels = [s["scenario"] for s in summaries]
    _finish_rows(ax, labels, 8, "day of the scenario's window", "scenario library: incidents and alert fires")
    return figure


def sim_budgets_figure(summaries: list[dict[str, Any]]) -> Figure:
    """Budget remaining at window end (%) per scenario and SLO, coloured by status."""
    bars = [
        (f"{doc['scenario']}  {slo['id']}", slo["budget"]["remaining"] * 100.0, slo["budget"]["status"])
        for doc in summaries
        for slo in doc["slos"]
    ]
    figure, ax = _rows_chart(0.22, len(bars))
    for y, (_, remaining, status) in enumerate(bars):
        ax.barh(y, max(remaining, -100.0), color=_STATUS_COLOURS.get(status, "#555555"), height=0.7)
    for status, colour in _STATUS_COLOURS.items():
        ax.barh(0, 0, color=colour, label=status)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlim(-100, 100)
    xlabel = "budget remaining at window end (%; overspent budgets go below 0, cut at -100)"
    _finish_rows(ax, [name for name, _, _ in bars], 7, xlabel)
    return figure
