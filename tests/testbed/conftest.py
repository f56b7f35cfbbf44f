"""Fixtures for the testbed tests: running testbeds (blocks on demand), HTTP calls, tx senders."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import grpc
import pytest
from grpc_health.v1 import health_pb2_grpc

from cosmostx import Fee, build_msg_send, dev_accounts, encode_address
from testbed import ManualClock, Testbed, TestbedConfig, run_testbed

FAST = TestbedConfig(block_time_seconds=3600.0, request_timeout_seconds=5.0, seed=7, accounts=64)
RECIPIENT = encode_address("akash", bytes(20))


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    """A testbed whose blocks come only from ``tb.commit_block()``; header times from a manual clock."""
    async with run_testbed(FAST, clock=ManualClock(), produce_blocks_on_timer=False) as testbed:
        yield testbed


@dataclass
class HealthNode:
    """A testbed serving ``grpc.health.v1.Health`` and a health stub connected to it."""

    tb: Testbed
    health: Any


@pytest.fixture
async def health_node() -> AsyncIterator[HealthNode]:
    config = FAST.model_copy(update={"grpc_health": True})
    async with (
        run_testbed(config, clock=ManualClock(), produce_blocks_on_timer=False) as testbed,
        grpc.aio.insecure_channel(testbed.grpc_target) as channel,
    ):
        yield HealthNode(testbed, health_pb2_grpc.HealthStub(channel))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
        yield client


@dataclass
class Reply:
    """An HTTP answer: status, raw body, and the body as JSON when it parses."""

    status: int
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


async def fetch(client: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> Reply:
    async with client.request(method, url, **kwargs) as response:
        return Reply(response.status, await response.read(), response.content_type)


async def rpc_call(client: aiohttp.ClientSession, tb: Testbed, method: str, **params: Any) -> Reply:
    """A JSON-RPC POST with id 1."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return await fetch(client, "POST", tb.rpc_url, json=payload)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Sender:
    """Dev account ``index`` (account number ``index``) signing ``MsgSend``s with consecutive sequences,
    as a load generator must."""

    def __init__(self, index: int, config: TestbedConfig = FAST) -> None:
        account = dev_accounts(index + 1, prefix=config.bech32_prefix, seed=config.accounts_seed)[index]
        self.key, self.address, self.account_number = account.key, account.address, index
        self.config = config
        self.sequence = 0

    def next_tx(
        self,
        *,
        amount: int = 1,
        fee: int = 5000,
        gas_limit: int = 200_000,
        memo: str = "",
        recipient: str = RECIPIENT,
        chain_id: str | None = None,
    ) -> bytes:
        raw = build_msg_send(
            self.key,
            chain_id=chain_id or self.config.chain_id,
            account_number=self.account_number,
            sequence=self.sequence,
            from_address=self.address,
            to_address=recipient,
            amount=amount,
            denom=self.config.denom,
            fee=Fee(fee, self.config.denom, gas_limit),
            memo=memo,
        )
        self.sequence += 1
        return raw


@pytest.fixture(scope="module")
def threaded_rpc_url() -> Iterator[str]:
    """The RPC URL of a testbed served from its own thread and loop, for synchronous (Hypothesis) tests."""
    ready = threading.Event()
    stop: list[asyncio.Event] = []
    urls: list[str] = []
    loop = asyncio.new_event_loop()

    async def serve() -> None:
        async with run_testbed(FAST, clock=ManualClock(), produce_blocks_on_timer=False) as testbed:
            stop.append(asyncio.Event())
            urls.append(testbed.rpc_url)
            ready.set()
            await stop[0].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10), "testbed did not start"
    yield urls[0]
    loop.call_soon_threadsafe(stop[0].set)
    thread.join(10)
    loop.close()
