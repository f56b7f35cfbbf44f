"""Stored results survive clock jumps and outlier rows, and a corrupt store is set aside, not fatal."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from probes.config import ProberConfig
from probes.exporter.server import build_app
from probes.schedule.scheduled import enable_scheduled_probing
from probes.schedule.store import ProbeRecord, ResultStore
from tests.probes.conftest import serve

NOW = 1_790_000_000.0
DAY = 86_400.0
RETENTION = 28 * DAY


def record(t: float) -> ProbeRecord:
    return ProbeRecord("n", "chain", t, t, t, True, None, (t % 7,))


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _filled(path: Path | str, clock: Clock, logs: list[str]) -> ResultStore:
    store = ResultStore.open(path, RETENTION, wall_clock=clock, log=logs.append)
    store.add([record(NOW - 7200 + 27.5 * i) for i in range(262)])  # two hours of results
    return store


def test_restart_after_a_forward_clock_jump_keeps_every_result(tmp_path: Path) -> None:
    path, clock, logs = tmp_path / "r.sqlite", Clock(NOW), []
    store = _filled(path, clock, logs)
    store.add([record(NOW + 60 * DAY)])  # what a clock 60 days ahead writes
    store.close()
    reopened = ResultStore.open(path, RETENTION, wall_clock=clock, log=logs.append)
    assert reopened.result_count() == 263
    for minutes in range(0, 60, 11):  # running on: batches every few minutes prune as they go
        clock.now = NOW + minutes * 60
        reopened.add([record(clock.now)])
    assert reopened.result_count() == 263 + 6
    assert not [line for line in logs if "deleted" in line]
    reopened.close()


def test_a_wall_clock_that_jumped_ahead_ages_nothing(tmp_path: Path) -> None:
    clock, logs = Clock(NOW), []
    store = _filled(":memory:", clock, logs)
    clock.now = NOW + 60 * DAY
    store.add([record(clock.now) for _ in range(3)])  # more than 1 %: the reference moves ...
    store.add([record(clock.now + 700)])
    assert store.result_count() == 266  # ... but deleting 262 of 266 is refused, and said
    assert any("not deleting 262 of 266" in line and "check the clock" in line for line in logs)


def test_ordinary_retention_still_deletes_and_logs_it() -> None:
    clock, logs = Clock(NOW), []
    store = ResultStore.open(":memory:", RETENTION, wall_clock=clock, log=logs.append)
    store.add([record(NOW - 30 * DAY + i) for i in range(40)])  # two days past the retention
    store.add([record(NOW - 3600 + i) for i in range(160)])  # this batch's pass prunes
    assert store.result_count() == 160
    assert store.prune() == 0
    assert any("deleted 40 of 200 results" in line for line in logs)


@settings(max_examples=40, deadline=None)
@given(
    ages=st.lists(st.floats(min_value=0, max_value=RETENTION - 60), min_size=1, max_size=300),
    ahead=st.lists(st.floats(min_value=1, max_value=400 * DAY), max_size=3),
)
def test_outliers_ahead_never_cost_a_result_inside_the_window(ages: list[float], ahead: list[float]) -> None:
    if len(ahead) > max(1, len(ages) // 100):
        ahead = ahead[: max(1, len(ages) // 100)]  # a few outliers: at most 1 % of the rows
    store = ResultStore.open(":memory:", RETENTION, wall_clock=Clock(NOW), log=lambda _line: None)
    store.add([record(NOW - age) for age in ages] + [record(NOW + a) for a in ahead])
    store.prune()
    assert store.result_count() == len(ages) + len(ahead)


def _healthy_store(path: Path) -> None:
    store = ResultStore.open(path, RETENTION, wall_clock=Clock(NOW), log=lambda _line: None)
    store.add([record(NOW - i) for i in range(2000)])
    store.close()


def _truncated(path: Path) -> None:
    _healthy_store(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _garbage_pages(path: Path) -> None:
    _healthy_store(path)
    data = bytearray(path.read_bytes())
    data[4096:12288] = b"\xa5" * 8192  # scribble over the second and third pages
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "spoil",
    [
        _truncated,
        _garbage_pages,
        lambda p: p.write_bytes(b"\x00garbage" * 1000),
        lambda p: p.write_text("modules: {}\n"),  # someone pointed it at a YAML file
        lambda p: p.write_bytes(b""),
        lambda p: p.mkdir(),
    ],
    ids=["truncated", "garbage-pages", "garbage", "foreign", "empty", "directory"],
)
def test_a_corrupt_store_is_moved_aside_and_a_fresh_one_started(tmp_path: Path, spoil: object) -> None:
    path = tmp_path / "probes.results.sqlite"
    spoil(path)  # type: ignore[operator]
    logs: list[str] = []
    store = ResultStore.open(path, RETENTION, wall_clock=Clock(NOW), log=logs.append)
    store.add([record(NOW)])
    assert store.result_count() == 1
    store.close()
    aside = list(tmp_path.glob("probes.results.sqlite.corrupt-*"))
    assert len(aside) == 1 and aside[0].name.endswith("corrupt-20260921T141320Z")
    assert len(logs) == 1 and str(path) in logs[0] and str(aside[0]) in logs[0]


def test_a_healthy_store_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    _healthy_store(path)
    shutil.copy(path, tmp_path / "copy.sqlite")
    logs: list[str] = []
    with ResultStore.open(path, RETENTION, wall_clock=Clock(NOW), log=logs.append) as store:
        assert store.result_count() == 2000
    assert logs == [] and not list(tmp_path.glob("*.corrupt-*"))
    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    try:
        assert copy.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2000
    finally:
        copy.close()


@pytest.mark.integration
async def test_the_exporter_serves_over_a_corrupt_store(tmp_path: Path) -> None:
    path = tmp_path / "probes.results.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    config = ProberConfig.model_validate(
        {
            "modules": {"http_2xx": {"prober": "http", "http": {"preferred_ip_protocol": "ip4"}}},
            "targets": [{"target": "127.0.0.1:1", "module": "http_2xx", "interval": "1s"}],
        }
    )
    app = build_app(config, CollectorRegistry())
    enable_scheduled_probing(app, store_path=path)
    async with serve(app) as exporter, aiohttp.ClientSession() as http:
        async with http.get(f"{exporter}/probe", params={"target": f"{exporter}/-/healthy"}) as reply:
            assert reply.status == 200 and "probe_success 1" in await reply.text()
        async with http.get(f"{exporter}/slo") as reply:
            assert reply.status == 200
    assert list(tmp_path.glob("probes.results.sqlite.corrupt-*"))
