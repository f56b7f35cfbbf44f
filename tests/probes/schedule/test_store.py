"""The results store: counts per step, retention, WAL, and results surviving a reopen."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probes.schedule.store import ProbeRecord, ResultStore, default_store_path


def record(
    t: float, success: bool = True, observations: tuple[float, ...] = (), target: str = "n"
) -> ProbeRecord:
    return ProbeRecord(target, "chain", t, t, t, success, None if success else "block_age", observations)


def test_success_counts_per_step_with_boundary_in_the_closing_step() -> None:
    store = ResultStore.open(":memory:", retention_seconds=3600)
    store.add([record(5), record(10, False), record(10.5), record(25, False), record(31)])
    good, total = store.success_counts("n", "chain", start=0, step_seconds=10, steps=3)
    assert total.tolist() == [2, 1, 1]  # 31 is past the last step; 10 closes step 0
    assert good.tolist() == [1, 1, 0]


def test_latency_counts_observations_and_failed_probes() -> None:
    store = ResultStore.open(":memory:", retention_seconds=3600)
    store.add([record(1, observations=(6.0, 7.0, 7.5)), record(2, False), record(3, observations=())])
    good, total = store.latency_counts("n", "chain", 7.0, start=0, step_seconds=10, steps=1)
    assert (good.tolist(), total.tolist()) == ([2.0], [4.0])  # 7.0 is good (le), the failure is bad


def test_series_are_kept_apart() -> None:
    store = ResultStore.open(":memory:", retention_seconds=3600)
    store.add([record(1, target="a"), record(2, target="b"), record(3, target="b")])
    assert store.success_counts("b", "chain", start=0, step_seconds=10, steps=1)[1].tolist() == [2.0]


def test_rows_older_than_retention_are_pruned() -> None:
    store = ResultStore.open(":memory:", retention_seconds=100)
    store.add([record(0, observations=(1.0,)), record(50)])
    store.add([record(1000)])  # ten minutes of result time later: the store prunes
    assert store.result_count() == 1
    assert store.latency_counts("n", "chain", 5, start=0, step_seconds=100, steps=1)[1].tolist() == [0.0]


def test_results_survive_reopen_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    store = ResultStore.open(path, retention_seconds=3600)
    store.add([record(t) for t in range(10)])
    store.close()
    reopened = ResultStore.open(path, retention_seconds=3600)
    assert reopened.result_count() == 10
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    reopened.close()


def test_a_store_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(ValueError, match="schema 99"):
        ResultStore.open(path, retention_seconds=3600)


def test_scheduling_lags_come_from_due_and_start_times() -> None:
    store = ResultStore.open(":memory:", retention_seconds=3600)
    store.add([ProbeRecord("n", "m", 10.0, 10.25, 11.0, True)])
    assert store.scheduling_lags(since=0).tolist() == [0.25]


def test_default_path_sits_beside_the_config() -> None:
    assert default_store_path(Path("/etc/x/probes.yml")) == Path("/etc/x/probes.results.sqlite")


@given(
    times=st.lists(st.floats(min_value=-20, max_value=120, allow_nan=False), max_size=60),
    step=st.sampled_from([1.0, 7.5, 10.0, 30.0]),
    steps=st.integers(min_value=1, max_value=12),
)
def test_each_result_in_range_lands_in_the_step_that_closes_on_or_after_it(
    times: list[float], step: float, steps: int
) -> None:
    store = ResultStore.open(":memory:", retention_seconds=10_000)
    store.add([record(t, success=i % 2 == 0) for i, t in enumerate(times)])
    good, total = store.success_counts("n", "chain", start=0.0, step_seconds=step, steps=steps)
    expected = [0.0] * steps
    expected_good = [0.0] * steps
    for i, t in enumerate(times):
        if 0 < t <= steps * step:
            index = min(max(math.ceil(t / step) - 1, 0), steps - 1)
            expected[index] += 1
            expected_good[index] += i % 2 == 0
    assert total.tolist() == expected
    assert good.tolist() == expected_good
    store.close()


def test_bindings_are_replaced_and_read_back(tmp_path: Path) -> None:
    store = ResultStore.open(tmp_path / "r.sqlite", retention_seconds=3600)
    store.set_bindings([("SLO-A", "n", "chain"), ("SLO-B", "n", "tx")])
    store.set_bindings([("SLO-B", "n", "tx")])
    store.close()
    with ResultStore.reader(tmp_path / "r.sqlite") as reader:
        assert reader.bindings() == [("SLO-B", "n", "tx")]


def test_a_file_from_before_bindings_reads_none(tmp_path: Path) -> None:
    old = sqlite3.connect(tmp_path / "old.sqlite")
    old.execute("CREATE TABLE results (finished_at REAL)")
    old.close()
    with ResultStore.reader(tmp_path / "old.sqlite") as reader:
        assert reader.bindings() == []
