"""Run ``slo-harness exporter`` as a separate process, as a user does, for restart and Prometheus tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from tests.conftest import free_port

_REPO = Path(__file__).resolve().parents[3]
_STARTUP_SECONDS = 20.0


def chain_config(rpc_url: str, interval: str = "200ms") -> dict[str, Any]:
    """A config with one chain target on a short interval, bound to an availability and a latency SLO."""
    return {
        "modules": {"chain": {"prober": "chain", "timeout": "2s", "chain": {"max_block_age": "5s"}}},
        "targets": [
            {
                "target": rpc_url,
                "module": "chain",
                "interval": interval,
                "slos": ["SLO-NODE-001", "SLO-NODE-007"],
            }
        ],
    }


class ExporterProcess:
    """``python -m slo_harness exporter`` on a free loopback port; ``start``, ``kill`` and ``stop``."""

    def __init__(self, config: dict[str, Any], directory: Path) -> None:
        self.config_path = directory / "probes.yml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.listen = f"127.0.0.1:{free_port()}"
        self.url = f"http://{self.listen}"
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(_REPO)}
        command = [sys.executable, "-m", "slo_harness", "exporter", "--config", str(self.config_path)]
        self._process = subprocess.Popen([*command, "--listen", self.listen], env=env, cwd=_REPO)
        deadline = time.monotonic() + _STARTUP_SECONDS
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise RuntimeError(f"exporter exited with {self._process.returncode}")
                try:
                    async with session.get(f"{self.url}/-/healthy") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("exporter did not become healthy")

    async def json(self, path: str) -> Any:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.get(f"{self.url}{path}") as response,
        ):
            response.raise_for_status()
            return await response.json()

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash or an OOM kill."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
