"""Responders and traffic: rollback and on-call end incidents, latency quantiles are exact."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim import parse_scenario, simulate
from sim.scenarios.plan import LatencyModel

SCENARIO = """\
name: responders
window: 2d
services:
  api:
    requests: {rate: 10, error_ratio: 0.01%, latency: {median: 0.4s, p95: 1.2s},
               classes: {bulk: {share: 20%, latency: {median: 3s, p95: 9s}}}}
slos: {SLO-API-001: api.requests}
policies: [source-document]
incidents:
  - {id: deploy, kind: error_ratio, magnitude: 50%, service: api, start: 1d, duration: until_resolved,
     cause: bad_deploy}
  - {id: disk, kind: error_ratio, magnitude: 50%, service: api, start: 1d12h, duration: until_resolved,
     cause: disk_full}
responders:
  on_call: {acknowledge: 5m, mitigate: 20m}
  automation: {rollback: 3m}
"""


def test_rollback_ends_a_bad_deploy_and_on_call_the_rest(rng: np.random.Generator) -> None:
    run = simulate(parse_scenario(SCENARIO, "responders.yaml"), rng, simpy.Environment())
    deploy, disk = run.incidents
    (rollback,) = run.actions
    assert deploy.ended_by == "rollback" and rollback.incidents == ("deploy",)
    assert deploy.end_seconds == pytest.approx(rollback.triggered_seconds + 180)
    assert rollback.triggered_seconds - deploy.plan.start_seconds <= 60
    assert disk.ended_by == "on_call"
    page = next(r for r in run.responses if r.incidents == ("disk",))
    assert page.acknowledged_seconds == pytest.approx(page.paged_seconds + 300)
    assert disk.end_seconds == pytest.approx(page.paged_seconds + 300 + 1200)


def test_until_resolved_without_responders_stays_open(rng: np.random.Generator) -> None:
    text = SCENARIO.split("responders:", maxsplit=1)[0]
    run = simulate(parse_scenario(text, "open.yaml"), rng, simpy.Environment())
    assert [r.ended_by for r in run.incidents] == [None, None]
    assert run.actions == () and run.responses == ()


def test_latency_quantile_is_the_lognormal_percentile(rng: np.random.Generator) -> None:
    quiet = SCENARIO.split("incidents:", maxsplit=1)[0]
    run = simulate(parse_scenario(quiet, "quiet.yaml"), rng, simpy.Environment())
    assert run.traffic.latency_quantile("api.requests", 0.95, excluded=("bulk",)) == pytest.approx(
        1.2, rel=1e-9
    )
    mixed = run.traffic.latency_quantile("api.requests", 0.95)
    fast, bulk = LatencyModel.from_percentiles(0.4, 1.2), LatencyModel.from_percentiles(3, 9)
    share_over = 0.8 * fast.exceed_probability(mixed) + 0.2 * bulk.exceed_probability(mixed)
    assert share_over == pytest.approx(0.05, abs=1e-9)
