"""Checking a catalogue's declared figures against the formulas, so the source is tested, not trusted.

Each declared figure is taken at the precision it is written with: "40 minutes" agrees with a
computed 40.32 (it rounds to 40), "21 minutes" does not agree with 20.16, "40.32 minutes" must match
to the hundredth. A leading "~" widens the tolerance to 10 %. Errors make ``check`` fail; warnings
(an SLA as strict as its own SLO, which leaves no margin) are reported but do not.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from slo.budgets.alert_policy import budget_spent_by_factor
from slo.budgets.budget import time_budget_seconds
from slo.catalogs.catalog import SLO, Catalog, Claim, LatencyObjective, RatioObjective
from slo.foundation.durations import parse_duration

_UNIT_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_DECLARED = re.compile(
    r"^(?P<approx>~)?\s*(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>%|[a-z]+)?\s*(?P<noun>[a-z]+)?$"
)
APPROX_TOLERANCE = 0.10

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Declared:
    """A figure as written: its number, unit word and the tolerance its precision implies."""

    value: float
    unit: str
    noun: str | None
    tolerance: float


@dataclass(frozen=True)
class Finding:
    """One declared figure set beside its recomputation."""

    subject: str
    field: str
    statement: str
    declared: str
    computed: float | None
    declared_value: float | None
    unit: str
    tolerance: float
    severity: Severity
    note: str = ""

    @property
    def difference(self) -> float | None:
        if self.computed is None or self.declared_value is None:
            return None
        return self.declared_value - self.computed

    @property
    def agrees(self) -> bool:
        diff = self.difference
        return diff is not None and math.isfinite(diff) and abs(diff) <= self.tolerance + 1e-12


def parse_declared(text: str) -> Declared | None:
    """``"~144 blocks"`` → 144 ± 14.4 blocks; ``"N/A"`` → None."""
    match = _DECLARED.match(text.strip().lower())
    if match is None:
        return None
    number = match.group("number").replace(",", "")
    decimals = len(number.split(".")[1]) if "." in number else 0
    value = float(number)
    tolerance = 0.5 * 10.0**-decimals
    if match.group("approx"):
        tolerance = max(tolerance, APPROX_TOLERANCE * value)
    unit = (match.group("unit") or "").removesuffix("s") if match.group("unit") != "%" else "%"
    return Declared(value, unit, match.group("noun"), tolerance)


def _in_unit(seconds: float, unit: str) -> float:
    return seconds / _UNIT_SECONDS[unit]


def _checked(
    subject: str, field: str, statement: str, text: str, declared: Declared, computed: float | None, note: str
) -> Finding:
    """An error-severity finding: the declared figure must match ``computed`` within its precision."""
    return Finding(
        subject,
        field,
        statement,
        text,
        computed,
        declared.value,
        declared.unit,
        declared.tolerance,
        "error",
        note,
    )


def _budget_finding(slo: SLO) -> Finding | None:
    field = f"slos[{slo.id}].declared_budget"
    statement = (
        f"{slo.id} {slo.name}: target {slo.target_text} over {slo.window}, error budget {slo.declared_budget}"
    )
    declared = parse_declared(slo.declared_budget)
    target, window = slo.target, slo.window_seconds
    if declared is None:
        if target is None or window is None or slo.declared_budget.strip().upper() != "N/A":
            return None
        minutes = time_budget_seconds(target, window) / 60.0
        return Finding(
            slo.id,
            field,
            statement,
            slo.declared_budget,
            minutes,
            None,
            "minute",
            0.0,
            "info",
            "declared N/A, but the objective has a budget",
        )
    computed: float | None = None
    if target is None or window is None:
        note = "a budget is declared for an objective that has none"
    elif declared.unit in _UNIT_SECONDS:
        computed = _in_unit(time_budget_seconds(target, window), declared.unit)
        note = "time budget (1 − T) × W"
    elif declared.unit == "%":
        computed = (1.0 - target) * 100.0
        note = "share of events allowed to be bad, 1 − T"
    elif declared.unit == "error":
        computed = 0.0 if target == 1.0 else math.inf
        note = "errors allowed: only a 100 % target allows none"
    else:
        note = f"unknown unit {declared.unit!r}"
    return _checked(slo.id, field, statement, slo.declared_budget, declared, computed, note)


def _claim_value(catalog: Catalog, claim: Claim, declared: Declared) -> tuple[float, str]:
    window = parse_duration(claim.window)
    if claim.kind == "time_budget":
        assert claim.target is not None
        return _in_unit(time_budget_seconds(claim.target, window), declared.unit), "(1 − T) × W"
    if claim.kind == "missed_blocks":
        assert claim.target is not None and claim.block_time_seconds is not None
        blocks = window / claim.block_time_seconds
        return (1.0 - claim.target) * blocks, f"(1 − T) × {blocks:,.0f} blocks in {claim.window}"
    if claim.kind == "window_length":
        return _in_unit(window, declared.unit), "W"
    assert claim.policy is not None
    spec = next(r for r in catalog.policy(claim.policy).rules if r.name == claim.rule)
    share = budget_spent_by_factor(spec.factor_for(window), window, spec.long_window_seconds)
    return share * 100.0, f"k × long window / W over {claim.window}"


def _claim_finding(catalog: Catalog, claim: Claim) -> Finding:
    field = f"claims[{claim.id}].declared"
    declared = parse_declared(claim.declared)
    if declared is None:
        return Finding(
            claim.id,
            field,
            claim.statement,
            claim.declared,
            None,
            None,
            "",
            0.0,
            "error",
            "declared figure does not parse",
        )
    computed, note = _claim_value(catalog, claim, declared)
    return _checked(claim.id, field, claim.statement, claim.declared, declared, computed, note)


def _sla_margin_findings(catalog: Catalog) -> list[Finding]:
    """An SLA at least as strict as an SLO on the same SLI leaves no room to act before penalties."""
    out: list[Finding] = []
    for sla in catalog.slas:
        for c in sla.commitments:
            for slo in catalog.slos:
                if slo.sli != c.sli:
                    continue
                obj = slo.objective
                if isinstance(obj, RatioObjective) and c.comparator == ">=":
                    slo_value, unit = obj.target * 100.0, "%"
                    no_margin = c.target >= obj.target
                    sla_value = c.target * 100.0
                elif isinstance(obj, LatencyObjective) and c.comparator == "<":
                    slo_value, unit = obj.threshold_seconds, "second"
                    no_margin = c.target <= obj.threshold_seconds
                    sla_value = c.target
                else:
                    continue
                if no_margin:
                    out.append(
                        Finding(
                            f"{sla.id}/{c.id}",
                            f"slas[{sla.id}].commitments[{c.id}].target",
                            f"{sla.name} {c.name}: {c.target_text}; {slo.id}: {slo.target_text}",
                            c.target_text,
                            slo_value,
                            sla_value,
                            unit,
                            0.0,
                            "warning",
                            f"SLA is as strict as {slo.id}: penalties start as soon as the SLO is missed",
                        )
                    )
    return out


def lint_catalog(catalog: Catalog) -> list[Finding]:
    """Every declared figure of the catalogue set beside its recomputation, in catalogue order."""
    findings = [f for slo in catalog.slos if (f := _budget_finding(slo)) is not None]
    findings += [_claim_finding(catalog, claim) for claim in catalog.claims]
    findings += _sla_margin_findings(catalog)
    return findings


def failures(findings: list[Finding]) -> list[Finding]:
    """Errors whose declared figure disagrees with the formula beyond its tolerance."""
    return [f for f in findings if f.severity == "error" and not f.agrees]
