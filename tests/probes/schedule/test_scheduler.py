"""The scheduler with stand-in probers: pacing, jitter, concurrency bound, skipping, metrics, storage."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from pathlib import Path

from prometheus_client import CollectorRegistry

from probes.config import Module, ProberConfig
from probes.result import FailureReason, ProbeResult
from probes.schedule.scheduler import (
    Outcome,
    ProbeRunner,
    Schedule,
    Scheduler,
    SchedulerMetrics,
    latency_buckets,
    schedules,
)
from probes.schedule.store import ResultStore
from slo.catalogs.catalog_file import load_catalog

HTTP = Module(prober="http")


def sleeper(seconds: float, fail: bool = False, observations: tuple[float, ...] | None = None) -> ProbeRunner:
    """A stand-in probe that takes ``seconds`` and reports ``observations``."""

    async def run_one(schedule: Schedule) -> Outcome:
        await asyncio.sleep(seconds)
        failure = FailureReason.BLOCK_AGE if fail else None
        return ProbeResult(not fail, seconds, failure), None if fail else observations

    return run_one


async def run_for(
    seconds: float,
    plan: list[Schedule],
    run_one: ProbeRunner,
    *,
    store: ResultStore | None = None,
    concurrency: int = 64,
) -> tuple[Scheduler, CollectorRegistry]:
    registry = CollectorRegistry()
    scheduler = Scheduler(
        plan,
        run_one,
        metrics=SchedulerMetrics.create(registry, (0.1, 7.0)),
        store=store,
        wall_clock=lambda: 1_800_000_000.0 + asyncio.get_running_loop().time(),
        rng=random.Random(7),
        max_concurrency=concurrency,
    )
    task = asyncio.create_task(scheduler.run())
    await asyncio.sleep(seconds)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return scheduler, registry


def plan(n: int, interval: float, module: Module = HTTP, name: str = "http") -> list[Schedule]:
    return [Schedule(f"t{i}", name, module, interval) for i in range(n)]


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_each_target_runs_at_its_interval_and_is_stored() -> None:
    store = ResultStore.open(":memory:", retention_seconds=3600)
    _, registry = await run_for(1.55, plan(4, 0.25), sleeper(0.001), store=store)
    per_target = [
        value(registry, "slo_harness_probe_total", target=f"t{i}", module="http", result="success")
        for i in range(4)
    ]
    assert all(4 <= n <= 7 for n in per_target), per_target  # 1.55 s at 0.25 s, after a random offset
    assert store.result_count() == sum(per_target)  # the last batch is flushed on the way out
    lags = store.scheduling_lags(since=0)
    assert lags.max() < 0.5  # loose: the test machine may be busy; the benchmark measures lag


async def test_start_offsets_are_spread_over_the_first_interval(tmp_path: Path) -> None:
    store = ResultStore.open(tmp_path / "r.sqlite", retention_seconds=3600)
    await run_for(1.05, plan(20, 1.0), sleeper(0.0), store=store)
    with contextlib.closing(sqlite3.connect(tmp_path / "r.sqlite")) as db:
        starts = sorted(r[0] for r in db.execute("SELECT MIN(due_at) FROM results GROUP BY target"))
    assert len(starts) == 20
    assert starts[-1] - starts[0] > 0.5


async def test_concurrency_is_bounded() -> None:
    running = 0
    peak = 0

    async def probe(schedule: Schedule) -> Outcome:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.1)
        running -= 1
        return ProbeResult(True, 0.1), None

    scheduler, _ = await run_for(0.8, plan(12, 0.2), probe, concurrency=3)
    assert peak == 3
    assert scheduler.completed > 0


async def test_a_target_still_running_skips_its_slot() -> None:
    scheduler, registry = await run_for(1.0, plan(1, 0.1), sleeper(0.35))
    assert value(registry, "slo_harness_probe_total", target="t0", module="http", result="success") <= 3
    assert scheduler.skipped >= 5
    assert value(registry, "slo_harness_probe_skipped_total", target="t0", module="http") == scheduler.skipped


async def test_latency_histogram_takes_observations_and_failures_as_inf() -> None:
    chain = Module(prober="chain")
    _, ok = await run_for(0.5, [Schedule("n", "c", chain, 1.0)], sleeper(0.0, observations=(6.0, 8.0)))
    assert value(ok, "slo_harness_sli_latency_seconds_bucket", target="n", module="c", le="7.0") == 1
    assert value(ok, "slo_harness_sli_latency_seconds_count", target="n", module="c") == 2
    _, bad = await run_for(0.5, [Schedule("n", "c", chain, 1.0)], sleeper(0.0, fail=True))
    assert value(bad, "slo_harness_probe_total", target="n", module="c", result="failure") == 1
    assert value(bad, "slo_harness_sli_latency_seconds_bucket", target="n", module="c", le="7.0") == 0
    assert value(bad, "slo_harness_sli_latency_seconds_count", target="n", module="c") == 1


async def test_probe_without_observations_is_measured_by_its_duration() -> None:
    _, registry = await run_for(0.5, plan(1, 1.0), sleeper(0.0))
    assert (
        value(registry, "slo_harness_sli_latency_seconds_bucket", target="t0", module="http", le="0.1") == 1
    )
    assert value(registry, "slo_harness_probe_duration_seconds_count", target="t0", module="http") == 1


def test_buckets_hold_every_latency_threshold_of_the_catalogue() -> None:
    catalog = load_catalog()
    buckets = latency_buckets(catalog)
    thresholds = {s.objective.threshold_seconds for s in catalog.slos if s.objective.kind == "latency"}  # type: ignore[union-attr]
    assert thresholds <= set(buckets)
    assert list(buckets) == sorted(buckets)


def test_schedules_follow_targets_with_the_30s_default() -> None:
    config = ProberConfig.model_validate(
        {
            "modules": {"c": {"prober": "chain", "timeout": "5s"}, "h": {"prober": "http"}},
            "targets": [{"target": "n1", "module": "c"}, {"target": "n2", "module": "h", "interval": "10s"}],
        }
    )
    (chain, http) = schedules(config)
    assert (chain.interval_seconds, chain.timeout_seconds) == (30.0, 5.0)
    assert (http.interval_seconds, http.timeout_seconds) == (10.0, 10.0)
