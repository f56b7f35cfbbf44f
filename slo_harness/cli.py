"""The ``slo-harness`` Typer application; each area registers its commands from its own module in
``slo_harness.commands``, in the order ``--help`` lists them."""

from __future__ import annotations

import typer

from slo_harness import commands

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
commands.catalog_commands.register(app)
commands.sim_commands.register(app)
commands.backtest_commands.register(app)
commands.risk_commands.register(app)
commands.rules_commands.register(app)
commands.status_commands.register(app)
commands.testbed_commands.register(app)
commands.probe_commands.register(app)
commands.load_commands.register(app)
commands.verify_commands.register(app)
commands.stack_commands.register(app)
commands.dashboard_commands.register(app)
commands.gate_commands.register(app)
commands.report_commands.register(app)
commands.demo_commands.register(app)


def main() -> None:
    app()
