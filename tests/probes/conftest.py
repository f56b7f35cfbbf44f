"""Loopback servers and a one-call probe runner for the prober tests."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from probes.config import Module
from probes.context import ProbeContext
from probes.probers.dispatch import run_probe
from probes.probers.http_phases import new_session
from probes.result import ProbeResult
from probes.security import TargetPolicy


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free 127.0.0.1 port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def probe_once(
    target: str,
    module: dict[str, Any],
    *,
    timeout: float = 3.0,
    policy: TargetPolicy | None = None,
    hostname: str | None = None,
    body_limit: int = 10 * 1024 * 1024,
) -> ProbeResult:
    """Run one module (given as its YAML mapping) against ``target`` with a fresh session."""
    parsed = Module.model_validate(module)
    async with new_session() as session:
        ctx = ProbeContext(
            "test",
            asyncio.get_running_loop().time() + timeout,
            session,
            policy or TargetPolicy(),
            hostname=hostname,
            body_limit=body_limit,
        )
        return await run_probe(target, parsed, ctx)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and key for ``node.test`` (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=node.test",
         "-addext", "subjectAltName=DNS:node.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key
