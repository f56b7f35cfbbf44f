"""Alert design as a trade-off: many rule configurations evaluated on one scenario's traffic.

For each factor × long window × ``for:`` (short window = long / ratio), on each SLO in play: how many
of the scenario's incidents it detects and how fast, how much budget is gone before it fires, how
long it keeps firing after the incident ends, and how often it fires in quiet periods (away from
every incident by more than one long window): precision, recall, detection and reset, side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean

from sim.replay.result import Result
from sim.reports.output import csv_bytes
from slo.budgets.alert_policy import BurnRateRule
from slo.budgets.burn_rate import evaluate_rule
from slo.foundation.durations import format_duration


@dataclass(frozen=True)
class SweepRow:
    slo_id: str
    factor: float
    long_window_seconds: float
    short_window_seconds: float
    for_seconds: float
    incidents: int
    detected: int
    detection_seconds: float | None
    budget_spent_before_detection: float | None
    reset_seconds: float | None
    fires: int
    false_positives: int

    @property
    def recall(self) -> float | None:
        return None if self.incidents == 0 else self.detected / self.incidents

    @property
    def precision(self) -> float | None:
        return None if self.fires == 0 else (self.fires - self.false_positives) / self.fires

    @property
    def name(self) -> str:
        windows = f"{format_duration(self.long_window_seconds)}/{format_duration(self.short_window_seconds)}"
        return f"{self.factor:g}x {windows}"


HEADER = (
    "slo",
    "factor",
    "long_window_seconds",
    "short_window_seconds",
    "for_seconds",
    "incidents",
    "detected",
    "recall",
    "detection_seconds",
    "budget_spent_before_detection",
    "reset_seconds",
    "fires",
    "false_positives",
    "precision",
)


def row_values(row: SweepRow) -> tuple[object, ...]:
    return (
        row.slo_id,
        row.factor,
        row.long_window_seconds,
        row.short_window_seconds,
        row.for_seconds,
        row.incidents,
        row.detected,
        row.recall,
        row.detection_seconds,
        row.budget_spent_before_detection,
        row.reset_seconds,
        row.fires,
        row.false_positives,
        row.precision,
    )


def sweep(
    result: Result,
    factors: Sequence[float],
    long_windows: Sequence[float],
    short_ratio: float = 12.0,
    for_durations: Sequence[float] = (0.0,),
) -> list[SweepRow]:
    """One row per SLO and configuration, in the order given. Averages are over detected incidents."""
    run = result.run
    rows = []
    for objective in run.plan.objectives:
        series = run.series[objective.slo_id]
        track = result.tracks[objective.slo_id]
        incidents = [r for r in run.incidents if objective.source in r.plan.sources]
        for long_window in long_windows:
            for factor in factors:
                for hold in for_durations:
                    rule = BurnRateRule(
                        f"{factor:g}x-{format_duration(long_window)}",
                        factor,
                        long_window,
                        long_window / short_ratio,
                        for_seconds=hold,
                    )
                    spans = evaluate_rule(series, objective.target, rule).firing_intervals()
                    quiet = [
                        f
                        for f, _ in spans
                        if not any(
                            r.plan.start_seconds <= f <= r.end_seconds + long_window for r in incidents
                        )
                    ]
                    detections, spent, resets = [], [], []
                    for incident in incidents:
                        start, end = incident.plan.start_seconds, incident.end_seconds
                        hits = [(f, z) for f, z in spans if start <= f <= end + long_window]
                        if not hits:
                            continue
                        detections.append(hits[0][0] - start)
                        spent.append(track.consumed_at(hits[0][0]) - track.consumed_at(start))
                        resolved = hits[-1][1]
                        if resolved is not None and incident.ended_by is not None and resolved >= end:
                            resets.append(resolved - end)
                    rows.append(
                        SweepRow(
                            slo_id=objective.slo_id,
                            factor=factor,
                            long_window_seconds=long_window,
                            short_window_seconds=long_window / short_ratio,
                            for_seconds=hold,
                            incidents=len(incidents),
                            detected=len(detections),
                            detection_seconds=mean(detections) if detections else None,
                            budget_spent_before_detection=mean(spent) if spent else None,
                            reset_seconds=mean(resets) if resets else None,
                            fires=len(spans),
                            false_positives=len(quiet),
                        )
                    )
    return rows


def sweep_csv(rows: Sequence[SweepRow]) -> bytes:
    """``sweep.csv``: one line per SLO and configuration, seconds and ratios as plain numbers."""
    return csv_bytes(HEADER, (row_values(r) for r in rows))
