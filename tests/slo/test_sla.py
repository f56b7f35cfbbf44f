"""Every SLA ladder boundary of the source, tested on both sides, and the rounding of credits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slo import evaluate_commitment, evaluate_sla, load_catalog
from slo.sla import CommitmentOutcome, credit_steps

CATALOG = load_catalog()


def outcome(sla_id: str, commitment_id: str, measured: float) -> CommitmentOutcome:
    sla = CATALOG.sla(sla_id)
    return evaluate_commitment(sla.id, sla.commitment(commitment_id), measured)


# (sla, commitment, measured, step) — None means the commitment is met.
LADDER = [
    # Validator: 99.50 % target; warning 99.00–99.49; slash 0.5 % 98.00–98.99; slash 1 % + jail < 98.
    ("SLA-VALIDATOR", "availability", 0.995, None),
    ("SLA-VALIDATOR", "availability", 0.99499, "warning"),
    ("SLA-VALIDATOR", "availability", 0.99, "warning"),
    ("SLA-VALIDATOR", "availability", 0.98999, "slash_0_5pct"),
    ("SLA-VALIDATOR", "availability", 0.98, "slash_0_5pct"),
    ("SLA-VALIDATOR", "availability", 0.97999, "slash_1pct_jail"),
    # Provider success rate: 95 % target; penalty 90–94.99; suspension < 90.
    ("SLA-PROVIDER", "deployment_success_rate", 0.95, None),
    ("SLA-PROVIDER", "deployment_success_rate", 0.94999, "reliability_penalty"),
    ("SLA-PROVIDER", "deployment_success_rate", 0.90, "reliability_penalty"),
    ("SLA-PROVIDER", "deployment_success_rate", 0.89999, "suspension_24h"),
    # Provider uptime: 99 % target; reduced reliability 95–98.99; dispute < 95.
    ("SLA-PROVIDER", "deployment_uptime", 0.99, None),
    ("SLA-PROVIDER", "deployment_uptime", 0.98999, "reduced_reliability"),
    ("SLA-PROVIDER", "deployment_uptime", 0.95, "reduced_reliability"),
    ("SLA-PROVIDER", "deployment_uptime", 0.94999, "dispute_eligible"),
    # Provisioning: P95 < 300 s; penalty 300–600 s; flag > 600 s.
    ("SLA-PROVIDER", "provisioning_speed", 299.9, None),
    ("SLA-PROVIDER", "provisioning_speed", 300.0, "provisioning_penalty"),
    ("SLA-PROVIDER", "provisioning_speed", 600.0, "provisioning_penalty"),
    ("SLA-PROVIDER", "provisioning_speed", 600.1, "flag_review"),
    # Network API: 99.5 % target; credits below.
    ("SLA-NETWORK-API", "availability", 0.995, None),
    ("SLA-NETWORK-API", "availability", 0.99499, "service_credit"),
    # Benchmark execution: 95 % target; warning < 95; review < 90. Challenges: 99 %; flag below.
    ("SLA-BENCHMARK", "execution", 0.95, None),
    ("SLA-BENCHMARK", "execution", 0.94999, "warning_investigation"),
    ("SLA-BENCHMARK", "execution", 0.90, "warning_investigation"),
    ("SLA-BENCHMARK", "execution", 0.89999, "operator_review"),
    ("SLA-BENCHMARK", "challenge_response", 0.99, None),
    ("SLA-BENCHMARK", "challenge_response", 0.98999, "anomaly_flag"),
]


@pytest.mark.parametrize(("sla_id", "commitment_id", "measured", "step"), LADDER)
def test_ladder_boundaries(sla_id: str, commitment_id: str, measured: float, step: str | None) -> None:
    result = outcome(sla_id, commitment_id, measured)
    assert result.step == step
    assert result.met is (step is None)
    assert bool(result.consequences) is (step is not None)


def test_every_step_of_every_ladder_is_reached_by_the_table() -> None:
    reached = {(sla, c, step) for sla, c, _, step in LADDER if step is not None}
    every = {(sla.id, c.id, s.id) for sla in CATALOG.slas for c in sla.commitments for s in c.ladder}
    assert reached == every


def test_slashing_and_jail_amounts() -> None:
    half = outcome("SLA-VALIDATOR", "availability", 0.985).consequences
    assert [(c.action, c.amount, c.unit) for c in half] == [("slash", 0.5, "percent_of_stake")]
    full = outcome("SLA-VALIDATOR", "availability", 0.95).consequences
    assert [(c.action, c.amount, c.duration_seconds) for c in full] == [
        ("slash", 1.0, None),
        ("jail", None, 7 * 86400),
    ]
    suspension = outcome("SLA-PROVIDER", "deployment_success_rate", 0.8).consequences[0]
    assert (suspension.action, suspension.duration_seconds) == ("suspension", 86400)


@pytest.mark.parametrize(("p95", "points"), [(300, 0), (375, 500), (450, 1000), (600, 2000)])
def test_provisioning_penalty_grows_linearly_to_2000_points(p95: float, points: float) -> None:
    (penalty,) = outcome("SLA-PROVIDER", "provisioning_speed", p95).consequences
    assert (penalty.amount, penalty.unit) == (pytest.approx(points), "points")


@pytest.mark.parametrize(
    ("availability", "credit"),
    [
        (0.99499, 5),  # any started 0.1 % step earns 5 %
        (0.994, 5),  # exactly 0.1 % below: one step, not two (float noise must not add one)
        (0.99399, 10),
        (0.9935, 10),
        (0.993, 10),
        (0.99, 25),
        (0.976, 95),  # 1.9 % below: 19 steps
        (0.975, 100),  # 2.0 % below: 20 steps = 100 %
        (0.90, 100),  # capped
    ],
)
def test_api_credit_rounding_and_cap(availability: float, credit: float) -> None:
    (c,) = outcome("SLA-NETWORK-API", "availability", availability).consequences
    assert (c.amount, c.unit) == (credit, "percent_of_fee")


@given(st.floats(min_value=0.5, max_value=0.995))
def test_credits_never_decrease_as_availability_falls(a: float) -> None:
    worse = max(a - 0.0005, 0.0)
    first = outcome("SLA-NETWORK-API", "availability", a)
    second = outcome("SLA-NETWORK-API", "availability", worse)
    amount = first.consequences[0].amount if first.consequences else 0.0
    assert second.consequences[0].amount is not None
    assert second.consequences[0].amount >= (amount or 0.0)
    assert second.consequences[0].amount <= 100


def test_floor_rounding_counts_only_whole_steps() -> None:
    assert credit_steps(0.0015, 0.001, "floor") == 1
    assert credit_steps(0.0015, 0.001, "ceil") == 2
    assert credit_steps(0.995 - 0.994, 0.001, "ceil") == 1


def test_latency_commitment_without_ladder_reports_a_bare_breach() -> None:
    result = outcome("SLA-NETWORK-API", "latency", 3.5)
    assert (result.met, result.step, result.consequences) == (False, None, ())
    assert outcome("SLA-NETWORK-API", "latency", 2.9).met


def test_evaluate_sla_takes_measurements_by_commitment() -> None:
    results = evaluate_sla(
        CATALOG.sla("SLA-PROVIDER"), {"deployment_success_rate": 0.93, "provisioning_speed": 700}
    )
    assert [(r.commitment_id, r.step) for r in results] == [
        ("deployment_success_rate", "reliability_penalty"),
        ("provisioning_speed", "flag_review"),
    ]
    with pytest.raises(KeyError, match="no commitment 'nope'"):
        evaluate_sla(CATALOG.sla("SLA-PROVIDER"), {"nope": 1.0})
    with pytest.raises(ValueError, match="NaN"):
        outcome("SLA-VALIDATOR", "availability", float("nan"))
