"""Block production in real time, and a way to wait for the next block.

``BlockFeed`` lets ``broadcast_tx_commit`` sleep until a block is committed instead of polling.
``produce_blocks`` is the loop that commits a block every ``block_time`` (plus uniform jitter); it
is the only place the chain model meets the wall clock.
"""

from __future__ import annotations

import asyncio

import numpy as np

from testbed.chain.model import ChainModel
from testbed.clock import Clock


class BlockFeed:
    """Wakes every waiter when a block is committed."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def committed(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def next_block(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the next block; False on timeout."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        return True


def commit_block(chain: ChainModel, clock: Clock, feed: BlockFeed) -> bool:
    """Commit one block at the clock's time; False when a block stall holds the height."""
    if chain.produce_block(int(clock.time() * 1e9)) is None:
        return False
    feed.committed()
    return True


async def produce_blocks(chain: ChainModel, clock: Clock, feed: BlockFeed, rng: np.random.Generator) -> None:
    """Commit a block every ``block_time_seconds`` ± jitter until cancelled.

    Blocks keep a fixed cadence on the event loop's clock, so a loop busy with requests delays a
    block but does not stretch every later interval; after a long hold-up the cadence restarts
    rather than catching up in a burst.
    """
    config = chain.config
    loop = asyncio.get_running_loop()
    due = loop.time()
    while True:
        jitter = config.block_time_jitter_seconds
        due += config.block_time_seconds + (float(rng.uniform(-jitter, jitter)) if jitter else 0.0)
        due = max(due, loop.time() - config.block_time_seconds)
        await asyncio.sleep(max(due - loop.time(), 0.0))
        commit_block(chain, clock, feed)
