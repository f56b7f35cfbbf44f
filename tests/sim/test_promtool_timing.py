"""Real Prometheus, fed the series a simulation produced, fires and resolves every alert when it did."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import assess, parse_scenario
from slo.prometheus_rules import PolicyRules, SLORules, rule_group
from tests.promtool import ERRORS, TOTAL, alert_checks, promtool_test_rules

SCENARIO = """
name: promtool-cross-check
seed: 42
window: 2d
services:
  api:
    requests: {rate: 20, diurnal: {amplitude: 0.3, peak: 15h}, error_ratio: 0.05%,
               latency: {median: 0.4s, p95: 1.2s}}
slos: {SLO-API-001: api.requests}
policies: [source-document, sre-workbook]
incidents:
  - {id: deploy, kind: error_ratio, magnitude: 30%, service: api, start: 10h, duration: until_resolved,
     cause: bad_deploy}
  - {id: outage, kind: outage, service: api, start: 30h, duration: 20m}
  - {id: slow, kind: error_ratio, magnitude: 0.8%, service: api, start: 36h, duration: 5h}
responders:
  on_call: {acknowledge: 5m, mitigate: 30m}
  automation: {rollback: 3m}
"""


@pytest.mark.integration
def test_promtool_agrees_with_the_simulator_on_every_fire_and_resolve(tmp_path: Path) -> None:
    plan = parse_scenario(SCENARIO, "promtool-cross-check.yaml")
    result = assess(plan)
    slo_id = "SLO-API-001"
    fires = [f for f in result.fires if f.slo_id == slo_id]
    assert {f.rule for f in fires} >= {"burn-10x-5m", "burn-5x-15m", "burn-2x-1h", "page-fast"}
    series = result.run.series[slo_id]
    assert series.evaluation_interval_seconds == 30.0
    cum_bad, cum_total = (np.concatenate([[0.0], c]) for c in series.cumulative())
    objective = plan.objective(slo_id)
    rules = [a.rule for a in plan.alerts if a.slo_id == slo_id]
    spec = SLORules(slo_id, "api", "tier1", objective.target, objective.slo_window_seconds, ERRORS, TOTAL)
    group = rule_group(spec, [PolicyRules("both", tuple(rules))], meta=False)
    spans: dict[str, list[tuple[float, float | None]]] = {r.name: [] for r in rules}
    for f in fires:
        spans[f.rule].append((f.fired_seconds, f.resolved_seconds))
    checks = alert_checks(group, spans, 30.0, float(series.times_seconds[-1]))
    assert len(checks) >= 4 * len(fires) - 2
    outcome = promtool_test_rules(tmp_path, group, cum_bad, cum_total, checks, 30.0)
    assert outcome.returncode == 0, outcome.stdout[-4000:] + outcome.stderr[-4000:]
