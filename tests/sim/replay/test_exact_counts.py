"""``noise: false``: counts are exact expected values, so textbook figures come out exactly, every seed."""

from __future__ import annotations

import json

import pytest

from sim import assess, parse_scenario, summary
from slo import BurnRateRule, first_fire_seconds_constant
from tests.sim.builders import rule

TARGET = 0.999  # SLO-API-001
START = 86400.0 + 7.0  # not on a step or an evaluation edge
RULES = [
    rule("page-14.4x-1h", 14.4, "1h", "5m"),
    rule("page-6x-6h", 6, "6h", "30m"),
    rule("t-1x-3d", 1, "3d"),
]


def _plan(
    seed: int, factor: float, noise: dict[str, bool], comparison: str = "gt"
) -> dict[str, object]:
    return {
        "name": "exact",
        "seed": seed,
        "window": "2d",
        **noise,
        "services": {"api": {"requests": {"rate": 1000}}},
        "slos": {"SLO-API-001": "api.requests"},
        "policies": [{"name": "workbook", "comparison": comparison, "rules": RULES}],
        "incidents": [
            {
                "id": "burn",
                "kind": "error_ratio",
                # Exactly at the factor: 14.4 × 0.1 % is 1.44 %.
                "magnitude": f"{factor * 0.1:g}%",
                "service": "api",
                "start": START,
                "duration": "until_resolved",
            }
        ],
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("factor", [14.4, 6.0])
@pytest.mark.parametrize("comparison", ["ge", "gt"])
def test_an_error_ratio_at_the_factor_fires_at_the_closed_form_every_seed(
    seed: int, factor: float, comparison: str
) -> None:
    plan = _plan(seed, factor, {"noise": False}, comparison)
    result = assess(parse_scenario(json.dumps(plan), "exact.yaml"))
    spec = next(r for r in RULES if r["factor"] == factor)
    rule_ = BurnRateRule(
        spec["name"],
        factor,
        3600.0 if factor == 14.4 else 21600.0,
        300.0 if factor == 14.4 else 1800.0,
        comparison=comparison,  # type: ignore[arg-type]
    )
    # The ratio the rule compares against, in the same floating point: "exactly at the factor".
    expected = first_fire_seconds_constant(
        target=TARGET, error_ratio=factor * (1 - TARGET), rule=rule_, start_seconds=START
    )
    fires = [f for f in result.fires if f.rule == spec["name"]]
    if comparison == "gt":
        # A tie is not "greater than": the closed form says never, and the simulator agrees.
        assert expected is None and not fires
    else:
        assert expected is not None and fires and fires[0].fired_seconds == expected


def test_counts_are_the_expected_values_and_the_seed_changes_nothing() -> None:
    docs = [
        summary(assess(parse_scenario(json.dumps(_plan(s, 14.4, {"noise": False})), "e.yaml")))
        for s in (0, 9)
    ]
    sli = docs[0]["slos"][0]["sli"]
    window = 2 * 86400.0
    assert sli["total"] == 1000 * window
    assert sli["total"] - sli["good"] == pytest.approx(1000 * 0.0144 * (window - START), rel=1e-12)
    assert docs[0]["alerts"] == docs[1]["alerts"] and docs[0]["slos"] == docs[1]["slos"]


def test_a_source_can_turn_noise_off_alone() -> None:
    doc = _plan(0, 14.4, {})
    doc["services"] = {"api": {"requests": {"rate": 1000, "noise": False}}}
    exact = summary(assess(parse_scenario(json.dumps(doc), "e.yaml")))
    assert exact["slos"][0]["sli"]["total"] == 1000 * 2 * 86400.0
    noisy = summary(assess(parse_scenario(json.dumps(_plan(0, 14.4, {})), "e.yaml")))
    assert noisy["slos"][0]["sli"]["total"] != exact["slos"][0]["sli"]["total"]
