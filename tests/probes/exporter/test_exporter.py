"""The exporter's HTTP surface: blackbox_exporter's statuses and messages, timeouts, security, own metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from probes.config import ProberConfig, load_config
from probes.exporter.server import build_app, scrape_timeout
from tests.probes.conftest import serve

pytestmark = pytest.mark.integration  # loopback servers

MODULES = {
    "http_2xx": {"prober": "http", "http": {"preferred_ip_protocol": "ip4"}},
    "capped": {"prober": "http", "timeout": "300ms", "http": {"preferred_ip_protocol": "ip4"}},
    "secret": {"prober": "http", "http": {"basic_auth": {"username": "u", "password": "hunter2"}}},
}


@dataclass
class Setup:
    exporter: str
    target: str
    hits: list[str]
    registry: CollectorRegistry
    config_path: Path


async def _target_app(hits: list[str]) -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="ok")

    async def slow(request: web.Request) -> web.Response:
        hits.append(request.path)
        await asyncio.sleep(float(request.query.get("s", "3")))
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/", ok)
    app.router.add_get("/slow", slow)
    return app


def _write(path: Path, security: dict[str, object]) -> None:
    path.write_text(yaml.safe_dump({"modules": MODULES, "security": security}))


@pytest.fixture
async def setup(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Setup]:
    security = getattr(request, "param", {"enable_debug": True, "allow_targets": ["127.0.0.1/32"]})
    path = tmp_path / "probes.yml"
    _write(path, security)
    hits: list[str] = []
    registry = CollectorRegistry()
    async with serve(await _target_app(hits)) as target:
        app = build_app(load_config(path), registry, config_path=path, timeout_offset=0.5)
        async with serve(app) as exporter:
            yield Setup(exporter, target, hits, registry, path)


async def _get(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.text()


def _values(text: str) -> dict[str, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


async def test_probe_success_and_default_module(setup: Setup) -> None:
    status, text = await _get(f"{setup.exporter}/probe?target={setup.target}/")
    assert status == 200
    values = _values(text)
    assert values["probe_success"] == 1
    assert values["probe_http_status_code"] == 200
    assert 'probe_http_duration_seconds{phase="connect"}' in text


async def test_blackbox_error_statuses(setup: Setup) -> None:
    assert await _get(f"{setup.exporter}/probe?target=x&module=nope") == (400, 'Unknown module "nope"\n')
    assert await _get(f"{setup.exporter}/probe?module=http_2xx") == (400, "Target parameter is missing\n")
    status, text = await _get(
        f"{setup.exporter}/probe?target={setup.target}/", **{"X-Prometheus-Scrape-Timeout-Seconds": "soon"}
    )
    assert status == 500 and text.startswith("Failed to parse timeout from Prometheus header")
    _, metrics = await _get(f"{setup.exporter}/metrics")
    assert _values(metrics)["blackbox_module_unknown_total"] == 1


async def test_scrape_timeout_header_minus_offset(setup: Setup) -> None:
    status, text = await _get(
        f"{setup.exporter}/probe?target={setup.target}/slow", **{"X-Prometheus-Scrape-Timeout-Seconds": "1"}
    )
    values = _values(text)
    assert status == 200 and values["probe_success"] == 0
    assert 0.49 <= values["probe_duration_seconds"] < 0.9  # 1 s header minus the 0.5 s offset, not the 1 s
    assert values["probe_failure_info{reason=timeout}"] == 1


async def test_module_timeout_only_lowers_the_limit(setup: Setup) -> None:
    _, text = await _get(f"{setup.exporter}/probe?target={setup.target}/slow&module=capped")
    assert 0.29 <= _values(text)["probe_duration_seconds"] < 0.9


@pytest.mark.parametrize(
    ("header", "module", "expected"),
    [
        (None, 0.0, 119.5),
        ("10", 0.0, 9.5),
        ("10", 5.0, 5.0),
        ("10", 30.0, 9.5),
        ("0.2", 5.0, 5.0),
        ("0.2", 0.0, 0.0),
    ],
)
def test_scrape_timeout_rule(header: str | None, module: float, expected: float) -> None:
    assert scrape_timeout(header, module, 0.5) == pytest.approx(expected)


async def test_refused_target_gets_403_and_no_request(setup: Setup) -> None:
    port = setup.target.rsplit(":", 1)[1]
    status, text = await _get(f"{setup.exporter}/probe?target=http://127.0.0.2:{port}/")
    assert status == 403 and text.startswith("Target refused")
    status, _ = await _get(f"{setup.exporter}/probe?target=http://169.254.169.254/latest/meta-data/")
    assert status == 403
    assert setup.hits == []
    _, metrics = await _get(f"{setup.exporter}/metrics")
    assert _values(metrics)["slo_harness_exporter_refused_targets_total{module=http_2xx}"] == 2


async def test_debug_page_layout(setup: Setup) -> None:
    status, text = await _get(f"{setup.exporter}/probe?target={setup.target}/&debug=true")
    assert status == 200
    assert text.startswith("Logs for the probe:\nts=")
    assert "\n\n\n\nMetrics that would have been returned:\n" in text
    assert text.endswith("\n\n\nModule configuration:\nprober: http\nhttp:\n  preferred_ip_protocol: ip4\n")


@pytest.mark.parametrize("setup", [{}], indirect=True)
async def test_debug_and_logs_are_off_by_default(setup: Setup) -> None:
    status, _ = await _get(f"{setup.exporter}/probe?target={setup.target}/&debug=true")
    assert status == 403
    status, _ = await _get(f"{setup.exporter}/logs?id=0")
    assert status == 403


async def test_own_metrics_history_and_logs(setup: Setup) -> None:
    await _get(f"{setup.exporter}/probe?target={setup.target}/")
    await _get(f"{setup.exporter}/probe?target=http://127.0.0.1:1/")
    _, metrics = await _get(f"{setup.exporter}/metrics")
    values = _values(metrics)
    assert values["blackbox_exporter_config_last_reload_successful"] == 1
    assert values["slo_harness_exporter_probes_total{module=http_2xx,result=success}"] == 1
    assert values["slo_harness_exporter_probes_total{module=http_2xx,result=failure}"] == 1
    assert values["slo_harness_exporter_probe_failures_total{module=http_2xx,reason=connect}"] == 1
    assert any(k.startswith("slo_harness_exporter_build_info") for k in values)
    async with aiohttp.ClientSession() as session, session.get(f"{setup.exporter}/history") as response:
        history = await response.json()
    assert [p["success"] for p in history["probes"]] == [False, True]
    assert history["probes"][0]["failure_reason"] == "connect"
    status, text = await _get(f"{setup.exporter}/logs?id={history['probes'][0]['id']}")
    assert status == 200 and 'msg="Probe failed"' in text


async def test_healthy_config_and_reload(setup: Setup) -> None:
    assert await _get(f"{setup.exporter}/-/healthy") == (200, "Healthy")
    status, text = await _get(f"{setup.exporter}/config")
    assert status == 200 and "hunter2" not in text and "<secret>" in text
    assert (
        ProberConfig.model_validate(yaml.safe_load(text.replace("<secret>", "x"))).modules.keys()
        == MODULES.keys()
    )
    assert (await _get(f"{setup.exporter}/-/reload"))[0] == 405
    setup.config_path.write_text(yaml.safe_dump({"modules": {**MODULES, "added": {"prober": "tcp"}}}))
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{setup.exporter}/-/reload") as response:
            assert response.status == 200
        setup.config_path.write_text("modules: [")
        async with session.post(f"{setup.exporter}/-/reload") as response:
            assert response.status == 500
            assert "failed to reload config" in await response.text()
    _, metrics = await _get(f"{setup.exporter}/metrics")
    assert _values(metrics)["blackbox_exporter_config_last_reload_successful"] == 0
    _, text = await _get(f"{setup.exporter}/config")
    assert "added:" in text


@pytest.mark.parametrize("setup", [{"max_concurrent_probes": 1}], indirect=True)
async def test_concurrency_is_bounded(setup: Setup) -> None:
    slow = _get(
        f"{setup.exporter}/probe?target={setup.target}/slow?s=1.0",
        **{"X-Prometheus-Scrape-Timeout-Seconds": "3"},
    )
    first = asyncio.ensure_future(slow)
    for _ in range(200):  # until the slow probe holds the only slot
        if setup.hits:
            break
        await asyncio.sleep(0.01)
    _, text = await _get(
        f"{setup.exporter}/probe?target={setup.target}/", **{"X-Prometheus-Scrape-Timeout-Seconds": "0.8"}
    )
    assert _values(text)["probe_success"] == 0  # waited 0.3 s for the only slot, then gave up
    assert _values(text)["probe_failure_info{reason=timeout}"] == 1
    assert setup.hits == ["/slow"]
    _, text = await first
    assert _values(text)["probe_success"] == 1


@pytest.mark.parametrize(
    ("setup", "status"),
    [({"allow_targets": ["127.0.0.0/8", "::1/128"]}, 200), ({"allow_targets": ["10.0.0.0/8"]}, 403)],
    indirect=["setup"],
)
async def test_names_are_judged_by_their_addresses(setup: Setup, status: int) -> None:
    port = setup.target.rsplit(":", 1)[1]
    got, text = await _get(f"{setup.exporter}/probe?target=http://localhost:{port}/")
    assert got == status
    if status == 200:
        assert _values(text)["probe_success"] == 1
    else:
        assert setup.hits == []
