"""How the exporter runs: one worker per CPU by default (one with ``targets:``), on uvloop's event loop."""

from __future__ import annotations

import asyncio
import os

import pytest
import uvloop

from probes.config import ProberConfig
from probes.serve import default_workers, run_loop, worker_count

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
