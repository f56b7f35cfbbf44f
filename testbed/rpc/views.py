"""CometBFT RPC result bodies (``rpc/core/types``), rendered as cmtjson prints them.

cmtjson rules (``libs/json/doc.go``): int64 and uint64 as strings, int32 as numbers, ``HexBytes``
(hashes, addresses) as uppercase hex, ``[]byte`` (txs, signatures, app data) as base64, times as
RFC3339Nano; ABCI structs drop zero fields (omitempty). These functions are pure: chain state in,
plain JSON values out.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from testbed.chain.model import (
    BLOCK_PROTOCOL,
    CHANNELS_HEX,
    COMETBFT_VERSION,
    Block,
    ChainModel,
    IndexedTx,
    TxResult,
)
from testbed.timestamps import rfc3339_nano

if TYPE_CHECKING:
    from testbed.grpc.query_service import QueryAnswer

Json = dict[str, Any]
BLOCKCHAIN_LIMIT = 20


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hex_upper(data: bytes) -> str:
    return data.hex().upper()


def node_info(chain: ChainModel, rpc_address: str) -> Json:
    return {
        "protocol_version": {"p2p": "8", "block": str(BLOCK_PROTOCOL), "app": "0"},
        "id": chain.node_id,
        "listen_addr": "tcp://0.0.0.0:26656",
        "network": chain.config.chain_id,
        "version": COMETBFT_VERSION,
        "channels": CHANNELS_HEX,
        "moniker": chain.config.moniker,
        "other": {"tx_index": "on", "rpc_address": rpc_address},
    }


def status(chain: ChainModel, rpc_address: str) -> Json:
    latest, first = chain.latest, chain.block(chain.base_height)
    return {
        "node_info": node_info(chain, rpc_address),
        "sync_info": {
            "latest_block_hash": hex_upper(latest.hash),
            "latest_app_hash": hex_upper(latest.app_hash),
            "latest_block_height": str(latest.height),
            "latest_block_time": rfc3339_nano(latest.time_ns),
            "earliest_block_hash": hex_upper(first.hash),
            "earliest_app_hash": hex_upper(first.app_hash),
            "earliest_block_height": str(first.height),
            "earliest_block_time": rfc3339_nano(first.time_ns),
            "catching_up": chain.catching_up(),
        },
        "validator_info": {
            "address": hex_upper(chain.validator.address),
            "pub_key": {"type": "tendermint/PubKeyEd25519", "value": b64(chain.validator.pub_key)},
            "voting_power": "0",
        },
    }


def net_info(chain: ChainModel, rpc_address: str) -> Json:
    peers = []
    for index in range(chain.peer_count()):
        info = node_info(chain, rpc_address)
        info["id"] = f"{index + 1:02x}" + chain.node_id[2:]
        info["moniker"] = f"peer-{index + 1}"
        info["other"] = {"tx_index": "on", "rpc_address": "tcp://0.0.0.0:26657"}
        peers.append({"node_info": info, "is_outbound": index % 2 == 0, "remote_ip": f"10.0.0.{index + 2}"})
    return {
        "listening": True,
        "listeners": ["Listener(@)"],
        "n_peers": str(len(peers)),
        "peers": peers,
    }


def block_id(hash_: bytes, parts_hash: bytes) -> Json:
    return {"hash": hex_upper(hash_), "parts": {"total": 1 if hash_ else 0, "hash": hex_upper(parts_hash)}}


def header(chain: ChainModel, block: Block) -> Json:
    return {
        "version": {"block": str(BLOCK_PROTOCOL), "app": "0"},
        "chain_id": chain.config.chain_id,
        "height": str(block.height),
        "time": rfc3339_nano(block.time_ns),
        "last_block_id": block_id(block.last_block_hash, block.last_parts_hash),
        "last_commit_hash": hex_upper(block.last_commit_hash),
        "data_hash": hex_upper(block.data_hash),
        "validators_hash": hex_upper(block.validators_hash),
        "next_validators_hash": hex_upper(block.validators_hash),
        "consensus_hash": hex_upper(block.consensus_hash),
        "app_hash": hex_upper(block.app_hash),
        "last_results_hash": hex_upper(block.last_results_hash),
        "evidence_hash": hex_upper(block.evidence_hash),
        "proposer_address": hex_upper(block.proposer_address),
    }


def last_commit(block: Block) -> Json:
    signatures = []
    if block.last_block_hash:
        signatures.append(
            {
                "block_id_flag": 2,
                "validator_address": hex_upper(block.proposer_address),
                "timestamp": rfc3339_nano(block.last_commit_time_ns),
                "signature": b64(block.last_block_hash + block.last_parts_hash),
            }
        )
    return {
        "height": str(block.height - 1),
        "round": 0,
        "block_id": block_id(block.last_block_hash, block.last_parts_hash),
        "signatures": signatures,
    }


def block_result(chain: ChainModel, block: Block) -> Json:
    return {
        "block_id": block_id(block.hash, block.parts_hash),
        "block": {
            "header": header(chain, block),
            "data": {"txs": [b64(tx) for tx in block.txs]},
            "evidence": {"evidence": []},
            "last_commit": last_commit(block),
        },
    }


def blockchain(chain: ChainModel, min_height: int, max_height: int) -> Json:
    metas = [
        {
            "block_id": block_id(block.hash, block.parts_hash),
            "block_size": str(block.size),
            "header": header(chain, block),
            "num_txs": str(len(block.txs)),
        }
        for block in (chain.block(h) for h in range(max_height, min_height - 1, -1))
    ]
    return {"last_height": str(chain.height), "block_metas": metas}


def consensus_params(chain: ChainModel, height: int) -> Json:
    return {
        "block_height": str(height),
        "consensus_params": {
            "block": {"max_bytes": str(chain.config.max_block_bytes), "max_gas": "-1"},
            "evidence": {
                "max_age_num_blocks": "100000",
                "max_age_duration": "172800000000000",
                "max_bytes": "1048576",
            },
            "validator": {"pub_key_types": ["ed25519"]},
            "version": {"app": "0"},
            "abci": {"vote_extensions_enable_height": "0"},
        },
    }


def abci_info(chain: ChainModel) -> Json:
    return {
        "response": {
            "data": chain.config.app_name,
            "version": "v0.38.0",
            "last_block_height": str(chain.height),
            "last_block_app_hash": b64(chain.latest.app_hash),
        }
    }


def abci_query(answer: QueryAnswer, height: int) -> Json:
    """``ResponseQuery`` as CometBFT prints it: every field present, bytes base64 or null."""
    return {
        "response": {
            "code": answer.code,
            "log": answer.log,
            "info": "",
            "index": "0",
            "key": None,
            "value": b64(answer.value) if answer.value else None,
            "proofOps": None,
            "height": str(height),
            "codespace": answer.codespace,
        }
    }


def abci_result(result: TxResult) -> Json:
    """An ABCI ``ResponseCheckTx`` / ``ExecTxResult``: zero fields are absent (omitempty)."""
    out: Json = {}
    if result.code:
        out["code"] = result.code
    if result.log:
        out["log"] = result.log
    if result.gas_wanted:
        out["gas_wanted"] = str(result.gas_wanted)
    if result.gas_used:
        out["gas_used"] = str(result.gas_used)
    if result.events:
        out["events"] = [
            {
                "type": event.type,
                "attributes": [
                    {"key": key, "value": value, "index": True} for key, value in event.attributes
                ],
            }
            for event in result.events
        ]
    if result.codespace:
        out["codespace"] = result.codespace
    return out


def broadcast_result(hash_hex: str, result: TxResult) -> Json:
    """``ResultBroadcastTx``: these keys are never omitted."""
    return {
        "code": result.code,
        "data": "",
        "log": result.log,
        "codespace": result.codespace,
        "hash": hash_hex,
    }


def broadcast_commit_result(hash_hex: str, check: TxResult, included: IndexedTx | None) -> Json:
    return {
        "check_tx": abci_result(check),
        "tx_result": abci_result(included.result) if included else {},
        "hash": hash_hex,
        "height": str(included.height if included else 0),
    }


def tx_result(tx: IndexedTx) -> Json:
    return {
        "hash": tx.hash,
        "height": str(tx.height),
        "index": tx.index,
        "tx_result": abci_result(tx.result),
        "tx": b64(tx.raw),
    }


def tx_search(txs: list[IndexedTx], total: int) -> Json:
    return {"txs": [tx_result(tx) for tx in txs], "total_count": str(total)}


def num_unconfirmed_txs(chain: ChainModel) -> Json:
    count = len(chain.mempool)
    return {
        "n_txs": str(count),
        "total": str(count),
        "total_bytes": str(chain.mempool.size_bytes),
        "txs": None,
    }
