"""Scheduled mode inside the exporter: when the config has ``targets:``, probe them and serve ``/slo``.

Scheduled probes run through ``Exporter.probe`` after ``Exporter.admit``, exactly as a scrape of
``/probe`` does, so they obey the same allowlist, concurrency bound and body cap and appear in the
same history. The scheduler starts and stops with the aiohttp application. ``targets:`` are read at
start: a reload (SIGHUP, ``/-/reload``) changes modules for ``/probe`` but not the schedule.

The exporter imports this module whether or not its config has targets, so the scheduler, the store,
the SLO view and the catalogue (NumPy, SQLite, the catalogue's models) are imported only once there
are targets; then the scheduled modules' probers are imported before the first probe, so that no
scheduled probe's duration (an SLI observation) includes importing its prober.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from probes.exporter.server import EXPORTER, Exporter
from probes.probers.dispatch import prober_for
from probes.probers.observations import latest_key, observations_after
from probes.result import ProbeResult, TargetRefused
from probes.target import TargetSyntaxError

if TYPE_CHECKING:
    from probes.schedule.scheduler import Outcome, ProbeRunner, Schedule, Scheduler
    from slo.catalogs.catalog import Catalog

__all__ = ["enable_scheduled_probing", "exporter_runner"]


def exporter_runner(exporter: Exporter) -> ProbeRunner:
    """Run a scheduled probe as ``/probe`` would; a refused target is a failed probe, never a request.

    The latencies come from the target's shared state through a cursor per (module, target), so
    ``/probe`` scrapes of the same target in between take nothing away from the schedule.
    """
    cursors: dict[tuple[str, str], int | None] = {}

    async def run_one(schedule: Schedule) -> Outcome:
        key = (schedule.module_name, schedule.target)
        if key not in cursors:
            cursors[key] = latest_key(exporter.states.for_target(*key))
        module = exporter.config.modules.get(schedule.module_name, schedule.module)
        try:
            await exporter.admit(schedule.target, module)
        except (TargetRefused, TargetSyntaxError) as exc:
            return ProbeResult(False, 0.0, TargetRefused.reason, str(exc)), None
        result = await exporter.probe(schedule.target, schedule.module_name, schedule.timeout_seconds)
        taken = observations_after(exporter.states.for_target(*key), cursors[key])
        if taken is None:
            return result, None
        observations, cursors[key] = taken
        return result, observations

    return run_one


def enable_scheduled_probing(
    app: web.Application,
    *,
    store_path: Path | str,
    catalog: Catalog | None = None,
    rng: random.Random | None = None,
    probe: bool = True,
) -> Scheduler | None:
    """Start the scheduler with ``app`` and mount ``GET /slo``; does nothing without ``targets:``.

    The store is opened here, so a bad path fails at startup rather than in the first probe; an SLO
    id the catalogue does not have is an ``InputError`` (from :func:`bindings`). With ``probe=False``
    (every worker but the first, when several share the port) only ``/slo`` is mounted, reading what
    the first one writes.
    """
    exporter = app[EXPORTER]
    config = exporter.config
    if not config.targets:
        return None
    # Imported here (see the module docstring).
    from probes.schedule.scheduler import Scheduler, SchedulerMetrics, latency_buckets, schedules  # noqa: PLC0415
    from probes.schedule.slo_view import SloView, add_slo_routes, bindings, retention_seconds  # noqa: PLC0415
    from probes.schedule.store import ResultStore  # noqa: PLC0415
    from slo.catalogs.catalog_file import load_catalog  # noqa: PLC0415

    catalog = catalog or load_catalog()
    bound = bindings(config, catalog)
    if not probe:
        add_slo_routes(app, SloView(Path(store_path), catalog, tuple(bound), exporter.wall_clock))
        return None
    plan = schedules(config)
    for kind in {schedule.module.prober for schedule in plan}:
        prober_for(kind)
    store = ResultStore.open(store_path, retention_seconds(catalog, bound), wall_clock=exporter.wall_clock)
    store.set_bindings([(b.slo_id, b.target, b.module) for b in bound])
    scheduler = Scheduler(
        plan,
        exporter_runner(exporter),
        metrics=SchedulerMetrics.create(exporter.metrics.registry, latency_buckets(catalog)),
        store=store,
        wall_clock=exporter.wall_clock,
        rng=rng or random.Random(),
        max_concurrency=config.security.max_concurrent_probes,
    )

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(scheduler.run())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        store.close()

    app.cleanup_ctx.append(lifecycle)
    add_slo_routes(
        app,
        SloView(Path(store_path), catalog, tuple(bound), exporter.wall_clock, before_read=scheduler.flush),
    )
    return scheduler
