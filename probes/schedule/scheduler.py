"""Scheduled probing: every ``targets:`` entry on its own interval, results counted, timed and stored.

blackbox_exporter only probes when scraped (#1058); an SLO needs a steady sample instead, so this
runs each (target, module) every ``interval`` (30 s by default, the source document's collection
period), the way Cloudprober schedules. Starts are spread by a random offset within the first
interval, so 200 targets at 1 s do not all fire in the same millisecond, and afterwards each keeps
its own fixed rate. A target whose previous probe is still running skips that slot rather than
piling up, and a semaphore bounds how many probes run at once.

Each result increments ``slo_harness_probe_total{target,module,result}``, lands in
``slo_harness_probe_duration_seconds`` and, per measured latency (a failed probe counts as +Inf),
in ``slo_harness_sli_latency_seconds``. Both histograms have every latency threshold of the
catalogue among their buckets, so a ratio from Prometheus is exact, not interpolated. Results are
written to the store in batches, once a second.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram

from probes.result import ProbeResult
from probes.schedule.store import ProbeRecord, ResultStore
from slo.catalogs.catalog import Catalog, LatencyObjective

if TYPE_CHECKING:
    from probes.config import Module, ProberConfig

__all__ = [
    "BASE_BUCKETS",
    "Outcome",
    "ProbeRunner",
    "Schedule",
    "Scheduler",
    "SchedulerMetrics",
    "latency_buckets",
    "schedules",
]

BASE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""client_python's defaults, extended to a minute for tx confirmation."""


def latency_buckets(catalog: Catalog, base: Iterable[float] = BASE_BUCKETS) -> tuple[float, ...]:
    """``base`` plus every latency objective's threshold, sorted: each SLO ratio falls on a bucket edge."""
    thresholds = {
        slo.objective.threshold_seconds for slo in catalog.slos if isinstance(slo.objective, LatencyObjective)
    }
    return tuple(sorted(set(base) | thresholds))


@dataclass(frozen=True)
class SchedulerMetrics:
    """The scheduler's series, registered in a registry the caller owns (never the global one)."""

    probes: Counter
    skipped: Counter
    duration: Histogram
    latency: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry, buckets: Iterable[float]) -> SchedulerMetrics:
        edges = tuple(buckets)
        return cls(
            Counter(
                "slo_harness_probe_total",
                "Scheduled probes by target, module and result (success or failure)",
                ["target", "module", "result"],
                registry=registry,
            ),
            Counter(
                "slo_harness_probe_skipped_total",
                "Scheduled slots not probed: the previous probe of the target still ran, or the loop stalled",
                ["target", "module"],
                registry=registry,
            ),
            Histogram(
                "slo_harness_probe_duration_seconds",
                "Duration of scheduled probes",
                ["target", "module"],
                buckets=edges,
                registry=registry,
            ),
            Histogram(
                "slo_harness_sli_latency_seconds",
                "Latencies scheduled probes measured for latency SLIs (block intervals, tx"
                " confirmation, else the probe duration); a failed probe is observed as +Inf",
                ["target", "module"],
                buckets=edges,
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class Schedule:
    """One scheduled probe: a target, its module and how often."""

    target: str
    module_name: str
    module: Module
    interval_seconds: float

    @property
    def timeout_seconds(self) -> float:
        """The module's timeout when it sets one, else the interval: a probe ends before its next slot."""
        return self.module.timeout if self.module.timeout > 0 else self.interval_seconds


Outcome = tuple[ProbeResult, tuple[float, ...] | None]
"""A probe's result and the latencies it measured (None: measure it by its duration)."""

ProbeRunner = Callable[[Schedule], Awaitable[Outcome]]
"""Runs one scheduled probe to completion (the exporter's ``probe``, with its policy and limits)."""


def schedules(config: ProberConfig) -> list[Schedule]:
    return [
        Schedule(t.target, t.module, config.modules[t.module], t.interval_seconds) for t in config.targets
    ]


class Scheduler:
    """Runs ``plan`` until cancelled; results go to ``metrics`` and, batched, to ``store``.

    ``run_one`` runs a probe; ``wall_clock`` stamps results (Unix seconds) while pacing uses the
    event loop's clock; ``rng`` draws the start offsets.
    """

    def __init__(
        self,
        plan: Iterable[Schedule],
        run_one: ProbeRunner,
        *,
        metrics: SchedulerMetrics,
        store: ResultStore | None,
        wall_clock: Callable[[], float],
        rng: random.Random,
        max_concurrency: int = 64,
        flush_interval_seconds: float = 1.0,
    ) -> None:
        self.plan = tuple(plan)
        self._run_one = run_one
        self._metrics = metrics
        self._store = store
        self._wall = wall_clock
        self._rng = rng
        self._max_concurrency = max_concurrency
        self._flush_interval = flush_interval_seconds
        self._pending: list[ProbeRecord] = []
        self._running: set[int] = set()
        self.skipped = 0
        self.completed = 0

    def flush(self) -> None:
        """Write the results gathered since the last flush (the SLO view calls this before reading)."""
        if self._store is not None and self._pending:
            batch, self._pending = self._pending, []
            self._store.add(batch)

    async def run(self) -> None:
        """Probe on schedule until cancelled; on the way out, cancel running probes and flush."""
        loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(self._max_concurrency)
        tasks: set[asyncio.Task[None]] = set()
        start = loop.time()
        queue = [(start + self._rng.uniform(0, s.interval_seconds), i) for i, s in enumerate(self.plan)]
        heapq.heapify(queue)
        flusher = asyncio.create_task(self._flush_every())
        try:
            while queue:
                due, index = queue[0]
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                    continue
                schedule = self.plan[index]
                # Keep the fixed rate; after a stall resume at the next slot instead of bursting.
                missed = max(0, math.floor((loop.time() - due) / schedule.interval_seconds))
                heapq.heapreplace(queue, (due + (missed + 1) * schedule.interval_seconds, index))
                skipped = missed + (index in self._running)
                if skipped:
                    self.skipped += skipped
                    self._metrics.skipped.labels(schedule.target, schedule.module_name).inc(skipped)
                if index in self._running:
                    continue
                self._running.add(index)
                task = asyncio.create_task(self._probe(index, due, slots))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        finally:
            # Stopping: probes in flight are abandoned (a tx probe may wait a minute), not recorded.
            flusher.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(flusher, *tasks, return_exceptions=True)
            self.flush()

    async def _flush_every(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval)
            self.flush()

    async def _probe(self, index: int, due: float, slots: asyncio.Semaphore) -> None:
        schedule = self.plan[index]
        loop = asyncio.get_running_loop()
        try:
            async with slots:
                wall_offset = self._wall() - loop.time()
                started = loop.time()
                result, observations = await self._run_one(schedule)
            self._record(schedule, result, observations, due + wall_offset, started + wall_offset)
        finally:
            self._running.discard(index)

    def _record(
        self,
        schedule: Schedule,
        result: ProbeResult,
        observations: tuple[float, ...] | None,
        due_at: float,
        started_at: float,
    ) -> None:
        if observations is None:
            observations = (result.duration_seconds,) if result.success else ()
        labels = (schedule.target, schedule.module_name)
        self._metrics.probes.labels(*labels, "success" if result.success else "failure").inc()
        self._metrics.duration.labels(*labels).observe(result.duration_seconds)
        latency = self._metrics.latency.labels(*labels)
        for seconds in observations if result.success else (math.inf,):
            latency.observe(seconds)
        self._pending.append(
            ProbeRecord(
                target=schedule.target,
                module=schedule.module_name,
                due_at=due_at,
                started_at=started_at,
                finished_at=started_at + result.duration_seconds,
                success=result.success,
                reason=None if result.failure is None else result.failure.value,
                observations=observations if result.success else (),
            )
        )
        self.completed += 1
