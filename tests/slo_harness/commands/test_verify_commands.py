"""``slo-harness verify-rules``: real promtool agrees with the simulator, and would say if not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim import assess, load_scenario
from sim.analyses.rule_tests import choose_step, rule_test
from slo import load_catalog
from slo_harness.cli import app
from slo_harness.commands.verify_commands import run_promtool, verdicts
from tests.conftest import require_binary

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
# Multiwindow pages and a ticket (node-outage-25m, slow-burn-10d, latency-regression,
# validator-warning), a `for:` rule and a flapping one (flapping-outages), the exact tie
# (burn-rate-tie), and the source document's policy on API traffic. (The library's low-rate
# scenarios, where the 10x/5 min rule flaps on single bad events, give thousands of checks and take
# minutes: `slo-harness verify-rules scenarios/*.yaml` runs them.)
LIBRARY = [
    "burn-rate-tie",
    "flapping-outages",
    "node-outage-25m",
    "slow-burn-10d",
    "latency-regression",
    "validator-warning",
    "bad-deploy-rollback",
    "bad-deploy-no-rollback",
    "api-credit-10pct",
    "api-credit-30pct",
    "api-credit-cap",
]

runner = CliRunner()


@pytest.mark.integration
@pytest.mark.slow
def test_promtool_agrees_with_every_alert_of_the_library(tmp_path: Path) -> None:
    require_binary("promtool")
    paths = [str(SCENARIOS / f"{name}.yaml") for name in LIBRARY]
    result = runner.invoke(app, ["verify-rules", *paths, "--keep", str(tmp_path)])
    output = result.output
    assert result.exit_code == 0, output
    summary = re.search(r"(\d+) of (\d+) alerts agree across (\d+) scenario\(s\)", output)
    assert summary is not None, output
    agreed, total, scenarios = (int(g) for g in summary.groups())
    assert (agreed, scenarios) == (total, len(LIBRARY))
    assert total >= 30
    # The tie, in the table: under ge the page fires when the hour is full of the incident, under gt never.
    assert re.search(r"burn-rate-tie\s*│\s*SLO-NODE-001/tie-ge/page-250x\s*│\s*7h→8h30s\s*│\s*30s", output)
    assert re.search(r"burn-rate-tie\s*│\s*SLO-NODE-001/tie-gt/page-250x\s*│\s*never\s*│", output)
    # Long windows are checked at a coarser step, as the table says; the files are kept for reading.
    assert re.search(r"slow-burn-10d\s*│\s*SLO-API-001/sre-workbook/ticket\s*│[^│]*│\s*5m", output)
    tests = yaml.safe_load((tmp_path / "flapping-outages" / "test.yml").read_text(encoding="utf-8"))
    checks = [c for t in tests["tests"] for c in t["alert_rule_test"]]
    assert sum(1 for c in checks if c["exp_alerts"]) >= 10


def test_the_tie_fires_under_ge_and_not_under_gt_in_the_simulator() -> None:
    result = assess(load_scenario(SCENARIOS / "burn-rate-tie.yaml"))
    fires = {(f.policy, f.fired_seconds, f.resolved_seconds) for f in result.fires}
    assert fires == {("tie-ge", 7 * 3600.0, 8 * 3600.0 + 30.0)}


@pytest.mark.integration
def test_a_disagreement_is_reported_per_alert(tmp_path: Path) -> None:
    """Rules that compare with >= where the simulator used > (and the reverse) fail exactly those alerts."""
    promtool = require_binary("promtool")
    result = assess(load_scenario(SCENARIOS / "burn-rate-tie.yaml"))
    run = result.run
    catalog = load_catalog()
    services = {s.id: (catalog.sli(s.sli).service, s.tier) for s in catalog.slos}
    test = rule_test(run, choose_step(run), services)
    for group in test.rules["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                flipped = " >= " if rule["labels"]["policy"] == "tie-gt" else " > "
                rule["expr"] = re.sub(r" >=? ", flipped, rule["expr"])
    outcome = run_promtool(promtool, test, tmp_path)
    assert outcome.returncode == 1
    found = {v.alert: v for v in verdicts(run.plan.name, test, outcome.stdout + outcome.stderr)}
    assert not found["SLO-NODE-001/tie-gt/page-250x"].agrees
    ge = found["SLO-NODE-001/tie-ge/page-250x"]
    assert "at 7h (fires) promtool does not find it firing" in ge.disagreements


def test_bad_step_and_missing_scenario_are_usage_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify-rules", str(SCENARIOS / "burn-rate-tie.yaml"), "--step", "7m"])
    assert result.exit_code == 2
    assert "step 7m does not divide 1h of rule page-250x" in result.output
    result = runner.invoke(app, ["verify-rules", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "none.yaml: cannot read" in result.output
