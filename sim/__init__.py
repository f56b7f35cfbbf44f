"""The incident simulator: scenarios replayed over an SLO window in SimPy, with traffic from NumPy.

A scenario file (:mod:`sim.scenarios.scenario`) names the SLOs in play, their traffic, incidents,
responders, alert policies and expected outcomes. :func:`load_scenario` resolves it against a
catalogue into a :class:`Plan`; :func:`simulate` replays it; :func:`assess` adds budgets, alert
timings, SLA outcomes and expectation results; :func:`write_results` writes ``summary.json``, CSVs,
plots and a report. Budget, burn-rate and SLA arithmetic all come from :mod:`slo`.

Layout (a package imports only those listed before it):

- ``sim.scenarios``: the scenario language (the pydantic model, the file loader, inline catalogues,
  what-if edits) and the :class:`Plan` it resolves to, with its random incident processes.
- ``sim.replay``: one replay: traffic, the SimPy engine, budgets and alert outcomes, expectations,
  and the assessed :class:`Result`.
- ``sim.reports``: what a replay writes: ``summary.json``, CSVs, the timeline, plots and the HTML
  report.
- ``sim.montecarlo``: risk estimates over many replications: expected traffic, the fast path, the
  local or Dask runs and their output files.
- ``sim.analyses``: what else is read off replays: alert-rule sweeps, backtests over recorded
  counts, and promtool rule tests.

Names load on first use (``slo.foundation.lazy_api``), so ``import sim`` costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from sim.analyses.sweep import SweepRow, sweep, sweep_csv
    from sim.replay.engine import Run, simulate
    from sim.replay.result import Result, assess, summary
    from sim.reports.output import write_results
    from sim.scenarios.plan import Plan
    from sim.scenarios.scenario import Scenario
    from sim.scenarios.scenario_file import ScenarioError, load_scenario, parse_scenario

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

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "analyses.sweep": ("SweepRow", "sweep", "sweep_csv"),
        "replay.engine": ("Run", "simulate"),
        "replay.result": ("Result", "assess", "summary"),
        "reports.output": ("write_results",),
        "scenarios.plan": ("Plan",),
        "scenarios.scenario": ("Scenario",),
        "scenarios.scenario_file": ("ScenarioError", "load_scenario", "parse_scenario"),
    },
)
