"""Generated rules pass ``promtool check rules``, and real Prometheus fires them when
slo.budgets.burn_rate does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from slo import BurnRateRule, RollingSeries, evaluate_rule, load_catalog
from slo.prometheus.prometheus_rules import PolicyRules, SLORules, rule_group
from tests.conftest import require_binary
from tests.promtool import ERRORS, TOTAL, alert_checks, promtool_test_rules, spans

INTERVAL = 30.0


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_binary("promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.integration
def test_every_catalogue_slo_and_policy_passes_promtool_check(tmp_path: Path) -> None:
    catalog = load_catalog()
    groups = []
    for slo in catalog.slos:
        if slo.target is None or slo.window_seconds is None or slo.target >= 1:
            continue
        policies = [PolicyRules(p.name, p.to_rules(slo.window_seconds)) for p in catalog.alert_policies]
        spec = SLORules(slo.id, "svc", slo.tier, slo.target, slo.window_seconds, ERRORS, TOTAL)
        groups.append(rule_group(spec, policies))
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": groups}), encoding="utf-8")
    result = _promtool("check", "rules", "rules.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_queries_need_the_window_placeholder() -> None:
    with pytest.raises(ValueError, match=r"error_query must contain \$window"):
        SLORules("x", "svc", "tier0", 0.999, 86400.0, "e", TOTAL)
    spec = SLORules("x", "svc", "tier0", 0.999, 86400.0, ERRORS, TOTAL)
    with pytest.raises(ValueError, match="two rules named 'r'"):
        rule_group(spec, [PolicyRules("p", (BurnRateRule("r", 1, 60), BurnRateRule("r", 2, 60)))])


@pytest.mark.integration
@pytest.mark.parametrize(
    ("error_ratio", "start", "duration"),
    [(1.0, 7200, 1500), (0.02, 7200, 5400), (0.006, 5400, 4 * 3600)],
    ids=["25min-outage", "2pct-errors-90min", "0.6pct-errors-4h"],
)
def test_alert_timing_agrees_with_promtool(
    tmp_path: Path, error_ratio: float, start: float, duration: float
) -> None:
    catalog = load_catalog()
    window = 28 * 86400.0
    rules = [
        *catalog.policy("source-document").to_rules(window),
        *catalog.policy("sre-workbook").to_rules(window)[:2],
    ]
    target = 0.999
    length = start + duration + 8 * 3600
    n = int(length / INTERVAL)
    t = np.arange(n) * INTERVAL
    total = np.full(n, 3000.0)  # 100 requests/s sampled every 30 s
    bad = np.where((t >= start) & (t < start + duration), np.round(error_ratio * 3000.0), 0.0)
    series = RollingSeries.from_counts(
        total - bad, total, step_seconds=INTERVAL, evaluation_interval_seconds=INTERVAL
    )
    evaluations = [evaluate_rule(series, target, rule) for rule in rules]
    assert any(ev.firing.any() for ev in evaluations)

    spec = SLORules("SLO-TEST", "svc", "tier0", target, window, ERRORS, TOTAL)
    group = rule_group(spec, [PolicyRules("test", tuple(rules))], meta=False)
    # Counter samples at 0, 30 s, 60 s, ...: the value at i·30 s counts every request up to then.
    cum_total = np.concatenate([[0.0], np.cumsum(total)])[:n]
    cum_bad = np.concatenate([[0.0], np.cumsum(bad)])[:n]
    checks = alert_checks(group, spans(evaluations), INTERVAL, length - INTERVAL)
    result = promtool_test_rules(tmp_path, group, cum_bad, cum_total, checks, INTERVAL)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
