"""The CometBFT RPC methods (``rpc/core``): parameters, checks and error texts, over the chain model.

Each method takes typed parameters and returns a result body or raises ``RpcError`` with the Go
error text, which the transports send as -32603 "Internal error". The texts follow
``rpc/core/{blocks,tx,mempool,status}.go`` of CometBFT v0.38.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from cosmostx import tx_hash
from testbed.chain.block_feed import BlockFeed
from testbed.chain.mempool import MempoolError
from testbed.chain.model import ChainModel, IndexedTx, TxResult
from testbed.grpc.query_service import QueryService
from testbed.rpc import views
from testbed.rpc.tx_query import QueryError, height_range, parse_query
from testbed.rpc.views import Json

ParamType = Literal["int", "bytes", "hex", "str", "bool"]
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 30


class RpcError(Exception):
    """A handler error; ``str()`` becomes the ``data`` of a -32603 error."""


@dataclass(frozen=True)
class Method:
    """One RPC method: its parameter names and types, in order, and its implementation."""

    params: tuple[tuple[str, ParamType], ...]
    call: Callable[..., Awaitable[Json]]


class RpcMethods:
    """The method table of one node."""

    def __init__(self, chain: ChainModel, feed: BlockFeed, queries: QueryService, rpc_address: str) -> None:
        self.chain = chain
        self.feed = feed
        self.queries = queries
        self.rpc_address = rpc_address
        self.table: dict[str, Method] = {
            "health": Method((), self.health),
            "status": Method((), self.status),
            "net_info": Method((), self.net_info),
            "block": Method((("height", "int"),), self.block),
            "blockchain": Method((("minHeight", "int"), ("maxHeight", "int")), self.blockchain),
            "consensus_params": Method((("height", "int"),), self.consensus_params),
            "abci_info": Method((), self.abci_info),
            "abci_query": Method(
                (("path", "str"), ("data", "hex"), ("height", "int"), ("prove", "bool")), self.abci_query
            ),
            "broadcast_tx_sync": Method((("tx", "bytes"),), self.broadcast_tx_sync),
            "broadcast_tx_async": Method((("tx", "bytes"),), self.broadcast_tx_async),
            "broadcast_tx_commit": Method((("tx", "bytes"),), self.broadcast_tx_commit),
            "tx": Method((("hash", "bytes"), ("prove", "bool")), self.tx),
            "tx_search": Method(
                (
                    ("query", "str"),
                    ("prove", "bool"),
                    ("page", "int"),
                    ("per_page", "int"),
                    ("order_by", "str"),
                ),
                self.tx_search,
            ),
            "num_unconfirmed_txs": Method((), self.num_unconfirmed_txs),
        }

    def _height(self, height: int | None) -> int:
        latest = self.chain.height
        if height is None:
            return latest
        if height <= 0:
            raise RpcError(f"height must be greater than 0, but got {height}")
        if height > latest:
            raise RpcError(
                f"height {height} must be less than or equal to the current blockchain height {latest}"
            )
        if height < self.chain.base_height:
            raise RpcError(f"height {height} is not available, lowest height is {self.chain.base_height}")
        return height

    async def health(self) -> Json:
        return {}

    async def status(self) -> Json:
        return views.status(self.chain, self.rpc_address)

    async def net_info(self) -> Json:
        return views.net_info(self.chain, self.rpc_address)

    async def block(self, height: int | None = None) -> Json:
        return views.block_result(self.chain, self.chain.block(self._height(height)))

    async def blockchain(self, minHeight: int | None = None, maxHeight: int | None = None) -> Json:  # noqa: N803
        low, high = minHeight or 0, maxHeight or 0
        if low < 0 or high < 0:
            raise RpcError("heights must be non-negative")
        low = max(low or 1, self.chain.base_height)
        high = min(high or self.chain.height, self.chain.height)
        low = max(low, high - views.BLOCKCHAIN_LIMIT + 1)
        if low > high:
            raise RpcError(f"min height {low} can't be greater than max height {high}")
        return views.blockchain(self.chain, low, high)

    async def consensus_params(self, height: int | None = None) -> Json:
        return views.consensus_params(self.chain, self._height(height))

    async def abci_info(self) -> Json:
        return views.abci_info(self.chain)

    async def abci_query(
        self, path: str = "", data: bytes = b"", height: int | None = None, prove: bool = False
    ) -> Json:
        """The app's answer for a gRPC query path, at the latest height (older state is not kept)."""
        if height is not None and height < 0:
            raise RpcError("height cannot be negative")
        return views.abci_query(self.queries.abci_query(path, data), self.chain.height)

    async def broadcast_tx_sync(self, tx: bytes = b"") -> Json:
        try:
            result = self.chain.check_tx(tx)
        except MempoolError as exc:
            raise RpcError(str(exc)) from exc
        return views.broadcast_result(tx_hash(tx), result)

    async def broadcast_tx_async(self, tx: bytes = b"") -> Json:
        try:
            self.chain.check_tx(tx)
        except MempoolError as exc:
            raise RpcError(str(exc)) from exc
        return views.broadcast_result(tx_hash(tx), TxResult())

    async def broadcast_tx_commit(self, tx: bytes = b"") -> Json:
        hash_hex = tx_hash(tx)
        try:
            check = self.chain.check_tx(tx)
        except MempoolError as exc:
            raise RpcError(f"error on broadcastTxCommit: {exc}") from exc
        if check.code != 0:
            return views.broadcast_commit_result(hash_hex, check, None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.chain.config.timeout_broadcast_tx_commit_seconds
        while (included := self.chain.find_tx(hash_hex)) is None:
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self.feed.next_block(remaining):
                raise RpcError("timed out waiting for tx to be included in a block")
        return views.broadcast_commit_result(hash_hex, check, included)

    async def tx(self, hash: bytes = b"", prove: bool = False) -> Json:
        """``prove`` is accepted as CometBFT accepts it; the testbed builds no Merkle proofs."""
        found = self.chain.find_tx(hash.hex())
        if found is None:
            raise RpcError(f"tx ({hash.hex().upper()}) not found")
        return views.tx_result(found)

    async def tx_search(
        self,
        query: str = "",
        prove: bool = False,
        page: int | None = None,
        per_page: int | None = None,
        order_by: str = "",
    ) -> Json:
        if order_by not in ("", "asc", "desc"):
            raise RpcError("expected order_by to be either `asc` or `desc` or empty")
        matches = self._search(query)
        if order_by == "desc":
            matches.reverse()
        size = DEFAULT_PER_PAGE if per_page is None or per_page <= 0 else min(per_page, MAX_PER_PAGE)
        pages = max((len(matches) - 1) // size + 1, 1)
        number = 1 if page is None else page
        if number <= 0 or number > pages:
            raise RpcError(f"page should be within [1, {pages}] range, given {number}")
        start = (number - 1) * size
        return views.tx_search(matches[start : start + size], len(matches))

    def _search(self, query: str) -> list[IndexedTx]:
        try:
            conditions = parse_query(query)
        except QueryError as exc:
            raise RpcError(str(exc)) from exc
        by_hash = [c for c in conditions if c.key == "tx.hash"]
        if by_hash:
            found = self.chain.find_tx(by_hash[0].value)
            candidates = [found] if found is not None else []
        else:
            heights = height_range(conditions, self.chain.height)
            candidates = [tx for height in heights for tx in self.chain.txs_at(height)]
        return [tx for tx in candidates if all(c.matches(tx) for c in conditions)]

    async def num_unconfirmed_txs(self) -> Json:
        return views.num_unconfirmed_txs(self.chain)


# -- parameter decoding ---------------------------------------------------------------------------


class ParamError(ValueError):
    """A parameter that does not convert to its type; ``str()`` is the detail."""


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ParamError(f"{name}: cannot unmarshal bool into int64")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise ParamError(f"{name}: invalid int64 value {value!r}")


def json_param(name: str, kind: ParamType, value: Any) -> Any:
    """A JSON-RPC parameter: int64 as number or string, bytes as base64, strings, booleans."""
    if value is None:
        return None
    if kind == "int":
        return _int(name, value)
    if kind == "bytes":
        if not isinstance(value, str):
            raise ParamError(f"{name}: expected a base64 string")
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ParamError(f"{name}: illegal base64 data") from exc
    if kind == "hex":
        if not isinstance(value, str):
            raise ParamError(f"{name}: expected a hex string")
        try:
            return bytes.fromhex(value)
        except ValueError as exc:
            raise ParamError(f"{name}: encoding/hex: invalid byte in {value!r}") from exc
    if kind == "bool":
        if not isinstance(value, bool):
            raise ParamError(f"{name}: expected a boolean")
        return value
    if not isinstance(value, str):
        raise ParamError(f"{name}: expected a string")
    return value


def uri_param(name: str, kind: ParamType, raw: str) -> Any:
    """A URI query parameter: numbers plain, bytes as ``0x<hex>`` or a quoted string, strings quoted."""
    quoted = len(raw) >= 2 and raw[0] == raw[-1] == '"'
    if kind == "int":
        return _int(name, raw[1:-1] if quoted else raw)
    if kind == "bool":
        if raw not in ("true", "false"):
            raise ParamError(f"{name}: invalid boolean {raw!r}")
        return raw == "true"
    if kind in ("bytes", "hex") and raw[:2].lower() == "0x":
        try:
            return bytes.fromhex(raw[2:])
        except ValueError as exc:
            raise ParamError(f"{name}: encoding/hex: invalid byte in {raw!r}") from exc
    if not quoted:
        raise ParamError(f"invalid character {raw[:1]!r} looking for beginning of value")
    return raw[1:-1].encode() if kind in ("bytes", "hex") else raw[1:-1]
