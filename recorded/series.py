"""One SLO's recorded events as good/total counts per fixed step, from the exporter's store or Prometheus.

Step ``i`` holds the events in ``(start + i·step, start + (i+1)·step]``, the convention of
:class:`slo.budgets.burn_rate.RollingSeries` and of the store's counting, so windows read the same whichever
source the counts came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from probes.schedule.slo_view import recorded_counts
from probes.schedule.store import ResultStore
from recorded.prometheus import PrometheusSource, with_window
from slo.budgets.burn_rate import RollingSeries
from slo.catalogs.catalog import SLO

__all__ = ["RecordedSeries", "from_prometheus", "from_store"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class RecordedSeries:
    """Counts of one SLO from one source (``label`` says which: a target and module, or a query)."""

    slo_id: str
    label: str
    start: float
    step_seconds: float
    good: FloatArray
    total: FloatArray

    @property
    def end(self) -> float:
        return self.start + len(self.total) * self.step_seconds

    def rolling(self, evaluation_interval_seconds: float | None = None) -> RollingSeries:
        """The counts as a series evaluated every step (or every ``evaluation_interval_seconds``)."""
        return RollingSeries.from_counts(
            self.good,
            self.total,
            step_seconds=self.step_seconds,
            evaluation_interval_seconds=evaluation_interval_seconds or self.step_seconds,
        )


def from_store(
    store: ResultStore, slo: SLO, target: str, module: str, *, start: float, step_seconds: float, steps: int
) -> RecordedSeries:
    good, total = recorded_counts(
        store, slo, target, module, start=start, step_seconds=step_seconds, steps=steps
    )
    return RecordedSeries(slo.id, f"{target} {module}", start, step_seconds, good, total)


def from_prometheus(
    source: PrometheusSource,
    slo_id: str,
    good_query: str,
    total_query: str,
    *,
    start: float,
    step_seconds: float,
    steps: int,
) -> RecordedSeries:
    """Counts per step from two ``$window`` queries evaluated at each step's end with the step as window.

    A step without a sample counts nothing; good is clipped into ``[0, total]`` (two queries evaluated
    separately can disagree by a sample's rounding).
    """
    first = start + step_seconds
    good, total = (
        np.nan_to_num(
            source.range(with_window(q, step_seconds), first=first, step_seconds=step_seconds, points=steps)
        )
        for q in (good_query, total_query)
    )
    total = np.maximum(total, 0.0)
    good = np.clip(good, 0.0, total)
    return RecordedSeries(slo_id, f"prometheus {source.url}", start, step_seconds, good, total)
