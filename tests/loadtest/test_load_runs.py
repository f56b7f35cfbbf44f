"""``slo-harness load`` against a live testbed: counts against the chain, nothing lost under faults,
percentiles from the raw samples, distributed sums, and the knee of a step ramp.

Short runs at small rates (the 60 s / 50 TPS runs are in the README); each test starts Locust in
child processes exactly as a user would, with signature verification on in the testbed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from testbed import Fault, FaultKind, Surface, TestbedConfig
from tests.loadtest.conftest import LoadRun, ThreadedTestbed, finish_load, start_load

pytestmark = [pytest.mark.integration, pytest.mark.slow]

Start = Callable[[TestbedConfig], ThreadedTestbed]
BASE = TestbedConfig(block_time_seconds=1.0, max_txs_per_block=100, accounts=4, request_timeout_seconds=5.0)


def _check_accounting(run: LoadRun) -> list[dict[str, str]]:
    """Every tx sent ends in exactly one outcome, in summary.json and in txs.csv alike."""
    summary = run.summary
    rows = run.rows("txs.csv")
    assert summary["accounted"]
    assert sum(summary["outcomes"].values()) == summary["sent"] == len(rows)
    assert Counter(r["outcome"] for r in rows) == {k: v for k, v in summary["outcomes"].items() if v}
    assert len({r["hash"] for r in rows}) == len(rows)
    return rows


def _check_chain(run: LoadRun, node: ThreadedTestbed) -> None:
    """Every tx the run confirmed is on the chain at the height it recorded; every tx on the chain is
    one of the run's, confirmed (or, racing a dropped connection, recorded as a transport error)."""
    rows = run.rows("txs.csv")
    on_chain = node.chain_txs()
    confirmed = {r["hash"]: int(r["height"]) for r in rows if r["outcome"] == "confirmed"}
    assert {h: on_chain.get(h) for h in confirmed} == confirmed
    unknown = set(on_chain) - set(confirmed)
    assert unknown <= {r["hash"] for r in rows if r["outcome"] == "transport_error"}
    assert len(confirmed) >= len(on_chain) - len(unknown)


def _check_percentiles(run: LoadRun) -> None:
    """The summary's percentiles are NumPy's over the raw latencies of txs.csv."""
    latencies = [float(r["latency"]) for r in run.rows("txs.csv") if r["outcome"] == "confirmed"]
    got = run.summary["confirmation_seconds"]
    expected = np.percentile(latencies, [50, 95, 99])
    assert [got["p50"], got["p95"], got["p99"]] == pytest.approx(list(expected), abs=1e-6)


def _locust_confirm_count(run: LoadRun) -> int:
    """How many ``confirm`` events Locust's own stats CSV holds."""
    rows = run.rows("locust_stats.csv")
    return sum(int(r["Request Count"]) for r in rows if r["Type"] == "confirm")


def test_rpc_run_through_faults_loses_nothing(start: Start, tmp_path: Path) -> None:
    node = start(BASE)
    process = start_load(
        [
            "--target", node.tb.rpc_url, "--tps", "20", "--duration", "12s", "--accounts", "4",
            "--confirm-timeout", "10s", "--query-rps", "2",
        ],
        tmp_path,
    )  # fmt: skip
    node.wait_for_txs()
    # Two seconds in: RPC refuses connections for 2 s, then txs wait 3 extra blocks for 4 s.
    node.add_fault(Fault(kind=FaultKind.DOWN, surface=Surface.RPC, start_after_seconds=2, duration_seconds=2))
    slow = Fault(kind=FaultKind.SLOW_INCLUSION, delay_blocks=3, start_after_seconds=5, duration_seconds=4)
    node.add_fault(slow)
    run = finish_load(process, tmp_path)
    rows = _check_accounting(run)
    _check_chain(run, node)
    _check_percentiles(run)
    summary = run.summary
    assert summary["outcomes"]["transport_error"] > 0, "the RPC outage shows as transport errors"
    assert summary["confirmation_seconds"]["p99"] > 3.0, "three extra blocks show in the tail"
    assert {r["reason"] for r in rows if r["outcome"] == "transport_error"} == {"transport"}
    assert _locust_confirm_count(run) == summary["outcomes"]["confirmed"] + summary["outcomes"]["timed_out"]
    verdicts = {v["slo"]: v["verdict"] for v in summary["verdicts"]}
    assert verdicts["SLO-NODE-003"] == "fail"  # the refused broadcasts exceed 0.1 %
    assert run.returncode == 1
    for name in ("tps.png", "confirmation.png", "knee.png", "locust.html", "queries.csv", "blocks.csv"):
        assert (run.directory / name).stat().st_size > 0, name


def test_master_and_two_workers_add_up(start: Start, tmp_path: Path) -> None:
    node = start(BASE)
    args = ["--target", node.tb.grpc_target, "--api", "grpc", "--tps", "20", "--duration", "8s"]
    args += ["--accounts", "4", "--workers", "2", "--query-rps", "0"]
    run = finish_load(start_load(args, tmp_path), tmp_path)
    rows = _check_accounting(run)
    _check_chain(run, node)
    _check_percentiles(run)
    summary = run.summary
    # 160 offered; each worker rounds its share up to whole slots.
    assert 160 <= summary["sent"] <= 162
    assert summary["outcomes"]["confirmed"] == summary["sent"]
    # Every account sent, and none was shared: a shared account would show sequence mismatches.
    assert len({r["account"] for r in rows}) == 4
    assert summary["rejections"] == {}
    assert _locust_confirm_count(run) == summary["sent"]


def test_steps_find_the_knee(start: Start, tmp_path: Path) -> None:
    config = BASE.model_copy(update={"max_txs_per_block": 20, "mempool_max_txs": 40})
    node = start(config)
    args = ["--target", node.tb.rest_url, "--api", "rest", "--shape", "steps", "--steps", "5,10,40"]
    args += ["--step-duration", "7s", "--accounts", "4", "--confirm-timeout", "10s", "--query-rps", "0"]
    run = finish_load(start_load(args, tmp_path), tmp_path)
    _check_accounting(run)
    _check_chain(run, node)
    summary = run.summary
    low, mid, high = summary["steps"]
    assert low["passed"] and mid["passed"] and not high["passed"]
    assert summary["knee"]["offered_tps"] == 10.0
    assert high["rejections"].get("mempool_full", 0) > 0
    assert high["achieved_tps"] == pytest.approx(20.0, rel=0.1)  # flat at the chain's ceiling
    assert math.isclose(mid["achieved_tps"], 10.0, rel_tol=0.05)
    assert run.returncode == 1
    assert (run.directory / "knee.png").stat().st_size > 0


@pytest.fixture
def start(threaded_testbed: Start) -> Start:
    return threaded_testbed
