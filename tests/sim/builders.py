"""Small scenarios written as YAML text, for tests that need a plan with exactly one thing going on."""

from __future__ import annotations

import json
from typing import Any

from sim import Plan, parse_scenario


def uptime_plan(
    incidents: list[dict[str, Any]],
    rules: list[dict[str, Any]],
    *,
    window: str = "3d",
    error_ratio: float = 0.0,
    source: str = "test.yaml",
) -> Plan:
    """Node uptime (99.95 %, time-based, so no noise) with inline rules and the given incidents."""
    doc = {
        "name": "closed-form",
        "window": window,
        "services": {"node": {"health": {"interval": "30s", "error_ratio": error_ratio}}},
        "slos": {"SLO-NODE-001": "node.health"},
        "policies": [{"name": "test", "rules": rules}],
        "incidents": incidents,
    }
    return parse_scenario(json.dumps(doc), source)


def rule(name: str, factor: float, long: str, short: str | None = None, hold: str = "0s") -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "factor": factor,
        "long_window": long,
        "for": hold,
        "severity": "page",
        "action": "page",
    }
    if short is not None:
        spec["short_window"] = short
    return spec
