"""Latency accuracy of an exporter's ``probe_duration_seconds``, for ``bench_probes.py --accuracy``.

With a fixed delay injected on a testbed endpoint (the testbed's latency fault, half the requests at
random so delayed and undelayed probes share the machine's momentary load), the median
``probe_duration_seconds`` of delayed probes minus that of the others must be within 2 ms of the delay.
The testbed runs in its own process, so it does not share the exporter's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import statistics
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
from loopback import wait_healthy

from testbed import TestbedConfig, run_testbed

ACCURACY_SECONDS = 0.002
MODULE = "http_2xx"
Start = Callable[[str, Path], AbstractContextManager[tuple[str, int]]]


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
    """A testbed in its own process; yields its RPC and control URLs."""
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


def _gauge(body: bytes, name: bytes) -> float | None:
    start = body.find(b"\n" + name + b" ")
    if start < 0:
        return None
    start += len(name) + 2
    end = body.find(b"\n", start)
    return float(body[start:end])


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
    """Median with the delay, median without, and their difference minus the delay, in seconds;
    a probe longer than half the delay counts as delayed."""
    asyncio.run(set_delay(control, delay, 0.5))
    try:
        durations = asyncio.run(sequential_durations(base, target, samples))
    finally:
        asyncio.run(set_delay(control, 0.0, 0.0))
    delayed = [d for d in durations if d > delay / 2]
    plain = [d for d in durations if d <= delay / 2]
    with_delay, without = statistics.median(delayed), statistics.median(plain)
    return with_delay, without, with_delay - without - delay


def accuracy_report(config: Path, start: Start, samples: int) -> dict[str, dict[str, float | bool]]:
    """Print and return the delay error of ours and blackbox_exporter for a 50 ms and a 200 ms delay."""
    print(f"\nLatency accuracy: {samples} sequential probes per delay, half of them delayed at random")
    accuracy: dict[str, dict[str, float | bool]] = {}
    with testbed() as (rpc_url, control_url):
        target = rpc_url + "/health"
        for label, kind in (("ours", "ours"), ("blackbox_exporter", "bbe")):
            with start(kind, config) as (base, _):
                for delay in (0.05, 0.2):
                    with_delay, without, error = delay_error(base, control_url, target, delay, samples)
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
    return accuracy
