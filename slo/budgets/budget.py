"""Error-budget arithmetic: how much unreliability an objective allows and how much is left.

Every function takes plain floats (or NumPy arrays, elementwise) so the simulator, the prober's SLO
view and the catalogue linter share one implementation. Targets are ratios in (0, 1); durations are
seconds.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, overload

# NumPy is imported where arrays are handled, not here: the CLI's `budget` and `check` use only the
# float functions and must start fast.
if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    FloatArray = NDArray[np.float64]
    FloatOrArray = TypeVar("FloatOrArray", float, FloatArray)


def _check_target(target: float) -> None:
    if not 0.0 < target < 1.0 and target != 1.0:
        raise ValueError(f"target must be a ratio in (0, 1], got {target!r}")


def time_budget_seconds(target: float, window_seconds: float) -> float:
    """Downtime a time-based objective allows over its window: ``(1 - T) × W``."""
    _check_target(target)
    if window_seconds <= 0:
        raise ValueError(f"window must be positive, got {window_seconds!r}")
    return (1.0 - target) * window_seconds


def event_budget(target: float, total_events: FloatOrArray) -> FloatOrArray:
    """Bad events an event-based objective allows among ``total_events``: ``(1 - T) × total``."""
    _check_target(target)
    return (1.0 - target) * total_events


@overload
def consumed_fraction(bad: float, allowed: float) -> float: ...
@overload
def consumed_fraction(bad: FloatArray | float, allowed: FloatArray) -> FloatArray: ...
@overload
def consumed_fraction(bad: FloatArray, allowed: FloatArray | float) -> FloatArray: ...
def consumed_fraction(bad: FloatArray | float, allowed: FloatArray | float) -> FloatArray | float:
    """Share of the budget spent, ``bad / allowed``; above 1 once the budget is overspent.

    With nothing allowed (a 100 % target) any bad event spends everything (inf), none spends nothing.
    """
    import numpy as np  # noqa: PLC0415 (see the imports)

    bad_a = np.asarray(bad, dtype=np.float64)
    allowed_a = np.asarray(allowed, dtype=np.float64)
    safe = np.where(allowed_a > 0, allowed_a, 1.0)
    out = np.where(allowed_a > 0, bad_a / safe, np.where(bad_a > 0, np.inf, 0.0))
    if out.ndim == 0:
        return float(out)
    return out


@overload
def remaining_fraction(bad: float, allowed: float) -> float: ...
@overload
def remaining_fraction(bad: FloatArray | float, allowed: FloatArray) -> FloatArray: ...
@overload
def remaining_fraction(bad: FloatArray, allowed: FloatArray | float) -> FloatArray: ...
def remaining_fraction(bad: FloatArray | float, allowed: FloatArray | float) -> FloatArray | float:
    """``1 - consumed``: may go below zero, which reports overspend; clamp only when displaying."""
    return 1.0 - consumed_fraction(bad, allowed)


class BudgetStatus(enum.StrEnum):
    """The source document's four error-budget status levels, healthiest first."""

    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    DEPLETED = "depleted"


@dataclass(frozen=True)
class StatusThreshold:
    """A level holds when remaining budget is above ``lower`` (or at it, when ``inclusive``)."""

    status: BudgetStatus
    lower: float
    inclusive: bool


# Healthy r > 50 %; Warning 25 % <= r <= 50 %; Critical 5 % <= r < 25 %; Depleted r < 5 %.
# The source's table says "25% - 50%" and "5% - 25%": a shared edge belongs to the less healthy
# level above it (50 % is Warning) and to the healthier level below it (25 % is Warning, 5 % Critical),
# so each boundary value has exactly one status.
DEFAULT_STATUS_THRESHOLDS: tuple[StatusThreshold, ...] = (
    StatusThreshold(BudgetStatus.HEALTHY, 0.50, inclusive=False),
    StatusThreshold(BudgetStatus.WARNING, 0.25, inclusive=True),
    StatusThreshold(BudgetStatus.CRITICAL, 0.05, inclusive=True),
)


def budget_status(
    remaining: float, thresholds: Sequence[StatusThreshold] = DEFAULT_STATUS_THRESHOLDS
) -> BudgetStatus:
    """Status for a remaining-budget fraction; thresholds are checked from the healthiest down."""
    for level in thresholds:
        if remaining > level.lower or (level.inclusive and remaining == level.lower):
            return level.status
    return BudgetStatus.DEPLETED


STATUS_ORDER: tuple[BudgetStatus, ...] = tuple(BudgetStatus)


def budget_status_codes(
    remaining: FloatArray, thresholds: Sequence[StatusThreshold] = DEFAULT_STATUS_THRESHOLDS
) -> NDArray[np.int8]:
    """:func:`budget_status` of every element, as indexes into :data:`STATUS_ORDER` (0 is Healthy).

    Vectorised for series of millions of evaluations; NaN is Depleted, as in :func:`budget_status`.
    """
    import numpy as np  # noqa: PLC0415 (see the imports)

    values = np.asarray(remaining, dtype=np.float64)
    codes = np.full(values.shape, STATUS_ORDER.index(BudgetStatus.DEPLETED), dtype=np.int8)
    # The healthiest level that holds wins, so assign from the least healthy up.
    for level in reversed(thresholds):
        holds = (values > level.lower) | ((values == level.lower) if level.inclusive else False)
        codes[holds] = STATUS_ORDER.index(level.status)
    return codes


def time_to_exhaustion_seconds(window_seconds: float, burn_rate: float, remaining: float = 1.0) -> float:
    """How long until ``remaining`` budget is gone at a steady burn rate: ``remaining × W / b``."""
    if burn_rate < 0:
        raise ValueError(f"burn rate must not be negative, got {burn_rate!r}")
    if burn_rate == 0:
        return float("inf")
    return max(remaining, 0.0) * window_seconds / burn_rate


def budget_consumed_by_burn(burn_rate: float, duration_seconds: float, window_seconds: float) -> float:
    """Share of the budget a steady burn rate spends in ``duration_seconds``: ``b × d / W``."""
    if window_seconds <= 0:
        raise ValueError(f"window must be positive, got {window_seconds!r}")
    return burn_rate * duration_seconds / window_seconds
