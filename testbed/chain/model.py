"""The simulated chain behind every surface: blocks, mempool, tx index and account state.

It is plain synchronous state with no clock of its own: ``produce_block`` takes the header time, so a
test can make a hundred blocks in a loop and the runner calls it every ``block_time``. What clients
observe follows CometBFT and the SDK: CheckTx refuses undecodable txs and runs the ante handler
(unknown account, fee, public key, sequence, signature: ``testbed.chain.ledger``), the proposer reaps the
mempool FIFO up to ``max_txs_per_block``, DeliverTx may still fail a tx (sequence, funds, gas) and
the tx is then indexed with its non-zero code, and after each block the mempool is rechecked
against the new state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cosmostx import MSG_SEND_TYPE_URL, tx_hash
from testbed.chain.ledger import AnteMode, Ledger, sequence_log
from testbed.chain.mempool import Mempool, MempoolEntry, MempoolFullError
from testbed.chain.transactions import ParsedTx, TxDecodeError, coins_text, parse_tx
from testbed.config import TestbedConfig
from testbed.faults import FaultBoard, FaultKind, Surface

EMPTY_HASH = hashlib.sha256(b"").digest()
CONSENSUS_HASH = hashlib.sha256(b"consensus params").digest()
SDK_CODESPACE = "sdk"
# What the node says it runs (``/status`` node_info, GetNodeInfo, block headers): CometBFT v0.38's
# version, block protocol and p2p channels, as every surface reports them.
COMETBFT_VERSION = "0.38.21"
BLOCK_PROTOCOL = 11
CHANNELS_HEX = "40202122233038606100"


@dataclass(frozen=True)
class Event:
    """An ABCI event: a type and string key/value attributes (all indexed)."""

    type: str
    attributes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TxResult:
    """An ABCI CheckTx or ExecTx result."""

    code: int = 0
    codespace: str = ""
    log: str = ""
    gas_wanted: int = 0
    gas_used: int = 0
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Block:
    """A committed block with its header fields and the results of its txs."""

    height: int
    time_ns: int
    hash: bytes
    parts_hash: bytes
    last_block_hash: bytes
    last_parts_hash: bytes
    last_commit_time_ns: int
    last_commit_hash: bytes
    data_hash: bytes
    validators_hash: bytes
    consensus_hash: bytes
    app_hash: bytes
    last_results_hash: bytes
    evidence_hash: bytes
    proposer_address: bytes
    txs: tuple[bytes, ...]
    tx_hashes: tuple[str, ...]
    results: tuple[TxResult, ...]

    @property
    def size(self) -> int:
        return 512 + sum(len(tx) + 4 for tx in self.txs)


@dataclass(frozen=True)
class IndexedTx:
    """A tx in a block, as ``/tx`` and GetTx return it."""

    hash: str
    height: int
    index: int
    raw: bytes
    result: TxResult


@dataclass
class ChainStats:
    """Counters since start, for the ``cometbft_mempool_*`` and ``cometbft_consensus_total_txs`` series."""

    total_txs: int = 0
    failed_txs: int = 0
    rejected_txs: int = 0
    evicted_txs: int = 0


@dataclass(frozen=True)
class Validator:
    """The node's own key: a 20-byte address and a 32-byte ed25519 public key."""

    address: bytes
    pub_key: bytes


class ChainModel:
    """One node's view of the chain. ``faults`` supplies the chain faults (stall, mempool full …)."""

    def __init__(self, config: TestbedConfig, faults: FaultBoard) -> None:
        self.config = config
        self.faults = faults
        self.mempool = Mempool(
            config.mempool_max_txs, config.mempool_max_bytes, config.max_tx_bytes, config.cache_size
        )
        self.stats = ChainStats()
        seed = hashlib.sha256(f"{config.chain_id}/{config.moniker}".encode()).digest()
        self.validator = Validator(address=seed[:20], pub_key=hashlib.sha256(seed).digest())
        self.node_id = hashlib.sha256(seed + b"node").hexdigest()[:40]
        self._validators_hash = hashlib.sha256(self.validator.pub_key).digest()
        self._blocks: list[Block] = []  # heights base_height .. height
        self._base = 1
        self._index: dict[str, IndexedTx] = {}
        self.ledger = Ledger(config)

    # -- reading ---------------------------------------------------------------------------------

    @property
    def height(self) -> int:
        return self._base + len(self._blocks) - 1

    @property
    def base_height(self) -> int:
        """The lowest height still stored (1 until blocks are pruned)."""
        return self._base

    @property
    def latest(self) -> Block:
        return self._blocks[-1]

    def block(self, height: int) -> Block:
        """The block at a stored height (``base_height`` ≤ height ≤ ``height``)."""
        if not self._base <= height <= self.height:
            raise IndexError(f"height {height} is not stored")
        return self._blocks[height - self._base]

    def find_tx(self, hash_hex: str) -> IndexedTx | None:
        return self._index.get(hash_hex.upper())

    def txs_at(self, height: int) -> list[IndexedTx]:
        if not self._base <= height <= self.height:
            return []
        return [self._index[hash_hex] for hash_hex in self.block(height).tx_hashes]

    def balance(self, address: str, denom: str | None = None) -> int:
        """The committed balance of ``denom`` (the chain's own by default); 0 for no account."""
        return self.ledger.balance(address, denom or self.config.denom)

    def catching_up(self) -> bool:
        return self.faults.active(Surface.CHAIN, FaultKind.CATCHING_UP) is not None

    def peer_count(self) -> int:
        return 0 if self.faults.active(Surface.CHAIN, FaultKind.ZERO_PEERS) else self.config.peers

    def stalled(self) -> bool:
        return self.faults.active(Surface.CHAIN, FaultKind.BLOCK_STALL) is not None

    # -- CheckTx ---------------------------------------------------------------------------------

    def check_tx(self, raw: bytes) -> TxResult:
        """Submit a tx as ``broadcast_tx_*`` does: raises a ``MempoolError`` when the mempool refuses
        it, else returns the CheckTx result (code 0 means it waits in the mempool for a block)."""
        hash_hex = tx_hash(raw)
        forced_full = self.faults.triggered(Surface.CHAIN, FaultKind.MEMPOOL_FULL) is not None
        try:
            self.mempool.admit(hash_hex, raw, forced_full=forced_full)
        except MempoolFullError:
            self.stats.rejected_txs += 1
            raise
        result, parsed = self._run_check(raw)
        if result.code != 0 or parsed is None:
            self.mempool.forget(hash_hex)
            self.stats.failed_txs += 1
            return result
        if self.faults.triggered(Surface.CHAIN, FaultKind.DROPPED_TXS) is None:
            slow = self.faults.active(Surface.CHAIN, FaultKind.SLOW_INCLUSION)
            delay = slow.delay_blocks if slow is not None else 0
            self.mempool.add(MempoolEntry(hash_hex, raw, parsed, self.height + 1 + delay))
        return result

    def _run_check(self, raw: bytes, mode: AnteMode = AnteMode.CHECK) -> tuple[TxResult, ParsedTx | None]:
        try:
            parsed = parse_tx(raw, self.config.bech32_prefix)
        except TxDecodeError as exc:
            return TxResult(code=exc.code, codespace=SDK_CODESPACE, log=exc.log), None
        # CheckTx runs only the ante handler, so it reports less gas used than delivery does.
        gas = (parsed.gas_limit, min(self.config.gas_per_tx, parsed.gas_limit) // 2)
        rejection = self.faults.triggered(Surface.CHAIN, FaultKind.CHECKTX_REJECT)
        if rejection is not None and rejection.code == 13:
            required = dict(parsed.fee).get(self.config.denom, 0) + 5000
            log = (
                f"insufficient fees; got: {coins_text(parsed.fee)} required: {required}{self.config.denom}: "
                "insufficient fee"
            )
            return TxResult(13, SDK_CODESPACE, log, *gas), parsed
        if rejection is not None:
            expected = self.ledger.check_sequence(parsed.signer)
            got = parsed.sequence if parsed.sequence != expected else expected + 1
            return TxResult(32, SDK_CODESPACE, sequence_log(expected, got), *gas), parsed
        refused = self.ledger.ante(parsed, mode)
        if refused is not None:
            return TxResult(refused.code, SDK_CODESPACE, refused.log, *gas), parsed
        return TxResult(gas_wanted=gas[0], gas_used=gas[1]), parsed

    def simulate(self, raw: bytes) -> TxResult:
        """The ante handler and the messages without touching any state, for the Simulate method."""
        result, parsed = self._run_check(raw, AnteMode.SIMULATE)
        if parsed is None or result.code != 0:
            return result
        gas_used = self.config.gas_per_tx
        refused = self.ledger.execute(parsed, commit=False)
        if refused is not None:
            return TxResult(refused.code, SDK_CODESPACE, refused.log, parsed.gas_limit, gas_used)
        return TxResult(gas_wanted=parsed.gas_limit, gas_used=gas_used, events=self._events(parsed))

    # -- blocks ----------------------------------------------------------------------------------

    def produce_block(self, time_ns: int) -> Block | None:
        """Commit the next block at header time ``time_ns``; None while a block stall is active."""
        if self._blocks and self.stalled():
            return None
        height = self.height + 1
        entries = self.mempool.reap(height, self.config.max_txs_per_block, self.config.max_block_bytes)
        results = tuple(self._deliver_result(entry.parsed) for entry in entries)
        txs = tuple(entry.raw for entry in entries)
        previous = self._blocks[-1] if self._blocks else None
        data_hash = hashlib.sha256(b"".join(hashlib.sha256(tx).digest() for tx in txs)).digest()
        block_hash = hashlib.sha256(
            f"{self.config.chain_id}/{height}/{time_ns}".encode() + data_hash
        ).digest()
        block = Block(
            height=height,
            time_ns=time_ns,
            hash=block_hash,
            parts_hash=hashlib.sha256(block_hash).digest(),
            last_block_hash=previous.hash if previous else b"",
            last_parts_hash=previous.parts_hash if previous else b"",
            last_commit_time_ns=previous.time_ns + 1_000_000 if previous else time_ns,
            last_commit_hash=hashlib.sha256(previous.hash).digest() if previous else b"",
            data_hash=data_hash,
            validators_hash=self._validators_hash,
            consensus_hash=CONSENSUS_HASH,
            app_hash=hashlib.sha256((previous.app_hash if previous else b"") + data_hash).digest(),
            last_results_hash=hashlib.sha256(repr(previous.results if previous else ()).encode()).digest(),
            evidence_hash=EMPTY_HASH,
            proposer_address=self.validator.address,
            txs=txs,
            tx_hashes=tuple(entry.hash for entry in entries),
            results=results,
        )
        self._blocks.append(block)
        for index, (entry, result) in enumerate(zip(entries, results, strict=True)):
            self._index[entry.hash] = IndexedTx(entry.hash, height, index, entry.raw, result)
        self.stats.total_txs += len(txs)
        self._recheck()
        self._prune()
        return block

    def _prune(self) -> None:
        """Drop the oldest blocks and their txs past ``retain_blocks``, a tenth at a time."""
        retain = self.config.retain_blocks
        if not retain or len(self._blocks) <= retain + max(retain // 10, 1):
            return
        drop = len(self._blocks) - retain
        for block in self._blocks[:drop]:
            for hash_hex in block.tx_hashes:
                self._index.pop(hash_hex, None)
        del self._blocks[:drop]
        self._base += drop

    def _deliver_result(self, parsed: ParsedTx) -> TxResult:
        """Deliver one tx: the ante handler (its effects stay even if the message then fails), gas,
        then the message."""
        gas_used = self.config.gas_per_tx
        refused = self.ledger.ante(parsed, AnteMode.DELIVER)
        if refused is not None:
            return TxResult(refused.code, SDK_CODESPACE, refused.log, parsed.gas_limit, 0)
        if parsed.gas_limit < gas_used:
            log = (
                f"out of gas in location: ReadFlat; gasWanted: {parsed.gas_limit}, gasUsed: {gas_used}: "
                "out of gas"
            )
            return TxResult(11, SDK_CODESPACE, log, parsed.gas_limit, gas_used)
        refused = self.ledger.execute(parsed, commit=True)
        if refused is not None:
            return TxResult(refused.code, SDK_CODESPACE, refused.log, parsed.gas_limit, gas_used)
        return TxResult(gas_wanted=parsed.gas_limit, gas_used=gas_used, events=self._events(parsed))

    @staticmethod
    def _events(parsed: ParsedTx) -> tuple[Event, ...]:
        amount = coins_text(parsed.amount)
        return (
            Event("tx", (("fee", coins_text(parsed.fee)), ("fee_payer", parsed.signer))),
            Event("tx", (("acc_seq", f"{parsed.signer}/{parsed.sequence}"),)),
            Event("message", (("action", MSG_SEND_TYPE_URL), ("sender", parsed.signer), ("module", "bank"))),
            Event(
                "transfer", (("recipient", parsed.recipient), ("sender", parsed.signer), ("amount", amount))
            ),
        )

    def _recheck(self) -> None:
        """Re-run the ante handler (without signatures) on every pending tx against the new state, as
        CometBFT's recheck does; txs that no longer pass (sequence, fee) are evicted."""
        self.ledger.reset_check_state()

        def still_valid(entry: MempoolEntry) -> bool:
            return self.ledger.ante(entry.parsed, AnteMode.RECHECK) is None

        evicted = self.mempool.evict(still_valid)
        self.stats.evicted_txs += evicted
