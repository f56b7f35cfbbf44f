"""The commands, one module per area; ``slo_harness.cli`` registers each area's ``register(app)``.

A commands module imports at its top only what ``--help`` needs (Typer, rich, the small modules of
``slo``) and imports the package it drives (the simulator, the prober, the testbed, Locust, NumPy,
pydantic, YAML) inside each command, so importing every area costs what starting the CLI costs.
"""

from __future__ import annotations

from slo_harness.commands import (
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

__all__ = [
    "backtest_commands",
    "catalog_commands",
    "dashboard_commands",
    "demo_commands",
    "gate_commands",
    "load_commands",
    "probe_commands",
    "report_commands",
    "risk_commands",
    "rules_commands",
    "sim_commands",
    "stack_commands",
    "status_commands",
    "testbed_commands",
    "verify_commands",
]
