"""A real Prometheus scrapes the exporter: the scheduled SLI series and chain probes come back via PromQL."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from testbed import Testbed, TestbedConfig, run_testbed
from tests.conftest import free_port, require_binary
from tests.probes.schedule.exporter_process import ExporterProcess, chain_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_QUERY_DEADLINE_SECONDS = 40.0


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    async with run_testbed(TestbedConfig(block_time_seconds=0.5, seed=13)) as testbed:
        yield testbed


def prometheus_config(exporter: str, rpc_url: str) -> dict[str, Any]:
    """The exporter's own /metrics, plus /probe with the multi-target relabelling of the README."""
    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {"job_name": "slo-harness", "static_configs": [{"targets": [exporter]}]},
            {
                "job_name": "chain",
                "metrics_path": "/probe",
                "params": {"module": ["chain"]},
                "static_configs": [{"targets": [rpc_url]}],
                "relabel_configs": [
                    {"source_labels": ["__address__"], "target_label": "__param_target"},
                    {"source_labels": ["__param_target"], "target_label": "instance"},
                    {"target_label": "__address__", "replacement": exporter},
                ],
            },
        ],
    }


async def query(session: aiohttp.ClientSession, base: str, promql: str) -> list[dict[str, Any]]:
    async with session.get(f"{base}/api/v1/query", params={"query": promql}) as response:
        body = await response.json()
    result: list[dict[str, Any]] = body["data"]["result"] if body.get("status") == "success" else []
    return result


async def eventually(base: str, promql: str) -> float:
    """The first sample of ``promql`` once Prometheus has one, else fail after the deadline."""
    deadline = time.monotonic() + _QUERY_DEADLINE_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.monotonic() < deadline:
            try:
                result = await query(session, base, promql)
            except aiohttp.ClientError:
                result = []
            if result:
                return float(result[0]["value"][1])
            await asyncio.sleep(0.5)
    raise AssertionError(f"Prometheus never returned a sample for {promql}")


async def test_prometheus_reads_scheduled_sli_series(tb: Testbed, tmp_path: Path) -> None:
    binary = require_binary("prometheus")
    exporter = ExporterProcess(chain_config(tb.rpc_url, interval="250ms"), tmp_path)
    listen = f"127.0.0.1:{free_port()}"
    config = tmp_path / "prometheus.yml"
    prometheus: subprocess.Popen[bytes] | None = None
    try:
        await exporter.start()
        config.write_text(yaml.safe_dump(prometheus_config(exporter.listen, tb.rpc_url)))
        prometheus = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address={listen}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://{listen}"
        probes = await eventually(base, 'sum(slo_harness_probe_total{result="success"})')
        ratio = await eventually(
            base,
            'sum(rate(slo_harness_sli_latency_seconds_bucket{le="7.0"}[5s]))'
            " / sum(rate(slo_harness_sli_latency_seconds_count[5s]))",
        )
        height = await eventually(base, 'probe_chain_block_height{job="chain"}')
        success = await eventually(base, 'probe_success{job="chain"}')
    finally:
        if prometheus is not None:
            prometheus.terminate()
            prometheus.wait(timeout=10)
        exporter.stop()
    assert probes >= 1
    assert ratio == 1.0  # every 0.5 s block interval is under SLO-NODE-007's 7 s threshold
    assert height >= 1
    assert success == 1.0
