"""Cosmos REST (gRPC-gateway) answers compared with NODE_WIRE.md §2, endpoint by endpoint."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import aiohttp
import grpc
import pytest

from cosmostx import tx_hash
from testbed import Testbed
from testbed.rest.server import gateway_error
from tests.testbed.conftest import FAST, Sender, b64, fetch

pytestmark = pytest.mark.integration

TX_RESPONSE_KEYS = {
    "height",
    "txhash",
    "codespace",
    "code",
    "data",
    "raw_log",
    "logs",
    "info",
    "gas_wanted",
    "gas_used",
    "tx",
    "timestamp",
    "events",
}


async def broadcast(
    http: aiohttp.ClientSession, tb: Testbed, raw: bytes, mode: str = "BROADCAST_MODE_SYNC"
) -> Any:
    reply = await fetch(
        http, "POST", f"{tb.rest_url}/cosmos/tx/v1beta1/txs", json={"tx_bytes": b64(raw), "mode": mode}
    )
    assert reply.status == 200, reply.body
    return reply.json()["tx_response"]


async def test_node_info_shape(tb: Testbed, http: aiohttp.ClientSession) -> None:
    body = (await fetch(http, "GET", f"{tb.rest_url}/cosmos/base/tendermint/v1beta1/node_info")).json()
    info = body["default_node_info"]
    assert info["protocol_version"] == {"p2p": "8", "block": "11", "app": "0"}
    assert info["network"] == FAST.chain_id
    assert base64.b64decode(info["channels"]).hex() == "40202122233038606100"
    assert {"name", "app_name", "version", "git_commit", "go_version", "cosmos_sdk_version"} <= set(
        body["application_version"]
    )


async def test_syncing_is_false(tb: Testbed, http: aiohttp.ClientSession) -> None:
    reply = await fetch(http, "GET", f"{tb.rest_url}/cosmos/base/tendermint/v1beta1/syncing")
    assert reply.status == 200 and reply.json() == {"syncing": False}


async def test_blocks_use_base64_and_string_heights(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.commit_block()
    latest = (await fetch(http, "GET", f"{tb.rest_url}/cosmos/base/tendermint/v1beta1/blocks/latest")).json()
    assert set(latest) == {"block_id", "block", "sdk_block"}
    assert len(base64.b64decode(latest["block_id"]["hash"])) == 32
    assert latest["block_id"]["part_set_header"]["total"] == 1
    assert latest["block"]["header"]["height"] == "2"
    assert len(base64.b64decode(latest["block"]["header"]["proposer_address"])) == 20
    sdk_header = latest["sdk_block"]["header"]
    assert sdk_header["height"] == "2" and sdk_header["proposer_address"].startswith("akashvalcons1")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z", sdk_header["time"])
    assert latest["sdk_block"]["data"] == {"txs": []}
    signature = latest["block"]["last_commit"]["signatures"][0]
    assert signature["block_id_flag"] == "BLOCK_ID_FLAG_COMMIT"
    first = (await fetch(http, "GET", f"{tb.rest_url}/cosmos/base/tendermint/v1beta1/blocks/1")).json()
    assert first["sdk_block"]["header"]["height"] == "1"
    assert first["block"]["header"]["last_block_id"] == {
        "hash": None,
        "part_set_header": {"total": 0, "hash": None},
    }


async def test_block_errors_map_to_http_status(tb: Testbed, http: aiohttp.ClientSession) -> None:
    beyond = await fetch(http, "GET", f"{tb.rest_url}/cosmos/base/tendermint/v1beta1/blocks/50")
    assert beyond.status == 400
    assert beyond.json()["code"] == 3 and beyond.json()["details"] == []
    bad = await fetch(http, "GET", f"{tb.rest_url}/cosmos/base/tendermint/v1beta1/blocks/abc")
    assert bad.status == 400 and set(bad.json()) == {"code", "message", "details"}


async def test_broadcast_sync_emits_every_field(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = Sender(0).next_tx()
    response = await broadcast(http, tb, raw)
    assert set(response) == TX_RESPONSE_KEYS
    assert response["height"] == "0" and response["txhash"] == tx_hash(raw) and response["code"] == 0
    assert response["codespace"] == "" and response["raw_log"] == "" and response["logs"] == []
    assert response["tx"] is None and response["timestamp"] == "" and response["gas_wanted"] == "200000"


async def test_broadcast_async_and_numeric_mode(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(1)
    assert (await broadcast(http, tb, sender.next_tx(), "BROADCAST_MODE_ASYNC"))["code"] == 0
    reply = await fetch(
        http,
        "POST",
        f"{tb.rest_url}/cosmos/tx/v1beta1/txs",
        json={"tx_bytes": b64(sender.next_tx()), "mode": 2},
    )
    assert reply.json()["tx_response"]["code"] == 0


async def test_checktx_failure_is_http_200_with_a_code(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(2)
    sender.sequence = 9
    response = await broadcast(http, tb, sender.next_tx())
    assert response["code"] == 32 and response["codespace"] == "sdk"
    assert response["raw_log"] == "account sequence mismatch, expected 0, got 9: incorrect account sequence"


async def test_cache_hit_maps_to_code_19(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = Sender(3).next_tx()
    await broadcast(http, tb, raw)
    again = await broadcast(http, tb, raw)
    assert (again["code"], again["codespace"], again["txhash"]) == (19, "sdk", tx_hash(raw))


async def test_broadcast_bad_requests(tb: Testbed, http: aiohttp.ClientSession) -> None:
    url = f"{tb.rest_url}/cosmos/tx/v1beta1/txs"
    empty = await fetch(http, "POST", url, json={"mode": "BROADCAST_MODE_SYNC"})
    assert empty.status == 400 and empty.json() == {"code": 3, "message": "invalid empty tx", "details": []}
    block_mode = await fetch(http, "POST", url, json={"tx_bytes": b64(b"x"), "mode": "BROADCAST_MODE_BLOCK"})
    assert block_mode.status == 500 and block_mode.json()["code"] == 2
    garbage = await fetch(http, "POST", url, data=b"{{{")
    assert garbage.status == 400 and garbage.json()["code"] == 3


async def test_get_tx_is_404_code_5_while_pending(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = Sender(4).next_tx()
    await broadcast(http, tb, raw)
    url = f"{tb.rest_url}/cosmos/tx/v1beta1/txs/{tx_hash(raw)}"
    pending = await fetch(http, "GET", url)
    assert pending.status == 404
    assert pending.json() == {"code": 5, "message": f"tx not found: {tx_hash(raw)}", "details": []}
    tb.commit_block()
    found = await fetch(http, "GET", url)
    assert found.status == 200
    body = found.json()
    assert body["tx_response"]["height"] == "2" and body["tx_response"]["txhash"] == tx_hash(raw)
    assert body["tx_response"]["tx"]["@type"] == "/cosmos.tx.v1beta1.Tx"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["tx_response"]["timestamp"])
    message = body["tx"]["body"]["messages"][0]
    assert message["@type"] == "/cosmos.bank.v1beta1.MsgSend"
    assert body["tx"]["auth_info"]["signer_infos"][0]["sequence"] == "0"
    assert body["tx"]["auth_info"]["fee"]["gas_limit"] == "200000"


async def test_balances_follow_transfers(tb: Testbed, http: aiohttp.ClientSession) -> None:
    recipient = Sender(6).address
    sender = Sender(5)
    await broadcast(http, tb, sender.next_tx(recipient=recipient, amount=250, fee=5000))
    tb.commit_block()
    payer = (await fetch(http, "GET", f"{tb.rest_url}/cosmos/bank/v1beta1/balances/{sender.address}")).json()
    assert payer == {
        "balances": [{"denom": "uakt", "amount": str(FAST.initial_balance - 5250)}],
        "pagination": {"next_key": None, "total": "1"},
    }
    payee = (await fetch(http, "GET", f"{tb.rest_url}/cosmos/bank/v1beta1/balances/{recipient}")).json()
    assert payee["balances"][0]["amount"] == str(FAST.initial_balance + 250)
    bad = await fetch(http, "GET", f"{tb.rest_url}/cosmos/bank/v1beta1/balances/akash1invalid")
    assert bad.status == 400 and bad.json()["code"] == 3


async def test_unknown_route_is_501_code_12(tb: Testbed, http: aiohttp.ClientSession) -> None:
    reply = await fetch(http, "GET", f"{tb.rest_url}/cosmos/staking/v1beta1/validators")
    assert reply.status == 501
    assert reply.json() == {"code": 12, "message": "Not Implemented", "details": []}


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.INVALID_ARGUMENT, 400),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.INTERNAL, 500),
        (grpc.StatusCode.UNKNOWN, 500),
        (grpc.StatusCode.UNIMPLEMENTED, 501),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    ],
)
def test_grpc_codes_map_to_the_gateway_http_status(code: grpc.StatusCode, status: int) -> None:
    response = gateway_error(code, "m")
    assert response.status == status
    assert json.loads(response.body) == {"code": code.value[0], "message": "m", "details": []}  # type: ignore[arg-type]
