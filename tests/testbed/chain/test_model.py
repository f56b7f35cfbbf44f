"""The chain model without a network: sequences, mempool limits, inclusion, saturation on a manual clock."""

from __future__ import annotations

import numpy as np
import pytest

from cosmostx import tx_hash
from testbed import Fault, FaultBoard, FaultKind, ManualClock, TestbedConfig
from testbed.chain.mempool import MempoolFullError, TxInCacheError, TxTooLargeError
from testbed.chain.model import ChainModel
from tests.testbed.conftest import Sender

SECOND = 1_000_000_000


def make_chain(clock: ManualClock, **settings: object) -> ChainModel:
    config = TestbedConfig.model_validate({"block_time_seconds": 1.0, "accounts": 64, **settings})
    chain = ChainModel(config, FaultBoard(clock.monotonic, np.random.default_rng(1)))
    chain.produce_block(int(clock.time() * SECOND))
    return chain


def tick(chain: ChainModel, clock: ManualClock, seconds: float = 1.0) -> None:
    clock.advance(seconds)
    chain.produce_block(int(clock.time() * SECOND))


def test_sequences_must_follow_in_check_and_commit() -> None:
    clock = ManualClock()
    chain = make_chain(clock)
    sender = Sender(0)
    assert chain.check_tx(sender.next_tx()).code == 0
    assert chain.check_tx(sender.next_tx()).code == 0
    skipped = Sender(0)
    skipped.sequence = 5
    result = chain.check_tx(skipped.next_tx())
    assert result.code == 32 and result.log.startswith("account sequence mismatch, expected 2, got 5")
    tick(chain, clock)
    assert [tx.result.code for tx in chain.txs_at(2)] == [0, 0]
    assert chain.check_tx(sender.next_tx()).code == 0


def test_failed_checktx_leaves_the_cache_so_the_tx_can_be_resent() -> None:
    clock = ManualClock()
    chain = make_chain(clock)
    early = Sender(1)
    early.sequence = 1
    raw = early.next_tx()
    assert chain.check_tx(raw).code == 32
    assert chain.check_tx(Sender(1).next_tx()).code == 0
    assert chain.check_tx(raw).code == 0
    with pytest.raises(TxInCacheError):
        chain.check_tx(raw)


def test_limits_are_checked_in_cometbft_order() -> None:
    clock = ManualClock()
    chain = make_chain(clock, mempool_max_txs=1, max_tx_bytes=1000)
    sender = Sender(2)
    first = sender.next_tx()
    chain.check_tx(first)
    with pytest.raises(TxTooLargeError):
        chain.check_tx(b"x" * 1001)
    with pytest.raises(MempoolFullError):
        chain.check_tx(first)  # full is reported before the cache hit
    assert chain.stats.rejected_txs == 1


def test_blocks_take_at_most_max_txs_in_fifo_order() -> None:
    clock = ManualClock()
    chain = make_chain(clock, max_txs_per_block=3)
    raws = [Sender(10 + i).next_tx() for i in range(5)]
    for raw in raws:
        chain.check_tx(raw)
    tick(chain, clock)
    assert chain.latest.txs == tuple(raws[:3])
    tick(chain, clock)
    assert chain.latest.txs == tuple(raws[3:])
    assert chain.find_tx(tx_hash(raws[4])).height == 3  # type: ignore[union-attr]


def test_a_lost_tx_makes_later_ones_fail_after_recheck() -> None:
    clock = ManualClock()
    chain = make_chain(clock)
    chain.faults.add(Fault(kind=FaultKind.DROPPED_TXS), installed_at=0.0)
    sender = Sender(3)
    lost = sender.next_tx()
    assert chain.check_tx(lost).code == 0
    chain.faults.clear()
    follower = sender.next_tx()
    assert chain.check_tx(follower).code == 0
    tick(chain, clock)
    assert chain.find_tx(tx_hash(lost)) is None and chain.find_tx(tx_hash(follower)) is not None
    assert chain.find_tx(tx_hash(follower)).result.code == 32  # type: ignore[union-attr]


def test_delivery_checks_gas_and_funds() -> None:
    clock = ManualClock()
    chain = make_chain(clock, initial_balance=10_000)
    poor = Sender(4)
    chain.check_tx(poor.next_tx(amount=6000, fee=5000))
    thirsty = Sender(5)
    chain.check_tx(thirsty.next_tx(gas_limit=1000))
    tick(chain, clock)
    codes = [tx.result.code for tx in chain.txs_at(2)]
    assert codes == [5, 11]
    assert chain.txs_at(2)[0].result.log == (
        "failed to execute message; message index: 0: spendable balance 5000uakt is smaller than "
        "6000uakt: insufficient funds"
    )
    # As in the SDK, the ante handler's effects outlive a failed message: the fee is paid, the
    # sequence used, and nothing was sent.
    assert chain.balance(poor.address) == 5000 and chain.balance(thirsty.address) == 5000
    assert chain.ledger.check_sequence(poor.address) == 1
    assert chain.check_tx(poor.next_tx(amount=1, fee=5000)).code == 0


def test_saturation_on_a_manual_clock() -> None:
    """200 tx/s offered to a chain that includes 100 tx/s: ~100/s land, the rest hear "mempool is full"."""
    clock = ManualClock()
    chain = make_chain(clock, max_txs_per_block=100, mempool_max_txs=200)
    senders = [Sender(10 + i) for i in range(50)]
    accepted = full = 0
    for second in range(20):
        for i in range(200):
            sender = senders[i % len(senders)]
            try:
                result = chain.check_tx(sender.next_tx())
            except MempoolFullError:
                sender.sequence -= 1
                full += 1
                continue
            assert result.code == 0, (second, result.log)
            accepted += 1
        tick(chain, clock)
    included = [len(chain.block(h).txs) for h in range(2, chain.height + 1)]
    assert included == [100] * 20
    assert all(tx.result.code == 0 for h in range(2, chain.height + 1) for tx in chain.txs_at(h))
    assert accepted == 200 + 19 * 100  # a full mempool at first, then the 100 slots each block frees
    assert full == 20 * 200 - accepted and len(chain.mempool) == 100


def test_old_blocks_and_their_txs_are_pruned() -> None:
    clock = ManualClock()
    chain = make_chain(clock, retain_blocks=10)
    first = Sender(6).next_tx()
    chain.check_tx(first)
    for _ in range(30):
        tick(chain, clock)
    assert chain.height == 31 and 21 <= chain.base_height <= 22
    assert chain.find_tx(tx_hash(first)) is None and chain.txs_at(2) == []
    assert chain.block(chain.base_height).height == chain.base_height
    with pytest.raises(IndexError):
        chain.block(chain.base_height - 1)
