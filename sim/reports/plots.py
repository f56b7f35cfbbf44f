"""PNG plots of a run: the budget burn-down in its four status bands, and burn rates against thresholds.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas, never through pyplot, so
plotting keeps no global state and runs in worker processes. Series of 80,640 evaluations are
reduced to at most ``_POINTS`` buckets, keeping each bucket's extreme so no spike disappears.

On a 28-day axis an incident of minutes is a sliver, so each SLO row also has a zoomed panel per
short incident on its source (at most ``_MAX_ZOOMS``), drawn from the unreduced series, with the
x axis in minutes (or hours) from the incident's start. Budget is in percent, as in the tables, and
no two series of one legend share a colour.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from numpy.typing import NDArray

from sim.replay.result import Result
from sim.scenarios.plan import ObjectivePlan
from slo.budgets.budget import BudgetStatus, StatusThreshold
from slo.budgets.burn_rate import burn_rate
from slo.foundation.durations import format_duration

FloatArray = NDArray[np.float64]
_POINTS = 1500
_DAY = 86400.0
_MAX_ZOOMS = 3
# An incident shorter than this share of the window gets its own zoomed panel.
_ZOOM_SHARE = 0.05
_BAND_COLOURS = {
    BudgetStatus.HEALTHY: "#d8f0d8",
    BudgetStatus.WARNING: "#fff3c4",
    BudgetStatus.CRITICAL: "#ffd9b0",
    BudgetStatus.DEPLETED: "#f7c5c5",
}
_INCIDENT_COLOUR = "#888888"


def distinct_colours(count: int) -> list[str]:
    """``count`` colours, no two alike: tab10, then tab20's light shades, then hues spread evenly."""
    base = [to_hex(c) for c in colormaps["tab10"].colors]  # type: ignore[attr-defined]
    base += [to_hex(c) for c in colormaps["tab20"].colors[1::2]]  # type: ignore[attr-defined]
    if count <= len(base):
        return base[:count]
    hsv = colormaps["hsv"]
    return [to_hex(hsv(i / count)) for i in range(count)]


@dataclass(frozen=True)
class Zoom:
    """A stretch of the window around one incident, in seconds from the window's start."""

    incident: str
    incident_start: float
    incident_end: float
    start: float
    end: float

    @property
    def unit_seconds(self) -> float:
        return 60.0 if self.end - self.start <= 6 * 3600 else 3600.0

    @property
    def unit(self) -> str:
        return "min" if self.unit_seconds == 60.0 else "h"

    def x(self, seconds: float) -> float:
        """A time of the window on the panel's axis."""
        return (seconds - self.incident_start) / self.unit_seconds

    def xs(self, seconds: FloatArray) -> FloatArray:
        return (seconds - self.incident_start) / self.unit_seconds


def zooms(result: Result, objective: ObjectivePlan) -> list[Zoom]:
    """The zoomed panels of one SLO: its short incidents, padded on both sides by their length (at
    least 15 min) so detection and reset show."""
    window = result.run.plan.window_seconds
    out: list[Zoom] = []
    for record in result.run.incidents:
        start, end = record.plan.start_seconds, record.end_seconds
        if objective.source not in record.plan.sources or end - start > _ZOOM_SHARE * window:
            continue
        pad = max(end - start, 900.0)
        out.append(Zoom(record.plan.id, start, end, max(0.0, start - pad), min(window, end + pad)))
    return out[:_MAX_ZOOMS]


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


def _shade(ax: Axes, left: float, right: float) -> None:
    ax.axvspan(left, right, color=_INCIDENT_COLOUR, alpha=0.25, lw=0)


def _shade_incidents(ax: Axes, result: Result, source: str) -> None:
    for record in result.run.incidents:
        if source in record.plan.sources:
            _shade(ax, record.plan.start_seconds / _DAY, record.end_seconds / _DAY)


def _rows(result: Result, height: float, width: float) -> tuple[Figure, list[tuple[Axes, list[Axes]]]]:
    """One row per SLO: the whole window, then one zoomed panel per short incident."""
    objectives = result.run.plan.objectives
    panels = [zooms(result, o) for o in objectives]
    columns = 1 + max((len(p) for p in panels), default=0)
    figure = Figure(figsize=(width + 3.2 * (columns - 1), height * len(objectives)), layout="constrained")
    grid = figure.subplots(
        len(objectives), columns, squeeze=False, width_ratios=[3.0] + [1.0] * (columns - 1)
    )
    rows = []
    for row, found in zip(grid, panels, strict=True):
        for unused in row[1 + len(found) :]:
            unused.set_axis_off()
        rows.append((row[0], list(row[1 : 1 + len(found)])))
    return figure, rows


def _zoom_axes(ax: Axes, zoom: Zoom) -> None:
    _shade(ax, zoom.x(zoom.incident_start), zoom.x(zoom.incident_end))
    ax.set_xlim(zoom.x(zoom.start), zoom.x(zoom.end))
    ax.set_xlabel(f"{zoom.unit} from {zoom.incident} start", fontsize=8)
    ax.set_title(f"zoom: {zoom.incident}", fontsize=9)
    ax.tick_params(labelsize=7)


def _inside(times: FloatArray, zoom: Zoom) -> NDArray[np.bool_]:
    return (times >= zoom.start) & (times <= zoom.end)


def status_bands(ax: Axes, thresholds: Sequence[StatusThreshold], remaining_percent: FloatArray) -> float:
    """Shade the four status bands behind a remaining-budget curve in %, set the y range to show it
    all, and return the range's lower end."""
    levels = sorted(thresholds, key=lambda level: level.lower)
    low = min(-10.0, float(np.min(remaining_percent)) - 5.0) if len(remaining_percent) else -10.0
    ax.axhspan(low, levels[0].lower * 100, color=_BAND_COLOURS[BudgetStatus.DEPLETED], lw=0)
    for level, above in zip(levels, [*levels[1:], None], strict=True):
        top = 105.0 if above is None else above.lower * 100
        ax.axhspan(level.lower * 100, top, color=_BAND_COLOURS[level.status], lw=0)
    ax.set_ylim(low, 105.0)
    return low


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    return buffer.getvalue()


def budget_figure(result: Result) -> Figure:
    """Remaining budget (%) per SLO over the window on the status bands, incidents shaded and zoomed."""
    figure, rows = _rows(result, height=2.6, width=10)
    for (ax, zoom_axes), objective in zip(rows, result.run.plan.objectives, strict=True):
        track = result.tracks[objective.slo_id]
        remaining = track.remaining * 100.0
        for panel in (ax, *zoom_axes):
            status_bands(panel, result.run.plan.status_thresholds, remaining)
        _shade_incidents(ax, result, objective.source)
        t, reduced = reduce_points(track.times_seconds, remaining, keep_max=False)
        ax.plot(t / _DAY, reduced, color="#1f3b73", lw=1.4)
        ax.set_xlim(0, result.run.plan.window_seconds / _DAY)
        ax.set_ylabel("budget remaining (%)")
        ax.set_title(f"{objective.slo_id} {objective.name} (target {objective.target:.4%})", fontsize=10)
        ax.set_xlabel("day")
        for panel, zoom in zip(zoom_axes, zooms(result, objective), strict=True):
            inside = _inside(track.times_seconds, zoom)
            shown = remaining[inside]
            panel.plot(zoom.xs(track.times_seconds[inside]), shown, color="#1f3b73", lw=1.4)
            if len(shown):  # the zoom's own budget range, so a drop of 2 % is visible
                top, bottom = float(np.max(shown)), float(np.min(shown))
                pad = max(1.0, 0.2 * (top - bottom))
                panel.set_ylim(bottom - pad, top + pad)
            _zoom_axes(panel, zoom)
    return figure


def burn_rate_figure(result: Result) -> Figure:
    """Burn rate over each rule window per SLO, each rule's factor, and the spans its alert fired;
    every window's line and every rule's colour differ within a row's legend."""
    plan = result.run.plan
    figure, rows = _rows(result, height=2.8, width=12)
    for (ax, zoom_axes), objective in zip(rows, plan.objectives, strict=True):
        series = result.run.series[objective.slo_id]
        alerts = [a for a in plan.alerts if a.slo_id == objective.slo_id]
        windows = sorted({w for a in alerts for w in a.rule.windows}, reverse=True)
        colours = distinct_colours(len(windows) + len(alerts))
        panel_zooms = zooms(result, objective)
        for window, colour in zip(windows, colours, strict=False):
            rates = np.maximum(np.nan_to_num(burn_rate(series.error_ratio(window), objective.target)), 1e-2)
            t, pooled = reduce_points(series.times_seconds, rates, keep_max=True)
            ax.plot(t / _DAY, pooled, lw=0.9, color=colour, label=f"burn rate {format_duration(window)}")
            for panel, zoom in zip(zoom_axes, panel_zooms, strict=True):
                inside = _inside(series.times_seconds, zoom)
                panel.plot(zoom.xs(series.times_seconds[inside]), rates[inside], lw=0.9, color=colour)
        for i, (alert, colour) in enumerate(zip(alerts, colours[len(windows) :], strict=True)):
            y = 1.0 - 0.04 * (i + 1)
            spans = [
                (f.fired_seconds, plan.window_seconds if f.resolved_seconds is None else f.resolved_seconds)
                for f in result.fires
                if (f.slo_id, f.policy, f.rule) == (alert.slo_id, alert.policy, alert.rule.name)
            ]
            for panel, scale in [
                (ax, None),
                *((z_ax, z) for z_ax, z in zip(zoom_axes, panel_zooms, strict=True)),
            ]:
                panel.axhline(alert.rule.factor, color=colour, ls="--", lw=0.8)
                for fired, resolved in spans:
                    if scale is None:
                        left, right = fired / _DAY, max(resolved, fired + plan.window_seconds / 500) / _DAY
                    else:
                        left, right = scale.x(fired), scale.x(resolved)
                    panel.axvspan(left, right, ymin=y - 0.03, ymax=y, color=colour)
            ax.plot(
                [],
                [],
                color=colour,
                ls="--",
                label=f"{alert.policy}/{alert.rule.name} ≥ {alert.rule.factor:g}",
            )
        for panel in (ax, *zoom_axes):
            panel.set_yscale("log")
        for panel, zoom in zip(zoom_axes, panel_zooms, strict=True):
            _zoom_axes(panel, zoom)
        ax.set_xlim(0, plan.window_seconds / _DAY)
        ax.set_ylabel("burn rate")
        ax.set_xlabel("day")
        ax.set_title(f"{objective.slo_id} {objective.name}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.3), ncols=3, frameon=False)
    return figure
