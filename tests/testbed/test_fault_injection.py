"""Every fault mode, injected into a running testbed, and what a client sees on the wire."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import grpc
import pytest
from grpc_health.v1 import health_pb2

from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2, query_pb2_grpc
from cosmostx import tx_hash
from testbed import Fault, FaultKind, ManualClock, Surface, Testbed, run_testbed
from tests.testbed.conftest import FAST, HealthNode, Sender, b64, fetch, rpc_call

pytestmark = pytest.mark.integration


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 3.0) -> None:
    """Wait for the supervisor (50 ms period) to apply a fault; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "the fault never showed on the wire"
        await asyncio.sleep(0.02)


async def refused(url: str) -> bool:
    try:
        async with aiohttp.ClientSession() as fresh, fresh.get(url) as response:
            await response.read()
    except aiohttp.ClientConnectionError:
        return True
    return False


def surface_url(tb: Testbed, surface: Surface) -> str:
    return {
        Surface.RPC: f"{tb.rpc_url}/health",
        Surface.REST: f"{tb.rest_url}/cosmos/base/tendermint/v1beta1/syncing",
        Surface.METRICS: tb.metrics_url,
        Surface.PROVIDER: f"{tb.provider_url}/status",
        Surface.BENCHMARK: f"{tb.benchmark_url}/health",
    }[surface]


async def syncing(tb: Testbed) -> Any:
    async with grpc.aio.insecure_channel(tb.grpc_target) as channel:
        return await query_pb2_grpc.ServiceStub(channel).GetSyncing(
            query_pb2.GetSyncingRequest(), timeout=0.5
        )


@pytest.mark.parametrize(
    "surface", [Surface.RPC, Surface.REST, Surface.METRICS, Surface.PROVIDER, Surface.BENCHMARK]
)
async def test_down_refuses_connections_then_recovers_on_the_same_port(tb: Testbed, surface: Surface) -> None:
    url = surface_url(tb, surface)
    assert not await refused(url)
    fault_id = tb.faults.add(Fault(kind=FaultKind.DOWN, surface=surface))
    await eventually(lambda: refused(url))
    tb.faults.remove(fault_id)

    async def serving() -> bool:
        return not await refused(url)

    await eventually(serving)


async def test_down_grpc_is_unavailable(tb: Testbed) -> None:
    assert (await syncing(tb)).syncing is False
    tb.faults.add(Fault(kind=FaultKind.DOWN, surface=Surface.GRPC, duration_seconds=60))

    async def unavailable() -> bool:
        try:
            await syncing(tb)
        except grpc.aio.AioRpcError as error:
            return error.code() is grpc.StatusCode.UNAVAILABLE
        return False

    await eventually(unavailable)
    tb.faults.clear()

    async def back() -> bool:
        return not await unavailable()

    await eventually(back)


async def test_hang_never_answers(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.HANG, surface=Surface.RPC))
    with pytest.raises(TimeoutError):
        await fetch(http, "GET", f"{tb.rpc_url}/status", timeout=aiohttp.ClientTimeout(total=0.3))


async def test_hang_on_grpc_runs_into_the_deadline(tb: Testbed) -> None:
    tb.faults.add(Fault(kind=FaultKind.HANG, surface=Surface.GRPC))
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await syncing(tb)
    assert error.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED


async def test_latency_delays_and_can_pass_the_probe_timeout(
    tb: Testbed, http: aiohttp.ClientSession
) -> None:
    tb.faults.add(Fault(kind=FaultKind.LATENCY, surface=Surface.REST, latency_seconds=0.3))
    url = surface_url(tb, Surface.REST)
    started = time.monotonic()
    assert (await fetch(http, "GET", url)).json() == {"syncing": False}
    assert time.monotonic() - started >= 0.3
    with pytest.raises(TimeoutError):
        await fetch(http, "GET", url, timeout=aiohttp.ClientTimeout(total=0.15))


async def test_latency_on_grpc(tb: Testbed) -> None:
    tb.faults.add(Fault(kind=FaultKind.LATENCY, surface=Surface.GRPC, latency_seconds=0.25))
    started = time.monotonic()
    assert (await syncing(tb)).syncing is False
    assert time.monotonic() - started >= 0.25


@pytest.mark.parametrize(("status", "body"), [(503, "html"), (502, "empty"), (500, "html")])
async def test_http_errors_with_html_or_empty_bodies(
    tb: Testbed, http: aiohttp.ClientSession, status: int, body: str
) -> None:
    tb.faults.add(Fault(kind=FaultKind.ERROR, surface=Surface.METRICS, http_status=status, body=body))
    reply = await fetch(http, "GET", tb.metrics_url)
    assert reply.status == status
    if body == "empty":
        assert reply.body == b""
    else:
        assert (
            reply.content_type == "text/html"
            and b"<html>" in reply.body
            and str(status).encode() in reply.body
        )


async def test_json_rpc_internal_error_is_http_200_on_post(tb: Testbed, http: aiohttp.ClientSession) -> None:
    data = "mempool is still rechecking after a new committed block, so it is considered as full"
    tb.faults.add(Fault(kind=FaultKind.ERROR, surface=Surface.RPC, body="protocol", data=data))
    posted = await rpc_call(http, tb, "status")
    assert posted.status == 200
    assert posted.json() == {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {"code": -32603, "message": "Internal error", "data": data},
    }
    got = await fetch(http, "GET", f"{tb.rpc_url}/status")
    assert got.status == 500 and got.json()["id"] == -1 and got.json()["error"]["data"] == data


async def test_json_rpc_method_not_found_fault(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.ERROR, surface=Surface.RPC, body="protocol", jsonrpc_code=-32601))
    error = (await rpc_call(http, tb, "status")).json()["error"]
    assert error == {"code": -32601, "message": "Method not found"}


async def test_rest_protocol_error_uses_the_gateway_shape(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(
        Fault(kind=FaultKind.ERROR, surface=Surface.REST, body="protocol", data="connection refused")
    )
    reply = await fetch(http, "GET", surface_url(tb, Surface.REST))
    assert reply.status == 503
    assert reply.json() == {"code": 14, "message": "connection refused", "details": []}


@pytest.mark.parametrize("code", ["UNAVAILABLE", "DEADLINE_EXCEEDED", "UNIMPLEMENTED"])
async def test_grpc_error_codes(tb: Testbed, code: str) -> None:
    tb.faults.add(Fault(kind=FaultKind.ERROR, surface=Surface.GRPC, grpc_code=code, data="injected"))
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await syncing(tb)
    assert error.value.code() is grpc.StatusCode[code] and error.value.details() == "injected"


async def test_error_ratio_fails_that_share_of_requests(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.ERROR, surface=Surface.RPC, ratio=0.5, http_status=503))
    statuses = [(await fetch(http, "GET", f"{tb.rpc_url}/health")).status for _ in range(200)]
    assert set(statuses) == {200, 503}
    assert 60 < statuses.count(503) < 140


async def test_truncated_json_cannot_be_parsed(tb: Testbed, http: aiohttp.ClientSession) -> None:
    whole = await fetch(http, "GET", f"{tb.rpc_url}/status")
    tb.faults.add(Fault(kind=FaultKind.TRUNCATED_JSON, surface=Surface.RPC))
    cut = await fetch(http, "GET", f"{tb.rpc_url}/status")
    assert cut.status == 200 and len(cut.body) == len(whole.body) // 2
    with pytest.raises(json.JSONDecodeError):
        cut.json()


async def test_health_not_serving(health_node: HealthNode) -> None:
    async def status() -> int:
        return int((await health_node.health.Check(health_pb2.HealthCheckRequest(), timeout=1)).status)

    assert await status() == health_pb2.HealthCheckResponse.SERVING
    health_node.tb.faults.add(Fault(kind=FaultKind.HEALTH_NOT_SERVING, surface=Surface.GRPC))

    async def not_serving() -> bool:
        return bool(await status() == health_pb2.HealthCheckResponse.NOT_SERVING)

    await eventually(not_serving)


async def test_block_stall_freezes_height_but_health_stays_ok(
    tb: Testbed, http: aiohttp.ClientSession
) -> None:
    tb.commit_block()
    tb.faults.add(Fault(kind=FaultKind.BLOCK_STALL))
    assert tb.commit_block() is False
    status = (await fetch(http, "GET", f"{tb.rpc_url}/status")).json()["result"]["sync_info"]
    assert status["latest_block_height"] == "2" and status["catching_up"] is False
    assert (await fetch(http, "GET", f"{tb.rpc_url}/health")).json()["result"] == {}
    tb.faults.clear()
    assert tb.commit_block() is True


async def test_catching_up_on_every_surface(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.CATCHING_UP))
    status = (await fetch(http, "GET", f"{tb.rpc_url}/status")).json()["result"]
    assert status["sync_info"]["catching_up"] is True
    assert (await fetch(http, "GET", surface_url(tb, Surface.REST))).json() == {"syncing": True}
    assert (await syncing(tb)).syncing is True
    assert (
        b'cometbft_blocksync_syncing{chain_id="virtengine-testnet-1"} 1'
        in (await fetch(http, "GET", tb.metrics_url)).body
    )


async def test_mempool_full_on_rpc_and_rest(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.MEMPOOL_FULL))
    sender = Sender(0)
    error = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(sender.next_tx()))).json()["error"]
    assert error["code"] == -32603 and error["data"].startswith(
        "mempool is full: number of txs 0 (max: 5000)"
    )
    payload = {"tx_bytes": b64(sender.next_tx()), "mode": "BROADCAST_MODE_SYNC"}
    rest = (await fetch(http, "POST", f"{tb.rest_url}/cosmos/tx/v1beta1/txs", json=payload)).json()
    assert rest["tx_response"]["code"] == 20 and rest["tx_response"]["codespace"] == "sdk"


async def test_slow_inclusion_waits_extra_blocks(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.SLOW_INCLUSION, delay_blocks=2))
    raw = Sender(1).next_tx()
    await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(raw))
    heights = []
    for _ in range(3):
        tb.commit_block()
        reply = await fetch(http, "GET", f"{tb.rpc_url}/tx?hash=0x{tx_hash(raw)}")
        heights.append(reply.json()["result"]["height"] if reply.status == 200 else None)
    assert heights == [None, None, "4"]


async def test_dropped_txs_are_accepted_and_never_included(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.DROPPED_TXS))
    raw = Sender(2).next_tx()
    assert (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(raw))).json()["result"]["code"] == 0
    for _ in range(3):
        tb.commit_block()
    reply = await fetch(http, "GET", f"{tb.rpc_url}/tx?hash=0x{tx_hash(raw)}")
    assert reply.status == 500 and reply.json()["error"]["data"] == f"tx ({tx_hash(raw)}) not found"


async def test_zero_peers(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.faults.add(Fault(kind=FaultKind.ZERO_PEERS))
    net = (await fetch(http, "GET", f"{tb.rpc_url}/net_info")).json()["result"]
    assert net["n_peers"] == "0" and net["peers"] == []
    assert (
        b'cometbft_p2p_peers{chain_id="virtengine-testnet-1"} 0'
        in (await fetch(http, "GET", tb.metrics_url)).body
    )


@pytest.mark.parametrize(("code", "text"), [(13, "insufficient fee"), (32, "incorrect account sequence")])
async def test_checktx_rejection_codes(
    tb: Testbed, http: aiohttp.ClientSession, code: int, text: str
) -> None:
    tb.faults.add(Fault(kind=FaultKind.CHECKTX_REJECT, code=code))
    result = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(Sender(3).next_tx()))).json()[
        "result"
    ]
    assert result["code"] == code and result["codespace"] == "sdk" and result["log"].endswith(text)


async def test_fault_window_on_the_wire(http: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    async with run_testbed(FAST, clock=clock, produce_blocks_on_timer=False) as tb:
        tb.faults.add(
            Fault(kind=FaultKind.ERROR, surface=Surface.RPC, start_after_seconds=10, duration_seconds=5)
        )
        url = f"{tb.rpc_url}/health"
        statuses = []
        for _ in range(4):
            statuses.append((await fetch(http, "GET", url)).status)
            clock.advance(5)
        assert statuses == [200, 200, 503, 200]
