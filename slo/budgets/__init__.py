"""Error budgets: how much an objective allows, how fast it burns, when a burn-rate alert fires, and
what a budget's state means for a release or a load test.

``budget`` holds the budget arithmetic and statuses; ``alert_policy`` a burn-rate rule and the factor
its budget share gives; ``burn_rate`` rolling windows and alert timing over NumPy series (the function
``burn_rate`` itself is ``slo.budgets.burn_rate``: here the name is its module's); ``release`` the
error-budget policy's release decisions; ``verdict`` a load-test run's pass or fail; ``report`` one
SLO's window and budget entries as JSON (the exporter's ``/slo`` view, the gate's snapshot). Plain floats and
arrays in, plain values out: no catalogue models, so the simulator and the prober call these directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from slo.budgets.alert_policy import BurnRateRule, budget_spent_by_factor, factor_for_budget_spent
    from slo.budgets.budget import (
        BudgetStatus,
        StatusThreshold,
        budget_consumed_by_burn,
        budget_status,
        consumed_fraction,
        event_budget,
        remaining_fraction,
        time_budget_seconds,
        time_to_exhaustion_seconds,
    )
    from slo.budgets.burn_rate import (
        RollingSeries,
        RuleEvaluation,
        evaluate_policy,
        evaluate_rule,
        first_fire_seconds_constant,
        reset_seconds_constant,
    )
    from slo.budgets.release import Decision, Risk, decide, strictest
    from slo.budgets.verdict import Judgement, Verdict, judge_events, judge_latencies, judge_throughput

__all__ = [
    "BudgetStatus",
    "BurnRateRule",
    "Decision",
    "Judgement",
    "Risk",
    "RollingSeries",
    "RuleEvaluation",
    "StatusThreshold",
    "Verdict",
    "budget_consumed_by_burn",
    "budget_spent_by_factor",
    "budget_status",
    "consumed_fraction",
    "decide",
    "evaluate_policy",
    "evaluate_rule",
    "event_budget",
    "factor_for_budget_spent",
    "first_fire_seconds_constant",
    "judge_events",
    "judge_latencies",
    "judge_throughput",
    "remaining_fraction",
    "reset_seconds_constant",
    "strictest",
    "time_budget_seconds",
    "time_to_exhaustion_seconds",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "alert_policy": ("BurnRateRule", "budget_spent_by_factor", "factor_for_budget_spent"),
        "budget": (
            "BudgetStatus",
            "StatusThreshold",
            "budget_consumed_by_burn",
            "budget_status",
            "consumed_fraction",
            "event_budget",
            "remaining_fraction",
            "time_budget_seconds",
            "time_to_exhaustion_seconds",
        ),
        "burn_rate": (
            "RollingSeries",
            "RuleEvaluation",
            "evaluate_policy",
            "evaluate_rule",
            "first_fire_seconds_constant",
            "reset_seconds_constant",
        ),
        "release": ("Decision", "Risk", "decide", "strictest"),
        "verdict": ("Judgement", "Verdict", "judge_events", "judge_latencies", "judge_throughput"),
    },
)
