"""Every YAML we read goes through the one reader: catalogue, scenario, exporter config, testbed config
and the testbed's fault API each refuse a duplicate key with ``file:line: key: duplicate key``, and an
alias bomb in one line, fast, while what was running keeps running."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from pathlib import Path

import aiohttp
import pytest
import yaml
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from probes.config import load_config as load_probe_config
from probes.exporter.server import build_app
from probes.serve import serve as serve_exporter
from sim.scenarios.scenario_file import ScenarioError, load_scenario
from slo.catalogs.catalog_file import CatalogError, load_catalog
from slo_harness.cli import app
from testbed import TestbedConfig, load_config, run_testbed
from tests.probes.conftest import serve
from tests.yamlsafe.test_reader import laughs
from yamlsafe import InputError

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _line_of(text: str, prefix: str, nth: int = 1) -> int:
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if line.startswith(prefix)]
    return hits[nth - 1]


def test_catalogue_with_a_second_slos_key_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "slo/catalogs/virtengine.yaml").read_text() + "slos: []\n"
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    with pytest.raises(
        CatalogError, match=rf"catalog\.yaml:{_line_of(text, 'slos:', 2)}: slos: duplicate key$"
    ):
        load_catalog(path)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.output.strip().endswith("slos: duplicate key")


def test_scenario_with_a_second_incidents_key_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "scenarios/api-credit-10pct.yaml").read_text() + "incidents: []\n"
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(
        ScenarioError, match=rf"s\.yaml:{_line_of(text, 'incidents:', 2)}: incidents: duplicate key"
    ):
        load_scenario(path)
    result = runner.invoke(app, ["sim", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "incidents: duplicate key" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "modules: {}\nsecurity: {allow_targets: ['127.0.0.1/32']}\nsecurity: {}\n",
            "3: security: duplicate key",
        ),
        (laughs(9), "aliases expand the document"),
        ("a: &a [*a]\n", "recursive alias"),
    ],
)
def test_exporter_config_check_refuses(tmp_path: Path, body: str, reason: str) -> None:
    path = tmp_path / "probes.yml"
    path.write_text(body)
    start = time.perf_counter()
    result = runner.invoke(app, ["exporter", "--config", str(path), "--config.check"])
    assert result.exit_code == 2
    assert reason in result.output and "probes.yml" in result.output
    assert time.perf_counter() - start < 2.0


def test_testbed_config_refuses_duplicates_and_bombs(tmp_path: Path) -> None:
    path = tmp_path / "testbed.yaml"
    path.write_text("block_time_seconds: 1\npeers: 2\nblock_time_seconds: 6\n")
    with pytest.raises(InputError, match=r"testbed\.yaml:3: block_time_seconds: duplicate key"):
        load_config(path)
    path.write_text("seed: 1\n" + laughs(9))
    with pytest.raises(InputError, match="aliases expand"):
        load_config(path)
    path.write_bytes(b"moniker: caf\xe9\n")
    with pytest.raises(InputError, match=r"testbed\.yaml:1: not UTF-8"):
        load_config(path)


@pytest.mark.integration
async def test_fault_api_refuses_bombs_and_duplicates_and_keeps_serving() -> None:
    config = TestbedConfig(block_time_seconds=3600.0, request_timeout_seconds=5.0)
    async with run_testbed(config, produce_blocks_on_timer=False) as tb, aiohttp.ClientSession() as http:
        url = f"{tb.control_url}/faults"
        bodies = [
            laughs(9).replace("l0:", "faults: []\nl0:"),  # the 418-byte class: gigabytes once expanded
            "faults: []\nfaults: [{kind: down, surface: rpc}]\n",
            b'{"faults": [{"kind": "down", "surface": "rpc", "note": "caf\xe9"}]}',
        ]
        for body in bodies:
            start = time.perf_counter()
            async with http.put(url, data=body) as reply:
                assert reply.status == 400
                error = (await reply.json())["error"]
            assert time.perf_counter() - start < 1.0
            assert "request body" in error
            async with http.get(f"{tb.rpc_url}/status") as status:
                assert status.status == 200  # the RPC never stalled
        async with http.get(url) as reply:
            assert (await reply.json()) == {"faults": []}


@pytest.mark.integration
async def test_failed_reloads_report_failure_and_keep_serving(tmp_path: Path) -> None:
    path = tmp_path / "probes.yml"
    good = {"modules": {"http_2xx": {"prober": "http"}}, "security": {"allow_targets": ["127.0.0.1/32"]}}
    path.write_text(yaml.safe_dump(good))
    registry = CollectorRegistry()
    exporter_app = build_app(load_probe_config(path), registry, config_path=path)
    async with serve(exporter_app) as exporter, aiohttp.ClientSession() as http:
        for bad in (
            b"modules: {}\nmodules: {}\n",
            b"modules: \xff\n",
            b"a: &a [*a]\n",
            laughs(9).encode(),
        ):
            path.write_bytes(bad)
            start = time.perf_counter()
            async with http.post(f"{exporter}/-/reload") as reply:
                assert reply.status == 500
                text = await reply.text()
            assert time.perf_counter() - start < 1.0
            assert str(path) in text and "failed to reload config" in text
            assert registry.get_sample_value("blackbox_exporter_config_last_reload_successful") == 0
            # The old config keeps serving: its allowlist still refuses, its module still exists.
            async with http.get(f"{exporter}/probe", params={"target": "10.0.0.1:1"}) as refused:
                assert refused.status == 403
            path.write_text(yaml.safe_dump(good))
            async with http.post(f"{exporter}/-/reload") as reply:
                assert reply.status == 200
            assert registry.get_sample_value("blackbox_exporter_config_last_reload_successful") == 1


@pytest.mark.integration
async def test_a_failed_sighup_reload_sets_the_gauge_to_0_and_logs_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "probes.yml"
    path.write_text("modules: {http_2xx: {prober: http}}\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serving = asyncio.create_task(serve_exporter(path, load_probe_config(path), "127.0.0.1", port))
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(url) as reply:
                        if reply.status == 200:
                            break
                await asyncio.sleep(0.05)
            path.write_bytes(b"modules: {}\nmodules: \xff\n")
            os.kill(os.getpid(), signal.SIGHUP)
            await asyncio.sleep(0.3)
            async with http.get(url) as reply:
                metrics = await reply.text()
        assert "blackbox_exporter_config_last_reload_successful 0.0" in metrics
        err = capsys.readouterr().err
        assert f"error: config reload failed: {path}:2: not UTF-8 text" in err
    finally:
        os.kill(os.getpid(), signal.SIGTERM)  # serve() handles it: stops and cleans up
        await asyncio.wait_for(serving, 10)


@pytest.mark.parametrize("command", ["check", "sim"])
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"name: x\nslos: &a [*a]\n", ":2: slos[0]: recursive alias"),
        (b"name: caf\xe9\n", ":1: not UTF-8 text"),
    ],
)
def test_catalogue_and_scenario_commands_give_one_line(
    tmp_path: Path, command: str, body: bytes, reason: str
) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(body)
    result = runner.invoke(app, [command, str(path), *(["--out", str(tmp_path)] if command == "sim" else [])])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path}{reason}")
    assert len(result.output.strip().splitlines()) == 1
