"""``demo`` and ``report``: the whole story in one command, and the results index rebuilt from folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slo_harness.shared.terminal import fail, stdout_console

__all__ = ["rebuild_index", "register"]

_SCENARIOS = Path("scenarios")


def _library(quick: bool) -> list[Path]:
    from demo import QUICK

    paths = sorted(_SCENARIOS.glob("*.yaml"))
    if not paths:
        raise fail(f"{_SCENARIOS}/: no scenario files here (run the demo from the project's folder)")
    if quick and QUICK.scenarios is not None:
        paths = [p for p in paths if p.stem in QUICK.scenarios]
    return paths


def demo_command(
    out: Annotated[
        Path, typer.Option("--out", help="results folder, replaced when the demo finishes")
    ] = Path("results/demo"),
    quick: Annotated[
        bool, typer.Option("--quick", help="a shorter incident and four scenarios: under a minute")
    ] = False,
) -> None:
    """Testbed, exporter probing it, 50 TPS of signed load, a scripted incident (block stall, then a
    REST 5xx burst) and the scenario library in the simulator; writes OUT/index.html."""
    from demo import DEFAULT, QUICK
    from demo.run import run_demo

    plan = QUICK if quick else DEFAULT
    scenarios = _library(quick)
    console = stdout_console()
    console.print(
        f"demo ({plan.name}): about {plan.live_seconds:.0f} s live, then the report; Ctrl-C stops it and "
        "leaves nothing behind",
        markup=False,
    )
    try:
        outcome = run_demo(out, plan, scenarios, console)
    except KeyboardInterrupt:
        raise fail(f"interrupted: {out} was left as it was", code=130) from None
    console.print()
    slos = sorted({alert.split()[0] for alert in outcome.alerts})
    console.print(
        f"probes: {outcome.probes}, {outcome.failed_probes} failed during the incident; "
        f"{len(outcome.alerts)} alert rules would have fired on {', '.join(slos) or 'no SLO'}",
        markup=False,
    )
    console.print(
        f"load exit {outcome.load_exit} (1: an SLO the load measured was missed), simulator exit "
        f"{outcome.sim_exit} (1: an expectation failed); logs in {out / 'logs'}",
        markup=False,
    )
    console.print(
        "took " + ", ".join(f"{name} at {seconds:.0f} s" for name, seconds in outcome.timings.items()),
        markup=False,
    )
    console.print(f"report: {outcome.index}", markup=False)


def rebuild_index(results: Path) -> None:
    """Rebuild RESULTS/index.html from the run folders under it (probes, load, simulations): what
    ``slo-harness report RESULTS`` does when it is given no recorded-history source."""
    from demo.index import write_index

    if not results.is_dir():
        raise fail(f"{results}: not a folder")
    index = write_index(results, f"slo-harness results: {results.resolve().name}")
    if index is None:
        raise fail(f"{results}: no run folders (summary.json of a demo, load or sim run) found")
    stdout_console().print(f"report: {index}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
