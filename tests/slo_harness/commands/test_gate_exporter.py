"""``slo-harness gate --url`` against a running exporter with scheduled probes of a testbed node:
approve while the node is healthy, block once it has been down long enough to deplete a 2-minute SLO."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from probes.config import ProberConfig
from probes.exporter.server import build_app
from probes.schedule.scheduled import enable_scheduled_probing
from probes.schedule.store import ResultStore
from slo.catalogs.catalog_file import load_catalog, parse_catalog
from slo_harness.cli import app as cli
from testbed import TestbedConfig, run_testbed
from tests.probes.conftest import serve

pytestmark = pytest.mark.integration

CATALOG_YAML = Path(__file__).resolve().parents[3] / "slo" / "catalogs" / "virtengine.yaml"
# 90 % of probes over 2 minutes: a few seconds of failures at 5 probes/s spend it all.
TEST_SLO = {
    "id": "SLO-TEST-001",
    "name": "Node uptime, 2-minute test window",
    "sli": "SLI-NODE-001",
    "tier": "tier0",
    "target_text": "90%",
    "objective": {"kind": "ratio", "target": "90%"},
    "window": "2m",
    "budget_basis": "events",
    "declared_budget": "N/A",
}
_DEADLINE_SECONDS = 30.0


def write_test_catalogue(path: Path) -> Path:
    data = yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))
    data["slos"].append(TEST_SLO)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


async def run_gate(url: str, catalog: Path) -> tuple[int, dict[str, Any]]:
    args = ["gate", "--slo", "SLO-TEST-001", "--url", url, "--risk", "low", "--catalog", str(catalog)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, [*args, "--format", "json"])
    return result.exit_code, json.loads(result.output)


async def test_gate_approves_while_healthy_and_blocks_after_an_outage(tmp_path: Path) -> None:
    catalog_path = write_test_catalogue(tmp_path / "catalog.yaml")
    catalog = parse_catalog(catalog_path.read_text(encoding="utf-8"), str(catalog_path))
    assert load_catalog(catalog_path).slo("SLO-TEST-001").window_seconds == 120
    async with AsyncExitStack() as node:
        tb = await node.enter_async_context(run_testbed(TestbedConfig(block_time_seconds=0.5, seed=5)))
        config = ProberConfig.model_validate(
            {
                "modules": {"chain": {"prober": "chain", "timeout": "1s", "chain": {"max_block_age": "5s"}}},
                "targets": [
                    {"target": tb.rpc_url, "module": "chain", "interval": "200ms", "slos": ["SLO-TEST-001"]}
                ],
            }
        )
        exporter = build_app(config, CollectorRegistry())
        enable_scheduled_probing(exporter, store_path=tmp_path / "r.sqlite", catalog=catalog)
        async with serve(exporter) as url:
            await asyncio.sleep(2.0)
            healthy_code, healthy = await run_gate(url, catalog_path)
            await node.aclose()  # the node goes away: every probe from now on fails
            deadline = time.monotonic() + _DEADLINE_SECONDS
            while True:
                await asyncio.sleep(1.0)
                down_code, down = await run_gate(url, catalog_path)
                if down_code == 1 or time.monotonic() > deadline:
                    break
    assert (healthy_code, healthy["decision"], healthy["slos"][0]["status"]) == (0, "approve", "healthy")
    assert healthy["slos"][0]["remaining"] == 1.0
    assert (down_code, down["decision"]) == (1, "block"), down
    row = down["slos"][0]
    assert row["status"] == "depleted" and row["remaining"] < 0.05
    assert row["burn_rate_1h"] > 1.0
    assert "Complete change freeze" in down["conditions"]
    with ResultStore.reader(tmp_path / "r.sqlite") as store:  # the file says which SLO the series is
        assert store.bindings() == [("SLO-TEST-001", tb.rpc_url, "chain")]
