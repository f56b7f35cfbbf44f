"""The /slo view's and the gate snapshot's entries, against hand-worked counts (99 % objective)."""

from __future__ import annotations

import pytest

from slo.budgets.budget import DEFAULT_STATUS_THRESHOLDS, BudgetStatus
from slo.budgets.report import budget_entry, window_entry


def test_a_window_with_5_bad_of_1000_against_99_percent() -> None:
    entry = window_entry(5.0, 1000.0, 0.99)
    assert entry["good"] == 995.0 and entry["total"] == 1000.0
    assert entry["sli"] == 0.995
    assert entry["burn_rate"] == pytest.approx(0.5)  # 0.5 % errors against a 1 % budget


def test_a_window_without_events_has_no_sli_and_a_full_objective_no_burn_rate() -> None:
    assert window_entry(0.0, 0.0, 0.99)["sli"] is None
    assert window_entry(0.0, 0.0, 0.99)["burn_rate"] is None
    assert window_entry(1.0, 10.0, 1.0)["burn_rate"] is None


@pytest.mark.parametrize(
    ("bad", "remaining", "status"),
    [
        (6.0, 0.4, BudgetStatus.WARNING),
        (8.0, 0.2, BudgetStatus.CRITICAL),
        (12.0, -0.2, BudgetStatus.DEPLETED),
        (1.0, 0.9, BudgetStatus.HEALTHY),
    ],
)
def test_the_budget_of_1000_events_at_99_percent(bad: float, remaining: float, status: BudgetStatus) -> None:
    entry = budget_entry(bad, 1000.0, 0.99, DEFAULT_STATUS_THRESHOLDS)
    assert entry["allowed_bad"] == pytest.approx(10.0)
    assert entry["bad"] == bad and entry["total"] == 1000.0
    assert entry["remaining"] == pytest.approx(remaining)
    assert entry["status"] == status.value
