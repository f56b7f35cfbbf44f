"""Prometheus recording and burn-rate alert rules for an SLO, named as Sloth names them.

One rule group per SLO. First the recordings: ``slo:sli_error:ratio_rate<window>`` for every window
a policy reads and for the SLO's own window, then Sloth's meta series (``slo:objective:ratio``,
``slo:error_budget:ratio``, ``slo:time_period:days``, ``slo:current_burn_rate:ratio``,
``slo:period_burn_rate:ratio``, ``slo:period_error_budget_remaining:ratio``). Then one alert per policy
rule comparing the recorded ratios with ``factor × (1 − T)`` by the policy's comparison (``>`` or
``>=``). The recordings come first in the same group, so an alert evaluated at ``t`` reads ratios
recorded at ``t`` — the same instants :mod:`slo.budgets.burn_rate` evaluates at, which is what lets
``promtool test rules`` confirm its timing. Every series carries the labels ``slo``, ``service`` and
``tier``; alerts add ``severity``, ``policy``, ``rule`` and ``action``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slo.budgets.alert_policy import BurnRateRule, budget_spent_by_factor
from slo.foundation.durations import format_duration

WINDOW_PLACEHOLDER = "$window"
OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
TIME_PERIOD = "slo:time_period:days"
CURRENT_BURN = "slo:current_burn_rate:ratio"
PERIOD_BURN = "slo:period_burn_rate:ratio"
PERIOD_REMAINING = "slo:period_error_budget_remaining:ratio"


@dataclass(frozen=True)
class SLORules:
    """What one SLO's rules need: its identity, objective and the PromQL for its bad and all events.

    The queries are per-second rates with ``$window`` where the range goes, e.g.
    ``sum(rate(requests_total{code=~"5.."}[$window]))``.
    """

    slo: str
    service: str
    tier: str
    target: float
    window_seconds: float
    error_query: str
    total_query: str

    def __post_init__(self) -> None:
        for name, query in (("error_query", self.error_query), ("total_query", self.total_query)):
            if WINDOW_PLACEHOLDER not in query:
                raise ValueError(f"{name} must contain {WINDOW_PLACEHOLDER} where the range goes")
        if not 0 < self.target < 1:
            raise ValueError(f"target must be in (0, 1) for burn-rate alerts, got {self.target!r}")

    @property
    def labels(self) -> dict[str, str]:
        return {"slo": self.slo, "service": self.service, "tier": self.tier}

    @property
    def selector(self) -> str:
        return f'{{slo="{self.slo}"}}'


@dataclass(frozen=True)
class PolicyRules:
    """A named alert policy's rules, resolved for one SLO window."""

    name: str
    rules: tuple[BurnRateRule, ...]


def threshold(rule: BurnRateRule, target: float) -> str:
    """The error ratio a rule compares with, as the PromQL literal: ``factor × (1 − T)``."""
    return repr(round(rule.factor * (1.0 - target), 12))


def alert_name(rule: BurnRateRule) -> str:
    camel = "".join(part.capitalize() for part in rule.name.replace("_", "-").split("-") if part)
    return f"SLOBurnRate{camel}"


def recording_name(window_seconds: float) -> str:
    return f"slo:sli_error:ratio_rate{format_duration(window_seconds)}"


def _recordings(spec: SLORules, windows: Sequence[float], meta: bool) -> list[dict[str, Any]]:
    labels = spec.labels
    out: list[dict[str, Any]] = []
    for w in [*windows, spec.window_seconds] if meta else windows:
        rng = format_duration(w)
        errors, total = (q.replace(WINDOW_PLACEHOLDER, rng) for q in (spec.error_query, spec.total_query))
        out.append({"record": recording_name(w), "expr": f"({errors}) / ({total})", "labels": dict(labels)})
    if not meta:
        return out
    days = spec.window_seconds / 86400.0
    sel = spec.selector
    on = "on (slo, service, tier)"
    series = [
        (OBJECTIVE, f"vector({spec.target!r})"),
        (ERROR_BUDGET, f"vector({round(1.0 - spec.target, 12)!r})"),
        (TIME_PERIOD, f"vector({days:g})"),
        (CURRENT_BURN, f"{recording_name(min(windows))}{sel} / {on} {ERROR_BUDGET}{sel}"),
        (PERIOD_BURN, f"{recording_name(spec.window_seconds)}{sel} / {on} {ERROR_BUDGET}{sel}"),
        (PERIOD_REMAINING, f"1 - {PERIOD_BURN}{sel}"),
    ]
    for name, expr in series:
        # vector() has no labels; the rule's labels give it the SLO's.
        out.append({"record": name, "expr": expr, "labels": dict(labels)})
    return out


def _alert(spec: SLORules, policy: str, rule: BurnRateRule) -> dict[str, Any]:
    limit = threshold(rule, spec.target)
    expr = " and ".join(f"{recording_name(w)}{spec.selector} {rule.operator} {limit}" for w in rule.windows)
    windows = " and ".join(format_duration(w) for w in rule.windows)
    share = budget_spent_by_factor(rule.factor, spec.window_seconds, rule.long_window_seconds)
    period = format_duration(spec.window_seconds)
    compared = "above" if rule.comparison == "gt" else "at least"
    lasts = format_duration(round(spec.window_seconds / rule.factor))
    long_window = format_duration(rule.long_window_seconds)
    alert: dict[str, Any] = {
        "alert": alert_name(rule),
        "expr": expr,
        "labels": {
            **spec.labels,
            "severity": rule.severity,
            "policy": policy,
            "rule": rule.name,
            "action": rule.action,
        },
        "annotations": {
            "summary": f"{spec.slo} burns its error budget more than {rule.factor:g}x too fast",
            "description": (
                f"Error ratio over {windows} is {compared} {rule.factor:g} × (1 − {spec.target:g}) = "
                f"{limit}; at this rate the {period} budget lasts {lasts}."
            ),
            "budget_spent": (
                f"{share:.2%} of the {period} error budget is spent in {long_window} "
                "before this alert can fire"
            ),
            "action": rule.action,
        },
    }
    if rule.for_seconds > 0:
        alert["for"] = format_duration(rule.for_seconds)
    return alert


def rule_group(
    spec: SLORules,
    policies: Sequence[PolicyRules],
    *,
    evaluation_interval_seconds: float = 30.0,
    meta: bool = True,
) -> dict[str, Any]:
    """A rule group (as a dict for YAML) for one SLO: recordings, then every policy's alerts.

    ``meta=False`` leaves out the SLO-window ratio and Sloth's meta series, which alerts never read:
    timing checks over long series do, because each evaluation of a 28-day range re-reads it all.
    """
    windows = sorted({w for p in policies for rule in p.rules for w in rule.windows})
    if not windows:
        raise ValueError(f"{spec.slo}: no alert rules to write")
    rules = _recordings(spec, windows, meta)
    seen: set[tuple[str, str]] = set()
    for policy in policies:
        for rule in policy.rules:
            key = (policy.name, rule.name)
            if key in seen:
                raise ValueError(f"{spec.slo}: policy {policy.name!r} has two rules named {rule.name!r}")
            seen.add(key)
            rules.append(_alert(spec, policy.name, rule))
    return {
        "name": f"slo-harness-{spec.slo}",
        "interval": format_duration(evaluation_interval_seconds),
        "rules": rules,
    }
