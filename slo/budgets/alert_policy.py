"""Burn-rate alert rules as plain values, and how a rule's factor follows from the budget it may spend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a burn rate is compared with a rule's factor: "gt" (greater than) as the SRE workbook and Sloth
# do, or "ge" (at least). They differ only on an exact tie.
Comparison = Literal["gt", "ge"]
COMPARISONS: tuple[Comparison, ...] = ("gt", "ge")

@dataclass(frozen=True)
class BurnRateRule:
    """One policy step: fire when the burn rate over every window exceeds ``factor``.

    ``comparison`` says what "exceeds" means: "gt" (``>``, the workbook's and Sloth's) or "ge" (``>=``).

    ``short_window_seconds`` is None for a single-window rule (the source document's "2x over 1 hour"),
    set for a multiwindow rule (the SRE workbook's "14.4x over 1 h and 5 m"). ``for_seconds`` is
    Prometheus' ``for:``: the condition must hold that long before the alert fires.

    >>> BurnRateRule("page-fast", factor=14.4, long_window_seconds=3600, short_window_seconds=300).windows
    (3600, 300)
    """

    name: str
    factor: float
    long_window_seconds: float
    short_window_seconds: float | None = None
    for_seconds: float = 0.0
    severity: str = "page"
    action: str = "page"
    comparison: Comparison = "gt"

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise ValueError(f"rule {self.name!r}: comparison must be gt or ge, got {self.comparison!r}")
        if self.factor <= 0:
            raise ValueError(f"rule {self.name!r}: factor must be positive, got {self.factor!r}")
        if self.long_window_seconds <= 0:
            raise ValueError(f"rule {self.name!r}: long window must be positive")
        if self.short_window_seconds is not None and not (
            0 < self.short_window_seconds <= self.long_window_seconds
        ):
            raise ValueError(f"rule {self.name!r}: short window must be positive and at most the long one")
        if self.for_seconds < 0:
            raise ValueError(f"rule {self.name!r}: for must not be negative")

    @property
    def operator(self) -> str:
        """The PromQL comparison operator."""
        return ">" if self.comparison == "gt" else ">="

    @property
    def windows(self) -> tuple[float, ...]:
        if self.short_window_seconds is None:
            return (self.long_window_seconds,)
        return (self.long_window_seconds, self.short_window_seconds)


def factor_for_budget_spent(
    budget_share: float, slo_window_seconds: float, long_window_seconds: float
) -> float:
    """Burn-rate factor that spends ``budget_share`` of the budget in one long window (Sloth's way).

    ``share × W / long``: 2 % in 1 h is 14.4 on a 30-day window and 13.44 on a 28-day one.
    """
    if not 0 < budget_share <= 1:
        raise ValueError(f"budget share must be in (0, 1], got {budget_share!r}")
    return budget_share * slo_window_seconds / long_window_seconds


def budget_spent_by_factor(factor: float, slo_window_seconds: float, long_window_seconds: float) -> float:
    """Share of the budget a rule lets burn before its long window can show it: ``k × long / W``."""
    return factor * long_window_seconds / slo_window_seconds
