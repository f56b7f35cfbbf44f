"""Where every tx of one process stands: pending, then exactly one outcome; nothing is lost.

A tx is *sent* when its broadcast was attempted. It then ends in exactly one of

``confirmed``        seen in a committed block by the block watcher (``latency`` = first seen −
                     intended send time),
``rejected``         refused at broadcast (CheckTx code ≠ 0, "mempool is full", cache hit …), with
                     its code, a short ``reason`` and the node's log,
``transport_error``  no answer (connection refused, timeout, HTTP 5xx, gRPC status),
``timed_out``        accepted but not in a block within the confirmation timeout,

and a later sighting of a timed-out tx changes nothing. The ledger holds plain values only, so the
summary code reads the same records in the master, a worker or a test.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Self, cast


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    TRANSPORT_ERROR = "transport_error"
    TIMED_OUT = "timed_out"


# The log texts a node answers with (NODE_WIRE.md) → one reason each; codes from the SDK's errors.
_REASONS: tuple[tuple[str, str], ...] = (
    ("mempool is full", "mempool_full"),
    ("mempool is still rechecking", "mempool_full"),
    ("tx already exists in cache", "tx_in_cache"),
    ("tx too large", "tx_too_large"),
)
_CODE_REASONS = {
    4: "unauthorized",
    5: "insufficient_funds",
    11: "out_of_gas",
    13: "insufficient_fee",
    19: "tx_in_cache",
    20: "mempool_full",
    21: "tx_too_large",
    32: "sequence_mismatch",
}
_EXPECTED = re.compile(r"expected (\d+), got \d+")


def rejection_reason(code: int, log: str) -> str:
    """A short name for why a broadcast was refused: ``mempool_full``, ``sequence_mismatch`` …"""
    lowered = log.lower()
    for text, reason in _REASONS:
        if text in lowered:
            return reason
    return _CODE_REASONS.get(code, f"code_{code}")


def expected_sequence(log: str) -> int | None:
    """The sequence a code-32 log says the chain expects, or None when the log does not say."""
    match = _EXPECTED.search(log)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class TxRecord:
    """One tx's life: times in epoch seconds, ``rtt`` the broadcast's round trip; ``latency`` (first
    seen in a block − intended send time) only for confirmed txs."""

    hash: str
    account: str
    step: int
    intended: float
    sent: float
    outcome: Outcome
    code: int = 0
    reason: str = ""
    log: str = ""
    rtt: float = 0.0
    height: int = 0
    latency: float | None = None

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["outcome"] = self.outcome.value
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TxRecord:
        return cls(**{**row, "outcome": Outcome(row["outcome"])})


class _Row:
    """A record that travels as a plain dict (in a worker's report, a CSV row)."""

    def to_row(self) -> dict[str, Any]:
        return asdict(cast(Any, self))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(**row)


@dataclass(frozen=True)
class QueryRecord(_Row):
    """One query: what was asked, when, how long it took and whether it succeeded."""

    name: str
    start: float
    latency: float
    ok: bool


@dataclass(frozen=True)
class BlockRecord(_Row):
    """A committed block as one process's watcher saw it: its header time, when the watcher first saw
    it, and how many of *this process's* txs it held (the master sums them over processes)."""

    height: int
    time: float
    seen: float
    ours: int


@dataclass(frozen=True)
class _Pending:
    account: str
    step: int
    intended: float
    sent: float
    rtt: float


class Ledger:
    """One process's txs: pending ones by hash, finished ones in an outbox until collected."""

    def __init__(self) -> None:
        self._pending: dict[str, _Pending] = {}
        self._outbox: list[TxRecord] = []
        self.sent = 0
        self.finished = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _finish(self, record: TxRecord) -> TxRecord:
        self._outbox.append(record)
        self.finished += 1
        return record

    def accepted(
        self, tx_hash: str, account: str, step: int, intended: float, sent: float, rtt: float
    ) -> None:
        """The node took the tx into its mempool: it waits for a block."""
        self.sent += 1
        self._pending[tx_hash] = _Pending(account, step, intended, sent, rtt)

    def refused(
        self,
        tx_hash: str,
        account: str,
        step: int,
        intended: float,
        sent: float,
        rtt: float,
        outcome: Outcome,
        code: int,
        log: str,
    ) -> TxRecord:
        """The broadcast failed: rejected (with the node's code and log) or a transport error."""
        self.sent += 1
        reason = rejection_reason(code, log) if outcome is Outcome.REJECTED else "transport"
        return self._finish(
            TxRecord(tx_hash, account, step, intended, sent, outcome, code, reason, log[:300], rtt)
        )

    def confirm(self, tx_hash: str, height: int, seen: float) -> TxRecord | None:
        """A block holds the tx: confirmed, if it was still pending here."""
        item = self._pending.pop(tx_hash, None)
        if item is None:
            return None
        latency = seen - item.intended
        return self._finish(
            TxRecord(
                tx_hash,
                item.account,
                item.step,
                item.intended,
                item.sent,
                Outcome.CONFIRMED,
                rtt=item.rtt,
                height=height,
                latency=latency,
            )
        )

    def expire(self, now: float, timeout_seconds: float) -> list[TxRecord]:
        """Every pending tx intended more than ``timeout_seconds`` ago ends as timed out."""
        late = [h for h, item in self._pending.items() if now - item.intended > timeout_seconds]
        out = []
        for tx_hash in late:
            item = self._pending.pop(tx_hash)
            out.append(
                self._finish(
                    TxRecord(
                        tx_hash,
                        item.account,
                        item.step,
                        item.intended,
                        item.sent,
                        Outcome.TIMED_OUT,
                        reason="timeout",
                        rtt=item.rtt,
                    )
                )
            )
        return out

    def collect(self) -> list[TxRecord]:
        """The finished records not collected before (for the master, or the final write)."""
        out, self._outbox = self._outbox, []
        return out


def outcome_counts(records: Iterable[TxRecord]) -> dict[str, int]:
    """How many records ended in each outcome (every outcome present, zeros included)."""
    counts = {outcome.value: 0 for outcome in Outcome}
    for record in records:
        counts[record.outcome.value] += 1
    return counts
