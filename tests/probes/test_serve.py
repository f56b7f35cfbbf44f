"""How the exporter runs: one worker per CPU by default (one with ``targets:``), on uvloop's event loop."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import uvloop

from probes.config import ProberConfig
from probes.serve import default_workers, run_loop, worker_count
from tests.conftest import free_port

_MODULES = {"modules": {"http_2xx": {"prober": "http"}}}
_TARGETS = [{"target": "http://127.0.0.1:9/", "module": "http_2xx"}]


def test_default_workers_follow_the_cpu_affinity_mask() -> None:
    """As Go's GOMAXPROCS: the CPUs this process may run on, not those the machine has."""
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert default_workers() == 1
    finally:
        os.sched_setaffinity(0, allowed)
    assert default_workers() == len(allowed)


@pytest.mark.parametrize(
    ("targets", "asked", "expected"), [([], None, "cpus"), (_TARGETS, None, 1), ([], 1, 1), (_TARGETS, 3, 3)]
)
def test_worker_count(targets: list[dict[str, str]], asked: int | None, expected: int | str) -> None:
    config = ProberConfig.model_validate({**_MODULES, "targets": targets})
    assert worker_count(config, asked) == (default_workers() if expected == "cpus" else expected)


def test_the_exporter_loop_is_uvloop() -> None:
    seen: list[asyncio.AbstractEventLoop] = []

    async def main() -> None:
        seen.append(asyncio.get_running_loop())

    run_loop(main())
    assert len(seen) == 1 and isinstance(seen[0], uvloop.Loop)


@pytest.mark.integration
def test_metrics_count_the_probes_of_every_worker(tmp_path: Path) -> None:
    """Each fresh connection lands on one worker (the kernel hashes it across the SO_REUSEPORT
    sockets), so forty probes reach both; any worker's /metrics must count all forty."""
    config = tmp_path / "exporter.yml"
    config.write_text("modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run = [sys.executable, "-m", "slo_harness", "exporter", "--config", str(config)]
    exporter = subprocess.Popen([*run, "--listen", f"127.0.0.1:{port}", "--workers", "2"])
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/-/healthy", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        for _ in range(40):
            with urllib.request.urlopen(f"{base}/probe?module=http_2xx&target={base}/-/healthy", timeout=10):
                pass
        counts = set()
        for _ in range(8):  # each scrape is a new connection, so both workers answer some
            with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
                text = response.read().decode()
            found = re.search(
                r'^slo_harness_exporter_probes_total\{module="http_2xx",result="success"\} (\S+)$', text, re.M
            )
            assert found is not None, text
            counts.add(float(found.group(1)))
        assert counts == {40.0}
    finally:
        exporter.send_signal(signal.SIGTERM)
        assert exporter.wait(timeout=30) == 0
