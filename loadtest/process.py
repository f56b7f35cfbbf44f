"""One Locust process's share of a run: its accounts, send schedule, ledger and block watcher.

Every process that runs users (a local run, or each worker) has one ``ProcessRun``, made at
``test_start``: it owns ``1 / workers`` of the accounts, offers the same share of the rate, and runs
one block watcher, which follows new blocks, hashes their txs, confirms this process's pending txs
and fires each confirmation into Locust as request type ``confirm`` (a timed-out tx as a failed one),
so they show in Locust's stats, CSV and UI. Nothing here polls per tx.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any

import gevent

from chainpb.cosmos.auth.v1beta1 import query_pb2 as auth_pb2
from chainpb.cosmos.bank.v1beta1 import query_pb2 as bank_pb2
from cosmostx import Fee, tx_hash
from loadtest.accounts import AccountKey, Sender, TxTemplate
from loadtest.ledger import BlockRecord, Ledger, Outcome, QueryRecord, TxRecord
from loadtest.node_api import NodeApi, NodeError
from loadtest.options import LoadSettings
from loadtest.plan import SendSchedule

log = logging.getLogger(__name__)
# Users wait this long after test_start before the first slot, so every sender has read its account.
LEAD_SECONDS = 1.0


class ConfirmationTimeoutError(Exception):
    """A tx accepted at broadcast was not in a block within the confirmation timeout."""


class ProcessRun:
    """The state a process's users share. ``environment`` is Locust's, for firing ``confirm`` events."""

    def __init__(
        self,
        settings: LoadSettings,
        environment: Any,
        node: NodeApi,
        accounts: list[AccountKey],
        share: float,
        query_address: str,
    ) -> None:
        self.settings = settings
        self.environment = environment
        self.node = node
        self.ledger = Ledger()
        self._free = deque(accounts)
        self.queries: list[QueryRecord] = []
        self.blocks: list[BlockRecord] = []
        self.recent: deque[str] = deque(maxlen=64)
        self.in_flight = 0
        self.query_address = query_address
        self.chain_id = node.chain_id()
        self.template = TxTemplate(
            chain_id=self.chain_id,
            denom=settings.denom,
            fee=Fee(settings.fee, settings.denom, settings.gas),
        )
        self._memo = 0
        # The schedule starts once this process is ready, so its first slots are not already late.
        self.start = time.time() + LEAD_SECONDS
        self.schedule = SendSchedule(settings.plan, self.start, share)
        self._watcher = gevent.spawn(self._watch)

    # -- senders ---------------------------------------------------------------------------------

    def open_sender(self) -> Sender | None:
        """Take a free account and read its number and sequence; None when none is left or it fails."""
        if not self._free:
            log.error("no sender account left for this user: start as many users as accounts")
            return None
        account = self._free.popleft()
        try:
            info = self.node.account(account.address)
        except (NodeError, ValueError, KeyError) as exc:
            log.error("cannot read account %s: %s", account.address, exc)
            return None
        return Sender(account, info.account_number, info.sequence)

    def resync(self, sender: Sender, expected: int | None) -> None:
        """After a sequence mismatch: the sequence the node named, else the one it reports now."""
        if expected is not None:
            sender.sequence = expected
            return
        try:
            sender.sequence = self.node.account(sender.account.address).sequence
        except (NodeError, ValueError, KeyError) as exc:
            log.warning("cannot re-read account %s: %s", sender.account.address, exc)

    def next_tx(self, sender: Sender) -> tuple[bytes, str]:
        """The signed tx for the sender's sequence and its hash; the memo (run start, counter) makes
        every tx distinct, even one re-signed for a sequence a refused tx had."""
        self._memo += 1
        raw = sender.sign_next(self.template, memo=f"slo-harness {self.start:.3f}/{self._memo}")
        return raw, tx_hash(raw)

    def abci_query(self, name: str) -> tuple[str, str]:
        """The ``abci_query`` path (quoted) and hex data of an account or balance query over RPC."""

        if name == "account":
            request = auth_pb2.QueryAccountRequest(address=self.query_address)
            return '"/cosmos.auth.v1beta1.Query/Account"', request.SerializeToString().hex()
        balance = bank_pb2.QueryBalanceRequest(address=self.query_address, denom=self.settings.denom)
        return '"/cosmos.bank.v1beta1.Query/Balance"', balance.SerializeToString().hex()

    @property
    def settled(self) -> bool:
        """Nothing left to send and nothing pending: every tx of this process has its outcome."""
        done = self.schedule.exhausted(time.time())
        return done and self.in_flight == 0 and self.ledger.pending == 0

    # -- watcher ---------------------------------------------------------------------------------

    def _fire_confirm(self, record: TxRecord) -> None:
        seconds = record.latency if record.latency is not None else self.settings.plan.confirm_timeout_seconds
        self.environment.events.request.fire(
            request_type="confirm",
            name=self.settings.plan.api,
            response_time=seconds * 1000.0,
            response_length=0,
            exception=None if record.outcome is Outcome.CONFIRMED else ConfirmationTimeoutError(record.hash),
            context={},
        )

    def _watch(self) -> None:
        height: int | None = None
        poll = self.settings.poll_seconds
        while True:
            try:
                latest = self.node.latest_height()
                if height is None:
                    height = latest
                while height < latest:
                    block = self.node.block(height + 1)
                    seen = time.time()
                    ours = 0
                    for raw in block.txs:
                        record = self.ledger.confirm(tx_hash(raw), block.height, seen)
                        if record is not None:
                            ours += 1
                            self.recent.append(record.hash)
                            self._fire_confirm(record)
                    self.blocks.append(BlockRecord(block.height, block.time, seen, ours))
                    height += 1
            except (NodeError, KeyError, ValueError, TypeError) as exc:
                log.debug("block watcher: %s", exc)  # the node is down or slow; try again next poll
            for record in self.ledger.expire(time.time(), self.settings.plan.confirm_timeout_seconds):
                self._fire_confirm(record)
            gevent.sleep(poll)

    def stop(self) -> None:
        self._watcher.kill(block=False)

    # -- reports ---------------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """What this process tells the master since its last report (raw rows, JSON-able)."""
        queries, self.queries = self.queries, []
        blocks, self.blocks = self.blocks, []
        return {
            "txs": [r.to_row() for r in self.ledger.collect()],
            "queries": [q.to_row() for q in queries],
            "blocks": [b.to_row() for b in blocks],
            "start": self.start,
            "unsent": self.schedule.unsent(time.time()),
            "settled": self.settled,
        }
