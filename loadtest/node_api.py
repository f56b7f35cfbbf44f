"""The node as the load test's own plumbing sees it, over the run's API (RPC, REST or gRPC).

The block watcher reads heights and blocks here, each sender reads its account number and sequence
here, and every process reads the chain id once; the load itself goes through the Locust users'
clients so it shows in Locust's stats. Each answer of a broadcast, whatever the transport, becomes a
``BroadcastAnswer`` (code, log, hash) or a ``NodeError`` (no usable answer). Every call has a
timeout and every body read is capped.

Run inside a Locust process, where gevent has patched sockets, so these blocking calls yield.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import grpc

from chainpb.cosmos.auth.v1beta1 import query_pb2 as auth_pb2
from chainpb.cosmos.auth.v1beta1 import query_pb2_grpc as auth_grpc
from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2 as tm_pb2
from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2_grpc as tm_grpc
from cosmostx import AccountInfo, account_from_proto, account_from_rest
from loadtest.plan import Api

MAX_BODY_BYTES = 16 * 1024 * 1024
# CometBFT's JSON-RPC errors that are refusals of the tx, with the codes the SDK's REST gateway gives
# them (client/broadcast.go CheckCometError), so every transport reports the same code.
_RPC_REFUSALS = (
    ("tx already exists in cache", 19),
    ("mempool is full", 20),
    ("mempool is still", 20),
    ("tx too large", 21),
)


class NodeError(Exception):
    """The node gave no usable answer: connection refused, timeout, HTTP 5xx, gRPC error status."""


@dataclass(frozen=True)
class BroadcastAnswer:
    """A broadcast's answer: CheckTx code (0 = accepted into the mempool) and log."""

    code: int
    log: str


@dataclass(frozen=True)
class BlockTxs:
    """A committed block: height, header time (epoch seconds) and raw txs."""

    height: int
    time: float
    txs: tuple[bytes, ...]


def parse_time(text: str) -> float:
    """RFC 3339 with up to nanoseconds (``2026-01-02T03:04:05.123456789Z``) → epoch seconds."""
    main, _, rest = text.rstrip("Z").partition(".")
    fraction = float(f"0.{rest}") if rest else 0.0
    return datetime.fromisoformat(main).replace(tzinfo=UTC).timestamp() + fraction


def rpc_broadcast_answer(body: Any) -> BroadcastAnswer:
    """The answer of a JSON-RPC ``broadcast_tx_sync``: a result with its code, or a refusal error."""
    if not isinstance(body, dict):
        raise NodeError("broadcast answer is not a JSON object")
    error = body.get("error")
    if isinstance(error, dict):
        data = str(error.get("data") or error.get("message") or "")
        for text, code in _RPC_REFUSALS:
            if text in data.lower():
                return BroadcastAnswer(code, data)
        raise NodeError(f"JSON-RPC error {error.get('code')}: {data}")
    result = body.get("result")
    if not isinstance(result, dict):
        raise NodeError("broadcast answer has no result")
    return BroadcastAnswer(int(result.get("code") or 0), str(result.get("log") or ""))


def rest_broadcast_answer(body: Any) -> BroadcastAnswer:
    """The answer of ``POST /cosmos/tx/v1beta1/txs`` (HTTP 200): ``tx_response.code`` and ``raw_log``."""
    response = body.get("tx_response") if isinstance(body, dict) else None
    if not isinstance(response, dict):
        raise NodeError("broadcast answer has no tx_response")
    return BroadcastAnswer(int(response.get("code") or 0), str(response.get("raw_log") or ""))


def block_txs_from_json(height: int, header_time: str, txs: list[Any] | None) -> BlockTxs:
    return BlockTxs(height, parse_time(header_time), tuple(base64.b64decode(tx) for tx in txs or ()))


class NodeApi(Protocol):
    """What the watcher and the senders read from the node."""

    def chain_id(self) -> str: ...
    def latest_height(self) -> int: ...
    def block(self, height: int) -> BlockTxs: ...
    def account(self, address: str) -> AccountInfo: ...


class _Http:
    def __init__(self, base: str, timeout: float) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout

    def get(self, path: str) -> Any:
        try:
            with urllib.request.urlopen(self.base + path, timeout=self.timeout) as response:
                data = response.read(MAX_BODY_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise NodeError(f"GET {path}: HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:
            raise NodeError(f"GET {path}: {exc}") from None
        if len(data) > MAX_BODY_BYTES:
            raise NodeError(f"GET {path}: answer larger than {MAX_BODY_BYTES} bytes")
        try:
            return json.loads(data)
        except ValueError:
            raise NodeError(f"GET {path}: not JSON") from None


class RpcApi:
    """CometBFT RPC (URI form): ``/status``, ``/block``, ``abci_query`` for accounts."""

    def __init__(self, base: str, timeout: float) -> None:
        self._http = _Http(base, timeout)

    def _result(self, path: str) -> dict[str, Any]:
        body = self._http.get(path)
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, dict):
            raise NodeError(f"{path}: no result")
        return result

    def chain_id(self) -> str:
        return str(self._result("/status")["node_info"]["network"])

    def latest_height(self) -> int:
        return int(self._result("/status")["sync_info"]["latest_block_height"])

    def block(self, height: int) -> BlockTxs:
        block = self._result(f"/block?height={height}")["block"]
        return block_txs_from_json(height, block["header"]["time"], block["data"].get("txs"))

    def account(self, address: str) -> AccountInfo:

        data = auth_pb2.QueryAccountRequest(address=address).SerializeToString().hex()
        path = urllib.parse.quote('"/cosmos.auth.v1beta1.Query/Account"')
        response = self._result(f"/abci_query?path={path}&data=0x{data}")["response"]
        if int(response.get("code") or 0) != 0:
            raise NodeError(f"account {address}: {response.get('log')}")
        return account_from_proto(base64.b64decode(response.get("value") or ""))


class RestApi:
    """The Cosmos REST gateway: node_info, blocks, auth accounts."""

    def __init__(self, base: str, timeout: float) -> None:
        self._http = _Http(base, timeout)

    def chain_id(self) -> str:
        return str(
            self._http.get("/cosmos/base/tendermint/v1beta1/node_info")["default_node_info"]["network"]
        )

    def latest_height(self) -> int:
        body = self._http.get("/cosmos/base/tendermint/v1beta1/blocks/latest")
        return int(body["sdk_block"]["header"]["height"])

    def block(self, height: int) -> BlockTxs:
        block = self._http.get(f"/cosmos/base/tendermint/v1beta1/blocks/{height}")["sdk_block"]
        return block_txs_from_json(height, block["header"]["time"], block["data"].get("txs"))

    def account(self, address: str) -> AccountInfo:
        return account_from_rest(self._http.get(f"/cosmos/auth/v1beta1/accounts/{address}"))


class GrpcApi:
    """The node's gRPC services: tendermint ``Service`` and auth ``Query``. ``init_gevent`` must have
    run before the first channel in a gevent process."""

    def __init__(self, target: str, timeout: float) -> None:

        self._channel = grpc.insecure_channel(target)
        self._tm = tm_grpc.ServiceStub(self._channel)
        self._auth = auth_grpc.QueryStub(self._channel)
        self.timeout = timeout

    def _call(self, method: Any, request: Any) -> Any:
        try:
            return method(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            raise NodeError(f"gRPC {exc.code().name}: {exc.details()}") from None

    def chain_id(self) -> str:

        return str(self._call(self._tm.GetNodeInfo, tm_pb2.GetNodeInfoRequest()).default_node_info.network)

    def latest_height(self) -> int:

        return int(
            self._call(self._tm.GetLatestBlock, tm_pb2.GetLatestBlockRequest()).sdk_block.header.height
        )

    def block(self, height: int) -> BlockTxs:

        block = self._call(self._tm.GetBlockByHeight, tm_pb2.GetBlockByHeightRequest(height=height)).sdk_block
        when = block.header.time.seconds + block.header.time.nanos / 1e9
        return BlockTxs(height, when, tuple(block.data.txs))

    def account(self, address: str) -> AccountInfo:

        return account_from_proto(
            self._call(self._auth.Account, auth_pb2.QueryAccountRequest(address=address))
        )


def node_api(api: Api, target: str, timeout: float) -> NodeApi:
    """The node client for a run's API; ``target`` is a URL (RPC, REST) or ``host:port`` (gRPC)."""
    if api == "rpc":
        return RpcApi(target, timeout)
    if api == "rest":
        return RestApi(target, timeout)
    return GrpcApi(target, timeout)
