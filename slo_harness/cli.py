"""The ``slo-harness`` Typer application; each area registers its commands from its own module."""

from __future__ import annotations

import typer

from slo_harness import (
    backtest_commands,
    catalog_commands,
    dashboard_commands,
    demo_commands,
    gate_commands,
    load_commands,
    probe_commands,
    report_commands,
    risk_commands,
    rules_commands,
    sim_commands,
    stack_commands,
    status_commands,
    testbed_commands,
    verify_commands,
)

app = typer.Typer(
    name="slo-harness",
    help="Probe, load-test and simulate the service levels of a VirtEngine (Cosmos SDK / CometBFT) network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: Typer's rich formatting imports Markdown and Pygments, which would
    # more than double the start-up time of every command.
    rich_markup_mode=None,
)
catalog_commands.register(app)
sim_commands.register(app)
backtest_commands.register(app)
risk_commands.register(app)
rules_commands.register(app)
status_commands.register(app)
testbed_commands.register(app)
probe_commands.register(app)
load_commands.register(app)
verify_commands.register(app)
stack_commands.register(app)
dashboard_commands.register(app)
gate_commands.register(app)
report_commands.register(app)
demo_commands.register(app)


def main() -> None:
    app()
