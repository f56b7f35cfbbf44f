"""CometBFT RPC answers compared with NODE_WIRE.md §1, endpoint by endpoint, over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import io
import re
from typing import Any

import aiohttp
import pytest

from cosmostx import tx_hash
from testbed import Testbed, TestbedConfig, run_testbed
from tests.testbed.conftest import FAST, Sender, b64, fetch, rpc_call

pytestmark = pytest.mark.integration

HEX64 = re.compile(r"^[0-9A-F]{64}$")
HEX40 = re.compile(r"^[0-9A-F]{40}$")
INT_STRING = re.compile(r"^-?\d+$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def assert_int_string(value: Any) -> None:
    assert isinstance(value, str) and INT_STRING.match(value), value


async def uri(http: aiohttp.ClientSession, tb: Testbed, path: str) -> Any:
    reply = await fetch(http, "GET", tb.rpc_url + path)
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["jsonrpc"] == "2.0" and body["id"] == -1 and set(body) == {"jsonrpc", "id", "result"}
    return body["result"]


async def test_health_is_an_empty_object(tb: Testbed, http: aiohttp.ClientSession) -> None:
    reply = await fetch(http, "GET", f"{tb.rpc_url}/health")
    assert reply.status == 200
    assert reply.json() == {"jsonrpc": "2.0", "id": -1, "result": {}}


async def test_status_shape(tb: Testbed, http: aiohttp.ClientSession) -> None:
    tb.commit_block()
    result = await uri(http, tb, "/status")
    assert set(result) == {"node_info", "sync_info", "validator_info"}
    node = result["node_info"]
    assert node["protocol_version"] == {"p2p": "8", "block": "11", "app": "0"}
    assert node["network"] == FAST.chain_id and node["version"].startswith("0.38.")
    assert re.fullmatch(r"[0-9a-f]{40}", node["id"]) and re.fullmatch(r"[0-9a-f]+", node["channels"])
    assert node["other"] == {"tx_index": "on", "rpc_address": tb.rpc_url.replace("http://", "tcp://")}
    sync = result["sync_info"]
    for key in ("latest_block_hash", "latest_app_hash", "earliest_block_hash", "earliest_app_hash"):
        assert HEX64.match(sync[key]), key
    assert sync["latest_block_height"] == "2" and sync["earliest_block_height"] == "1"
    assert RFC3339.match(sync["latest_block_time"]) and RFC3339.match(sync["earliest_block_time"])
    assert sync["catching_up"] is False
    validator = result["validator_info"]
    assert HEX40.match(validator["address"])
    assert validator["pub_key"]["type"] == "tendermint/PubKeyEd25519"
    assert len(base64.b64decode(validator["pub_key"]["value"])) == 32
    assert validator["voting_power"] == "0"


async def test_net_info_counts_peers_as_a_string(tb: Testbed, http: aiohttp.ClientSession) -> None:
    result = await uri(http, tb, "/net_info")
    assert result["listening"] is True and isinstance(result["listeners"], list)
    assert result["n_peers"] == str(FAST.peers) == str(len(result["peers"]))
    assert {"node_info", "remote_ip"} <= set(result["peers"][0])


async def test_block_shape_and_encodings(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(0)
    raw = sender.next_tx()
    await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(raw))
    tb.commit_block()
    result = await uri(http, tb, "/block?height=2")
    assert result["block_id"]["parts"]["total"] == 1 and HEX64.match(result["block_id"]["hash"])
    block = result["block"]
    header = block["header"]
    assert header["version"] == {"block": "11", "app": "0"}
    assert header["height"] == "2" and RFC3339.match(header["time"])
    assert header["chain_id"] == FAST.chain_id
    for key in ("last_commit_hash", "data_hash", "validators_hash", "app_hash", "evidence_hash"):
        assert HEX64.match(header[key]), key
    assert HEX40.match(header["proposer_address"])
    assert block["data"]["txs"] == [b64(raw)]
    assert block["evidence"] == {"evidence": []}
    commit = block["last_commit"]
    assert commit["height"] == "1" and commit["round"] == 0
    signature = commit["signatures"][0]
    assert signature["block_id_flag"] == 2 and HEX40.match(signature["validator_address"])
    base64.b64decode(signature["signature"], validate=True)
    latest = await uri(http, tb, "/block")
    assert latest["block"]["header"]["height"] == "2"


async def test_first_block_has_an_empty_last_block_id(tb: Testbed, http: aiohttp.ClientSession) -> None:
    result = await uri(http, tb, "/block?height=1")
    header = result["block"]["header"]
    assert header["last_block_id"] == {"hash": "", "parts": {"total": 0, "hash": ""}}
    assert result["block"]["data"]["txs"] == [] and result["block"]["last_commit"]["signatures"] == []


async def test_blockchain_returns_at_most_20_newest_first(tb: Testbed, http: aiohttp.ClientSession) -> None:
    for _ in range(24):
        tb.commit_block()
    result = await uri(http, tb, "/blockchain?minHeight=1&maxHeight=25")
    assert result["last_height"] == "25"
    heights = [int(meta["header"]["height"]) for meta in result["block_metas"]]
    assert heights == list(range(25, 5, -1))
    meta = result["block_metas"][0]
    assert_int_string(meta["block_size"])
    assert meta["num_txs"] == "0"
    assert set(meta) == {"block_id", "block_size", "header", "num_txs"}


async def test_consensus_params_and_abci_info(tb: Testbed, http: aiohttp.ClientSession) -> None:
    params = await uri(http, tb, "/consensus_params")
    assert params["block_height"] == "1"
    assert params["consensus_params"]["block"] == {"max_bytes": "22020096", "max_gas": "-1"}
    info = (await uri(http, tb, "/abci_info"))["response"]
    assert info["data"] == "akash" and info["last_block_height"] == "1"
    base64.b64decode(info["last_block_app_hash"], validate=True)


async def test_broadcast_sync_never_omits_its_keys(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = Sender(1).next_tx()
    body = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(raw))).json()
    assert body["id"] == 1
    assert body["result"] == {"code": 0, "data": "", "log": "", "codespace": "", "hash": tx_hash(raw)}


async def test_checktx_rejection_is_a_result_with_code_32(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(2)
    sender.sequence = 5
    reply = await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(sender.next_tx()))
    assert reply.status == 200
    result = reply.json()["result"]
    assert result["code"] == 32 and result["codespace"] == "sdk"
    assert result["log"] == "account sequence mismatch, expected 0, got 5: incorrect account sequence"


async def test_malformed_tx_fails_checktx_with_code_2(tb: Testbed, http: aiohttp.ClientSession) -> None:
    result = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(b"\xff\x00junk"))).json()["result"]
    assert (result["code"], result["codespace"], result["log"]) == (2, "sdk", "tx parse error")


async def test_broadcast_async_always_answers_code_0(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = b"\xff\x00junk-async"
    result = (await rpc_call(http, tb, "broadcast_tx_async", tx=b64(raw))).json()["result"]
    assert result == {"code": 0, "data": "", "log": "", "codespace": "", "hash": tx_hash(raw)}


async def test_broadcast_commit_waits_for_the_block(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = Sender(3).next_tx()
    call = asyncio.create_task(rpc_call(http, tb, "broadcast_tx_commit", tx=b64(raw)))
    while tb.chain.mempool.size_bytes == 0:
        await asyncio.sleep(0.01)
    tb.commit_block()
    result = (await call).json()["result"]
    assert result["hash"] == tx_hash(raw) and result["height"] == "2"
    assert result["check_tx"]["gas_wanted"] == "200000" and "code" not in result["check_tx"]
    assert "code" not in result["tx_result"] and result["tx_result"]["gas_used"] == "85000"


async def test_broadcast_commit_of_a_rejected_tx(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(4)
    sender.sequence = 3
    result = (await rpc_call(http, tb, "broadcast_tx_commit", tx=b64(sender.next_tx()))).json()["result"]
    assert result["check_tx"]["code"] == 32 and result["tx_result"] == {} and result["height"] == "0"


async def test_broadcast_commit_times_out_with_the_cometbft_text(http: aiohttp.ClientSession) -> None:
    config = FAST.model_copy(update={"timeout_broadcast_tx_commit_seconds": 0.2})
    async with run_testbed(config, produce_blocks_on_timer=False) as tb:
        reply = await rpc_call(http, tb, "broadcast_tx_commit", tx=b64(Sender(5).next_tx()))
    assert reply.status == 200
    assert reply.json()["error"] == {
        "code": -32603,
        "message": "Internal error",
        "data": "timed out waiting for tx to be included in a block",
    }


async def test_tx_lookup_by_hash_in_both_transports(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = Sender(6).next_tx()
    await fetch(http, "GET", f"{tb.rpc_url}/broadcast_tx_sync?tx=0x{raw.hex()}")
    tb.commit_block()
    found = await uri(http, tb, f"/tx?hash=0x{tx_hash(raw)}")
    assert set(found) == {"hash", "height", "index", "tx_result", "tx"}
    assert found["hash"] == tx_hash(raw) and found["height"] == "2" and found["index"] == 0
    assert base64.b64decode(found["tx"]) == raw
    assert "code" not in found["tx_result"] and "log" not in found["tx_result"]
    event = found["tx_result"]["events"][0]
    assert set(event) == {"type", "attributes"} and set(event["attributes"][0]) == {"key", "value", "index"}
    by_json = (await rpc_call(http, tb, "tx", hash=b64(bytes.fromhex(tx_hash(raw))))).json()["result"]
    assert by_json == found


async def test_unknown_tx_is_500_on_uri_and_200_on_json_rpc(tb: Testbed, http: aiohttp.ClientSession) -> None:
    missing = "AB" * 32
    reply = await fetch(http, "GET", f"{tb.rpc_url}/tx?hash=0x{missing}")
    assert reply.status == 500
    assert reply.json() == {
        "jsonrpc": "2.0",
        "id": -1,
        "error": {"code": -32603, "message": "Internal error", "data": f"tx ({missing}) not found"},
    }
    reply = await rpc_call(http, tb, "tx", hash=b64(bytes.fromhex(missing)))
    assert reply.status == 200 and reply.json()["error"]["data"] == f"tx ({missing}) not found"


async def test_height_past_the_tip_has_the_exact_data_string(
    tb: Testbed, http: aiohttp.ClientSession
) -> None:
    reply = await fetch(http, "GET", f"{tb.rpc_url}/block?height=99")
    assert reply.status == 500
    data = reply.json()["error"]["data"]
    assert data == "height 99 must be less than or equal to the current blockchain height 1"


async def test_pruned_heights_are_not_available(http: aiohttp.ClientSession) -> None:
    async with run_testbed(FAST.model_copy(update={"retain_blocks": 5}), produce_blocks_on_timer=False) as tb:
        for _ in range(10):
            tb.commit_block()
        base = tb.chain.base_height
        reply = await fetch(http, "GET", f"{tb.rpc_url}/block?height=1")
        assert reply.status == 500
        assert reply.json()["error"]["data"] == f"height 1 is not available, lowest height is {base}"
        status = await uri(http, tb, "/status")
        assert status["sync_info"]["earliest_block_height"] == str(base)
        chain = await uri(http, tb, "/blockchain?minHeight=1&maxHeight=11")
        assert int(chain["block_metas"][-1]["header"]["height"]) == base


async def test_tx_search_by_height_and_hash(tb: Testbed, http: aiohttp.ClientSession) -> None:
    sender = Sender(7)
    raws = [sender.next_tx() for _ in range(3)]
    for raw in raws:
        await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(raw))
    tb.commit_block()
    result = await uri(http, tb, '/tx_search?query="tx.height=2"')
    assert result["total_count"] == "3"
    assert [tx["hash"] for tx in result["txs"]] == [tx_hash(raw) for raw in raws]
    assert [tx["index"] for tx in result["txs"]] == [0, 1, 2]
    paged = await uri(http, tb, '/tx_search?query="tx.height=2"&per_page=2&page=2')
    assert paged["total_count"] == "3" and len(paged["txs"]) == 1
    by_hash = (await rpc_call(http, tb, "tx_search", query=f"tx.hash='{tx_hash(raws[1])}'")).json()["result"]
    assert by_hash["total_count"] == "1" and by_hash["txs"][0]["index"] == 1
    reply = await fetch(http, "GET", f'{tb.rpc_url}/tx_search?query="tx.height=2"&page=5')
    assert (
        reply.status == 500 and reply.json()["error"]["data"] == "page should be within [1, 1] range, given 5"
    )


async def test_tx_search_by_range_and_event(tb: Testbed, http: aiohttp.ClientSession) -> None:
    alice, bob = Sender(8), Sender(9)
    for _ in range(2):
        for sender in (alice, bob):
            await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(sender.next_tx()))
        tb.commit_block()
    query = f"tx.height >= 3 AND message.sender = '{alice.address}'"
    result = (await rpc_call(http, tb, "tx_search", query=query)).json()["result"]
    assert result["total_count"] == "1" and result["txs"][0]["height"] == "3"
    newest_first = await uri(http, tb, '/tx_search?query="tx.height>1"&order_by="desc"')
    assert [tx["height"] for tx in newest_first["txs"]] == ["3", "3", "2", "2"]
    for bad in ("tx.height = 'x'", "nonsense", "tx.hash > 'AB'"):
        error = (await rpc_call(http, tb, "tx_search", query=bad)).json()["error"]
        assert error["code"] == -32603 and error["data"].startswith("failed to parse query")


async def test_num_unconfirmed_txs_counts_the_mempool(tb: Testbed, http: aiohttp.ClientSession) -> None:
    raw = Sender(10).next_tx()
    await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(raw))
    result = await uri(http, tb, "/num_unconfirmed_txs")
    assert result == {"n_txs": "1", "total": "1", "total_bytes": str(len(raw)), "txs": None}


async def test_mempool_errors_carry_the_exact_texts(http: aiohttp.ClientSession) -> None:
    config = FAST.model_copy(update={"mempool_max_txs": 2, "max_tx_bytes": 400})
    async with run_testbed(config, produce_blocks_on_timer=False) as tb:
        sender = Sender(11)
        first = sender.next_tx()
        assert (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(first))).json()["result"]["code"] == 0
        cached = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(first))).json()["error"]
        assert cached == {"code": -32603, "message": "Internal error", "data": "tx already exists in cache"}
        second = sender.next_tx()
        await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(second))
        full = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(sender.next_tx()))).json()["error"]
        size = len(first) + len(second)
        assert (
            full["data"]
            == f"mempool is full: number of txs 2 (max: 2), total txs bytes {size} (max: 1073741824)"
        )
        large = (await rpc_call(http, tb, "broadcast_tx_sync", tx=b64(b"x" * 500))).json()["error"]
        assert large["data"] == "Tx too large. Max size is 400, but got 500"


async def test_json_rpc_envelope_errors(tb: Testbed, http: aiohttp.ClientSession) -> None:
    parse = await fetch(http, "POST", tb.rpc_url, data=b"{not json")
    assert parse.status == 200
    body = parse.json()
    assert "id" not in body and body["error"]["code"] == -32700 and body["error"]["message"] == "Parse error"
    shape = (await fetch(http, "POST", tb.rpc_url, json=[5])).json()
    assert shape["error"]["code"] == -32600 and shape["error"]["message"] == "Invalid Request"
    unknown = (
        await fetch(http, "POST", tb.rpc_url, json={"jsonrpc": "2.0", "id": "x", "method": "nope"})
    ).json()
    assert unknown == {"jsonrpc": "2.0", "id": "x", "error": {"code": -32601, "message": "Method not found"}}
    bad = await rpc_call(http, tb, "block", height="tall")
    assert bad.status == 200
    assert bad.json()["error"]["code"] == -32602 and bad.json()["error"]["message"] == "Invalid params"
    assert bad.json()["error"]["data"].startswith("error converting json params to arguments:")
    bad_uri = await fetch(http, "GET", f"{tb.rpc_url}/block?height=tall")
    assert bad_uri.status == 500 and bad_uri.json()["error"]["code"] == -32602


async def test_notifications_and_batches(tb: Testbed, http: aiohttp.ClientSession) -> None:
    note = await fetch(http, "POST", tb.rpc_url, json={"jsonrpc": "2.0", "method": "health"})
    assert note.status == 200 and note.body == b""
    batch = [{"jsonrpc": "2.0", "id": i, "method": "health"} for i in (1, 2)] + [
        {"jsonrpc": "2.0", "method": "x"}
    ]
    answers = (await fetch(http, "POST", tb.rpc_url, json=batch)).json()
    assert answers == [{"jsonrpc": "2.0", "id": i, "result": {}} for i in (1, 2)]
    single = (await fetch(http, "POST", tb.rpc_url, json=batch[:1])).json()
    assert single == {"jsonrpc": "2.0", "id": 1, "result": {}}


async def test_unknown_path_and_oversized_body(tb: Testbed, http: aiohttp.ClientSession) -> None:
    missing = await fetch(http, "GET", f"{tb.rpc_url}/no_such_method")
    assert missing.status == 404 and missing.body == b"404 page not found\n"
    huge = await fetch(http, "POST", tb.rpc_url, data=io.BytesIO(b"x" * (FAST.max_body_bytes + 1)))
    assert huge.status == 413
    assert (await fetch(http, "GET", f"{tb.rpc_url}/health")).status == 200


def test_config_round_trips() -> None:
    assert TestbedConfig.model_validate(FAST.model_dump()) == FAST
