"""Running the exporter: one event loop, or several worker processes sharing the port (SO_REUSEPORT).

One Python event loop spends most of a probe's time in its own HTTP client and server code, so the
exporter runs N identical worker processes bound to the same address with ``SO_REUSEPORT``; the
kernel spreads incoming scrapes across them. By default N is the number of CPUs this process may
use (as Go's ``GOMAXPROCS`` is for blackbox_exporter), except with ``targets:``, where one process
holds the schedule, its results store and its series in ``/metrics``. Workers are forked from the
process that has already imported and checked everything, so they answer as soon as it could; their
``/metrics`` counters live in prometheus_client's multiprocess files in a private temporary folder,
so a scrape of any worker counts the probes of all (the recent-probe history stays per worker).
Every event loop is
uvloop's: libuv's connect, write and wake-up paths cost a fraction of asyncio's selector loop on
every probe, which dials a fresh connection as blackbox_exporter does.
SIGHUP reloads the config (forwarded to every worker); SIGTERM and SIGINT stop. Client connections
pass through ``probes.exporter.connections`` (descriptor limit raised, a reserve kept for probes, silent and
idle connections closed, 503 past the cap). A port that cannot
be bound raises ``ListenError`` (one line: the address and the reason) before anything is served;
once listening, the exporter prints one line saying where.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Coroutine
from multiprocessing.synchronize import Lock
from pathlib import Path
from typing import Any

import uvloop
from aiohttp import web
from prometheus_client import CollectorRegistry

from probes.config import ProberConfig
from probes.exporter.connections import (
    KEEPALIVE_TIMEOUT_SECONDS,
    ConnectionGuard,
    GuardedSite,
    accept_backlog,
    client_connection_limit,
    raise_descriptor_limit,
)
from probes.exporter.metrics import use_shared_values
from probes.exporter.server import EXPORTER, build_app
from probes.schedule.scheduled import enable_scheduled_probing
from probes.schedule.store import default_store_path
from slo.foundation.input_errors import InputError

__all__ = [
    "ListenError",
    "default_workers",
    "parse_listen",
    "run_exporter",
    "run_loop",
    "serve",
    "worker_count",
]


class ListenError(Exception):
    """The exporter cannot listen where it was told; the message names the address and the reason."""


def _listen_error(host: str, port: int, exc: OSError) -> ListenError:
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return ListenError(f"cannot listen on {address}: {reason.lower()}")


def default_workers() -> int:
    """The CPUs this process may run on (its affinity mask, as Go's runtime counts them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count(config: ProberConfig, workers: int | None) -> int:
    """``workers`` when given; else one per CPU, or 1 when the config has ``targets:`` (one process
    then holds the schedule, its results store and its series in ``/metrics``)."""
    if workers is not None:
        return workers
    return 1 if config.targets else default_workers()


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` to completion on a uvloop event loop."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def parse_listen(listen: str) -> tuple[str, int]:
    """``127.0.0.1:9115``, ``[::1]:9115`` or ``:9115`` (all interfaces, as BBE's default means)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"invalid listen address {listen!r} (expected host:port, e.g. 127.0.0.1:9115)")
    return host.strip("[]") or "0.0.0.0", int(port)


async def serve(
    config_path: Path,
    config: ProberConfig,
    host: str,
    port: int,
    *,
    timeout_offset: float = 0.5,
    reuse_port: bool = False,
    schedule: bool = True,
    announce: Callable[[], bool] = lambda: True,
    shared_metrics: Path | None = None,
) -> None:
    """Serve ``config`` (loaded from ``config_path``) until SIGTERM or SIGINT; SIGHUP reloads the file.

    With ``targets:`` in the config, also serve ``/slo`` and, with ``schedule``, probe on schedule.
    Once the port is bound, and before any request is answered, print ``listening on
    http://host:port`` on stdout if ``announce()`` says this process is the one to say it.
    With ``shared_metrics`` (a folder private to this exporter's workers), ``/metrics`` counts
    every worker's probes.
    """
    if shared_metrics is not None:
        use_shared_values(shared_metrics)  # before the first metric is built
    app = build_app(config, CollectorRegistry(), config_path=config_path, timeout_offset=timeout_offset)
    if shared_metrics is not None:
        app[EXPORTER].metrics.share(shared_metrics)
    enable_scheduled_probing(app, store_path=default_store_path(config_path), probe=schedule)
    probes = config.security.max_concurrent_probes
    guard = ConnectionGuard(client_connection_limit(raise_descriptor_limit(), probes))
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, keepalive_timeout=KEEPALIVE_TIMEOUT_SECONDS
    )
    await runner.setup()
    site = GuardedSite(
        runner, host, port, guard, reuse_port=reuse_port or None, backlog=accept_backlog(probes)
    )
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise _listen_error(host, port, exc) from None
    if announce():
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        print(f"exporter listening on http://{where}", flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def reload() -> None:
        with contextlib.suppress(InputError):  # logged by reload(), which keeps the old config
            app[EXPORTER].reload()

    loop.add_signal_handler(signal.SIGHUP, reload)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def _worker(
    config_path: Path,
    config: ProberConfig,
    host: str,
    port: int,
    timeout_offset: float,
    first: bool,
    announced: Lock,
    start: Callable[[], None] | None,
    shared_metrics: Path,
) -> None:
    """One worker process. Whichever worker binds first says where the exporter listens (it takes
    ``announced`` and never gives it back), so the line is out before any worker answers a request.
    ``start`` runs first (the CLI passes one that ties the worker's life to its parent's)."""
    for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):  # the parent's forwarders, inherited
        signal.signal(signum, signal.SIG_DFL)
    if start is not None:
        start()
    try:
        run_loop(
            serve(
                config_path,
                config,
                host,
                port,
                timeout_offset=timeout_offset,
                reuse_port=True,
                schedule=first,
                announce=lambda: announced.acquire(block=False),
                shared_metrics=shared_metrics,
            )
        )
    except ListenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


def _check_port(host: str, port: int) -> None:
    """Bind the address once, as the workers will (``SO_REUSEPORT``), so that a busy port is one error
    here rather than one per worker."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise _listen_error(host, port, exc) from None


def run_exporter(
    config_path: Path,
    config: ProberConfig,
    listen: str,
    *,
    timeout_offset: float = 0.5,
    workers: int | None = None,
    worker_start: Callable[[], None] | None = None,
) -> None:
    """Serve ``config`` (loaded from ``config_path``, which SIGHUP reads again) in this process, or in
    ``workers`` processes sharing the port; returns when stopped.

    ``workers`` defaults as :func:`worker_count` says.
    ``worker_start`` runs first in each worker process.
    Raises ``ListenError`` when the address cannot be bound."""
    host, port = parse_listen(listen)
    workers = worker_count(config, workers)
    if workers <= 1:
        run_loop(serve(config_path, config, host, port, timeout_offset=timeout_offset))
        return
    _check_port(host, port)
    shared = Path(tempfile.mkdtemp(prefix="slo-harness-exporter-metrics-"))
    try:
        _run_workers(config_path, config, host, port, timeout_offset, workers, worker_start, shared)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _run_workers(
    config_path: Path,
    config: ProberConfig,
    host: str,
    port: int,
    timeout_offset: float,
    workers: int,
    worker_start: Callable[[], None] | None,
    shared_metrics: Path,
) -> None:
    # Forked, not spawned: a spawned worker would import everything again before it could answer.
    # No event loop or thread runs here yet, so a fork copies nothing half-done.
    context = multiprocessing.get_context("fork")
    announced = context.Lock()
    # Only the first worker probes on schedule: one writer for the results store, no double probing.
    children = [
        context.Process(
            target=_worker,
            args=(
                config_path,
                config,
                host,
                port,
                timeout_offset,
                i == 0,
                announced,
                worker_start,
                shared_metrics,
            ),
            daemon=True,
        )
        for i in range(workers)
    ]

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            if child.pid is not None and child.is_alive():
                os.kill(child.pid, signum)

    # Installed before the workers start, so a signal that arrives meanwhile is forwarded, not fatal.
    signal.signal(signal.SIGHUP, forward)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    sys.stdout.flush()  # or each fork would write what the buffers held again
    sys.stderr.flush()
    for child in children:
        child.start()
    for child in children:
        child.join()
