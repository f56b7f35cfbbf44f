"""Same scenario and seed, same bytes: summary.json is an interface and a regression baseline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sim import assess, load_scenario
from sim.reports.output import summary_bytes

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_same_seed_gives_byte_identical_summary() -> None:
    plan = load_scenario(SCENARIOS / "bad-deploy-rollback.yaml")
    first, second = summary_bytes(assess(plan)), summary_bytes(assess(plan))
    assert first == second
    assert b'"seed": 1212' in first


def test_another_seed_gives_other_traffic() -> None:
    plan = load_scenario(SCENARIOS / "noisy-healthy.yaml")
    assert summary_bytes(assess(plan)) != summary_bytes(assess(replace(plan, seed=plan.seed + 1)))


def test_counterfactual_shares_the_baseline_noise() -> None:
    """Without automation only the incident layer differs: before the incident the counts agree."""
    plan = load_scenario(SCENARIOS / "bad-deploy-rollback.yaml")
    with_automation = assess(plan)
    without = assess(plan.without_automation())
    start = int(plan.incidents[0].start_seconds // plan.step_seconds)
    a = with_automation.run.traffic.streams["SLO-API-001"]
    b = without.run.traffic.streams["SLO-API-001"]
    assert (a.bad[:start] == b.bad[:start]).all() and (a.total == b.total).all()
    saving = with_automation.savings[0]
    assert saving.saved > 0.15 and saving.consumed_without == 1.0 - float(
        without.tracks["SLO-API-001"].remaining[-1]
    )


def test_checked_in_example_is_reproduced_byte_for_byte() -> None:
    example = Path(__file__).resolve().parents[2] / "results" / "example"
    result = assess(load_scenario(example / "scenario.yaml"))
    assert result.passed
    assert summary_bytes(result) == (example / result.run.plan.name / "summary.json").read_bytes()
