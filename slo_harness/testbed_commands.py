"""The ``slo-harness testbed`` command: run a fake VirtEngine node in the foreground until Ctrl-C."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from slo_harness.terminal import fail

if TYPE_CHECKING:
    from testbed import Testbed, TestbedConfig


def build_settings(config: Path | None, block_time: str | None, max_tps: float | None) -> TestbedConfig:
    """The config file (or defaults) with the command-line overrides applied; bad input exits 2 with
    one line, ``file:line: field: reason`` for the file."""
    from pydantic import ValidationError

    from slo.durations import parse_duration
    from slo.input_errors import InputError, field_path, load_model
    from testbed import TestbedConfig

    settings = TestbedConfig()
    if config is not None:
        try:
            settings = load_model(config.read_text(encoding="utf-8"), str(config), TestbedConfig)
        except OSError as exc:
            raise fail(f"{config}: cannot read: {exc.strerror or exc}") from None
        except InputError as exc:
            raise fail(str(exc)) from None
    updates: dict[str, float | int] = {}
    if block_time is not None:
        try:
            updates["block_time_seconds"] = parse_duration(block_time)
        except ValueError as exc:
            raise fail(f"--block-time: {exc}") from None
    seconds = float(updates.get("block_time_seconds", settings.block_time_seconds))
    if max_tps is not None:
        updates["max_txs_per_block"] = max(1, math.ceil(max_tps * seconds))
    try:
        return TestbedConfig.model_validate({**settings.model_dump(), **updates})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = field_path(tuple(error["loc"]))
        option = {"block_time_seconds": "--block-time", "max_txs_per_block": "--max-tps"}.get(where, where)
        raise fail(f"{option}: {error['msg']}") from None


async def _serve(settings: TestbedConfig, console: Console) -> None:
    import asyncio

    from testbed import run_testbed

    async with run_testbed(settings) as tb:
        _print_endpoints(tb, console)
        await asyncio.Event().wait()


def _print_endpoints(tb: Testbed, console: Console) -> None:
    console.print(
        f"testbed {tb.config.chain_id}: block time {tb.config.block_time_seconds:g}s, "
        f"at most {tb.config.max_txs_per_block} txs per block ({tb.config.max_tps:g} tx/s)"
    )
    for name, url in tb.endpoints().items():
        console.print(f"  {name:<10} {url}")
    console.print("Ctrl-C stops it.")
    console.file.flush()


def testbed(
    config: Annotated[
        Path | None, typer.Option("--config", help="Testbed YAML (fields of TestbedConfig).")
    ] = None,
    block_time: Annotated[
        str | None, typer.Option("--block-time", help="Block interval, e.g. 6s or 500ms.")
    ] = None,
    max_tps: Annotated[
        float | None,
        typer.Option("--max-tps", min=0.001, help="Inclusion ceiling in tx/s (sets max txs per block)."),
    ] = None,
) -> None:
    """Run a fake VirtEngine node (CometBFT RPC, Cosmos REST, gRPC, metrics, provider, benchmark,
    fault control) on free 127.0.0.1 ports, print each endpoint, and serve until Ctrl-C."""
    settings = build_settings(config, block_time, max_tps)
    console = Console(highlight=False, soft_wrap=True)
    import asyncio
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings, console))


def register(app: typer.Typer) -> None:
    app.command("testbed")(testbed)
