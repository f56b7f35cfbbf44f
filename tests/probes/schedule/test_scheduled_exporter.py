"""Scheduled mode inside the exporter app, in process: probes run, /slo and /metrics show them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from probes.config import ProberConfig
from probes.exporter.server import build_app
from probes.schedule.scheduled import enable_scheduled_probing
from probes.schedule.store import ResultStore
from slo.foundation.input_errors import InputError
from slo_harness.cli import app as cli
from testbed import Testbed, TestbedConfig, run_testbed
from tests.probes.conftest import serve

pytestmark = pytest.mark.integration


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    async with run_testbed(TestbedConfig(block_time_seconds=0.5, seed=3)) as testbed:
        yield testbed


def config(rpc_url: str, **security: Any) -> ProberConfig:
    return ProberConfig.model_validate(
        {
            "modules": {"chain": {"prober": "chain", "timeout": "2s", "chain": {"max_block_age": "5s"}}},
            "targets": [
                {
                    "target": rpc_url,
                    "module": "chain",
                    "interval": "200ms",
                    "slos": ["SLO-NODE-001", "SLO-NODE-007"],
                }
            ],
            "security": security,
        }
    )


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_scheduled_probes_feed_slo_and_metrics(tb: Testbed, tmp_path: Path) -> None:
    app = build_app(config(tb.rpc_url), CollectorRegistry())
    scheduler = enable_scheduled_probing(app, store_path=tmp_path / "r.sqlite")
    assert scheduler is not None
    async with serve(app) as url:
        await asyncio.sleep(2.0)
        status, body = await get(f"{url}/slo")
        _, metrics = await get(f"{url}/metrics")
        _, history = await get(f"{url}/history")
    assert status == 200
    report = json.loads(body)
    uptime, blocks = report["slos"]
    assert uptime["slo"] == "SLO-NODE-001" and uptime["windows"]["5m"]["total"] >= 5
    assert uptime["windows"]["5m"]["sli"] == 1.0
    assert blocks["threshold_seconds"] == 7.0 and blocks["windows"]["5m"]["total"] >= 2  # 0.5 s blocks
    assert f'slo_harness_probe_total{{module="chain",result="success",target="{tb.rpc_url}"}}' in metrics
    assert 'slo_harness_sli_latency_seconds_bucket{le="7.0"' in metrics
    assert tb.rpc_url in history  # scheduled probes go through the exporter, history included
    store = ResultStore.open(tmp_path / "r.sqlite", retention_seconds=86400)
    assert store.result_count() >= uptime["windows"]["5m"]["total"]  # closed after a final flush
    store.close()


async def test_a_target_the_policy_refuses_is_never_probed(tb: Testbed, tmp_path: Path) -> None:
    app = build_app(config(tb.rpc_url, allow_targets=["10.0.0.0/8"]), CollectorRegistry())
    enable_scheduled_probing(app, store_path=tmp_path / "r.sqlite")
    async with serve(app) as url:
        await asyncio.sleep(0.6)
        _, metrics = await get(f"{url}/metrics")
    assert f'slo_harness_probe_total{{module="chain",result="failure",target="{tb.rpc_url}"}}' in metrics
    assert 'result="success"' not in metrics.split("slo_harness_probe_total", 1)[1]
    store = ResultStore.open(tmp_path / "r.sqlite", retention_seconds=86400)
    assert store.finished_between(0, 4e9)[1] == store.result_count() > 0
    store.close()


def test_no_targets_means_no_scheduler_and_no_slo_route(tmp_path: Path) -> None:
    app = build_app(ProberConfig.model_validate({"modules": {"c": {"prober": "chain"}}}), CollectorRegistry())
    assert enable_scheduled_probing(app, store_path=tmp_path / "r.sqlite") is None
    assert not any(r.resource is not None and r.resource.canonical == "/slo" for r in app.router.routes())
    assert not (tmp_path / "r.sqlite").exists()


def test_an_unknown_slo_id_is_an_input_error(tmp_path: Path) -> None:
    bad = ProberConfig.model_validate(
        {
            "modules": {"c": {"prober": "chain"}},
            "targets": [{"target": "n", "module": "c", "slos": ["SLO-NOPE"]}],
        }
    )
    with pytest.raises(InputError, match="SLO-NOPE"):
        enable_scheduled_probing(build_app(bad, CollectorRegistry()), store_path=tmp_path / "r.sqlite")


@pytest.mark.integration
async def test_a_worker_that_does_not_probe_still_serves_slo(tb: Testbed, tmp_path: Path) -> None:
    reader = build_app(config(tb.rpc_url), CollectorRegistry())
    assert enable_scheduled_probing(reader, store_path=tmp_path / "r.sqlite", probe=False) is None
    async with serve(reader) as url:
        status, body = await get(f"{url}/slo")
        assert (status, json.loads(body)) == (503, {"error": "no results stored yet"})
        writer = build_app(config(tb.rpc_url), CollectorRegistry())
        enable_scheduled_probing(writer, store_path=tmp_path / "r.sqlite")
        async with serve(writer):
            await asyncio.sleep(1.5)
        status, body = await get(f"{url}/slo")
    assert status == 200
    assert json.loads(body)["slos"][0]["windows"]["5m"]["total"] >= 3


@pytest.mark.integration
async def test_status_reads_a_running_exporter(tb: Testbed, tmp_path: Path) -> None:
    app = build_app(config(tb.rpc_url), CollectorRegistry())
    enable_scheduled_probing(app, store_path=tmp_path / "r.sqlite")
    async with serve(app) as url:
        await asyncio.sleep(1.0)
        table = await asyncio.to_thread(
            CliRunner().invoke, cli, ["status", "--url", url], env={"COLUMNS": "200"}
        )
        raw = await asyncio.to_thread(
            CliRunner().invoke, cli, ["status", "--url", f"{url}/slo", "--format", "json"]
        )
    assert table.exit_code == 0, table.output
    assert "SLO-NODE-001" in table.output and "healthy" in table.output
    assert [e["slo"] for e in json.loads(raw.output)["slos"]] == ["SLO-NODE-001", "SLO-NODE-007"]
