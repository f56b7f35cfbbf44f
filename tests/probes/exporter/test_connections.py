"""Idle clients cannot take the exporter's descriptors: a cap below the limit, silent ones dropped, 503."""

from __future__ import annotations

import asyncio
import resource
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from probes.config import ProberConfig
from probes.exporter.connections import (
    ConnectionGuard,
    GuardedSite,
    client_connection_limit,
    raise_descriptor_limit,
)
from probes.exporter.server import build_app

pytestmark = pytest.mark.integration


@asynccontextmanager
async def exporter(guard: ConnectionGuard) -> AsyncIterator[str]:
    config = ProberConfig.model_validate({"modules": {"http_2xx": {"prober": "http"}}})
    runner = web.AppRunner(build_app(config, CollectorRegistry()), access_log=None, keepalive_timeout=2.0)
    await runner.setup()
    site = GuardedSite(runner, "127.0.0.1", 0, guard)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site.port}"
    finally:
        await runner.cleanup()


async def _idle(url: str, n: int) -> list[asyncio.StreamWriter]:
    port = int(url.rsplit(":", 1)[1])
    writers = []
    for _ in range(n):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writers.append(writer)
    return writers


async def test_idle_connections_past_the_cap_do_not_starve_metrics_or_probe() -> None:
    guard = ConnectionGuard(limit=40, silent_timeout_seconds=30.0)
    async with exporter(guard) as url, aiohttp.ClientSession() as http:
        idle = await _idle(url, 120)  # three times the cap, none of them saying anything
        start = time.perf_counter()
        async with http.get(f"{url}/metrics") as reply:
            assert reply.status == 200
        async with http.get(f"{url}/probe", params={"target": f"{url}/-/healthy"}) as reply:
            assert reply.status == 200 and "probe_success 1" in await reply.text()
        assert time.perf_counter() - start < 2.0
        assert guard.open <= guard.limit and guard.dropped >= 80
        for writer in idle:
            writer.close()


async def test_busy_connections_at_the_cap_get_503_and_silent_ones_time_out() -> None:
    guard = ConnectionGuard(limit=5, silent_timeout_seconds=0.5)
    async with exporter(guard) as url:
        busy = await _idle(url, 5)
        for writer in busy:  # half a request each: not silent, so not the first to go
            writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            await writer.drain()
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        answer = await asyncio.wait_for(reader.read(), 2.0)
        assert answer.startswith(b"HTTP/1.1 503 ") and guard.refused == 1
        writer.close()
        for w in busy:
            w.close()
        silent = await _idle(url, 3)
        await asyncio.sleep(1.2)
        assert guard.open == 0  # closed for saying nothing
        for w in silent:
            w.close()


def test_connection_limit_keeps_a_reserve_for_probes() -> None:
    assert client_connection_limit(1024, 256) == 1024 - 2 * 256 - 64
    assert client_connection_limit(100, 256) == 16  # never none at all


def test_the_soft_descriptor_limit_is_raised_to_the_hard_one() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard <= 256:
        pytest.skip(f"hard descriptor limit {hard} leaves nothing to raise")
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        assert raise_descriptor_limit() == hard
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
