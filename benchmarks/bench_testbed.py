"""Requests per second the testbed sustains on one core: RPC /health and /status, broadcast and lookup.

The testbed runs in its own process pinned to one CPU (where the OS allows it); the load comes from
this process over keep-alive loopback connections, so the figure is the server's, not a timer's.
Target: at least 3,000 simple requests/s, so probe and load benchmarks measure the prober, not the
testbed. Run: ``python benchmarks/bench_testbed.py [--seconds 5] [--concurrency 32]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from multiprocessing.connection import Connection

import aiohttp

from cosmostx import Fee, build_msg_send, dev_accounts, tx_hash
from testbed import TestbedConfig, run_testbed

TARGET_RPS = 3000


def bench_config(accounts: int) -> TestbedConfig:
    """1 s blocks with room for every tx offered, and ``accounts`` funded senders."""
    return TestbedConfig(
        block_time_seconds=1.0, max_txs_per_block=100_000, mempool_max_txs=200_000, accounts=accounts
    )


def serve(conn: Connection, cpu: int | None, config: TestbedConfig) -> None:
    """Child process: run a testbed until the parent closes the pipe."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})

    async def main() -> None:
        async with run_testbed(config) as tb:
            conn.send(tb.rpc_url)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv_bytes)

    with contextlib.suppress(EOFError):
        asyncio.run(main())


def signed_broadcaster(
    http: aiohttp.ClientSession, rpc_url: str, concurrency: int
) -> tuple[Callable[[int], Awaitable[None]], list[str]]:
    """A request for ``rate``: worker ``i`` signs a ``MsgSend`` as dev account ``i`` (next sequence)
    and sends it with ``broadcast_tx_sync``; the hashes of accepted txs collect in the list."""
    config = bench_config(concurrency)
    senders = dev_accounts(concurrency, prefix=config.bech32_prefix)
    fee = Fee(5000, config.denom, 200_000)
    sequences = [0] * concurrency
    hashes: list[str] = []

    async def broadcast(index: int) -> None:
        sender = senders[index]
        raw = build_msg_send(
            sender.key,
            chain_id=config.chain_id,
            account_number=index,
            sequence=sequences[index],
            from_address=sender.address,
            to_address=sender.address,
            amount=1,
            denom=config.denom,
            fee=fee,
        )
        async with http.get(f"{rpc_url}/broadcast_tx_sync?tx=0x{raw.hex()}") as response:
            body = json.loads(await response.read())
        assert body["result"]["code"] == 0, body
        sequences[index] += 1
        hashes.append(tx_hash(raw))

    return broadcast, hashes


@contextlib.contextmanager
def testbed_process(cpu: int | None, accounts: int) -> Iterator[str]:
    """A testbed (``bench_config(accounts)``) in its own process, pinned to ``cpu``; yields its RPC URL."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=serve, args=(child, cpu, bench_config(accounts)), daemon=True)
    server.start()
    try:
        if not parent.poll(60):
            raise SystemExit("the testbed did not start")
        yield parent.recv()
    finally:
        parent.close()
        server.join(10)
        if server.is_alive():
            server.terminate()


async def rate(seconds: float, concurrency: int, request: Callable[[int], Awaitable[None]]) -> float:
    """Completed requests per second with ``concurrency`` workers for ``seconds``."""
    done = [0] * concurrency
    stop = time.monotonic() + seconds

    async def worker(index: int) -> None:
        while time.monotonic() < stop:
            await request(index)
            done[index] += 1

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return sum(done) / (time.monotonic() - started)


async def measure(rpc_url: str, seconds: float, concurrency: int) -> dict[str, float]:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as http:

        def getter(path: str) -> Callable[[int], Awaitable[None]]:
            async def get(_: int) -> None:
                async with http.get(rpc_url + path) as response:
                    await response.read()
                    assert response.status == 200

            return get

        await rate(0.5, concurrency, getter("/health"))  # warm-up: connections, caches
        results = {
            "rpc_health_rps": await rate(seconds, concurrency, getter("/health")),
            "rpc_status_rps": await rate(seconds, concurrency, getter("/status")),
        }
        broadcast, hashes = signed_broadcaster(http, rpc_url, concurrency)
        results["broadcast_tx_sync_rps"] = await rate(seconds, concurrency, broadcast)
        await asyncio.sleep(2.5)  # every broadcast tx is in a block by now

        async def lookup(index: int) -> None:
            async with http.get(
                f"{rpc_url}/tx?hash=0x{hashes[(index * 7919) % len(hashes)]}"
            ) as r:
                await r.read()
                assert r.status == 200

        results["tx_lookup_rps"] = await rate(seconds, concurrency, lookup)
        results["broadcast_plus_lookup_rps"] = 1 / (
            1 / results["broadcast_tx_sync_rps"] + 1 / results["tx_lookup_rps"]
        )
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per endpoint")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent client connections")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu = cpus[-1] if len(cpus) > 1 else None
    with testbed_process(server_cpu, args.concurrency) as rpc_url:
        results = asyncio.run(measure(rpc_url, args.seconds, args.concurrency))
    pinned = f"pinned to CPU {server_cpu}" if server_cpu is not None else "not pinned"
    print(f"testbed server {pinned}; {args.concurrency} connections, {args.seconds:g} s per measurement")
    for name, value in results.items():
        print(f"  {name:<26} {value:8.0f}")
    verdict = "meets" if min(results["rpc_health_rps"], results["rpc_status_rps"]) >= TARGET_RPS else "misses"
    print(f"{verdict} the target of {TARGET_RPS} simple requests/s")
    print(json.dumps({name: round(value, 1) for name, value in results.items()}))


if __name__ == "__main__":
    main()
