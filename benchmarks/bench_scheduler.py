"""Scheduled mode at scale: N targets probed every interval for a while, against the testbed.

Runs the testbed in this process and the exporter as its own process (so its CPU and memory are
its own), lets the schedule settle, then measures over the run:

- achieved probes per second (results stored with a finish time inside the run) vs. the planned rate;
- scheduling lag, ``start − due`` of every probe, p50 / p99 / max (the store keeps both times);
- exporter CPU (user + system seconds per wall second, from /proc) and resident memory (now / peak);
- failed probes, which should be none against a healthy testbed.

Usage: ``python benchmarks/bench_scheduler.py [--targets 200] [--interval 1] [--duration 60]
[--prober http|chain]``
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from loopback import free_port, wait_healthy
from proc_cpu import process_cpu

from probes.schedule.store import ResultStore, default_store_path
from testbed import TestbedConfig, run_testbed


def _memory_mib(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _config(rpc_url: str, targets: int, interval: float, prober: str) -> dict[str, object]:
    """``http``: N status URLs with a JSON check. ``chain``: one node under N identical chain modules,
    so each (target, module) keeps its own state, as N nodes would."""
    every = f"{interval:g}s"
    if prober == "chain":
        module = {"prober": "chain", "timeout": "5s", "chain": {"max_block_age": "30s"}}
        return {
            "modules": {f"chain_{i}": module for i in range(targets)},
            "targets": [
                {"target": rpc_url, "module": f"chain_{i}", "interval": every, "slos": ["SLO-NODE-007"]}
                for i in range(targets)
            ],
        }
    check = {"preferred_ip_protocol": "ip4", "json_assertions": ["result.sync_info.catching_up == false"]}
    return {
        "modules": {"node_status": {"prober": "http", "timeout": "5s", "http": check}},
        "targets": [
            {
                "target": f"{rpc_url}/status?probe={i}",
                "module": "node_status",
                "interval": every,
                "slos": ["SLO-NODE-001"],
            }
            for i in range(targets)
        ],
    }


async def bench(targets: int, interval: float, duration: float, warmup: float, prober: str) -> None:
    async with run_testbed(TestbedConfig(block_time_seconds=6.0)) as tb:
        with tempfile.TemporaryDirectory() as tmp:
            config_path = Path(tmp) / "probes.yml"
            config_path.write_text(yaml.safe_dump(_config(tb.rpc_url, targets, interval, prober)))
            listen = f"127.0.0.1:{free_port()}"
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "slo_harness",
                    "exporter",
                    "--config",
                    str(config_path),
                    "--listen",
                    listen,
                ],
                stdout=subprocess.DEVNULL,
            )
            try:
                await wait_healthy(f"http://{listen}", process)
                await asyncio.sleep(warmup)
                cpu0, t0 = process_cpu(process.pid), time.time()
                await asyncio.sleep(duration)
                cpu1, t1 = process_cpu(process.pid), time.time()
                rss, peak = _memory_mib(process.pid)
            finally:
                process.terminate()
                process.wait(timeout=30)
            with ResultStore.reader(default_store_path(config_path)) as store:
                done, failed = store.finished_between(t0, t1)
                lags = store.scheduling_lags(since=t0)
    print(f"scheduled mode: {targets} {prober} targets every {interval:g}s, measured over {t1 - t0:.1f}s")
    print(f"  planned rate        {targets / interval:10.1f} probes/s")
    print(f"  achieved rate       {done / (t1 - t0):10.1f} probes/s  ({failed} failed)")
    p50, p99 = np.percentile(lags, [50, 99]) if lags.size else (float("nan"), float("nan"))
    worst = lags.max() if lags.size else float("nan")
    print(f"  scheduling lag      p50 {1000 * p50:.1f} ms   p99 {1000 * p99:.1f} ms", end="")
    print(f"   max {1000 * worst:.1f} ms")
    print(f"  exporter CPU        {100 * (cpu1 - cpu0) / (t1 - t0):10.1f} % of one core")
    print(f"  exporter memory     {rss:10.1f} MiB resident ({peak:.1f} MiB peak)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--prober", choices=("http", "chain"), default="http")
    args = parser.parse_args()
    asyncio.run(bench(args.targets, args.interval, args.duration, args.warmup, args.prober))


if __name__ == "__main__":
    main()
