"""A scripted node for exact prober tests, and helpers to build a probe context.

The testbed is the faithful node with faults (used by the integration tests here); ``ScriptedNode``
is its opposite: the test sets height, header times, peers and tx answers directly, so a test can
state exactly which intervals and which failure it expects.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from probes.config import Module
from probes.context import ProbeContext
from probes.probers.http_phases import new_session
from probes.probers.observations import observations_after
from probes.security import TargetPolicy
from tests.probes.conftest import serve

T0 = 1_800_000_000.0


def rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


@dataclass
class ScriptedNode:
    """CometBFT RPC and Cosmos REST shapes over state a test sets; it records what it was asked."""

    header_times: dict[int, float] = field(default_factory=lambda: {1: T0})
    catching_up: bool = False
    peers: int = 3
    check_codes: list[tuple[int, str]] = field(default_factory=list)
    confirm_after_lookups: int | None = 2
    requests: list[str] = field(default_factory=list)
    broadcasts: list[bytes] = field(default_factory=list)
    lookups: int = 0
    url: str = ""

    @property
    def height(self) -> int:
        return max(self.header_times)

    def produce(self, *intervals: float) -> None:
        for interval in intervals:
            self.header_times[self.height + 1] = self.header_times[self.height] + interval

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/status", self._status)
        app.router.add_get("/net_info", self._net_info)
        app.router.add_get("/blockchain", self._blockchain)
        app.router.add_get("/broadcast_tx_sync", self._broadcast_rpc)
        app.router.add_get("/tx", self._tx_rpc)
        app.router.add_post("/cosmos/tx/v1beta1/txs", self._broadcast_rest)
        app.router.add_get("/cosmos/tx/v1beta1/txs/{hash}", self._tx_rest)
        return app

    def _ok(self, request: web.Request, result: Any) -> web.Response:
        self.requests.append(request.path_qs)
        return web.json_response({"jsonrpc": "2.0", "id": -1, "result": result})

    async def _status(self, request: web.Request) -> web.Response:
        sync = {
            "latest_block_height": str(self.height),
            "latest_block_time": rfc3339(self.header_times[self.height]),
            "catching_up": self.catching_up,
        }
        return self._ok(request, {"node_info": {}, "sync_info": sync, "validator_info": {}})

    async def _net_info(self, request: web.Request) -> web.Response:
        return self._ok(request, {"listening": True, "n_peers": str(self.peers), "peers": []})

    async def _blockchain(self, request: web.Request) -> web.Response:
        low = int(request.query.get("minHeight", "1"))
        high = int(request.query.get("maxHeight", str(self.height)))
        heights = [h for h in sorted(self.header_times, reverse=True) if low <= h <= high][:20]
        metas = [
            {"header": {"height": str(h), "time": rfc3339(self.header_times[h])}, "num_txs": "0"}
            for h in heights
        ]
        return self._ok(request, {"last_height": str(self.height), "block_metas": metas})

    def _check(self, tx: bytes) -> tuple[int, str, str]:
        self.broadcasts.append(tx)
        code, log = self.check_codes.pop(0) if self.check_codes else (0, "")
        return code, log, hashlib.sha256(tx).hexdigest().upper()

    def _found(self) -> bool:
        self.lookups += 1
        return self.confirm_after_lookups is not None and self.lookups >= self.confirm_after_lookups

    async def _broadcast_rpc(self, request: web.Request) -> web.Response:
        code, log, tx_hash = self._check(bytes.fromhex(request.query["tx"].removeprefix("0x")))
        return self._ok(request, {"code": code, "data": "", "log": log, "codespace": "", "hash": tx_hash})

    async def _tx_rpc(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        tx_hash = request.query["hash"].removeprefix("0x")
        if not self._found():
            error = {"code": -32603, "message": "Internal error", "data": f"tx ({tx_hash}) not found"}
            return web.json_response({"jsonrpc": "2.0", "id": -1, "error": error}, status=500)
        return web.json_response({"jsonrpc": "2.0", "id": -1, "result": {"hash": tx_hash, "height": "7"}})

    async def _broadcast_rest(self, request: web.Request) -> web.Response:
        body = await request.json()
        code, log, tx_hash = self._check(base64.b64decode(body["tx_bytes"]))
        return web.json_response(
            {"tx_response": {"height": "0", "txhash": tx_hash, "code": code, "raw_log": log}}
        )

    async def _tx_rest(self, request: web.Request) -> web.Response:
        tx_hash = request.match_info["hash"]
        if not self._found():
            return web.json_response(
                {"code": 5, "message": f"tx not found: {tx_hash}", "details": []}, status=404
            )
        return web.json_response({"tx_response": {"height": "9", "txhash": tx_hash, "code": 0}})


@pytest.fixture
async def node() -> AsyncIterator[ScriptedNode]:
    scripted = ScriptedNode()
    async with serve(scripted.app()) as url:
        scripted.url = url
        yield scripted


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with new_session() as s:
        yield s


@dataclass
class Clock:
    """Wall time a test moves by hand (block age depends on it)."""

    now: float = T0

    def __call__(self) -> float:
        return self.now


@dataclass
class Consumer:
    """Takes a state's new latencies as the scheduler does, with a cursor of its own."""

    state: dict[str, object]
    cursor: int | None = None

    def take(self) -> tuple[float, ...] | None:
        taken = observations_after(self.state, self.cursor)
        if taken is None:
            return None
        values, self.cursor = taken
        return values


ContextFactory = Callable[..., ProbeContext]


@pytest.fixture
def make_ctx(session: aiohttp.ClientSession) -> ContextFactory:
    def build(
        state: dict[str, object] | None = None,
        *,
        timeout: float = 5.0,
        clock: Callable[[], float] | None = None,
        body_limit: int = 10 * 1024 * 1024,
    ) -> ProbeContext:
        loop = asyncio.get_running_loop()
        return ProbeContext(
            module_name="m",
            deadline=loop.time() + timeout,
            session=session,
            policy=TargetPolicy(),
            state={} if state is None else state,
            wall_clock=clock or Clock(),
            body_limit=body_limit,
        )

    return build


def module(prober: str, **block: Any) -> Module:
    return Module.model_validate({"prober": prober, prober: block})
