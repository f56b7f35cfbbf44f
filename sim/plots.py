"""PNG plots of a run: the budget burn-down in its four status bands, and burn rates against thresholds.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas, never through pyplot, so
plotting keeps no global state and runs in worker processes. Series of 80,640 evaluations are
reduced to at most ``_POINTS`` buckets, keeping each bucket's extreme so no spike disappears.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray

from sim.result import Result
from slo.budget import BudgetStatus, StatusThreshold
from slo.burn_rate import burn_rate
from slo.durations import format_duration

FloatArray = NDArray[np.float64]
_POINTS = 1500
_DAY = 86400.0
_BAND_COLOURS = {
    BudgetStatus.HEALTHY: "#d8f0d8",
    BudgetStatus.WARNING: "#fff3c4",
    BudgetStatus.CRITICAL: "#ffd9b0",
    BudgetStatus.DEPLETED: "#f7c5c5",
}


def reduce_points(times: FloatArray, values: FloatArray, keep_max: bool) -> tuple[FloatArray, FloatArray]:
    """At most ``_POINTS`` points: each bucket's last time and its max (or min) value."""
    size = -(-len(values) // _POINTS)
    if size <= 1:
        return times, values
    cut = len(values) // size * size
    head = values[:cut].reshape(-1, size)
    with np.errstate(all="ignore"):
        pooled = np.nanmax(head, axis=1) if keep_max else np.nanmin(head, axis=1)
    t = times[size - 1 : cut : size]
    if cut < len(values):
        tail = values[cut:]
        pooled = np.append(pooled, np.nanmax(tail) if keep_max else np.nanmin(tail))
        t = np.append(t, times[-1])
    return t, pooled


def _shade_incidents(ax: Axes, result: Result, source: str) -> None:
    for record in result.run.incidents:
        if source in record.plan.sources:
            ax.axvspan(
                record.plan.start_seconds / _DAY,
                record.end_seconds / _DAY,
                color="#888888",
                alpha=0.25,
                lw=0,
            )


def status_bands(ax: Axes, thresholds: Sequence[StatusThreshold], remaining: FloatArray) -> float:
    """Shade the four status bands behind a remaining-budget curve; returns the y axis' lower end."""
    levels = sorted(thresholds, key=lambda level: level.lower)
    low = min(-0.1, float(np.min(remaining)) - 0.05) if len(remaining) else -0.1
    ax.axhspan(low, levels[0].lower, color=_BAND_COLOURS[BudgetStatus.DEPLETED], lw=0)
    for level, above in zip(levels, [*levels[1:], None], strict=True):
        top = 1.05 if above is None else above.lower
        ax.axhspan(level.lower, top, color=_BAND_COLOURS[level.status], lw=0)
    return low


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    return buffer.getvalue()


def budget_figure(result: Result) -> Figure:
    """Remaining budget per SLO over the window, on the status bands, with incidents shaded."""
    objectives = result.run.plan.objectives
    figure = Figure(figsize=(10, 2.6 * len(objectives)), layout="constrained")
    axes = figure.subplots(len(objectives), 1, squeeze=False)[:, 0]
    for ax, objective in zip(axes, objectives, strict=True):
        track = result.tracks[objective.slo_id]
        t, remaining = reduce_points(track.times_seconds, track.remaining, keep_max=False)
        low = status_bands(ax, result.run.plan.status_thresholds, remaining)
        _shade_incidents(ax, result, objective.source)
        ax.plot(t / _DAY, remaining, color="#1f3b73", lw=1.4)
        ax.set_ylim(low, 1.05)
        ax.set_xlim(0, result.run.plan.window_seconds / _DAY)
        ax.set_ylabel("budget remaining")
        ax.set_title(f"{objective.slo_id} {objective.name} (target {objective.target:.4%})", fontsize=10)
    axes[-1].set_xlabel("day")
    return figure


def burn_rate_figure(result: Result) -> Figure:
    """Burn rate over each rule window per SLO, each rule's factor, and the spans its alert fired."""
    plan = result.run.plan
    objectives = plan.objectives
    figure = Figure(figsize=(12, 2.8 * len(objectives)), layout="constrained")
    axes = figure.subplots(len(objectives), 1, squeeze=False)[:, 0]
    for ax, objective in zip(axes, objectives, strict=True):
        series = result.run.series[objective.slo_id]
        alerts = [a for a in plan.alerts if a.slo_id == objective.slo_id]
        windows = sorted({w for a in alerts for w in a.rule.windows}, reverse=True)
        for window in windows:
            rates = burn_rate(series.error_ratio(window), objective.target)
            t, pooled = reduce_points(series.times_seconds, np.nan_to_num(rates), keep_max=True)
            ax.plot(t / _DAY, np.maximum(pooled, 1e-2), lw=0.9, label=f"burn rate {format_duration(window)}")
        colours = ["#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
        for i, alert in enumerate(alerts):
            colour = colours[i % len(colours)]
            ax.axhline(alert.rule.factor, color=colour, ls="--", lw=0.8)
            y = 1.0 - 0.04 * (i + 1)
            for f in result.fires:
                if (f.slo_id, f.policy, f.rule) == (alert.slo_id, alert.policy, alert.rule.name):
                    end = f.resolved_seconds if f.resolved_seconds is not None else plan.window_seconds
                    ax.axvspan(
                        f.fired_seconds / _DAY,
                        max(end, f.fired_seconds + plan.window_seconds / 500) / _DAY,
                        ymin=y - 0.03,
                        ymax=y,
                        color=colour,
                    )
            ax.plot(
                [],
                [],
                color=colour,
                ls="--",
                label=f"{alert.policy}/{alert.rule.name} ≥ {alert.rule.factor:g}",
            )
        ax.set_yscale("log")
        ax.set_xlim(0, plan.window_seconds / _DAY)
        ax.set_ylabel("burn rate")
        ax.set_title(f"{objective.slo_id} {objective.name}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    axes[-1].set_xlabel("day")
    return figure
