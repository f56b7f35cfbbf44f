"""Kill the exporter mid-run, start it again: ``/slo`` still counts what was probed before the kill."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from probes.schedule.store import default_store_path
from testbed import Testbed, TestbedConfig, run_testbed
from tests.probes.schedule.exporter_process import ExporterProcess, chain_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    async with run_testbed(TestbedConfig(block_time_seconds=0.5, seed=11)) as testbed:
        yield testbed


def totals(report: dict[str, object]) -> dict[str, float]:
    return {e["slo"]: e["windows"]["28d"]["total"] for e in report["slos"]}  # type: ignore[index, attr-defined]


async def test_slo_view_survives_a_kill(tb: Testbed, tmp_path: Path) -> None:
    exporter = ExporterProcess(chain_config(tb.rpc_url), tmp_path)
    try:
        await exporter.start()
        await asyncio.sleep(2.5)
        before = totals(await exporter.json("/slo"))  # reading /slo flushes, so these are on disk
        await asyncio.sleep(0.5)
        exporter.kill()
        with contextlib.closing(sqlite3.connect(default_store_path(exporter.config_path))) as db:
            stored = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        assert before["SLO-NODE-001"] >= 8
        assert stored >= before["SLO-NODE-001"]

        await exporter.start()
        after = totals(await exporter.json("/slo"))
    finally:
        exporter.stop()
    assert after["SLO-NODE-001"] >= stored
    assert after["SLO-NODE-007"] >= before["SLO-NODE-007"] > 0
