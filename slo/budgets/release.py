"""Release decisions from the error-budget policy: budget status × release risk → approve … block.

The source's error-budget policy says what a team may do at each status (Healthy: feature releases
allowed; Warning: feature releases need SRE approval, experimental features postponed; Critical:
feature releases frozen, only critical fixes; Depleted: complete change freeze, emergency fixes
only). :data:`DEFAULT_MATRIX` reads those actions as a matrix over three release risks:

======== ======== ======== ========
status   low      medium   high
======== ======== ======== ========
healthy  approve  approve  approve
warning  approve  review   defer
critical review   defer    block
depleted block    block    block
======== ======== ======== ========

*low* is a bug fix or reliability change, *medium* a normal feature release, *high* an experimental
or wide-reaching change. *review* means a person must sign off (SRE, or VP when Critical); *defer*
means wait until the budget recovers; *block* means not now. A catalogue may replace the matrix
(``release_policy.matrix``). With several SLOs the strictest decision wins.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from slo.budgets.budget import BudgetStatus

__all__ = [
    "DEFAULT_MATRIX",
    "EXIT_CODES",
    "Decision",
    "Risk",
    "decide",
    "strictest",
]


class Risk(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Decision(enum.StrEnum):
    """Declared from the most permissive to the strictest; :func:`strictest` relies on that order."""

    APPROVE = "approve"
    REVIEW = "review"
    DEFER = "defer"
    BLOCK = "block"


# A CI/CD step branches on these: 0 go, 1 stop, 3 ask a person (2 is left for bad input or a stale source).
EXIT_CODES: Mapping[Decision, int] = {
    Decision.APPROVE: 0,
    Decision.REVIEW: 3,
    Decision.DEFER: 1,
    Decision.BLOCK: 1,
}

Matrix = Mapping[BudgetStatus, Mapping[Risk, Decision]]

_A, _R, _D, _B = Decision.APPROVE, Decision.REVIEW, Decision.DEFER, Decision.BLOCK
DEFAULT_MATRIX: Matrix = {
    BudgetStatus.HEALTHY: {Risk.LOW: _A, Risk.MEDIUM: _A, Risk.HIGH: _A},
    BudgetStatus.WARNING: {Risk.LOW: _A, Risk.MEDIUM: _R, Risk.HIGH: _D},
    BudgetStatus.CRITICAL: {Risk.LOW: _R, Risk.MEDIUM: _D, Risk.HIGH: _B},
    BudgetStatus.DEPLETED: {Risk.LOW: _B, Risk.MEDIUM: _B, Risk.HIGH: _B},
}

_ORDER = {d: i for i, d in enumerate(Decision)}


def decide(status: BudgetStatus, risk: Risk, matrix: Matrix = DEFAULT_MATRIX) -> Decision:
    """The matrix cell for one SLO's status and the release's risk."""
    return matrix[status][risk]


def strictest(decisions: Iterable[Decision]) -> Decision:
    """The strictest of several decisions (block > defer > review > approve); approve when none."""
    return max(decisions, key=_ORDER.__getitem__, default=Decision.APPROVE)
