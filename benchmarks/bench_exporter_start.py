"""Exporter start-up: seconds from process start to ``/-/healthy`` answering, as a user starts it.

Usage: ``python benchmarks/bench_exporter_start.py [--runs 5] [--workers N]``

Starts ``python -m slo_harness exporter`` ``--runs`` times on free loopback ports, with the packaged
default modules (blackbox_exporter's defaults and the node checks, a gRPC module among them) and with
a config that has only a gRPC module, and prints each run's wall seconds until ``/-/healthy``
answered 200 and the CPU seconds (user + system, from ``/proc``) the exporter's processes had used
by then, then the medians against the target of 1 s. For the gRPC config it also times the first
and the second ``/probe`` of the gRPC module (against a closed loopback port, so the probe fails
fast): the first one imports the gRPC prober, which is the start-up cost the exporter no longer pays
before it is healthy. One start before the measured ones writes the bytecode caches (the child runs
without ``PYTHONDONTWRITEBYTECODE``), as an installed tool has them. On a shared machine the wall
time includes waiting for a CPU; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from loopback import free_port, wait_healthy
from proc_cpu import tree_cpu

from probes.config import DEFAULT_CONFIG

TARGET_SECONDS = 1.0
GRPC_CONFIG = """\
modules:
  grpc_plain:
    prober: grpc
    timeout: 5s
    grpc:
      tls: false
"""
def _get_seconds(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return time.perf_counter() - started


def start_once(config: Path, workers: int | None, probe_grpc: bool) -> tuple[float, float, list[float]]:
    """Wall and CPU seconds until healthy, then (with ``probe_grpc``) the first two gRPC probes' seconds."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "slo_harness", "exporter", "--config", str(config)]
    cmd += ["--listen", f"127.0.0.1:{port}", *([] if workers is None else ["--workers", str(workers)])]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        asyncio.run(wait_healthy(url, process, timeout_seconds=60.0, interval_seconds=0.005))
        wall = time.perf_counter() - started
        cpu = tree_cpu(process.pid)
        probes = []
        if probe_grpc:
            target = f"{url}/probe?module=grpc_plain&target=127.0.0.1:{free_port()}"
            probes = [_get_seconds(target), _get_seconds(target)]
        return wall, cpu, probes
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None, help="default: the exporter's default")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        grpc_config = Path(folder) / "grpc.yml"
        grpc_config.write_text(GRPC_CONFIG)
        start_once(DEFAULT_CONFIG, args.workers, probe_grpc=False)  # writes the bytecode caches
        runs = (("default modules", DEFAULT_CONFIG, False), ("grpc module", grpc_config, True))
        for label, config, grpc in runs:
            walls, cpus, firsts, seconds = [], [], [], []
            for run in range(1, args.runs + 1):
                wall, cpu, probes = start_once(config, args.workers, grpc)
                walls.append(wall)
                cpus.append(cpu)
                line = f"{label:<16} run {run}: healthy after {wall:6.3f} s wall, {cpu:6.3f} s CPU"
                if probes:
                    firsts.append(probes[0])
                    seconds.append(probes[1])
                    line += f"; first gRPC /probe {probes[0]:6.3f} s, second {probes[1]:6.3f} s"
                print(line, flush=True)
            median = statistics.median(walls)
            verdict = "meets" if median < TARGET_SECONDS else "misses"
            print(
                f"{label:<16} median: {median:6.3f} s wall ({verdict} the {TARGET_SECONDS:g} s target),"
                f" {statistics.median(cpus):6.3f} s CPU"
                + (
                    f"; first gRPC /probe {statistics.median(firsts):6.3f} s,"
                    f" second {statistics.median(seconds):6.3f} s"
                    if firsts
                    else ""
                )
            )
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
