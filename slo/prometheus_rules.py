"""Prometheus recording and burn-rate alert rules for an SLO, in the Sloth / Pyrra style.

One rule group per SLO: a recording rule ``slo:sli_error:ratio_rate<window>`` for every window the
policy reads, then one alert per policy rule comparing those ratios with ``factor × (1 − T)``. The
recordings come first in the same group, so an alert evaluated at ``t`` reads ratios recorded at
``t`` — the same instants :mod:`slo.burn_rate` evaluates at, which is what lets ``promtool test rules``
confirm its timing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slo.alert_policy import BurnRateRule
from slo.durations import format_duration

WINDOW_PLACEHOLDER = "$window"


def _threshold(rule: BurnRateRule, target: float) -> str:
    return repr(round(rule.factor * (1.0 - target), 12))


def _alert_name(rule: BurnRateRule) -> str:
    camel = "".join(part.capitalize() for part in rule.name.replace("_", "-").split("-") if part)
    return f"SLOBurnRate{camel}"


def recording_name(window_seconds: float) -> str:
    return f"slo:sli_error:ratio_rate{format_duration(window_seconds)}"


def rule_group(
    *,
    slo_id: str,
    target: float,
    rules: Sequence[BurnRateRule],
    error_query: str,
    total_query: str,
    evaluation_interval_seconds: float = 30.0,
) -> dict[str, Any]:
    """A rule group (as a dict for YAML) for one SLO; queries contain ``$window`` for the range."""
    for name, query in (("error_query", error_query), ("total_query", total_query)):
        if WINDOW_PLACEHOLDER not in query:
            raise ValueError(f"{name} must contain {WINDOW_PLACEHOLDER} where the range goes")
    if not 0 < target < 1:
        raise ValueError(f"target must be in (0, 1) for burn-rate alerts, got {target!r}")
    labels = {"slo_id": slo_id}
    windows = sorted({w for rule in rules for w in rule.windows})
    out: list[dict[str, Any]] = []
    for w in windows:
        rng = format_duration(w)
        errors, total = (q.replace(WINDOW_PLACEHOLDER, rng) for q in (error_query, total_query))
        expr = f"({errors}) / ({total})"
        out.append({"record": recording_name(w), "expr": expr, "labels": dict(labels)})
    selector = f'{{slo_id="{slo_id}"}}'
    for rule in rules:
        threshold = _threshold(rule, target)
        expr = " and ".join(f"{recording_name(w)}{selector} >= {threshold}" for w in rule.windows)
        alert: dict[str, Any] = {
            "alert": _alert_name(rule),
            "expr": expr,
            "labels": {**labels, "severity": rule.severity, "rule": rule.name, "action": rule.action},
            "annotations": {
                "summary": f"{slo_id} burns its error budget {rule.factor:g}x too fast",
                "description": (
                    f"Error ratio over {' and '.join(format_duration(w) for w in rule.windows)} is at least "
                    f"{rule.factor:g} × (1 − {target:g}); at this rate the budget lasts "
                    f"1/{rule.factor:g} of the SLO window."
                ),
            },
        }
        if rule.for_seconds > 0:
            alert["for"] = format_duration(rule.for_seconds)
        out.append(alert)
    return {
        "name": f"slo-harness-{slo_id}",
        "interval": format_duration(evaluation_interval_seconds),
        "rules": out,
    }
