"""SLA assessment: which rung of each penalty ladder a measured value lands on, and what it costs.

Amounts that grow with the shortfall are computed here, with their rounding explicit: API service
credits count every started 0.1 % step below target (``ceil``) unless the catalogue says ``floor``,
and the provisioning reliability penalty grows linearly across its rung up to ``max_points``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from slo.catalogs.catalog import SLA, Commitment, Consequence, LadderStep

# Quotients within this of a whole number are that number: 0.995 − 0.994 is 1.0000000000000009 steps
# of 0.001 in binary floating point, and must count as exactly one step.
_STEP_EPSILON_DIGITS = 9


@dataclass(frozen=True)
class ConsequenceOutcome:
    """A consequence as assessed: ``amount`` in ``unit`` (% of stake, % of fee, points), or a duration."""

    action: str
    description: str
    amount: float | None = None
    unit: str | None = None
    duration_seconds: float | None = None


@dataclass(frozen=True)
class CommitmentOutcome:
    sla_id: str
    commitment_id: str
    measured: float
    met: bool
    step: str | None
    consequences: tuple[ConsequenceOutcome, ...]


def credit_steps(shortfall: float, step: float, rounding: str) -> int:
    """Whole steps of ``step`` in ``shortfall``, rounded as the catalogue says (``ceil`` or ``floor``)."""
    quotient = round(shortfall / step, _STEP_EPSILON_DIGITS)
    return math.ceil(quotient) if rounding == "ceil" else math.floor(quotient)


def _assess(
    consequence: Consequence, rung: LadderStep, commitment: Commitment, measured: float
) -> ConsequenceOutcome:
    amount: float | None = None
    unit: str | None = None
    if consequence.credit_percent_per_step is not None:
        assert consequence.credit_step is not None and consequence.max_credit_percent is not None
        steps = credit_steps(commitment.target - measured, consequence.credit_step, consequence.rounding)
        amount = min(steps * consequence.credit_percent_per_step, consequence.max_credit_percent)
        unit = "percent_of_fee"
    elif consequence.max_points is not None:
        low = rung.above if rung.above is not None else commitment.target
        high = rung.below if rung.below is not None else low
        share = 1.0 if high <= low else min(max((measured - low) / (high - low), 0.0), 1.0)
        amount = consequence.max_points * share
        unit = "points"
    elif consequence.percent is not None:
        amount = consequence.percent
        unit = "percent_of_stake"
    return ConsequenceOutcome(
        action=consequence.action,
        description=consequence.description,
        amount=amount,
        unit=unit,
        duration_seconds=consequence.duration_seconds,
    )


def evaluate_commitment(sla_id: str, commitment: Commitment, measured: float) -> CommitmentOutcome:
    """Assess one commitment; a breach that no rung covers is reported with ``step`` None."""
    if math.isnan(measured):
        raise ValueError(f"{sla_id}/{commitment.id}: measured value is NaN")
    if commitment.is_met(measured):
        return CommitmentOutcome(sla_id, commitment.id, measured, True, None, ())
    rung = next((r for r in commitment.ladder if r.contains(measured)), None)
    if rung is None:
        return CommitmentOutcome(sla_id, commitment.id, measured, False, None, ())
    consequences = tuple(_assess(c, rung, commitment, measured) for c in rung.consequences)
    return CommitmentOutcome(sla_id, commitment.id, measured, False, rung.id, consequences)


def evaluate_sla(sla: SLA, measurements: Mapping[str, float]) -> tuple[CommitmentOutcome, ...]:
    """Assess every commitment that has a measurement (keyed by commitment id); others are skipped."""
    unknown = set(measurements) - {c.id for c in sla.commitments}
    if unknown:
        raise KeyError(f"{sla.id} has no commitment {sorted(unknown)[0]!r}")
    return tuple(
        evaluate_commitment(sla.id, c, measurements[c.id]) for c in sla.commitments if c.id in measurements
    )
