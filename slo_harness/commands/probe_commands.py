"""``exporter`` and ``probe``: the blackbox_exporter-compatible server and a one-shot probe."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slo_harness.shared.terminal import fail

if TYPE_CHECKING:
    from probes.config import ProberConfig
    from probes.result import ProbeResult

__all__ = ["exit_code", "register"]


class ExitCodes(StrEnum):
    simple = "simple"
    grpc_health_probe = "grpc-health-probe"


def exit_code(result: ProbeResult, codes: ExitCodes) -> int:
    """0 on success. ``simple``: 1 on any failure. ``grpc-health-probe``: 2 connection failed or timed
    out, 3 the RPC (or request) failed, 4 it answered but failed a check (NOT_SERVING, status, body)."""
    from probes.result import FailureReason as R

    if result.success:
        return 0
    if codes is ExitCodes.simple:
        return 1
    if result.failure in (R.DNS, R.CONNECT, R.TLS, R.TIMEOUT, R.REFUSED):
        return 2
    return 3 if result.failure in (R.GRPC_STATUS, R.GRPC_UNIMPLEMENTED, R.PROTOCOL) else 4


async def _probe_once(
    config: ProberConfig, target: str, module: str, timeout: float, hostname: str | None
) -> ProbeResult:
    from prometheus_client import CollectorRegistry

    from probes.exporter.server import Exporter

    exporter = Exporter(config, CollectorRegistry())
    await exporter.open()
    try:
        await exporter.admit(target, config.modules[module], timeout)
        return await exporter.probe(target, module, timeout, hostname=hostname)
    finally:
        await exporter.close()


def register(app: typer.Typer) -> None:
    """Add ``exporter`` and ``probe`` to the CLI."""

    @app.command("exporter")
    def exporter(
        config: Annotated[
            Path, typer.Option("--config", help="module file in blackbox.yml format (a superset)")
        ],
        listen: Annotated[str, typer.Option("--listen", help="address to serve on")] = "127.0.0.1:9115",
        timeout_offset: Annotated[
            float, typer.Option("--timeout-offset", help="seconds subtracted from the scrape timeout")
        ] = 0.5,
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers",
                min=1,
                help="processes sharing the port (SO_REUSEPORT) [default: one per CPU; 1 with targets:]",
                show_default=False,
            ),
        ] = None,
        check: Annotated[
            bool, typer.Option("--check", "--config.check", help="only validate the config file, then exit")
        ] = False,
    ) -> None:
        """Serve /probe, /metrics, /-/healthy, /-/reload, /config, /history like blackbox_exporter."""
        import functools
        import os

        from probes.config import load_config
        from probes.serve import ListenError, parse_listen, run_exporter
        from slo.foundation.input_errors import InputError
        from slo_harness.shared.workers import die_with

        try:
            loaded = load_config(config)
            if loaded.targets:  # the catalogue and the SLO view load only for scheduled probing
                from probes.schedule.slo_view import bindings
                from slo.catalogs.catalog_file import load_catalog

                bindings(loaded, load_catalog())
            parse_listen(listen)
        except InputError as exc:
            raise fail(str(exc) if str(exc).startswith(str(config)) else f"{config}: {exc}") from None
        except ValueError as exc:
            raise fail(str(exc)) from None
        if check:
            typer.echo(f"{config}: OK")
            return
        try:
            run_exporter(
                config,
                loaded,
                listen,
                timeout_offset=timeout_offset,
                workers=workers,
                worker_start=functools.partial(die_with, os.getpid()),
            )
        except ListenError as exc:
            raise fail(str(exc)) from None

    @app.command("probe")
    def probe(
        target: Annotated[str, typer.Argument(help="what to probe: a URL, host:port, or a node address")],
        module: Annotated[
            str, typer.Option("--module", "-m", help="module name from the config")
        ] = "http_2xx",
        config: Annotated[
            Path | None, typer.Option("--config", help="module file (default: the packaged modules)")
        ] = None,
        timeout: Annotated[
            float, typer.Option("--timeout", help="seconds; the module timeout may lower it")
        ] = 10.0,
        hostname: Annotated[
            str | None, typer.Option("--hostname", help="Host header and TLS server name")
        ] = None,
        exit_codes: Annotated[
            ExitCodes, typer.Option("--exit-codes", help="simple (0/1) or grpc-health-probe (0/2/3/4)")
        ] = ExitCodes.simple,
    ) -> None:
        """Run one probe, print blackbox_exporter's debug output; exit 0 on success, non-zero on failure."""
        import asyncio

        from probes.config import DEFAULT_CONFIG, load_config
        from probes.exporter.server import module_yaml, scrape_timeout
        from probes.result import TargetRefused, render_debug
        from probes.target import TargetSyntaxError
        from slo.foundation.input_errors import InputError

        try:
            loaded = load_config(config or DEFAULT_CONFIG)
        except InputError as exc:
            raise fail(str(exc)) from None
        chosen = loaded.modules.get(module)
        if chosen is None:
            raise fail(f"unknown module {module!r} (modules: {', '.join(sorted(loaded.modules))})")
        if timeout <= 0:
            raise fail("--timeout must be positive")
        seconds = scrape_timeout(str(timeout), chosen.timeout, 0.0)
        try:
            result = asyncio.run(_probe_once(loaded, target, module, seconds, hostname))
        except TargetRefused as exc:
            raise fail(f"target refused by the security policy: {exc}", code=2) from None
        except TargetSyntaxError as exc:
            raise fail(f"invalid target: {exc}", code=2) from None
        typer.echo(render_debug(result, module, target, module_yaml(chosen)), nl=False)
        raise typer.Exit(exit_code(result, exit_codes))
