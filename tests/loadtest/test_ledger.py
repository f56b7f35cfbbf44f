"""Nothing is lost: every tx sent ends in exactly one outcome, whatever order things happen in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from loadtest.ledger import Ledger, Outcome, expected_sequence, outcome_counts, rejection_reason

# One tx's fate: refused at broadcast (rejected or transport), or accepted and then confirmed at some
# delay (None: never seen), with a sighting after a timeout possible too.
fates = st.one_of(
    st.tuples(st.just("refused"), st.sampled_from([Outcome.REJECTED, Outcome.TRANSPORT_ERROR])),
    st.tuples(st.just("accepted"), st.one_of(st.none(), st.floats(min_value=0.0, max_value=20.0))),
)


@given(st.lists(fates, max_size=60), st.floats(min_value=1.0, max_value=15.0))
def test_every_tx_ends_in_exactly_one_outcome(plan: list[tuple[str, object]], timeout: float) -> None:
    ledger = Ledger()
    sightings: list[tuple[float, str]] = []
    for i, (kind, detail) in enumerate(plan):
        tx = f"{i:064X}"
        if kind == "refused":
            assert isinstance(detail, Outcome)
            ledger.refused(tx, "acct", 0, float(i), float(i), 0.01, detail, 20, "mempool is full: …")
        else:
            ledger.accepted(tx, "acct", 0, float(i), float(i), 0.01)
            if isinstance(detail, float):
                sightings.append((float(i) + detail, tx))
    now = 0.0
    for seen, tx in sorted(sightings):
        ledger.expire(seen, timeout)
        ledger.confirm(tx, 7, seen)
        now = seen
    records = ledger.collect()  # what the master gets in one report …
    ledger.expire(now + len(plan) + timeout + 1, timeout)
    records += ledger.collect()  # … and in the next
    hashes = [r.hash for r in records]
    assert len(hashes) == len(set(hashes)) == len(plan) == ledger.sent
    assert ledger.pending == 0
    counts = outcome_counts(records)
    assert sum(counts.values()) == len(plan)
    for r in records:
        if r.outcome is Outcome.CONFIRMED:
            assert r.latency is not None and 0.0 <= r.latency <= timeout


def test_a_sighting_after_the_timeout_changes_nothing() -> None:
    ledger = Ledger()
    ledger.accepted("AA", "acct", 0, 0.0, 0.0, 0.01)
    [late] = ledger.expire(11.0, 10.0)
    assert late.outcome is Outcome.TIMED_OUT
    assert ledger.confirm("AA", 9, 12.0) is None


def test_latency_counts_from_the_intended_time_not_the_send() -> None:
    ledger = Ledger()
    ledger.accepted("AA", "acct", 0, intended=10.0, sent=12.5, rtt=0.2)
    record = ledger.confirm("AA", 3, 14.0)
    assert record is not None and record.latency == 4.0


def test_rejection_reasons() -> None:
    full = "mempool is full: number of txs 5000 (max: 5000), total txs bytes 1 (max: 2)"
    assert rejection_reason(-32603, full) == "mempool_full"
    assert rejection_reason(20, "") == "mempool_full"
    seq = "account sequence mismatch, expected 7, got 5: incorrect account sequence"
    assert rejection_reason(32, seq) == "sequence_mismatch"
    assert expected_sequence(seq) == 7
    assert expected_sequence("unauthorized") is None
    assert rejection_reason(5, "spendable balance 0uakt is smaller than 5001uakt: insufficient funds") == (
        "insufficient_funds"
    )
    assert rejection_reason(99, "odd") == "code_99"
