"""The ``slo-harness testbed`` command: run a fake VirtEngine node in the foreground until Ctrl-C.

Like Anvil or Ganache for Ethereum dev chains, it prints the funded dev accounts (address and
mnemonic) and can write them for scripts: ``--accounts-file`` holds a JSON list of
``{"address", "mnemonic", "account_number"}`` objects.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slo_harness.shared.terminal import fail

if TYPE_CHECKING:
    from rich.console import Console

    from cosmostx import DevAccount
    from testbed import Testbed, TestbedConfig


def build_settings(
    config: Path | None, block_time: str | None, max_tps: float | None, accounts: int | None = None
) -> TestbedConfig:
    """The config file (or defaults) with the command-line overrides applied; bad input exits 2 with
    one line, ``file:line: field: reason`` for the file."""
    from pydantic import ValidationError

    from slo.foundation.durations import parse_duration
    from slo.foundation.input_errors import InputError, field_path
    from testbed import TestbedConfig, load_config

    try:
        settings = load_config(config) if config is not None else TestbedConfig()
    except InputError as exc:  # already "file:line: field: reason"
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
    if accounts is not None:
        updates["accounts"] = accounts
    try:
        return TestbedConfig.model_validate({**settings.model_dump(), **updates})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = field_path(tuple(error["loc"]))
        option = {
            "block_time_seconds": "--block-time",
            "max_txs_per_block": "--max-tps",
            "accounts": "--accounts",
        }.get(where, where)
        raise fail(f"{option}: {error['msg']}") from None


def accounts_json(accounts: list[DevAccount]) -> str:
    """The ``--accounts-file`` content: account ``i`` has account number ``i``."""
    rows = [
        {"address": account.address, "mnemonic": account.mnemonic, "account_number": number}
        for number, account in enumerate(accounts)
    ]
    return json.dumps(rows, indent=2) + "\n"


async def _serve(settings: TestbedConfig, console: Console) -> None:
    import asyncio

    from testbed import run_testbed

    async with run_testbed(settings) as tb:
        _print_endpoints(tb, console)
        await asyncio.Event().wait()


def _print_accounts(tb: Testbed, console: Console) -> None:
    config = tb.config
    console.print(
        f"funded dev accounts ({len(tb.accounts)}, {config.initial_balance}{config.denom} each; "
        "their mnemonics are public, for test chains only):"
    )
    for number, account in enumerate(tb.accounts):
        console.print(f"  ({number}) {account.address}")
        console.print(f"      {account.mnemonic}")


def _print_endpoints(tb: Testbed, console: Console) -> None:
    console.print(
        f"testbed {tb.config.chain_id}: block time {tb.config.block_time_seconds:g}s, "
        f"at most {tb.config.max_txs_per_block} txs per block ({tb.config.max_tps:g} tx/s)"
    )
    for name, url in tb.endpoints().items():
        console.print(f"  {name:<10} {url}")
    _print_accounts(tb, console)
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
    accounts: Annotated[
        int | None,
        typer.Option("--accounts", min=0, max=10_000, help="Funded dev accounts to create (default 10)."),
    ] = None,
    accounts_file: Annotated[
        Path | None,
        typer.Option(
            "--accounts-file",
            help='Write the dev accounts as JSON: [{"address", "mnemonic", "account_number"}].',
        ),
    ] = None,
) -> None:
    """Run a fake VirtEngine node (CometBFT RPC, Cosmos REST, gRPC, metrics, provider, benchmark,
    fault control) on free 127.0.0.1 ports, print each endpoint and the funded dev accounts, and
    serve until Ctrl-C."""
    import asyncio
    import contextlib

    from cosmostx import dev_accounts
    from slo.foundation.atomic_write import write_text_atomic

    settings = build_settings(config, block_time, max_tps, accounts)
    if accounts_file is not None:
        funded = dev_accounts(settings.accounts, prefix=settings.bech32_prefix, seed=settings.accounts_seed)
        try:
            write_text_atomic(accounts_file, accounts_json(funded))
        except OSError as exc:
            raise fail(f"{accounts_file}: {exc.strerror or exc}") from exc
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings, console))


def register(app: typer.Typer) -> None:
    app.command("testbed")(testbed)
