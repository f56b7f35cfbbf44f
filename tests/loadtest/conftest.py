"""Fixtures for the load tests: a testbed in a background thread and ``slo-harness load`` runs."""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from testbed import Fault, Testbed, TestbedConfig, run_testbed


@dataclass
class ThreadedTestbed:
    """A running testbed and the loop it runs on (faults go in through ``add_fault``)."""

    tb: Testbed
    loop: asyncio.AbstractEventLoop

    def add_fault(self, fault: Fault) -> None:
        self.loop.call_soon_threadsafe(self.tb.faults.add, fault)

    def rpc(self, path: str) -> Any:
        with urllib.request.urlopen(self.tb.rpc_url + path, timeout=10) as response:
            return json.loads(response.read())["result"]

    def chain_txs(self) -> dict[str, int]:
        """Every tx hash on the chain with its height, read block by block over RPC."""
        latest = int(self.rpc("/status")["sync_info"]["latest_block_height"])
        out = {}
        for height in range(1, latest + 1):
            for tx in self.rpc(f"/block?height={height}")["block"]["data"]["txs"] or []:
                out[hashlib.sha256(base64.b64decode(tx)).hexdigest().upper()] = height
        return out

    def wait_for_txs(self, timeout: float = 60.0) -> None:
        """Block until a committed block or the mempool holds a tx (the load has started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if int(self.rpc("/num_unconfirmed_txs")["n_txs"]) > 0:
                return
            time.sleep(0.05)
        raise AssertionError("the load never reached the testbed")


def _serve(config: TestbedConfig, ready: list[Any], stop: threading.Event) -> None:
    async def main() -> None:
        async with run_testbed(config) as tb:
            ready.append((tb, asyncio.get_running_loop()))
            while not stop.is_set():
                await asyncio.sleep(0.1)

    asyncio.run(main())


@pytest.fixture
def threaded_testbed() -> Iterator[Callable[[TestbedConfig], ThreadedTestbed]]:
    """Start a testbed with the given config in a thread; stopped after the test."""
    stops: list[tuple[threading.Event, threading.Thread]] = []

    def start(config: TestbedConfig) -> ThreadedTestbed:
        ready: list[Any] = []
        stop = threading.Event()
        thread = threading.Thread(target=_serve, args=(config, ready, stop), daemon=True)
        thread.start()
        stops.append((stop, thread))
        deadline = time.monotonic() + 30
        while not ready and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready, "the testbed did not start"
        tb, loop = ready[0]
        return ThreadedTestbed(tb, loop)

    yield start
    for stop, thread in stops:
        stop.set()
        thread.join(timeout=10)


@dataclass
class LoadRun:
    """A finished ``slo-harness load``: exit code, output and the run directory's files."""

    returncode: int
    output: str
    directory: Path

    @property
    def summary(self) -> dict[str, Any]:
        path = self.directory / "summary.json"
        assert path.exists(), f"no summary.json; the run said:\n{self.output[-4000:]}"
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def rows(self, name: str) -> list[dict[str, str]]:
        with (self.directory / name).open(newline="") as handle:
            return list(csv.DictReader(handle))


def start_load(args: list[str], out: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "slo_harness", "load", *args, "--out", str(out)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def finish_load(process: subprocess.Popen[str], out: Path, timeout: float = 150.0) -> LoadRun:
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"slo-harness load did not finish:\n{output[-3000:]}") from None
    runs = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(runs) == 1, output[-3000:]
    return LoadRun(process.returncode, output, runs[0])
