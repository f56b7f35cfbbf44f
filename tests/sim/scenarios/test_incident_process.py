"""Incident processes: periodic replays, the laws' shapes, scenario errors, and what-if edits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim import ScenarioError, assess, parse_scenario
from sim.scenarios.incident_process import realise
from sim.scenarios.what_if import apply_what_if, parse_what_if


def _doc(process: dict[str, object], window: str = "18h") -> dict[str, object]:
    return {
        "name": "processes",
        "window": window,
        "services": {"node": {"health": {"interval": "30s"}}},
        "slos": {"SLO-NODE-001": "node.health"},
        "incident_processes": [{"id": "p", "kind": "outage", "service": "node", **process}],
    }


def test_every_hour_replays_eighteen_incidents_at_fixed_times() -> None:
    plan = parse_scenario(json.dumps(_doc({"every": "1h", "offset": "10m", "duration": "5m"})), "p.yaml")
    result = assess(plan)
    starts = [r.plan.start_seconds for r in result.run.incidents]
    assert starts == [600.0 + 3600.0 * k for k in range(18)]
    assert all(r.end_seconds - r.plan.start_seconds == 300.0 for r in result.run.incidents)
    # 18 outages of 5 min: 90 min of downtime, exactly, on a time-based SLO
    assert result.tracks["SLO-NODE-001"].cumulative_bad[-1] == pytest.approx(5400.0)


def test_jitter_delays_each_start_by_less_than_the_jitter() -> None:
    plan = parse_scenario(
        json.dumps(_doc({"every": "1h", "jitter": "20m", "duration": "5m"}, window="7d")), "p.yaml"
    )
    starts = np.array([i.start_seconds for i in realise(plan, np.random.default_rng(1)).incidents])
    delays = starts - 3600.0 * np.arange(len(starts))
    assert len(starts) == 168 and delays.min() >= 0 and delays.max() < 1200
    assert delays.std() > 200  # spread over the jitter, roughly uniform (sd of U[0, 20m] is 346 s)


def test_duration_laws_have_their_stated_median_and_mean() -> None:
    lognormal = parse_scenario(
        json.dumps(_doc({"rate": "400/1d", "duration": {"median": "20m", "p95": "1h"}}, window="10d")),
        "p.yaml",
    )
    durations = np.array(
        [
            i.planned_end_seconds - i.start_seconds
            for i in realise(lognormal, np.random.default_rng(2)).incidents
        ]
    )
    short = durations[durations < 3600.0 * 10]  # the window cuts a few at its end
    assert np.median(short) == pytest.approx(1200.0, rel=0.05)
    assert np.quantile(short, 0.95) == pytest.approx(3600.0, rel=0.08)
    exponential = parse_scenario(
        json.dumps(_doc({"mtbf": "6m", "duration": {"mttr": "7m"}}, window="10d")), "p.yaml"
    )
    incidents = realise(exponential, np.random.default_rng(3)).incidents
    assert len(incidents) == pytest.approx(2400, rel=0.06)
    assert np.mean([i.planned_end_seconds - i.start_seconds for i in incidents]) == pytest.approx(
        420, rel=0.06
    )


def test_until_resolved_and_magnitude_ranges() -> None:
    doc = _doc({"rate": "50/1d", "duration": "until_resolved", "magnitude": {"min": "10%", "max": "30%"}})
    doc["incident_processes"][0]["kind"] = "error_ratio"  # type: ignore[index]
    plan = parse_scenario(json.dumps(doc), "p.yaml")
    incidents = realise(plan, np.random.default_rng(4)).incidents
    assert incidents and all(
        i.until_resolved and i.planned_end_seconds == plan.window_seconds for i in incidents
    )
    assert all(0.1 <= i.error_ratio <= 0.3 for i in incidents)


@pytest.mark.parametrize(
    ("process", "message"),
    [
        ({"rate": "2 per day", "duration": "5m"}, "expected a rate like 2/28d"),
        ({"duration": "5m"}, "give exactly one arrival law"),
        ({"rate": "2/1d", "jitter": "5m", "duration": "5m"}, "jitter and offset go with every"),
        ({"rate": "2/1d", "duration": {"median": "5m"}}, "needs both median and p95"),
        (
            {"rate": "2/1d", "duration": "5m", "magnitude": {"min": "50%", "max": "10%"}},
            "max must be at least min",
        ),
        ({"rate": "2/1d", "duration": "5m", "service": "db"}, "unknown service 'db'"),
    ],
)
def test_bad_processes_are_one_line_errors(process: dict[str, object], message: str) -> None:
    text = json.dumps(_doc(process), indent=1)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "p.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("p.yaml:") and "\n" not in str(info.value)


def test_what_if_edits_a_copy_by_path_and_by_list_item_id() -> None:
    doc = _doc({"rate": "2/1d", "duration": "5m"})
    changed = apply_what_if(doc, parse_what_if("incident_processes.p.rate=1/1d"))
    assert changed["incident_processes"][0]["rate"] == "1/1d"  # type: ignore[index]
    assert doc["incident_processes"][0]["rate"] == "2/1d"  # type: ignore[index]
    nested = apply_what_if(doc, parse_what_if("responders.on_call.mitigate=15m"))
    assert nested["responders"] == {"on_call": {"mitigate": "15m"}}
    assert "window" not in apply_what_if(doc, parse_what_if("window=null"))
    with pytest.raises(ValueError, match="no item 'q'"):
        apply_what_if(doc, parse_what_if("incident_processes.q.rate=1/1d"))
    with pytest.raises(ValueError, match="expected KEY=VALUE"):
        parse_what_if("window")
