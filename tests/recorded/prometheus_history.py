"""A real Prometheus holding known history: counters written as OpenMetrics, turned into TSDB blocks by
``promtool tsdb create-blocks-from openmetrics``, then served by ``prometheus`` on a free loopback port."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port, require_binary

_READY_DEADLINE_SECONDS = 90.0


def openmetrics_counters(series: Sequence[tuple[str, Sequence[int]]], *, start: int, step: int) -> str:
    """Each (name-with-labels, per-step increments) as a counter sampled at ``start + i·step`` from 0."""
    lines = ["# TYPE slo_harness_probe counter"]
    for name, increments in series:
        value = 0
        lines.append(f"{name} 0 {start}")
        for i, inc in enumerate(increments, start=1):
            value += inc
            lines.append(f"{name} {value} {start + i * step}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@contextmanager
def prometheus_with_history(workdir: Path, openmetrics: str) -> Iterator[str]:
    """Base URL of a Prometheus serving the blocks made from ``openmetrics``; stopped on exit."""
    promtool, prometheus = require_binary("promtool"), require_binary("prometheus")
    data = workdir / "data"
    (workdir / "history.om").write_text(openmetrics, encoding="utf-8")
    # One pass per block: without a long maximum block, promtool re-reads the file for every 2 hours.
    subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--max-block-duration=1500h",
            "-q",
            str(workdir / "history.om"),
            str(data),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (workdir / "prometheus.yml").write_text("global: {scrape_interval: 1m}\n", encoding="utf-8")
    listen = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [
            prometheus,
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=3650d",
            f"--web.listen-address={listen}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + _READY_DEADLINE_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"http://{listen}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError("Prometheus did not become ready")
            time.sleep(0.3)
        yield f"http://{listen}"
    finally:
        process.terminate()
        process.wait(timeout=30)
