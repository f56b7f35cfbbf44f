"""What else is read off replays: alert-rule sweeps, backtests and promtool rule tests.

``sweep`` evaluates many alert-rule configurations on one scenario's traffic; ``backtest`` builds a
plan from a recorded period's counts and marked incidents; ``rule_tests`` turns a run's timeline
into a promtool test file for the generated Prometheus rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from sim.analyses.backtest import MarkedIncident, Period, backtest_plan
    from sim.analyses.rule_tests import RuleTest, rule_test
    from sim.analyses.sweep import SweepRow, sweep, sweep_csv

__all__ = [
    "MarkedIncident",
    "Period",
    "RuleTest",
    "SweepRow",
    "backtest_plan",
    "rule_test",
    "sweep",
    "sweep_csv",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "backtest": ("MarkedIncident", "Period", "backtest_plan"),
        "rule_tests": ("RuleTest", "rule_test"),
        "sweep": ("SweepRow", "sweep", "sweep_csv"),
    },
)
