"""CometBFT's CList mempool, as far as clients can see it: FIFO order, size and byte caps, a cache.

The order of the checks and the error texts follow ``mempool/clist_mempool.go`` and
``mempool/errors.go`` (v0.38): too large, then full, then already in the cache. A tx that fails
CheckTx leaves the cache, so it can be sent again once fixed.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from testbed.chain.transactions import ParsedTx


class MempoolError(Exception):
    """A broadcast the mempool refused before CheckTx; ``str()`` is the Go error text."""


class MempoolFullError(MempoolError):
    pass


class TxInCacheError(MempoolError):
    pass


class TxTooLargeError(MempoolError):
    pass


@dataclass(frozen=True)
class MempoolEntry:
    """A tx waiting for a block; ``eligible_height`` is the first height that may include it."""

    hash: str
    raw: bytes
    parsed: ParsedTx
    eligible_height: int


class Mempool:
    """Pending txs in arrival order, with the caps of ``[mempool]`` in config.toml."""

    def __init__(self, max_txs: int, max_bytes: int, max_tx_bytes: int, cache_size: int) -> None:
        self.max_txs = max_txs
        self.max_bytes = max_bytes
        self.max_tx_bytes = max_tx_bytes
        self._cache_size = cache_size
        self._cache: OrderedDict[str, None] = OrderedDict()
        self._entries: deque[MempoolEntry] = deque()
        self.size_bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def full_error(self) -> MempoolFullError:
        return MempoolFullError(
            f"mempool is full: number of txs {len(self._entries)} (max: {self.max_txs}), "
            f"total txs bytes {self.size_bytes} (max: {self.max_bytes})"
        )

    def admit(self, tx_hash: str, raw: bytes, *, forced_full: bool = False) -> None:
        """Run the pre-CheckTx checks and remember the hash; raises a ``MempoolError`` on refusal."""
        if len(raw) > self.max_tx_bytes:
            raise TxTooLargeError(f"Tx too large. Max size is {self.max_tx_bytes}, but got {len(raw)}")
        if forced_full or len(self._entries) >= self.max_txs or self.size_bytes + len(raw) > self.max_bytes:
            raise self.full_error()
        if tx_hash in self._cache:
            self._cache.move_to_end(tx_hash)
            raise TxInCacheError("tx already exists in cache")
        if self._cache_size:
            self._cache[tx_hash] = None
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def forget(self, tx_hash: str) -> None:
        """Drop a hash from the cache (after CheckTx failed)."""
        self._cache.pop(tx_hash, None)

    def add(self, entry: MempoolEntry) -> None:
        self._entries.append(entry)
        self.size_bytes += len(entry.raw)

    def reap(self, height: int, max_txs: int, max_bytes: int) -> list[MempoolEntry]:
        """Remove and return the txs a block at ``height`` includes: FIFO among eligible ones, within caps."""
        taken: list[MempoolEntry] = []
        kept: deque[MempoolEntry] = deque()
        taken_bytes = 0
        for entry in self._entries:
            fits = len(taken) < max_txs and taken_bytes + len(entry.raw) <= max_bytes
            if fits and entry.eligible_height <= height:
                taken.append(entry)
                taken_bytes += len(entry.raw)
            else:
                kept.append(entry)
        self._entries = kept
        self.size_bytes -= taken_bytes
        return taken

    def evict(self, keep: Callable[[MempoolEntry], bool]) -> int:
        """Remove the entries ``keep`` rejects (a failed recheck); returns how many went."""
        kept = deque(entry for entry in self._entries if keep(entry))
        evicted = len(self._entries) - len(kept)
        self._entries = kept
        self.size_bytes = sum(len(entry.raw) for entry in kept)
        return evicted
