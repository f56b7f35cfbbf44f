"""What the benchmarks share on loopback: a free port, and waiting until a server says it is healthy."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import time

import aiohttp


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_healthy(
    url: str,
    process: subprocess.Popen[bytes] | None = None,
    timeout_seconds: float = 30.0,
    interval_seconds: float = 0.1,
) -> None:
    """Poll ``url/-/healthy`` every ``interval_seconds`` until it answers 200; stop early if
    ``process`` has exited."""
    deadline = time.monotonic() + timeout_seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise SystemExit(f"{url}: the server exited with {process.returncode} before it was healthy")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{url}/-/healthy") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(interval_seconds)
    raise SystemExit(f"{url} did not become healthy within {timeout_seconds:g} s")
