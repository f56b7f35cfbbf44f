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
from rich.console import Console
from rich.live import Live
from rich.table import Table

from demo.index import write_index
from demo.plan import DemoPlan
from demo.probe_config import exporter_config, write_probe_key
from demo.probe_sli import IncidentWindow, probe_summary
from probes.config import ProberConfig, load_config
from probes.exporter.server import build_app
from probes.schedule.scheduled import enable_scheduled_probing
from probes.schedule.store import default_store_path
from slo.catalogs.catalog import Catalog
from slo.catalogs.catalog_file import load_catalog
from slo.foundation.atomic_write import write_text_atomic
from testbed import Testbed, TestbedConfig, run_testbed

__all__ = ["DemoOutcome", "run_demo"]

LOAD_ACCOUNTS = 10
_STOP_GRACE_SECONDS = 15.0
_REFRESH_SECONDS = 0.5
_HTTP_TIMEOUT = aiohttp.ClientTimeout(total=5)


@dataclass
class Child:
    """A child process in its own session, with its output in a log file."""

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
    timings: dict[str, float] = field(default_factory=dict)  # seconds from the start, by milestone


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

    def render(self) -> Table:
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
        return table


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
        [*cli, "sim", *map(str, scenarios), "--out", str(work / "sim"), "--jobs", str(plan.sim_jobs)],
        work / "logs" / "sim.log",
    )
    return load, sim


@dataclass
class _LivePhase:
    """The testbed, the exporter and the children of one run, and what they measured."""

    work: Path
    plan: DemoPlan
    live: _Live
    refresh: Callable[[], None]
    windows: list[IncidentWindow] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    load_exit: int | None = None
    sim_exit: int | None = None

    def _sims_done(self) -> int:
        return sum(1 for _ in (self.work / "sim").glob("*/report.html"))

    async def _wait_for_load(self, tb: Testbed, load: Child) -> None:
        """Until the node accepted the load's first tx (Locust takes a few seconds to start), so that
        the incident falls on the load; at most a minute."""
        self.live.phase = "waiting for the load to start sending"
        deadline = time.monotonic() + 60.0
        first_sender = tb.accounts[0].address
        while tb.chain.ledger.check_sequence(first_sender) == 0 and load.returncode is None:
            if time.monotonic() > deadline:
                break
            self.live.sims_done = self._sims_done()
            self.refresh()
            await asyncio.sleep(_REFRESH_SECONDS)

    async def _incident(
        self,
        session: aiohttp.ClientSession,
        tb: Testbed,
        config: ProberConfig,
        config_path: Path,
        load: Child,
    ) -> None:
        """The live phase: the incident's faults at their times, the display refreshed meanwhile."""
        catalog = load_catalog()
        injector = asyncio.create_task(
            _inject(session, tb.control_url, self.plan, self.started, self.windows)
        )
        try:
            while (elapsed := time.time() - self.started) < self.plan.live_seconds:
                self.live.elapsed = elapsed
                if injector.done():
                    injector.result()  # a fault the API refused stops the demo with its reason
                active = [w.step.name for w in self.windows if w.start_seconds <= elapsed < w.end_seconds]
                self.live.phase = (
                    " + ".join(active) if active else ("recovered" if self.windows else "baseline")
                )
                self.live.probe_counts, self.live.firing = await asyncio.to_thread(
                    _status,
                    default_store_path(config_path),
                    config,
                    catalog,
                    self.started,
                    elapsed,
                    self.plan.probe_interval_seconds,
                )
                self.live.sims_done = self._sims_done()
                if load.returncode is not None:
                    self.live.load = f"finished (exit {load.returncode})"
                self.refresh()
                await asyncio.sleep(_REFRESH_SECONDS)
        finally:
            injector.cancel()
        self.live.elapsed = self.plan.live_seconds

    async def run(self, scenarios: Sequence[Path]) -> ProberConfig:
        """Everything up to the simulator's last scenario; the children are stopped on any exit."""
        plan, live, begun = self.plan, self.live, time.monotonic()
        # The load signs from the first LOAD_ACCOUNTS dev accounts; the tx prober from the one after.
        settings = TestbedConfig(
            block_time_seconds=plan.block_time_seconds,
            max_txs_per_block=round(plan.max_tps * plan.block_time_seconds),
            accounts=LOAD_ACCOUNTS + 1,
        )
        probes_dir = self.work / "probes"
        probes_dir.mkdir(parents=True)
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
            load, sim = _children(self.work, plan, tb, scenarios)
            try:
                async with _exporter(config_path) as (config, exporter_url):
                    live.exporter_url = exporter_url
                    await load.start()
                    live.load = (
                        f"{plan.load_tps:g} tx/s offered for {plan.load_seconds:g} s (Locust, signed MsgSend)"
                    )
                    await sim.start()
                    await self._wait_for_load(tb, load)
                    self.timings["load started"] = time.monotonic() - begun
                    self.started = time.time()
                    await self._incident(session, tb, config, config_path, load)
                    live.phase = "live phase over: waiting for the load's last confirmations"
                    self.refresh()
                    # The load needs the node until its last tx is confirmed or timed out.
                    self.load_exit = await load.wait(plan.load_seconds + 120.0)
                    live.load = (
                        f"finished (exit {self.load_exit})" if self.load_exit is not None else "overran"
                    )
                    self.timings["load finished"] = time.monotonic() - begun
                live.phase = "simulator: replaying the scenario library"
                while (sim_exit := await sim.wait(_REFRESH_SECONDS)) is None:
                    live.sims_done = self._sims_done()
                    self.refresh()
                self.sim_exit = sim_exit
                live.sims_done = self._sims_done()
                self.timings["simulator finished"] = time.monotonic() - begun
            finally:
                # Also on Ctrl-C (the task is cancelled) or any error: no child outlives the demo.
                await asyncio.gather(load.stop(), sim.stop())
        return config


def run_demo(out: Path, plan: DemoPlan, scenarios: Sequence[Path], console: Console) -> DemoOutcome:
    """Run the demo into ``out`` (replaced only when it finished); KeyboardInterrupt leaves nothing."""
    out = out.resolve()
    work = out.parent / f".{out.name}.partial-{os.getpid()}"
    work.mkdir(parents=True)
    live = _Live(plan, scenarios=len(scenarios))
    begun = time.monotonic()
    try:
        with Live(live.render(), console=console, refresh_per_second=4, transient=False) as display:
            phase = _LivePhase(work, plan, live, lambda: display.update(live.render()))
            config = asyncio.run(phase.run(scenarios))
            live.phase = "writing the report"
            display.update(live.render())
            summary = probe_summary(
                default_store_path(work / "probes" / "exporter.yml"),
                config,
                load_catalog(),
                started_at=phase.started,
                duration_seconds=plan.live_seconds,
                step_seconds=plan.probe_interval_seconds,
                incidents=phase.windows,
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
    timings = {**phase.timings, "report written": time.monotonic() - begun}
    return DemoOutcome(out / "index.html", phase.load_exit, phase.sim_exit, probes, failed, alerts, timings)
