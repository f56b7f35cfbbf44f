"""The incident simulator: scenarios replayed over an SLO window in SimPy, with traffic from NumPy.

A scenario file (:mod:`sim.scenario`) names the SLOs in play, their traffic, incidents, responders,
alert policies and expected outcomes. :func:`load_scenario` resolves it against a catalogue into a
:class:`Plan`; :func:`simulate` replays it; :func:`assess` adds budgets, alert timings, SLA outcomes
and expectation results; :func:`write_results` writes ``summary.json``, CSVs, plots and a report.
Budget, burn-rate and SLA arithmetic all come from :mod:`slo`.
"""

from __future__ import annotations

from sim.engine import Run, simulate
from sim.output import write_results
from sim.plan import Plan
from sim.result import Result, assess, summary
from sim.scenario import Scenario
from sim.scenario_file import ScenarioError, load_scenario, parse_scenario
from sim.sweep import SweepRow, sweep, sweep_csv

__all__ = [
    "Plan",
    "Result",
    "Run",
    "Scenario",
    "ScenarioError",
    "SweepRow",
    "assess",
    "load_scenario",
    "parse_scenario",
    "simulate",
    "summary",
    "sweep",
    "sweep_csv",
    "write_results",
]
