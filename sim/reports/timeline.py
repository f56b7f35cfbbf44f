"""``timeline.csv.gz``: a run's SLIs, burn rates and budget over time, gzip-compressed and streamed.

A 28-day run at 1 s evaluations has 2.4 M evaluations per SLO; written as text all at once that was
half a gigabyte of CSV and several gigabytes of strings in memory. So the timeline is written in
chunks straight into a gzip stream, and by default at a coarser resolution than the evaluation
interval: one row per ``resolution`` (a whole number of evaluations), whose good and total are summed
over the row's interval and whose burn rates, budget and status are the values at its end. pandas
(``read_csv``) and DuckDB (``read_csv_auto``) read the compressed file as it is.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim.replay.result import Result
from slo.budgets.budget import STATUS_ORDER
from slo.budgets.burn_rate import burn_rate
from slo.foundation.atomic_write import atomic_writer
from slo.foundation.durations import format_duration

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

TIMELINE_FILE = "timeline.csv.gz"
# The default row interval: 8,064 rows per SLO over 28 days, enough to see every incident.
DEFAULT_RESOLUTION_SECONDS = 300.0
_CHUNK_ROWS = 65536
_STATUS_TEXT = np.array([s.value for s in STATUS_ORDER])


def _column(values: FloatArray) -> list[str]:
    # repr of a rounded float is the shortest exact text; NaN (a window without events) stays "nan".
    return list(map(repr, np.round(values, 9).tolist()))


def row_indexes(evaluations: int, interval_seconds: float, resolution_seconds: float | None) -> IntArray:
    """The evaluations that end a timeline row: every ``resolution / interval``-th one, and the last.

    ``None`` (full resolution) and a resolution at or under the evaluation interval give every
    evaluation; others are rounded up to a whole number of evaluations.
    """
    every = 1
    if resolution_seconds is not None:
        every = max(1, math.ceil(resolution_seconds / interval_seconds - 1e-9))
    index = np.arange(every - 1, evaluations, every, dtype=np.int64)
    if evaluations and (index.size == 0 or index[-1] != evaluations - 1):
        index = np.append(index, evaluations - 1)
    return index


def _chunks(result: Result, resolution_seconds: float | None) -> Iterator[str]:
    run = result.run
    windows = sorted({w for a in run.plan.alerts for w in a.rule.windows})
    header = ["time_seconds", "slo", "good", "total", "sli"]
    header += [f"burn_rate_{format_duration(w)}" for w in windows]
    header += ["budget_remaining", "status"]
    yield ",".join(header) + "\n"
    for objective in run.plan.objectives:
        track = result.tracks[objective.slo_id]
        series = run.series[objective.slo_id]
        interval = run.plan.evaluation_interval_seconds
        index = row_indexes(len(track.times_seconds), interval, resolution_seconds)
        cum_bad = np.concatenate([[0.0], track.cumulative_bad[index]])
        cum_total = np.concatenate([[0.0], track.cumulative_total[index]])
        burns = [burn_rate(series.error_ratio(w)[index], objective.target) for w in windows]
        for lo in range(0, len(index), _CHUNK_ROWS):
            rows = index[lo : lo + _CHUNK_ROWS]
            total = np.diff(cum_total[lo : lo + len(rows) + 1])
            bad = np.diff(cum_bad[lo : lo + len(rows) + 1])
            with np.errstate(divide="ignore", invalid="ignore"):
                sli = np.where(total > 0, 1.0 - bad / np.where(total > 0, total, 1.0), np.nan)
            columns = [
                _column(track.times_seconds[rows]),
                [objective.slo_id] * len(rows),
                _column(total - bad),
                _column(total),
                _column(sli),
                *(_column(b[lo : lo + len(rows)]) for b in burns),
                _column(track.remaining[rows]),
                _STATUS_TEXT[track.status_codes[rows]].tolist(),
            ]
            yield "".join(line + "\n" for line in map(",".join, zip(*columns, strict=True)))


def write_timeline(result: Result, directory: Path, resolution_seconds: float | None) -> Path:
    """Write ``directory/timeline.csv.gz`` at ``resolution_seconds`` (None: every evaluation)."""
    target = directory / TIMELINE_FILE
    with atomic_writer(target) as raw, gzip.GzipFile("", "wb", 6, raw, mtime=0) as gz:
        for chunk in _chunks(result, resolution_seconds):
            gz.write(chunk.encode())
    return target
