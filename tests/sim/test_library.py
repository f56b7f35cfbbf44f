"""Every shipped scenario loads, runs and meets its own expectations; together they cover the ladders."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import Result, assess, load_scenario
from slo import Catalog, load_catalog

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    catalogs: dict[str, Catalog] = {}
    return {path.stem: assess(load_scenario(path, catalogs)) for path in SCENARIOS}


def test_library_has_at_least_twelve_scenarios() -> None:
    assert len(SCENARIOS) >= 12


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_meets_its_expectations(path: Path, results: dict[str, Result]) -> None:
    result = results[path.stem]
    assert result.run.plan.name == path.stem
    assert result.passed, [(f.expectation, f.observed) for f in result.failures]


def test_every_sla_ladder_step_is_reached(results: dict[str, Result]) -> None:
    catalog = load_catalog()
    reached = {(o.sla_id, o.commitment_id, o.step) for r in results.values() for o in r.slas}
    for sla in catalog.slas:
        for commitment in sla.commitments:
            for step in commitment.ladder:
                assert (sla.id, commitment.id, step.id) in reached, (sla.id, commitment.id, step.id)


def test_api_credits_at_several_shortfalls_and_the_cap(results: dict[str, Result]) -> None:
    credits = {
        c.amount
        for r in results.values()
        for o in r.slas
        if o.step == "service_credit"
        for c in o.consequences
    }
    assert {10.0, 30.0, 100.0} <= credits


def test_every_catalogue_rule_fires_somewhere_and_nothing_fires_when_quiet(
    results: dict[str, Result],
) -> None:
    catalog = load_catalog()
    fired = {(f.policy, f.rule) for r in results.values() for f in r.fires}
    for policy in catalog.alert_policies:
        for spec in policy.rules:
            assert (policy.name, spec.name) in fired
    quiet = results["noisy-healthy"]
    assert {a.policy for a in quiet.run.plan.alerts} == {p.name for p in catalog.alert_policies}
    assert quiet.fires == []


def test_gpu_deployments_are_excluded_from_the_provisioning_sla(results: dict[str, Result]) -> None:
    result = results["provider-gpu-exclusion"]
    speed = next(o for o in result.slas if o.commitment_id == "provisioning_speed")
    assert speed.met and speed.measured == pytest.approx(200.0, rel=1e-6)
    assert result.run.traffic.latency_quantile("provider.deployments", 0.95) > 300.0
