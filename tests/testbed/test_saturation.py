"""Saturation over the wire: max 100 tx/s, 200 tx/s offered for 20 s (real time, so marked slow)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from testbed import TestbedConfig, run_testbed
from tests.testbed.conftest import Sender, b64, rpc_call

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OFFERED_TPS = 200
SECONDS = 20
SENDERS = 100  # each sends 2 tx/s and waits for its previous answer, which leaves room for slow ones
# --max-tps 100 with 1 s blocks; a mempool of 200 fills within two seconds, so "mempool is full" shows.
CONFIG = TestbedConfig(
    block_time_seconds=1.0, max_txs_per_block=100, mempool_max_txs=200, seed=11, accounts=SENDERS
)


async def test_inclusion_saturates_and_the_rest_is_refused() -> None:
    senders = [Sender(i) for i in range(SENDERS)]
    outcomes: dict[str, int] = {"accepted": 0, "full": 0, "other": 0}
    async with run_testbed(CONFIG) as tb, aiohttp.ClientSession() as http:
        locks = {id(sender): asyncio.Lock() for sender in senders}

        async def send(sender: Sender) -> None:
            # One in-flight tx per account keeps its sequence numbers in order: concurrent requests
            # may reach the node in any order, and one out of order is code 32.
            async with locks[id(sender)]:
                raw = sender.next_tx()
                body = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(raw))).json()
                if "result" in body and body["result"]["code"] == 0:
                    outcomes["accepted"] += 1
                elif "error" in body and body["error"]["data"].startswith("mempool is full"):
                    sender.sequence -= 1
                    outcomes["full"] += 1
                else:
                    outcomes["other"] += 1

        start_height = tb.chain.height
        started = time.monotonic()
        tasks = []
        for n in range(OFFERED_TPS * SECONDS):
            delay = started + n / OFFERED_TPS - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(senders[n % len(senders)])))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        end_height = tb.chain.height
        included = sum(len(tb.chain.block(h).txs) for h in range(start_height + 1, end_height + 1))
        block_span = (tb.chain.block(end_height).time_ns - tb.chain.block(start_height).time_ns) / 1e9

    offered_rate = OFFERED_TPS * SECONDS / elapsed
    included_rate = included / block_span
    measured = f"offered {offered_rate:.0f} tx/s, included {included_rate:.1f} tx/s, outcomes {outcomes}"
    print(measured)
    assert offered_rate > 150, f"the machine could not offer the load: {measured}"
    assert 90 <= included_rate <= 101, measured
    assert outcomes["other"] == 0, measured
    assert outcomes["full"] >= 0.35 * OFFERED_TPS * SECONDS, measured
    assert outcomes["accepted"] + outcomes["full"] == OFFERED_TPS * SECONDS, measured
