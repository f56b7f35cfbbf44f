"""``backtest --store``: an hour of scheduled probes of the testbed, with an outage, replayed afterwards.

The exporter's scheduler probes a testbed node; its wall clock runs 300 times faster than the event
loop, so each 0.1 s probe interval is stamped 30 s apart and twelve seconds record an hour. The node's
RPC port goes down for a while in the middle; the backtest of the stored results must count exactly
what the store holds, page during the outage, and report the budget and status it spent.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from probes.config import ProberConfig
from probes.exporter.server import build_app
from probes.schedule.scheduled import enable_scheduled_probing
from slo_harness.cli import app as cli
from testbed import Fault, FaultKind, Surface, TestbedConfig, run_testbed
from tests.probes.conftest import serve

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCALE = 300.0  # recorded seconds per real second
EPOCH = 1_800_000_000.0
REAL_SECONDS = 12.0  # one recorded hour


def _config(rpc_url: str) -> dict[str, Any]:
    return {
        "modules": {"health": {"prober": "http", "timeout": "1s"}},
        "targets": [
            {"target": f"{rpc_url}/health", "module": "health", "interval": "100ms", "slos": ["SLO-NODE-001"]}
        ],
    }


async def test_an_hour_of_probes_with_an_outage_backtests(tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    origin = loop.time()

    def clock() -> float:
        return EPOCH + SCALE * (loop.time() - origin)

    store = tmp_path / "probes.results.sqlite"
    async with run_testbed(TestbedConfig(block_time_seconds=0.5, seed=3)) as tb:
        config = _config(tb.rpc_url)
        (tmp_path / "probes.yaml").write_text(yaml.safe_dump(config))
        exporter = build_app(ProberConfig.model_validate(config), CollectorRegistry(), wall_clock=clock)
        assert enable_scheduled_probing(exporter, store_path=store) is not None
        async with serve(exporter):
            await asyncio.sleep(4.0)
            down_from = clock()
            tb.faults.add(Fault(surface=Surface.RPC, kind=FaultKind.DOWN, duration_seconds=2.0))
            await asyncio.sleep(2.0)
            down_to = clock()
            await asyncio.sleep(REAL_SECONDS - 6.0)
    with sqlite3.connect(store) as db:
        first, last, stored, succeeded = db.execute(
            "SELECT MIN(finished_at), MAX(finished_at), COUNT(*), SUM(success) FROM results"
        ).fetchone()
    assert last - first > 3300  # about an hour of recorded probes
    out = tmp_path / "results"
    run = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        [
            "backtest",
            "--store",
            str(store),
            "--config",
            str(tmp_path / "probes.yaml"),
            "--slo",
            "SLO-NODE-001",
            "--policy",
            "source-document",
            "--incident",
            f"{down_from:.0f}..{down_to:.0f}",
            "--name",
            "recorded-hour",
            "--out",
            str(out),
        ],
    )
    assert run.exit_code == 0, run.output
    doc = json.loads((out / "recorded-hour" / "summary.json").read_text())
    (slo,) = doc["slos"]
    # Every stored probe counted once, as an event; the failed ones are the outage's.
    assert (slo["sli"]["total"], slo["sli"]["good"]) == (stored, succeeded)
    assert stored - succeeded >= 10
    incident = doc["incidents"][0]
    fires = [a for a in doc["alerts"] if a["incident"] == incident["id"]]
    assert fires, doc["alerts"]
    # The 10x/5 min rule reads five recorded minutes: it pages within them of the port going down.
    fast = next(a for a in fires if a["rule"] == "burn-10x-5m")
    assert 0 <= fast["detection_seconds"] <= 300 + 60
    assert slo["budget"]["consumed"] > 0.5 and slo["status_transitions"]
    assert {p.name for p in (out / "recorded-hour").iterdir()} >= {"summary.json", "report.html"}
