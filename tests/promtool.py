"""Running real ``promtool test rules`` on a series, to check alert timing against Prometheus itself."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from slo import RuleEvaluation
from tests.conftest import require_binary

ERRORS = 'sum(rate(requests_total{code="500"}[$window]))'
TOTAL = "sum(rate(requests_total[$window]))"


def alert_checks(
    group: dict[str, Any], intervals: dict[str, list[tuple[float, float | None]]], interval: float, end: float
) -> list[dict[str, Any]]:
    """Each alert present at its fire time and absent one evaluation before; the reverse at resolve."""
    alerts = {r["labels"]["rule"]: r for r in group["rules"] if "alert" in r}
    checks: list[dict[str, Any]] = []
    for rule_name, spans in intervals.items():
        rule = alerts[rule_name]
        present = [{"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]}]

        def check(at: float, expected: list[dict[str, Any]], name: str = rule["alert"]) -> None:
            checks.append({"eval_time": f"{int(at)}s", "alertname": name, "exp_alerts": expected})

        for fired, resolved in spans:
            check(fired, present)
            check(fired - interval, [])
            if resolved is not None and resolved < end:
                check(resolved, [])
                check(resolved - interval, present)
    return checks


def spans(evaluations: Sequence[RuleEvaluation]) -> dict[str, list[tuple[float, float | None]]]:
    return {ev.rule.name: ev.firing_intervals() for ev in evaluations}


def promtool_test_rules(
    tmp_path: Path,
    group: dict[str, Any],
    cum_bad: np.ndarray,
    cum_total: np.ndarray,
    checks: list[dict[str, Any]],
    interval: float,
) -> subprocess.CompletedProcess[str]:
    """Counters sampled every ``interval`` from t = 0 (value 0 there), the rules, and the checks."""
    step = f"{int(interval)}s"
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": step,
        "tests": [
            {
                "interval": step,
                "input_series": [
                    {"series": 'requests_total{code="200"}', "values": _values(cum_total - cum_bad)},
                    {"series": 'requests_total{code="500"}', "values": _values(cum_bad)},
                ],
                "alert_rule_test": checks,
            }
        ],
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [group]}), encoding="utf-8")
    (tmp_path / "test.yml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    return subprocess.run(
        [require_binary("promtool"), "test", "rules", "test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _values(counter: np.ndarray) -> str:
    return " ".join(repr(round(float(v), 6)) for v in counter)
