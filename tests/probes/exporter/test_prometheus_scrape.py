"""A real Prometheus scrapes the exporter with the README's multi-target relabel config.

The test takes the scrape config from README.md itself, points it at a testbed node and at an
exporter started with the CLI, and reads ``probe_success`` back through Prometheus' query API.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from probes.config import DEFAULT_CONFIG
from testbed import TestbedConfig, run_testbed
from tests.conftest import free_port, require_binary

pytestmark = [pytest.mark.integration, pytest.mark.slow]

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_scrape_configs() -> list[dict[str, Any]]:
    """The ``scrape_configs`` block of the README's prober section."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(), flags=re.S)
    for block in blocks:
        data = yaml.safe_load(block)
        if isinstance(data, dict) and "scrape_configs" in data and "__param_target" in block:
            configs: list[dict[str, Any]] = data["scrape_configs"]
            return configs
    raise AssertionError("README.md has no multi-target scrape config")


@pytest.fixture
def exporter() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "slo_harness",
            "exporter",
            "--config",
            str(DEFAULT_CONFIG),
            "--listen",
            f"127.0.0.1:{port}",
            # Two workers sharing the port: the /metrics Prometheus reads from one of them must count
            # the probes both ran.
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _query(session: aiohttp.ClientSession, prometheus: str, query: str) -> list[dict[str, Any]]:
    async with session.get(f"http://{prometheus}/api/v1/query", params={"query": query}) as response:
        if response.status != 200:
            return []
        body = await response.json()
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


async def test_prometheus_reads_probe_success(exporter: str, tmp_path: Path) -> None:
    binary = require_binary("prometheus")
    async with run_testbed(TestbedConfig(block_time_seconds=0.5)) as tb:
        target = f"{tb.rpc_url}/status"
        configs = readme_scrape_configs()
        probe_job, own_job = configs
        probe_job["static_configs"] = [{"targets": [target]}]
        probe_job["relabel_configs"][-1]["replacement"] = exporter
        own_job["static_configs"] = [{"targets": [exporter]}]
        config = {"global": {"scrape_interval": "1s", "scrape_timeout": "900ms"}, "scrape_configs": configs}
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        listen = f"127.0.0.1:{free_port()}"
        prometheus = subprocess.Popen(
            [
                binary,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address={listen}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            success: list[dict[str, Any]] = []
            counted: list[dict[str, Any]] = []
            async with aiohttp.ClientSession() as session:
                for _ in range(120):
                    await asyncio.sleep(0.25)
                    try:
                        success = await _query(session, listen, f'probe_success{{instance="{target}"}}')
                        counted = await _query(session, listen, "slo_harness_exporter_probes_total")
                    except aiohttp.ClientError:
                        continue
                    if success and counted:
                        break
                height = await _query(session, listen, "probe_json_value")
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=20)
    assert success, "Prometheus never stored probe_success for the target"
    assert success[0]["metric"]["job"] == "blackbox"
    assert success[0]["value"][1] == "1"
    assert counted and counted[0]["metric"]["module"] == "cometbft_status"
    assert height and height[0]["metric"]["path"] == "result.sync_info.latest_block_height"
