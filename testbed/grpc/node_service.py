"""The Cosmos SDK gRPC services the testbed serves, as protobuf messages over the chain model.

``cosmos.base.tendermint.v1beta1.Service`` (``client/grpc/cmtservice``) and ``cosmos.tx.v1beta1.Service``
(``x/auth/tx/service.go``): what they return and which gRPC status each failure carries. The gRPC
port calls these directly; the REST port is a gateway over the same calls, as in the SDK, so the
two never disagree.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import any_pb2, timestamp_pb2

from chainpb.cosmos.base.abci.v1beta1 import abci_pb2
from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2
from chainpb.cosmos.base.tendermint.v1beta1 import types_pb2 as sdk_types_pb2
from chainpb.cosmos.tx.v1beta1 import service_pb2
from chainpb.tendermint.abci import types_pb2 as abci_types_pb2
from chainpb.tendermint.p2p import types_pb2 as p2p_pb2
from chainpb.tendermint.types import block_pb2, evidence_pb2, types_pb2, validator_pb2
from chainpb.tendermint.version import types_pb2 as version_pb2
from cosmostx import encode_address, tx_hash
from testbed.chain.mempool import MempoolError, MempoolFullError, TxInCacheError, TxTooLargeError
from testbed.chain.model import (
    BLOCK_PROTOCOL,
    CHANNELS_HEX,
    COMETBFT_VERSION,
    Block,
    ChainModel,
    Event,
    IndexedTx,
    TxResult,
)
from testbed.chain.transactions import TxDecodeError, decode_tx
from testbed.timestamps import rfc3339_seconds

SYNC = service_pb2.BROADCAST_MODE_SYNC
ASYNC = service_pb2.BROADCAST_MODE_ASYNC
_MEMPOOL_CODES: dict[type[MempoolError], int] = {
    TxInCacheError: 19,
    MempoolFullError: 20,
    TxTooLargeError: 21,
}
_TX_TYPE_URL = "/cosmos.tx.v1beta1.Tx"


class ServiceError(Exception):
    """A failed call: the gRPC status code and message a real node gives."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _timestamp(time_ns: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=time_ns // 1_000_000_000, nanos=time_ns % 1_000_000_000)


def _block_id(hash_: bytes, parts_hash: bytes) -> types_pb2.BlockID:
    return types_pb2.BlockID(
        hash=hash_, part_set_header=types_pb2.PartSetHeader(total=1 if hash_ else 0, hash=parts_hash)
    )


def _events(events: tuple[Event, ...]) -> list[abci_types_pb2.Event]:
    return [
        abci_types_pb2.Event(
            type=event.type,
            attributes=[
                abci_types_pb2.EventAttribute(key=k, value=v, index=True) for k, v in event.attributes
            ],
        )
        for event in events
    ]


class NodeService:
    """The node's gRPC query and tx services."""

    def __init__(self, chain: ChainModel) -> None:
        self.chain = chain

    # -- cosmos.base.tendermint.v1beta1.Service ---------------------------------------------------

    def get_node_info(self) -> query_pb2.GetNodeInfoResponse:
        chain = self.chain
        return query_pb2.GetNodeInfoResponse(
            default_node_info=p2p_pb2.DefaultNodeInfo(
                protocol_version=p2p_pb2.ProtocolVersion(p2p=8, block=BLOCK_PROTOCOL, app=0),
                default_node_id=chain.node_id,
                listen_addr="tcp://0.0.0.0:26656",
                network=chain.config.chain_id,
                version=COMETBFT_VERSION,
                channels=bytes.fromhex(CHANNELS_HEX),
                moniker=chain.config.moniker,
                other=p2p_pb2.DefaultNodeInfoOther(tx_index="on", rpc_address="tcp://0.0.0.0:26657"),
            ),
            application_version=query_pb2.VersionInfo(
                name=chain.config.app_name,
                app_name=chain.config.app_name,
                version="v1.0.0",
                git_commit="0000000000000000000000000000000000000000",
                go_version="go version go1.22.5 linux/amd64",
                cosmos_sdk_version="v0.53.0",
            ),
        )

    def get_syncing(self) -> query_pb2.GetSyncingResponse:
        return query_pb2.GetSyncingResponse(syncing=self.chain.catching_up())

    def get_latest_block(self) -> query_pb2.GetLatestBlockResponse:
        block = self.chain.latest
        return query_pb2.GetLatestBlockResponse(
            block_id=_block_id(block.hash, block.parts_hash),
            block=self._block(block),
            sdk_block=self._sdk_block(block),
        )

    def get_block_by_height(self, height: int) -> query_pb2.GetBlockByHeightResponse:
        if height > self.chain.height:
            raise ServiceError(
                grpc.StatusCode.INVALID_ARGUMENT,
                "requested block height is bigger then the chain length: invalid request",
            )
        if height < 1:
            raise ServiceError(
                grpc.StatusCode.INVALID_ARGUMENT, f"height must be greater than 0, but got {height}"
            )
        if height < self.chain.base_height:
            message = f"height {height} is not available, lowest height is {self.chain.base_height}"
            raise ServiceError(grpc.StatusCode.UNKNOWN, message)
        block = self.chain.block(height)
        return query_pb2.GetBlockByHeightResponse(
            block_id=_block_id(block.hash, block.parts_hash),
            block=self._block(block),
            sdk_block=self._sdk_block(block),
        )

    def _header_fields(self, block: Block) -> dict[str, Any]:
        return {
            "version": version_pb2.Consensus(block=BLOCK_PROTOCOL, app=0),
            "chain_id": self.chain.config.chain_id,
            "height": block.height,
            "time": _timestamp(block.time_ns),
            "last_block_id": _block_id(block.last_block_hash, block.last_parts_hash),
            "last_commit_hash": block.last_commit_hash,
            "data_hash": block.data_hash,
            "validators_hash": block.validators_hash,
            "next_validators_hash": block.validators_hash,
            "consensus_hash": block.consensus_hash,
            "app_hash": block.app_hash,
            "last_results_hash": block.last_results_hash,
            "evidence_hash": block.evidence_hash,
        }

    def _last_commit(self, block: Block) -> types_pb2.Commit:
        signatures = []
        if block.last_block_hash:
            signatures.append(
                types_pb2.CommitSig(
                    block_id_flag=validator_pb2.BLOCK_ID_FLAG_COMMIT,
                    validator_address=block.proposer_address,
                    timestamp=_timestamp(block.last_commit_time_ns),
                    signature=block.last_block_hash + block.last_parts_hash,
                )
            )
        return types_pb2.Commit(
            height=block.height - 1,
            round=0,
            block_id=_block_id(block.last_block_hash, block.last_parts_hash),
            signatures=signatures,
        )

    def _block(self, block: Block) -> block_pb2.Block:
        return block_pb2.Block(
            header=types_pb2.Header(**self._header_fields(block), proposer_address=block.proposer_address),
            data=types_pb2.Data(txs=list(block.txs)),
            evidence=evidence_pb2.EvidenceList(),
            last_commit=self._last_commit(block),
        )

    def _sdk_block(self, block: Block) -> sdk_types_pb2.Block:
        proposer = encode_address(f"{self.chain.config.bech32_prefix}valcons", block.proposer_address)
        return sdk_types_pb2.Block(
            header=sdk_types_pb2.Header(**self._header_fields(block), proposer_address=proposer),
            data=types_pb2.Data(txs=list(block.txs)),
            evidence=evidence_pb2.EvidenceList(),
            last_commit=self._last_commit(block),
        )

    # -- cosmos.tx.v1beta1.Service ----------------------------------------------------------------

    def broadcast_tx(self, tx_bytes: bytes, mode: int) -> service_pb2.BroadcastTxResponse:
        if not tx_bytes:
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, "invalid empty tx")
        if mode not in (SYNC, ASYNC):
            raise ServiceError(
                grpc.StatusCode.UNKNOWN, "unsupported return type unspecified; supported types: sync, async"
            )
        hash_hex = tx_hash(tx_bytes)
        try:
            result = self.chain.check_tx(tx_bytes)
        except MempoolError as exc:
            code = next(c for kind, c in _MEMPOOL_CODES.items() if isinstance(exc, kind))
            response = abci_pb2.TxResponse(txhash=hash_hex, code=code, codespace="sdk")
            return service_pb2.BroadcastTxResponse(tx_response=response)
        if mode == ASYNC:
            result = TxResult()
        return service_pb2.BroadcastTxResponse(tx_response=self._tx_response(hash_hex, result))

    def _tx_response(
        self, hash_hex: str, result: TxResult, tx: IndexedTx | None = None
    ) -> abci_pb2.TxResponse:
        response = abci_pb2.TxResponse(
            height=tx.height if tx else 0,
            txhash=hash_hex,
            codespace=result.codespace,
            code=result.code,
            raw_log=result.log,
            gas_wanted=result.gas_wanted,
            gas_used=result.gas_used,
            events=_events(result.events),
        )
        if tx is not None:
            response.tx.CopyFrom(
                any_pb2.Any(type_url=_TX_TYPE_URL, value=decode_tx(tx.raw).SerializeToString())
            )
            response.timestamp = rfc3339_seconds(self.chain.block(tx.height).time_ns)
        return response

    def get_tx(self, hash_hex: str) -> service_pb2.GetTxResponse:
        if not hash_hex:
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, "request cannot be nil")
        try:
            bytes.fromhex(hash_hex)
        except ValueError as exc:
            raise ServiceError(
                grpc.StatusCode.UNKNOWN, f"encoding/hex: invalid byte in {hash_hex!r}"
            ) from exc
        found = self.chain.find_tx(hash_hex)
        if found is None:
            raise ServiceError(grpc.StatusCode.NOT_FOUND, f"tx not found: {hash_hex}")
        return service_pb2.GetTxResponse(
            tx=decode_tx(found.raw), tx_response=self._tx_response(found.hash, found.result, found)
        )

    def simulate(self, tx_bytes: bytes) -> service_pb2.SimulateResponse:
        if not tx_bytes:
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, "empty txBytes is not allowed")
        try:
            decode_tx(tx_bytes)
        except TxDecodeError as exc:
            raise ServiceError(grpc.StatusCode.INVALID_ARGUMENT, f"{exc.log}: invalid request") from exc
        result = self.chain.simulate(tx_bytes)
        if result.code != 0:
            # x/auth/tx/service.go: the error, then the gas it had used when it failed.
            gas = f"With gas wanted: '{result.gas_wanted}' and gas used: '{result.gas_used}' "
            raise ServiceError(grpc.StatusCode.UNKNOWN, f"{result.log} {gas}")
        return service_pb2.SimulateResponse(
            gas_info=abci_pb2.GasInfo(gas_wanted=result.gas_wanted, gas_used=result.gas_used),
            result=abci_pb2.Result(events=_events(result.events)),
        )
