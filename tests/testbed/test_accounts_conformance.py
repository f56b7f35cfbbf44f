"""Auth, bank, simulate and consensus surfaces (REST, gRPC, ``abci_query``) against the SDK 0.50 shapes.

Real Cosmos clients read an account's number and sequence before they sign, and balances after;
each surface here answers in the gateway's, gRPC's or CometBFT's shape (NODE_WIRE.md §1-§3).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import grpc
import pytest

from chainpb.cosmos.auth.v1beta1 import query_pb2 as auth_query_pb2
from chainpb.cosmos.auth.v1beta1 import query_pb2_grpc as auth_query_pb2_grpc
from chainpb.cosmos.bank.v1beta1 import query_pb2 as bank_query_pb2
from chainpb.cosmos.bank.v1beta1 import query_pb2_grpc as bank_query_pb2_grpc
from chainpb.cosmos.base.query.v1beta1 import pagination_pb2
from cosmostx import AccountInfo, account_from_proto, account_from_rest, encode_address
from testbed import GenesisAccount, ManualClock, Testbed, run_testbed
from tests.testbed.conftest import FAST, Sender, b64, fetch, rpc_call

pytestmark = pytest.mark.integration

RICH = encode_address("akash", b"\x07" * 20)
NOBODY = encode_address("akash", b"\x09" * 20)
DENOMS = {"uakt": 5, "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2": 7, "ufoo": 9}
CONFIG = FAST.model_copy(update={"genesis_accounts": (GenesisAccount(address=RICH, balances=DENOMS),)})


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    async with run_testbed(CONFIG, clock=ManualClock(), produce_blocks_on_timer=False) as testbed:
        yield testbed


@pytest.fixture
async def channel(tb: Testbed) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(tb.grpc_target) as chan:
        yield chan


async def rest(http: aiohttp.ClientSession, tb: Testbed, path: str, **kwargs: Any) -> tuple[int, Any]:
    reply = await fetch(http, kwargs.pop("method", "GET"), tb.rest_url + path, **kwargs)
    return reply.status, reply.json()


async def test_rest_account_before_and_after_its_first_tx(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(3)
    status, body = await rest(http, tb, f"/cosmos/auth/v1beta1/accounts/{sender.address}")
    assert status == 200
    assert body == {
        "account": {
            "@type": "/cosmos.auth.v1beta1.BaseAccount",
            "address": sender.address,
            "pub_key": None,
            "account_number": "3",
            "sequence": "0",
        }
    }
    assert account_from_rest(body) == AccountInfo(sender.address, 3, 0)
    status, sent = await rest(
        http,
        tb,
        "/cosmos/tx/v1beta1/txs",
        method="POST",
        json={"txBytes": b64(sender.next_tx()), "mode": "BROADCAST_MODE_SYNC"},
    )
    assert status == 200 and sent["tx_response"]["code"] == 0
    tb.commit_block()
    _, body = await rest(http, tb, f"/cosmos/auth/v1beta1/accounts/{sender.address}")
    key = base64.b64encode(sender.key.public_key).decode()
    assert body["account"]["pub_key"] == {"@type": "/cosmos.crypto.secp256k1.PubKey", "key": key}
    assert account_from_rest(body) == AccountInfo(sender.address, 3, 1)


async def test_rest_account_errors(tb: Testbed, http: aiohttp.ClientSession) -> None:
    status, body = await rest(http, tb, f"/cosmos/auth/v1beta1/accounts/{NOBODY}")
    assert (status, body) == (404, {"code": 5, "message": f"account {NOBODY} not found", "details": []})
    status, body = await rest(http, tb, "/cosmos/auth/v1beta1/accounts/akash1invalid")
    assert status == 500 and body["code"] == 2 and body["message"].startswith("decoding bech32 failed")


async def test_rest_balances_paginate(tb: Testbed, http: aiohttp.ClientSession) -> None:
    base = f"/cosmos/bank/v1beta1/balances/{RICH}"
    everything = [{"denom": d, "amount": str(a)} for d, a in sorted(DENOMS.items())]
    status, body = await rest(http, tb, base)
    assert (status, body) == (200, {"balances": everything, "pagination": {"next_key": None, "total": "3"}})
    _, first = await rest(http, tb, f"{base}?pagination.limit=2")
    assert first["balances"] == everything[:2]
    assert first["pagination"] == {"next_key": b64(b"ufoo"), "total": "0"}
    _, rest_page = await rest(
        http, tb, f"{base}?pagination.limit=2&pagination.key={first['pagination']['next_key']}"
    )
    assert rest_page == {"balances": everything[2:], "pagination": {"next_key": None, "total": "0"}}
    _, counted = await rest(
        http, tb, f"{base}?pagination.offset=1&pagination.limit=1&pagination.countTotal=true"
    )
    assert counted["balances"] == everything[1:2] and counted["pagination"]["total"] == "3"
    _, backwards = await rest(http, tb, f"{base}?pagination.reverse=true&pagination.limit=1")
    assert backwards["balances"] == everything[2:]
    status, body = await rest(http, tb, f"{base}?pagination.limit=x")
    assert status == 400 and body["message"].startswith("type mismatch, parameter: pagination.limit")
    status, _ = await rest(http, tb, f"{base}?pagination.offset=1&pagination.key=dWZvbw==")
    assert status == 400
    _, empty = await rest(http, tb, f"/cosmos/bank/v1beta1/balances/{NOBODY}")
    assert empty == {"balances": [], "pagination": {"next_key": None, "total": "0"}}


async def test_rest_balance_by_denom(tb: Testbed, http: aiohttp.ClientSession) -> None:
    base = f"/cosmos/bank/v1beta1/balances/{RICH}/by_denom"
    assert await rest(http, tb, f"{base}?denom=ufoo") == (200, {"balance": {"denom": "ufoo", "amount": "9"}})
    assert await rest(http, tb, f"{base}?denom=ubar") == (200, {"balance": {"denom": "ubar", "amount": "0"}})
    status, body = await rest(http, tb, base)
    assert (status, body["code"], body["message"]) == (400, 3, "invalid denom: ")
    status, body = await rest(http, tb, "/cosmos/bank/v1beta1/balances/akash1invalid/by_denom?denom=uakt")
    assert status == 400 and body["message"].startswith("invalid address: ")


async def test_a_send_between_dev_accounts_moves_by_denom_over_rest_and_grpc(
    tb: Testbed, http: aiohttp.ClientSession, channel: grpc.aio.Channel
) -> None:
    payer, payee = Sender(0), Sender(1)
    assert [a.address for a in tb.accounts[:2]] == [payer.address, payee.address]
    raw = payer.next_tx(recipient=payee.address, amount=12_345, fee=5000)
    status, sent = await rest(
        http,
        tb,
        "/cosmos/tx/v1beta1/txs",
        method="POST",
        json={"txBytes": b64(raw), "mode": "BROADCAST_MODE_SYNC"},
    )
    assert status == 200 and sent["tx_response"]["code"] == 0
    tb.commit_block()
    _, body = await rest(http, tb, f"/cosmos/bank/v1beta1/balances/{payee.address}/by_denom?denom=uakt")
    assert body["balance"]["amount"] == str(FAST.initial_balance + 12_345)
    bank = bank_query_pb2_grpc.QueryStub(channel)
    answer = await bank.Balance(
        bank_query_pb2.QueryBalanceRequest(address=payer.address, denom="uakt"), timeout=5
    )
    assert answer.balance.amount == str(FAST.initial_balance - 12_345 - 5000)


async def test_simulate_over_rest(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(4)
    for name in ("tx_bytes", "txBytes"):
        status, body = await rest(
            http, tb, "/cosmos/tx/v1beta1/simulate", method="POST", json={name: b64(sender.next_tx())}
        )
        sender.sequence = 0  # simulation changes no state
        assert status == 200, body
        assert body["gas_info"] == {"gas_wanted": "200000", "gas_used": str(FAST.gas_per_tx)}
        assert set(body["result"]) == {"data", "log", "events", "msg_responses"}
        assert {event["type"] for event in body["result"]["events"]} >= {"message", "transfer"}
    sender.sequence = 5
    status, body = await rest(
        http, tb, "/cosmos/tx/v1beta1/simulate", method="POST", json={"txBytes": b64(sender.next_tx())}
    )
    assert status == 500 and body["code"] == 2
    assert body["message"].startswith(
        "account sequence mismatch, expected 0, got 5: incorrect account sequence"
    )
    assert "With gas wanted: '200000' and gas used: " in body["message"]
    status, body = await rest(
        http, tb, "/cosmos/tx/v1beta1/simulate", method="POST", json={"txbytes": "AA=="}
    )
    assert status == 400 and 'unknown field "txbytes"' in body["message"]


async def test_rest_broadcast_accepts_both_field_spellings(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(5)
    for body in (
        {"tx_bytes": b64(sender.next_tx()), "mode": "BROADCAST_MODE_SYNC"},
        {"txBytes": b64(sender.next_tx()), "mode": 2},
    ):
        status, sent = await rest(http, tb, "/cosmos/tx/v1beta1/txs", method="POST", json=body)
        assert status == 200 and sent["tx_response"]["code"] == 0, sent


async def test_consensus_params_shape(tb: Testbed, http: aiohttp.ClientSession) -> None:
    status, body = await rest(http, tb, "/cosmos/consensus/v1/params")
    assert status == 200
    params = body["params"]
    assert params["block"] == {"max_bytes": str(FAST.max_block_bytes), "max_gas": "-1"}
    assert params["evidence"]["max_age_duration"] == "172800s"
    assert set(params) == {"block", "evidence", "validator", "version", "abci"}


async def test_grpc_auth_and_bank_queries(tb: Testbed, channel: grpc.aio.Channel) -> None:
    auth = auth_query_pb2_grpc.QueryStub(channel)
    answer = await auth.Account(auth_query_pb2.QueryAccountRequest(address=tb.accounts[2].address), timeout=5)
    assert account_from_proto(answer) == AccountInfo(tb.accounts[2].address, 2, 0)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await auth.Account(auth_query_pb2.QueryAccountRequest(address=NOBODY), timeout=5)
    assert (error.value.code(), error.value.details()) == (
        grpc.StatusCode.NOT_FOUND,
        f"account {NOBODY} not found",
    )
    bank = bank_query_pb2_grpc.QueryStub(channel)
    page = pagination_pb2.PageRequest(limit=1, count_total=True)
    listed = await bank.AllBalances(
        bank_query_pb2.QueryAllBalancesRequest(address=RICH, pagination=page), timeout=5
    )
    first_denom, first_amount = sorted(DENOMS.items())[0]
    assert [(c.denom, c.amount) for c in listed.balances] == [(first_denom, str(first_amount))]
    assert listed.pagination.total == 3 and len(listed.balances) == 1
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await bank.Balance(
            bank_query_pb2.QueryBalanceRequest(address="akash1invalid", denom="uakt"), timeout=5
        )
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_abci_query_reads_accounts_and_balances(tb: Testbed, http: aiohttp.ClientSession) -> None:
    request = auth_query_pb2.QueryAccountRequest(address=tb.accounts[1].address).SerializeToString()
    path = '"/cosmos.auth.v1beta1.Query/Account"'
    reply = (await fetch(http, "GET", f"{tb.rpc_url}/abci_query?path={path}&data=0x{request.hex()}")).json()
    response = reply["result"]["response"]
    assert set(response) == {
        "code",
        "log",
        "info",
        "index",
        "key",
        "value",
        "proofOps",
        "height",
        "codespace",
    }
    assert (response["code"], response["codespace"], response["height"]) == (0, "", str(tb.chain.height))
    assert account_from_proto(base64.b64decode(response["value"])) == AccountInfo(
        tb.accounts[1].address, 1, 0
    )
    balance = bank_query_pb2.QueryBalanceRequest(address=RICH, denom="ufoo").SerializeToString()
    body = (
        await rpc_call(http, tb, "abci_query", path="/cosmos.bank.v1beta1.Query/Balance", data=balance.hex())
    ).json()
    value = base64.b64decode(body["result"]["response"]["value"])
    assert bank_query_pb2.QueryBalanceResponse.FromString(value).balance.amount == "9"


async def test_abci_query_errors_carry_sdk_codes(tb: Testbed, http: aiohttp.ClientSession) -> None:
    missing = auth_query_pb2.QueryAccountRequest(address=NOBODY).SerializeToString()
    body = (
        await rpc_call(http, tb, "abci_query", path="/cosmos.auth.v1beta1.Query/Account", data=missing.hex())
    ).json()
    response = body["result"]["response"]
    assert (response["code"], response["codespace"], response["value"]) == (22, "sdk", None)
    assert response["log"] == f"rpc error: code = NotFound desc = account {NOBODY} not found: key not found"
    unknown = (await rpc_call(http, tb, "abci_query", path="/no.such.Query/Method", data="")).json()
    assert unknown["result"]["response"]["code"] == 6
    assert unknown["result"]["response"]["log"] == "unknown query path: unknown request"
