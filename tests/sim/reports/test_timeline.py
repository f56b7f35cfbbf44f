"""``timeline.csv.gz``: rows at the chosen resolution, counts summed over each row, values at its end."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np

from sim import assess
from sim.reports.timeline import row_indexes, write_timeline
from tests.sim.builders import rule, uptime_plan


def test_row_indexes_end_every_row_and_keep_the_last_evaluation() -> None:
    assert row_indexes(10, 30.0, None).tolist() == list(range(10))
    assert row_indexes(10, 30.0, 10.0).tolist() == list(range(10))
    assert row_indexes(10, 30.0, 90.0).tolist() == [2, 5, 8, 9]
    assert row_indexes(9, 30.0, 100.0).tolist() == [3, 7, 8]


def _rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt") as handle:
        return list(csv.DictReader(handle))


def test_coarse_rows_sum_the_full_rows(tmp_path: Path) -> None:
    plan = uptime_plan(
        [{"id": "outage", "kind": "outage", "service": "node", "start": "1h", "duration": "20m"}],
        [rule("fast", 14.4, "1h", "5m")],
        window="1d",
    )
    result = assess(plan)
    full = _rows(write_timeline(result, tmp_path / "full", None))
    coarse = _rows(write_timeline(result, tmp_path / "coarse", 3600.0))
    assert len(full) == 2880 and len(coarse) == 24
    for i, row in enumerate(coarse):
        block = full[120 * i : 120 * (i + 1)]
        assert row["time_seconds"] == block[-1]["time_seconds"]
        for column in ("good", "total"):
            assert np.isclose(float(row[column]), sum(float(r[column]) for r in block))
        for column in ("burn_rate_1h", "burn_rate_5m", "budget_remaining", "status"):
            assert row[column] == block[-1][column]
    # The outage hour is visible in the coarse rows: 20 bad minutes of 60.
    assert float(coarse[1]["sli"]) == round(1 - 20 / 60, 9)
