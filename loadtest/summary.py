"""A run's ``summary.json``: per-step offered and achieved TPS, outcomes, percentiles, knee, verdicts.

Everything here is computed from the raw records of every process (merged by the master), never from
Locust's bucketed stats: percentiles are NumPy's (linear interpolation) over the raw latencies.
Verdicts come from ``slo.budgets.verdict`` with the catalogue's objectives, so the pass/fail arithmetic
exists once. The SLOs a run touches:

``SLO-NODE-005``  confirmation latency of every tx accepted at broadcast (a timeout counts as bad);
``SLO-NODE-003``  txs confirmed / txs sent (rejections, transport errors and timeouts are bad);
``SLO-NODE-008``  throughput: an offered rate at or above the minimum was held (achieved ≥ 95 %);
``SLO-NODE-006``  query latency (a failed query counts as bad), and over REST / gRPC also
``SLO-API-004``   query latency and ``SLO-API-001`` / ``SLO-API-003`` availability and latency of
                  every API request (broadcasts and queries).

Achieved TPS of a step is what the chain included: this run's txs in the blocks whose header time
falls in the settled part of the step, over the span of those blocks' times (SLI-NODE-009's formula).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from loadtest.ledger import BlockRecord, Outcome, QueryRecord, TxRecord, outcome_counts
from loadtest.plan import LoadPlan, Step
from slo.budgets.verdict import Judgement, Verdict, judge_events, judge_latencies, judge_throughput, rate_held
from slo.catalogs.catalog import Catalog, LatencyObjective, RatioObjective, ThroughputObjective
from slo.foundation.json_numbers import json_number

PERCENTILES = (50.0, 95.0, 99.0)
TX_SLOS = ("SLO-NODE-003", "SLO-NODE-005", "SLO-NODE-008")
QUERY_SLOS = ("SLO-NODE-006",)
API_SLOS = ("SLO-API-001", "SLO-API-003", "SLO-API-004")


@dataclass(frozen=True)
class RunRecords:
    """Everything a run measured, from every process, with the run's start (epoch seconds)."""

    start: float
    txs: tuple[TxRecord, ...]
    queries: tuple[QueryRecord, ...]
    blocks: tuple[BlockRecord, ...]
    unsent: int = 0


def merge_blocks(blocks: Iterable[BlockRecord]) -> list[BlockRecord]:
    """One record per height: the processes' own-tx counts summed, the earliest sighting kept."""
    merged: dict[int, BlockRecord] = {}
    for block in blocks:
        known = merged.get(block.height)
        if known is None:
            merged[block.height] = block
        else:
            merged[block.height] = BlockRecord(
                block.height, known.time, min(known.seen, block.seen), known.ours + block.ours
            )
    return [merged[h] for h in sorted(merged)]


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """P50 / P95 / P99 of raw samples (NumPy, linear interpolation); null without samples."""
    if not values:
        return {f"p{p:g}": None for p in PERCENTILES}
    found = np.percentile(np.asarray(values, dtype=np.float64), PERCENTILES)
    return {f"p{p:g}": json_number(float(v)) for p, v in zip(PERCENTILES, found, strict=True)}


def achieved_tps(blocks: Sequence[BlockRecord], start: float, end: float) -> float | None:
    """This run's txs per second in the blocks with header time in ``[start, end)``.

    Σ txs of every block but the first over (time of the last − time of the first), so the rate does
    not depend on where block boundaries fall; with fewer than two blocks, txs over the window.
    """
    inside = [b for b in blocks if start <= b.time < end]
    if len(inside) >= 2 and inside[-1].time > inside[0].time:
        return sum(b.ours for b in inside[1:]) / (inside[-1].time - inside[0].time)
    if end <= start:
        return None
    return sum(b.ours for b in inside) / (end - start)


def _latencies_with_timeouts(txs: Iterable[TxRecord]) -> list[float]:
    """Confirmation latencies of accepted txs; a timed-out tx is an infinitely slow one."""
    out = []
    for tx in txs:
        if tx.outcome is Outcome.CONFIRMED and tx.latency is not None:
            out.append(tx.latency)
        elif tx.outcome is Outcome.TIMED_OUT:
            out.append(math.inf)
    return out


def _judgement(slo_id: str, judgement: Judgement) -> dict[str, Any]:
    return {
        "slo": slo_id,
        "verdict": judgement.verdict.value,
        "good": json_number(judgement.good),
        "total": json_number(judgement.total),
        "budget_consumed": json_number(judgement.consumed),
    }


def _latency(catalog: Catalog, slo_id: str, values: Sequence[float]) -> dict[str, Any]:
    objective = catalog.slo(slo_id).objective
    assert isinstance(objective, LatencyObjective)
    judgement = judge_latencies(values, objective.threshold_seconds, objective.percentile)
    return {**_judgement(slo_id, judgement), "threshold_seconds": objective.threshold_seconds}


def _ratio(catalog: Catalog, slo_id: str, good: int, total: int) -> dict[str, Any]:
    objective = catalog.slo(slo_id).objective
    assert isinstance(objective, RatioObjective)
    return {**_judgement(slo_id, judge_events(good, total, objective.target)), "target": objective.target}


def _step_summary(
    plan: LoadPlan, step: Step, records: RunRecords, txs: list[TxRecord], catalog: Catalog
) -> dict[str, Any]:
    settled = step.start + step.settle_seconds
    achieved = achieved_tps(records.blocks, records.start + settled, records.start + step.end)
    offered = plan.offered(step)
    lags = [tx.sent - tx.intended for tx in txs]
    counts = outcome_counts(txs)
    latencies = _latencies_with_timeouts(txs)
    errors = len(txs) - counts[Outcome.CONFIRMED.value]
    node_005 = _latency(catalog, "SLO-NODE-005", latencies)
    node_003 = _ratio(catalog, "SLO-NODE-003", counts[Outcome.CONFIRMED.value], len(txs))
    held = achieved is not None and rate_held(step.tps, achieved)
    passed = held and node_005["verdict"] == "pass" and node_003["verdict"] == "pass"
    send_rate = len(txs) / step.seconds
    return {
        "step": step.index,
        "start_seconds": step.start,
        "end_seconds": step.end,
        "offered_tps": step.tps,
        "offered": round(offered),
        "sent": len(txs),
        "send_tps": json_number(send_rate),
        "send_held": rate_held(step.tps, send_rate),
        "send_shortfall_tps": json_number(max(step.tps - send_rate, 0.0)),
        "send_lag_seconds": percentiles(lags),
        "achieved_tps": json_number(achieved),
        "achieved_held": held,
        "outcomes": counts,
        "rejections": dict(
            sorted(Counter(tx.reason for tx in txs if tx.outcome is Outcome.REJECTED).items())
        ),
        "error_ratio": json_number(errors / len(txs)) if txs else None,
        "confirmation_seconds": percentiles([x for x in latencies if math.isfinite(x)]),
        "verdicts": [node_005, node_003],
        "passed": passed,
    }


def knee(steps: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The highest step that held its offered rate and met its confirmation and error SLOs."""
    passing = [s for s in steps if s["passed"]]
    if not passing:
        return None
    best = max(passing, key=lambda s: s["offered_tps"])
    return {"step": best["step"], "offered_tps": best["offered_tps"], "achieved_tps": best["achieved_tps"]}


def summarize(plan: LoadPlan, records: RunRecords, catalog: Catalog) -> dict[str, Any]:
    """The whole ``summary.json`` document; ``passed`` is false when any measured SLO failed."""
    by_step: dict[int, list[TxRecord]] = {step.index: [] for step in plan.steps}
    for tx in records.txs:
        by_step.setdefault(tx.step, []).append(tx)
    steps = [_step_summary(plan, step, records, by_step[step.index], catalog) for step in plan.steps]
    counts = outcome_counts(records.txs)
    latencies = _latencies_with_timeouts(records.txs)
    throughput = catalog.slo("SLO-NODE-008").objective
    assert isinstance(throughput, ThroughputObjective)
    pairs = [(s["offered_tps"], s["achieved_tps"] or 0.0) for s in steps]
    verdicts = [
        _latency(catalog, "SLO-NODE-005", latencies),
        _ratio(catalog, "SLO-NODE-003", counts[Outcome.CONFIRMED.value], len(records.txs)),
        {
            **_judgement("SLO-NODE-008", judge_throughput(pairs, throughput.minimum)),
            "minimum": throughput.minimum,
        },
    ]
    query_latencies = [q.latency if q.ok else math.inf for q in records.queries]
    if records.queries:
        verdicts.append(_latency(catalog, "SLO-NODE-006", query_latencies))
    if plan.api != "rpc":
        requests_ok = sum(tx.outcome is not Outcome.TRANSPORT_ERROR for tx in records.txs)
        requests_ok += sum(q.ok for q in records.queries)
        request_latencies = [
            tx.rtt if tx.outcome is not Outcome.TRANSPORT_ERROR else math.inf for tx in records.txs
        ]
        verdicts.append(_ratio(catalog, "SLO-API-001", requests_ok, len(records.txs) + len(records.queries)))
        verdicts.append(_latency(catalog, "SLO-API-003", request_latencies + query_latencies))
        if records.queries:
            verdicts.append(_latency(catalog, "SLO-API-004", query_latencies))
    by_name: dict[str, list[float]] = {}
    for q in records.queries:
        if q.ok:
            by_name.setdefault(q.name, []).append(q.latency)
    sent = len(records.txs)
    confirmed = counts[Outcome.CONFIRMED.value]
    return {
        "api": plan.api,
        "start": json_number(records.start, 3),
        "send_seconds": plan.send_seconds,
        "confirm_timeout_seconds": plan.confirm_timeout_seconds,
        "sent": sent,
        "unsent": records.unsent,
        "outcomes": counts,
        "accounted": sum(counts.values()) == sent,
        "rejections": dict(
            sorted(Counter(tx.reason for tx in records.txs if tx.outcome is Outcome.REJECTED).items())
        ),
        "achieved_tps": json_number(confirmed / plan.send_seconds),
        "confirmation_seconds": percentiles([x for x in latencies if math.isfinite(x)]),
        "broadcast_seconds": percentiles(
            [tx.rtt for tx in records.txs if tx.outcome is not Outcome.TRANSPORT_ERROR]
        ),
        "queries": {
            "count": len(records.queries),
            "failed": sum(not q.ok for q in records.queries),
            "seconds": percentiles([q.latency for q in records.queries if q.ok]),
            "by_name": {name: percentiles(values) for name, values in sorted(by_name.items())},
        },
        "blocks": len(records.blocks),
        "steps": steps,
        "knee": knee(steps),
        "verdicts": verdicts,
        "passed": all(v["verdict"] != Verdict.FAIL.value for v in verdicts),
    }
