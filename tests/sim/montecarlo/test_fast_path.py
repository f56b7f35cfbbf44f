"""The fast path against the SimPy engine, replication by replication, on a sample of seeds.

Both run the same engine processes on expected (noise-free) traffic; the fast path evaluates rules
only where incidents can move them. They must agree on every alert's fire and resolve times, the
budget left and when it ran out, and the SLA values, which decide every ladder step.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import simpy

from sim import Plan, parse_scenario, simulate
from sim.montecarlo.fast_path import Replication, fast_path_problem, replicate, traffic_model
from sim.montecarlo.risk import run_chunk
from sim.scenarios.incident_process import realise

SCENARIO = """\
name: fast-path-check
window: 14d
services:
  api:
    requests: {rate: 20, diurnal: {amplitude: 0.3, peak: 15h}, error_ratio: 0.02%,
               latency: {median: 0.4s, p95: 1.2s}}
  node:
    health: {interval: 30s}
slos:
  SLO-API-001: api.requests
  SLO-API-003: api.requests
  SLO-NODE-001: node.health
policies: [source-document, sre-workbook]
incident_processes:
  - {id: outage, kind: outage, service: api, rate: 2/14d, duration: {median: 20m, p95: 1h}}
  - {id: deploy, kind: error_ratio, service: api, rate: 2/14d, duration: until_resolved,
     magnitude: {min: 0.5%, max: 40%}, cause: bad_deploy}
  - {id: slow, kind: latency_shift, service: api, rate: 1/14d, duration: {mttr: 3h},
     magnitude: {min: 1.5, max: 4}}
  - {id: node-down, kind: outage, service: node, rate: 1/14d, duration: until_resolved}
responders:
  on_call: {acknowledge: {median: 5m, p95: 20m}, mitigate: {median: 30m, p95: 2h}}
  automation: {trigger: automatic_rollback, rollback: 3m, resolves: [bad_deploy]}
slas:
  SLA-NETWORK-API: {availability: api.requests}
"""
SEEDS = np.random.SeedSequence(20261130).spawn(400)[::80]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_scenario(SCENARIO, "fast-path-check.yaml")


def test_the_sample_exercises_responders_and_every_kind(plan: Plan) -> None:
    model = traffic_model(plan)
    assert fast_path_problem(plan, model) is None
    reps = [replicate(plan, s, model) for s in SEEDS]
    assert sum(r.rollbacks for r in reps) > 0 and sum(r.pages_answered for r in reps) > 0
    assert sum(len(r.fires) for r in reps) > 20


def assert_same_outcome(fast: Replication, engine: Replication) -> None:
    """The same alert fire/resolve times, pages, rollbacks, budgets, exhaustion and SLA values."""
    assert fast.incidents == engine.incidents
    assert fast.fires == engine.fires
    assert fast.rollbacks == engine.rollbacks and fast.pages_answered == engine.pages_answered
    assert fast.exhausted_seconds == engine.exhausted_seconds
    assert fast.remaining == pytest.approx(engine.remaining, rel=1e-9, abs=1e-12)
    assert fast.sla_measured == pytest.approx(engine.sla_measured, rel=1e-12)


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_fast_path_matches_the_engine(plan: Plan, index: int) -> None:
    seed = SEEDS[index]
    assert_same_outcome(replicate(plan, seed, traffic_model(plan)), replicate(plan, seed, None))


def test_expected_traffic_counts_time_based_streams_exactly_as_the_engine(plan: Plan) -> None:
    """Uptime is noise-free in the engine already: the expected traffic must not change it."""
    drawn = realise(plan, np.random.default_rng(4))
    realised = replace(drawn, incidents=tuple(i for i in drawn.incidents if i.service == "node"))
    assert realised.incidents
    noisy = simulate(realised, np.random.default_rng(9), simpy.Environment())
    expected = simulate(realised.without_noise(), np.random.default_rng(9), simpy.Environment())
    assert np.array_equal(
        noisy.traffic.streams["SLO-NODE-001"].bad, expected.traffic.streams["SLO-NODE-001"].bad
    )
    node_alerts = [i for i, a in enumerate(realised.alerts) if a.slo_id == "SLO-NODE-001"]
    for i in node_alerts:
        assert (
            noisy.alerts[i].evaluation.firing_intervals() == expected.alerts[i].evaluation.firing_intervals()
        )


# Incidents that wait hours for a responder (the fast path evaluates such a wait stretch by stretch,
# waking at each horizon) on two sources, with two SLOs on one of them (evaluated together) and
# alerts that keep firing across the moments another incident ends.
WAITS = """\
name: fast-path-waits
window: 14d
services:
  api:
    requests: {rate: 20, diurnal: {amplitude: 0.3, peak: 15h}, error_ratio: 0.02%,
               latency: {median: 0.4s, p95: 1.2s}}
  node:
    blocks: {interval: 6s, error_ratio: 0.01%, latency: {median: 5.8s, p95: 6.4s}}
slos:
  SLO-API-001: api.requests
  SLO-API-003: api.requests
  SLO-NODE-002: node.blocks
policies: [source-document, sre-workbook]
incident_processes:
  - {id: crash, kind: outage, service: node, rate: 2/14d, duration: until_resolved}
  - {id: missed, kind: missed_consensus, service: node, rate: 3/14d, duration: {median: 30m, p95: 3h},
     magnitude: {min: 20%, max: 60%}}
  - {id: deploy, kind: error_ratio, service: api, rate: 2/14d, duration: until_resolved,
     magnitude: {min: 0.5%, max: 40%}}
  - {id: slow, kind: latency_shift, service: api, rate: 2/14d, duration: {mttr: 3h},
     magnitude: {min: 1.5, max: 4}}
responders:
  on_call: {acknowledge: {median: 10m, p95: 1h}, mitigate: {median: 1h, p95: 8h}}
slas:
  SLA-VALIDATOR: {availability: node.blocks}
"""
WAIT_SEEDS = np.random.SeedSequence(20261201).spawn(300)[::50]


@pytest.fixture(scope="module")
def waits() -> Plan:
    return parse_scenario(WAITS, "fast-path-waits.yaml")


@pytest.mark.parametrize("index", range(len(WAIT_SEEDS)))
def test_fast_path_matches_the_engine_through_long_waits(waits: Plan, index: int) -> None:
    seed = WAIT_SEEDS[index]
    model = traffic_model(waits)
    assert fast_path_problem(waits, model) is None
    assert_same_outcome(replicate(waits, seed, model), replicate(waits, seed, None))


def test_the_waiting_sample_pages_and_fires(waits: Plan) -> None:
    model = traffic_model(waits)
    reps = [replicate(waits, s, model) for s in WAIT_SEEDS]
    assert sum(r.pages_answered for r in reps) > 0
    assert sum(len(r.fires) for r in reps) > 20


def test_a_chunk_draws_the_seeds_spawn_gives(plan: Plan) -> None:
    """Replication i of a risk run draws from SeedSequence(seed).spawn(runs)[i], whatever its chunk."""
    seeds = np.random.SeedSequence(7).spawn(6)
    model = traffic_model(plan)
    assert run_chunk(plan, 7, 6, 3, 6) == [replicate(plan, s, model) for s in seeds[3:6]]
    with pytest.raises(ValueError, match="not among"):
        run_chunk(plan, 7, 6, 4, 7)
