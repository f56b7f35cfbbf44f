"""One SLO's window and budget entries as JSON, from bad and total event counts.

The exporter's ``/slo`` view (counts from its results store) and the release gate's Prometheus
snapshot (counts from recorded series) are read by the same gate and the same dashboards, so both
build their entries here: the same fields, the same arithmetic, the same rounding.
"""

from __future__ import annotations

from typing import Any

from slo.budgets.budget import StatusThreshold, budget_status, event_budget, remaining_fraction
from slo.budgets.burn_rate import burn_rate
from slo.foundation.json_numbers import json_number

__all__ = ["budget_entry", "window_entry"]


def window_entry(bad: float, total: float, good_ratio: float) -> dict[str, Any]:
    """Good, total, SLI and burn rate of one window; the SLI of a window without events is null, and
    so is the burn rate of an objective of 100 %, which has no budget to burn."""
    error = bad / total if total > 0 else float("nan")
    return {
        "good": total - bad,
        "total": total,
        "sli": json_number(1.0 - error),
        "burn_rate": json_number(float(burn_rate(error, good_ratio))) if good_ratio < 1.0 else None,
    }


def budget_entry(
    bad: float, total: float, good_ratio: float, thresholds: tuple[StatusThreshold, ...]
) -> dict[str, Any]:
    """The budget over the SLO's window: bad events against those allowed, the share left, its status."""
    allowed = event_budget(good_ratio, total)
    remaining = float(remaining_fraction(bad, allowed))
    return {
        "bad": bad,
        "total": total,
        "allowed_bad": allowed,
        "remaining": json_number(remaining),
        "status": budget_status(remaining, thresholds).value,
    }
