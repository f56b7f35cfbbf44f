"""The summary from raw records: percentiles, achieved TPS from block times, the knee, verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from loadtest.ledger import BlockRecord, Outcome, QueryRecord, TxRecord
from loadtest.plan import LoadPlan
from loadtest.summary import RunRecords, achieved_tps, merge_blocks, percentiles, summarize
from slo.catalogs.catalog_file import load_catalog

START = 1_000_000.0


def test_percentiles_interpolate_linearly_between_ranks() -> None:
    # Hand-worked for 1..10: rank = p/100 × (n − 1); P50 = 5.5, P95 = 9 + 0.55, P99 = 9 + 0.91.
    assert percentiles([float(v) for v in range(10, 0, -1)]) == {"p50": 5.5, "p95": 9.55, "p99": 9.91}
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None}


def test_achieved_tps_ignores_where_block_boundaries_fall() -> None:
    # Blocks at 0.5, 1.5, … 9.5 s each with 20 txs: 9 blocks' txs over 9 s, whatever the window edges.
    blocks = [BlockRecord(h, START + h + 0.5, START + h + 0.6, 20) for h in range(10)]
    assert achieved_tps(blocks, START, START + 10) == pytest.approx(20.0)
    assert achieved_tps(blocks, START + 2.2, START + 7.9) == pytest.approx(20.0)
    assert achieved_tps([], START, START + 10) == 0.0


def test_blocks_merge_across_processes() -> None:
    a = [BlockRecord(5, START, START + 0.3, 4), BlockRecord(6, START + 1, START + 1.2, 0)]
    b = [BlockRecord(5, START, START + 0.1, 6)]
    assert merge_blocks(a + b) == [
        BlockRecord(5, START, START + 0.1, 10),
        BlockRecord(6, START + 1, START + 1.2, 0),
    ]


def _tx(i: int, step: int, intended: float, outcome: Outcome, latency: float | None = None) -> TxRecord:
    reason = "mempool_full" if outcome is Outcome.REJECTED else ""
    return TxRecord(
        f"{i:064X}", "acct", step, START + intended, START + intended, outcome, reason=reason, latency=latency
    )


def _stepped_run() -> tuple[LoadPlan, RunRecords]:
    """Steps of 10 s at 10, 20 and 40 tx/s against a chain that includes at most 20 tx/s."""
    plan = LoadPlan.stepped("rpc", (10.0, 20.0, 40.0), 10.0, 30.0)
    txs: list[TxRecord] = []
    blocks: list[BlockRecord] = []
    i = 0
    for step, rate in enumerate((10, 20, 40)):
        for k in range(rate * 10):
            t = step * 10 + k / rate
            if rate > 20 and k % 2:
                txs.append(_tx(i, step, t, Outcome.REJECTED))  # half refused: the mempool is full
            else:
                txs.append(_tx(i, step, t, Outcome.CONFIRMED, latency=1.0 + (k % 10) / 10))
            i += 1
        for second in range(10):
            h = step * 10 + second
            blocks.append(BlockRecord(h, START + h + 1.0, START + h + 1.1, min(rate, 20)))
    return plan, RunRecords(START, tuple(txs), (QueryRecord("status", START, 0.01, True),), tuple(blocks))


def test_knee_is_the_highest_step_that_held_and_met_its_slos() -> None:
    plan, records = _stepped_run()
    summary = summarize(plan, records, load_catalog())
    steps = summary["steps"]
    assert [s["achieved_tps"] for s in steps] == pytest.approx([10.0, 20.0, 20.0])
    assert [s["passed"] for s in steps] == [True, True, False]
    assert summary["knee"] == {"step": 1, "offered_tps": 20.0, "achieved_tps": 20.0}
    assert steps[2]["rejections"] == {"mempool_full": 200}
    assert steps[2]["error_ratio"] == 0.5
    verdicts = {v["slo"]: v["verdict"] for v in summary["verdicts"]}
    assert verdicts == {
        "SLO-NODE-005": "pass",
        "SLO-NODE-003": "fail",
        "SLO-NODE-008": "not_measured",
        "SLO-NODE-006": "pass",
    }
    assert summary["accounted"] and summary["sent"] == 100 + 200 + 400
    assert not summary["passed"]


def test_confirmation_percentiles_are_numpys_over_the_raw_latencies() -> None:
    plan, records = _stepped_run()
    summary = summarize(plan, records, load_catalog())
    raw = [tx.latency for tx in records.txs if tx.latency is not None]
    expected = np.percentile(raw, [50, 95, 99])
    got = summary["confirmation_seconds"]
    assert [got["p50"], got["p95"], got["p99"]] == pytest.approx(list(expected))


def test_a_timeout_counts_against_the_latency_slo() -> None:
    plan = LoadPlan.constant("rest", 1.0, 10.0, 5.0)
    txs = (*tuple(_tx(i, 0, i, Outcome.CONFIRMED, 1.0) for i in range(9)), _tx(9, 0, 9, Outcome.TIMED_OUT))
    summary = summarize(plan, RunRecords(START, txs, (), ()), load_catalog())
    node_005 = next(v for v in summary["verdicts"] if v["slo"] == "SLO-NODE-005")
    assert (node_005["good"], node_005["total"], node_005["verdict"]) == (9, 10, "fail")
    assert {v["slo"] for v in summary["verdicts"]} >= {"SLO-API-001", "SLO-API-003"}
