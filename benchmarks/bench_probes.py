"""Probes per second and probe latency of our exporter next to Prometheus' blackbox_exporter.

Both exporters probe the same testbed endpoint (CometBFT RPC ``/health``, in its own process) with
the same http module, each driven by the same number of concurrent scrapes for the same time, in
alternating rounds (the best round of each counts, the machine being shared); the figures are
probes/s (successful ``/probe`` answers per second), the p50/p99 of the
``probe_duration_seconds`` each exporter reported, and the p50/p99 scrape time seen by the client.
Ours runs with one worker process and with ``--workers N`` (SO_REUSEPORT). The testbed is Python
and opens a connection per probe, so it can cap both exporters; a second table repeats the load
against a Go endpoint (another blackbox_exporter's ``/-/healthy``) to show the exporters' own rate.

Latency accuracy: with a fixed delay injected on the endpoint (the testbed's latency fault), the
median ``probe_duration_seconds`` minus the no-delay median must be within 2 ms of the delay.

Run: ``python benchmarks/bench_probes.py [--seconds 5] [--concurrency 8] [--workers 2] [--rounds 2]``.
Everything listens on 127.0.0.1; each phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
import numpy as np
import yaml
from loopback import free_port, wait_healthy

from testbed import TestbedConfig, run_testbed

TARGET_BBE_RATE = 2850.0
ACCURACY_SECONDS = 0.002
MODULE = "http_2xx"
MODULES = {"modules": {MODULE: {"prober": "http", "http": {"preferred_ip_protocol": "ip4"}}}}


def _serve_testbed(conn: Connection) -> None:
    """Child process: a testbed until the parent closes the pipe."""

    async def main() -> None:
        async with run_testbed(TestbedConfig(block_time_seconds=1.0, max_concurrent_requests=4096)) as tb:
            conn.send((tb.rpc_url, tb.control_url))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv_bytes)

    with contextlib.suppress(EOFError):
        asyncio.run(main())


@contextlib.contextmanager
def testbed() -> Iterator[tuple[str, str]]:
    """A testbed in its own process (so it does not share the exporters' event loop)."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve_testbed, args=(child,), daemon=True)
    process.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("the testbed did not start")
        urls: tuple[str, str] = parent.recv()
        yield urls
    finally:
        parent.close()
        process.join(10)
        if process.is_alive():
            process.terminate()


@contextlib.contextmanager
def exporter(kind: str, config: Path, workers: int = 1) -> Iterator[str]:
    """Start blackbox_exporter (``bbe``) or ours on a free port; yields its base URL."""
    port = free_port()
    if kind == "bbe":
        binary = shutil.which("prometheus-blackbox-exporter")
        if binary is None:
            raise SystemExit("prometheus-blackbox-exporter is not installed (apt-get install it)")
        cmd = [binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}"]
    else:
        cmd = [sys.executable, "-m", "slo_harness", "exporter", "--config", str(config)]
        cmd += ["--listen", f"127.0.0.1:{port}", "--workers", str(workers)]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _gauge(body: bytes, name: bytes) -> float | None:
    start = body.find(b"\n" + name + b" ")
    if start < 0:
        return None
    start += len(name) + 2
    end = body.find(b"\n", start)
    return float(body[start:end])


@dataclass
class Load:
    probes: int
    failures: int
    seconds: float
    durations: list[float]
    scrape_seconds: list[float]

    @property
    def rate(self) -> float:
        return self.probes / self.seconds


async def drive(base: str, target: str, concurrency: int, seconds: float) -> Load:
    """``concurrency`` scrape loops against ``/probe`` for ``seconds``; counts successful probes."""
    url = f"{base}/probe?module={MODULE}&target={target}"
    headers = {"X-Prometheus-Scrape-Timeout-Seconds": "10"}
    durations: list[float] = []
    scrapes: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await wait_healthy(base)
        warm_until = time.perf_counter() + 0.5
        while time.perf_counter() < warm_until:
            async with session.get(url) as response:
                await response.read()
        stop = time.perf_counter() + seconds

        async def loop() -> None:
            nonlocal failures
            while (now := time.perf_counter()) < stop:
                async with session.get(url, headers=headers) as response:
                    body = await response.read()
                scrapes.append(time.perf_counter() - now)
                if _gauge(body, b"probe_success") == 1:
                    durations.append(_gauge(body, b"probe_duration_seconds") or 0.0)
                else:
                    failures += 1

        start = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return Load(len(durations), failures, elapsed, durations, scrapes)


async def sequential_durations(base: str, target: str, samples: int) -> list[float]:
    """``samples`` probes one after another; the ``probe_duration_seconds`` of each."""
    url = f"{base}/probe?module={MODULE}&target={target}"
    out: list[float] = []
    async with aiohttp.ClientSession() as session:
        await wait_healthy(base)
        for _ in range(samples):
            async with session.get(url) as response:
                body = await response.read()
            if _gauge(body, b"probe_success") == 1:
                out.append(_gauge(body, b"probe_duration_seconds") or 0.0)
    return out


async def set_delay(control: str, seconds: float, ratio: float) -> None:
    """Delay ``ratio`` of the testbed's RPC requests by exactly ``seconds`` (none when 0)."""
    async with aiohttp.ClientSession() as session:
        async with session.delete(control + "/faults") as response:
            response.raise_for_status()
        if seconds > 0:
            fault = {"surface": "rpc", "kind": "latency", "latency_seconds": seconds, "ratio": ratio}
            async with session.post(control + "/faults", json=fault) as response:
                response.raise_for_status()
        await asyncio.sleep(0.2)


def delay_error(
    base: str, control: str, target: str, delay: float, samples: int
) -> tuple[float, float, float]:
    """Median with the delay, median without, and their difference minus the delay, in seconds.

    Half the requests are delayed, at random, so delayed and undelayed probes interleave and share
    the machine's momentary load; a probe longer than half the delay counts as delayed.
    """
    asyncio.run(set_delay(control, delay, 0.5))
    try:
        durations = asyncio.run(sequential_durations(base, target, samples))
    finally:
        asyncio.run(set_delay(control, 0.0, 0.0))
    delayed = [d for d in durations if d > delay / 2]
    plain = [d for d in durations if d <= delay / 2]
    with_delay, without = statistics.median(delayed), statistics.median(plain)
    return with_delay, without, with_delay - without - delay


def _ms(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def _throughput(config: Path, target: str, args: argparse.Namespace) -> dict[str, Load]:
    runs = [("blackbox_exporter", "bbe", 1), ("ours, 1 worker", "ours", 1)]
    if args.workers > 1:
        runs.append((f"ours, {args.workers} workers", "ours", args.workers))
    loads: dict[str, Load] = {}
    for _ in range(args.rounds):  # alternate the exporters so a change in machine load hits all of them
        for label, kind, workers in runs:
            with exporter(kind, config, workers) as base:
                load = asyncio.run(drive(base, target, args.concurrency, args.seconds))
            if label not in loads or load.rate > loads[label].rate:
                loads[label] = load
    print(
        f"{'exporter':<22} {'probes/s':>9} {'failed':>7} "
        f"{'probe p50':>10} {'probe p99':>10} {'scrape p99':>11}"
    )
    for label, load in loads.items():
        print(
            f"{label:<22} {load.rate:>9.0f} {load.failures:>7d} {_ms(load.durations, 50):>8.2f}ms "
            f"{_ms(load.durations, 99):>8.2f}ms {_ms(load.scrape_seconds, 99):>9.2f}ms"
        )
    bbe = loads["blackbox_exporter"].rate
    for label, load in loads.items():
        if label != "blackbox_exporter":
            print(f"ratio ours/blackbox_exporter probes/s ({label}): {load.rate / bbe:.2f}")
    return loads


def _figures(load: Load) -> dict[str, float]:
    return {
        "probes_per_second": load.rate,
        "failed": load.failures,
        "probe_p50_ms": _ms(load.durations, 50),
        "probe_p99_ms": _ms(load.durations, 99),
        "scrape_p50_ms": _ms(load.scrape_seconds, 50),
        "scrape_p99_ms": _ms(load.scrape_seconds, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load time per exporter")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent scrapes")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of ours in the last run")
    parser.add_argument("--samples", type=int, default=160, help="probes per delay for latency accuracy")
    parser.add_argument("--rounds", type=int, default=2, help="throughput runs per exporter; the best counts")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    report: dict[str, object] = {"concurrency": args.concurrency, "seconds": args.seconds}
    with tempfile.TemporaryDirectory() as folder, testbed() as (rpc_url, control_url):
        config = Path(folder) / "blackbox.yml"
        config.write_text(yaml.safe_dump(MODULES))
        target = rpc_url + "/health"
        print(
            f"Throughput against the testbed (RPC /health), "
            f"{args.concurrency} concurrent scrapes, {args.seconds:g} s"
        )
        report["testbed"] = {k: _figures(v) for k, v in _throughput(config, target, args).items()}
        # The testbed is Python too and may cap both exporters; a Go endpoint (another
        # blackbox_exporter's /-/healthy) shows what the exporters themselves sustain.
        with exporter("bbe", config) as go_endpoint:
            print(f"\nThroughput against a Go endpoint ({go_endpoint}/-/healthy), same load")
            loads = _throughput(config, go_endpoint + "/-/healthy", args)
            report["go_endpoint"] = {k: _figures(v) for k, v in loads.items()}
        print(f"(blackbox_exporter's reference rate on this machine: about {TARGET_BBE_RATE:.0f} probes/s)")

        print(
            f"\nLatency accuracy: {args.samples} sequential probes per delay, half of them delayed at random"
        )
        accuracy: dict[str, dict[str, float | bool]] = {}
        for label, kind in (("ours", "ours"), ("blackbox_exporter", "bbe")):
            with exporter(kind, config) as base:
                for delay in (0.05, 0.2):
                    with_delay, without, error = delay_error(base, control_url, target, delay, args.samples)
                    verdict = "PASS" if abs(error) <= ACCURACY_SECONDS else "FAIL"
                    print(
                        f"{label:<18} delay {delay * 1000:>4.0f} ms: median {with_delay * 1000:8.3f} ms "
                        f"- no-delay median {without * 1000:6.3f} ms "
                        f"= {(with_delay - without) * 1000:8.3f} ms "
                        f"(error {error * 1000:+.3f} ms, limit ±{ACCURACY_SECONDS * 1000:.0f}) {verdict}"
                    )
                    accuracy[f"{label} {delay * 1000:.0f}ms"] = {
                        "error_ms": error * 1000,
                        "pass": verdict == "PASS",
                    }
        report["accuracy"] = accuracy
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
