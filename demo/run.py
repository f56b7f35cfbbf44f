"""Running the demo: the live phase on one event loop, the load and the simulator as child processes,
a live display, and results that appear whole or not at all.

The testbed and the exporter share this process's event loop (both are aiohttp); the load
(``slo-harness load``, Locust and gevent) and the scenario library (``slo-harness sim``) run as child
processes, each in its own session so that stopping them stops every process they started. All
output goes to a hidden folder beside ``--out``; only a finished run is renamed into place, so
Ctrl-C (or any failure) leaves the previous results as they were and no process behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml
from aiohttp import web
from prometheus_client import CollectorRegistry
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from demo.index import write_index
from demo.plan import DemoPlan
from demo.probe_config import exporter_config, write_probe_key
from demo.probe_sli import IncidentWindow, probe_summary
from probes.config import ProberConfig, load_config
from probes.exporter import build_app
from probes.scheduled import enable_scheduled_probing
from probes.store import default_store_path
from slo.atomic_write import write_text_atomic
from slo.catalog import Catalog
from slo.catalog_file import load_catalog
from testbed import Testbed, TestbedConfig, run_testbed

__all__ = ["DemoOutcome", "run_demo"]

LOAD_ACCOUNTS = 10
_STOP_GRACE_SECONDS = 15.0
_REFRESH_SECONDS = 0.5
_HTTP_TIMEOUT = aiohttp.ClientTimeout(total=5)


@dataclass
class Child:
    """A child process in its own session, with its output in a log file."""

    name: str
    argv: list[str]
    log: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True
            )

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.returncode

    async def wait(self, timeout: float) -> int | None:
        """The exit code, or None when it is still running after ``timeout`` seconds."""
        if self.process is None:
            return None
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self.process.wait(), timeout)
        return None

    async def stop(self) -> None:
        """SIGINT to its whole process group (as Ctrl-C would), then SIGKILL if it lingers."""
        if self.process is None or self.process.returncode is not None:
            return
        for signum in (signal.SIGINT, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)
            if await self.wait(_STOP_GRACE_SECONDS) is not None:
                break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # grandchildren that outlived their parent


@dataclass
class DemoOutcome:
    """What the command prints at the end."""

    index: Path
    load_exit: int | None
    sim_exit: int | None
    probes: int
    failed_probes: int
    alerts: list[str] = field(default_factory=list)


@dataclass
class _Live:
    """What the live display shows; updated by the loop."""

    plan: DemoPlan
    scenarios: int
    phase: str = "starting the testbed"
    elapsed: float = 0.0
    testbed: Testbed | None = None
    exporter_url: str = ""
    start_txs: int = 0
    probe_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    firing: list[str] = field(default_factory=list)
    sims_done: int = 0
    load: str = "not started"
    notes: list[str] = field(default_factory=list)

    def render(self) -> Group:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_row("now", f"{self.phase} ({self.elapsed:.0f} s of {self.plan.live_seconds:.0f} s live)")
        if self.testbed is not None:
            chain = self.testbed.chain
            txs = chain.stats.total_txs - self.start_txs
            rate = txs / self.elapsed if self.elapsed > 0 else 0.0
            table.add_row(
                "testbed",
                f"height {chain.height}, {txs} txs in blocks ({rate:.1f} tx/s on average), RPC "
                f"{self.testbed.rpc_url}, faults {self.testbed.control_url}/faults",
            )
        if self.exporter_url:
            counts = ", ".join(f"{m} {ok}✓ {bad}✗" for m, (ok, bad) in self.probe_counts.items())
            table.add_row("probes", f"{self.exporter_url} (/slo, /metrics): {counts or 'starting'}")
            table.add_row("firing", ", ".join(self.firing) or "none")
        table.add_row("load", self.load)
        table.add_row("simulator", f"{self.sims_done}/{self.scenarios} scenarios written")
        return Group(table, *self.notes)


def _replace_dir(work: Path, out: Path) -> None:
    """Put ``work`` where ``out`` is, the old results (if any) removed only once the new are in place."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    work.rename(out)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.asynccontextmanager
async def _exporter(config_path: Path) -> AsyncIterator[tuple[ProberConfig, str]]:
    """The exporter of ``config_path`` on a free loopback port, probing on schedule."""
    config = load_config(config_path)
    app = build_app(config, CollectorRegistry(), config_path=config_path)
    enable_scheduled_probing(app, store_path=default_store_path(config_path))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield config, f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def _status(
    store_path: Path, config: ProberConfig, catalog: Catalog, started: float, elapsed: float, step: float
) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Probes so far per module (succeeded, failed) and the alert rules firing now, from the results
    file, computed as the report will compute them."""
    if not store_path.exists() or elapsed < step:
        return {}, []
    doc = probe_summary(
        store_path,
        config,
        catalog,
        started_at=started,
        duration_seconds=elapsed,
        step_seconds=step,
        incidents=[],
    )
    counts = {m["module"]: (m["probes"] - m["failed"], m["failed"]) for m in doc["modules"]}
    firing = [
        f"{s['slo']} {a['policy']}/{a['rule']}"
        for s in doc["slos"]
        for a in s["alerts"]
        if a["resolved_at_seconds"] is None
    ]
    return counts, firing


async def _inject(
    session: aiohttp.ClientSession,
    control_url: str,
    plan: DemoPlan,
    started: float,
    windows: list[IncidentWindow],
) -> None:
    """Install each fault of the incident at its time through the testbed's fault API."""
    for step in plan.incident:
        await asyncio.sleep(max(0.0, started + step.at_seconds - time.time()))
        async with session.post(f"{control_url}/faults", json=step.body()) as response:
            response.raise_for_status()
        at = time.time() - started
        windows.append(IncidentWindow(step, at, at + step.duration_seconds))


def _children(work: Path, plan: DemoPlan, tb: Testbed, scenarios: Sequence[Path]) -> tuple[Child, Child]:
    cli = [sys.executable, "-m", "slo_harness"]
    load = Child(
        "load",
        [
            *cli,
            "load",
            "--target",
            tb.rpc_url,
            "--tps",
            f"{plan.load_tps:g}",
            "--duration",
            f"{plan.load_seconds:g}s",
            "--confirm-timeout",
            "30s",
            "--accounts",
            str(LOAD_ACCOUNTS),
            "--query-rps",
            "2",
            "--out",
            str(work / "load"),
        ],
        work / "logs" / "load.log",
    )
    sim = Child(
        "simulator",
        [*cli, "sim", *map(str, scenarios), "--out", str(work / "sim"), "--jobs", str(plan.sim_jobs)],
        work / "logs" / "sim.log",
    )
    return load, sim


async def _live_phase(
    work: Path, plan: DemoPlan, scenarios: Sequence[Path], live: _Live, refresh: Callable[[], None]
) -> tuple[list[IncidentWindow], float, ProberConfig, int | None, int | None]:
    # The load signs from the first LOAD_ACCOUNTS dev accounts; the tx prober from the one after.
    settings = TestbedConfig(
        block_time_seconds=plan.block_time_seconds,
        max_txs_per_block=round(plan.max_tps * plan.block_time_seconds),
        accounts=LOAD_ACCOUNTS + 1,
    )
    probes_dir = work / "probes"
    probes_dir.mkdir(parents=True)
    windows: list[IncidentWindow] = []
    async with run_testbed(settings) as tb, aiohttp.ClientSession(timeout=_HTTP_TIMEOUT) as session:
        live.testbed, live.start_txs = tb, tb.chain.stats.total_txs
        key_file = probes_dir / "probe.mnemonic"
        write_probe_key(key_file, tb.accounts[LOAD_ACCOUNTS].mnemonic)
        doc = exporter_config(
            tb.rpc_url,
            tb.rest_url,
            tb.grpc_target,
            interval_seconds=plan.probe_interval_seconds,
            key_file=key_file,
        )
        config_path = probes_dir / "exporter.yml"
        write_text_atomic(config_path, yaml.safe_dump(doc, sort_keys=False))
        load, sim = _children(work, plan, tb, scenarios)
        try:
            async with _exporter(config_path) as (config, exporter_url):
                live.exporter_url = exporter_url
                started = time.time()
                catalog = load_catalog()
                injector: asyncio.Task[None] | None = None
                try:
                    await load.start()
                    live.load = (
                        f"{plan.load_tps:g} tx/s offered for {plan.load_seconds:g} s (Locust, signed MsgSend)"
                    )
                    await sim.start()
                    injector = asyncio.create_task(_inject(session, tb.control_url, plan, started, windows))
                    while (elapsed := time.time() - started) < plan.live_seconds:
                        live.elapsed = elapsed
                        if injector.done():
                            injector.result()  # a fault the API refused stops the demo with its reason
                        active = [w.step.name for w in windows if w.start_seconds <= elapsed < w.end_seconds]
                        live.phase = (
                            " + ".join(active) if active else ("recovered" if windows else "baseline")
                        )
                        live.probe_counts, live.firing = await asyncio.to_thread(
                            _status,
                            default_store_path(config_path),
                            config,
                            catalog,
                            started,
                            elapsed,
                            plan.probe_interval_seconds,
                        )
                        live.sims_done = sum(1 for _ in (work / "sim").glob("*/report.html"))
                        if load.returncode is not None:
                            live.load = f"finished (exit {load.returncode})"
                        refresh()
                        await asyncio.sleep(_REFRESH_SECONDS)
                    live.elapsed = plan.live_seconds
                    live.phase = "live phase over: waiting for the load's last confirmations"
                    refresh()
                    # The load needs the node until its last tx is confirmed or timed out.
                    load_exit = await load.wait(plan.load_seconds + 120.0)
                    live.load = (
                        f"finished (exit {load_exit})" if load_exit is not None else "stopped: overran"
                    )
                finally:
                    if injector is not None:
                        injector.cancel()
            live.phase = "simulator: replaying the scenario library"
            refresh()
            while (sim_exit := await sim.wait(_REFRESH_SECONDS)) is None:
                live.sims_done = sum(1 for _ in (work / "sim").glob("*/report.html"))
                refresh()
            live.sims_done = sum(1 for _ in (work / "sim").glob("*/report.html"))
        finally:
            # Also on Ctrl-C (the task is cancelled) or any error: no child outlives the demo.
            await asyncio.gather(load.stop(), sim.stop())
    return windows, started, config, load_exit, sim_exit


def run_demo(out: Path, plan: DemoPlan, scenarios: Sequence[Path], console: Console) -> DemoOutcome:
    """Run the demo into ``out`` (replaced only when it finished); KeyboardInterrupt leaves nothing."""
    out = out.resolve()
    work = out.parent / f".{out.name}.partial-{os.getpid()}"
    work.mkdir(parents=True)
    live = _Live(plan, scenarios=len(scenarios))
    try:
        with Live(live.render(), console=console, refresh_per_second=4, transient=False) as display:
            windows, started, config, load_exit, sim_exit = asyncio.run(
                _live_phase(work, plan, scenarios, live, lambda: display.update(live.render()))
            )
            live.phase = "writing the report"
            display.update(live.render())
            summary = probe_summary(
                default_store_path(work / "probes" / "exporter.yml"),
                config,
                load_catalog(),
                started_at=started,
                duration_seconds=plan.live_seconds,
                step_seconds=plan.probe_interval_seconds,
                incidents=windows,
            )
            write_text_atomic(work / "probes" / "summary.json", json.dumps(summary, indent=2) + "\n")
            write_index(work, f"slo-harness demo ({plan.name})")
        _replace_dir(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    probes = sum(m["probes"] for m in summary["modules"])
    failed = sum(m["failed"] for m in summary["modules"])
    alerts = sorted({f"{s['slo']} {a['policy']}/{a['rule']}" for s in summary["slos"] for a in s["alerts"]})
    return DemoOutcome(out / "index.html", load_exit, sim_exit, probes, failed, alerts)
