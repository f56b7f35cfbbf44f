"""``catalog:`` as a mapping: a scenario with its own SLO in one file, and the window it is judged over."""

from __future__ import annotations

import pytest

from sim import ScenarioError, assess, parse_scenario, summary
from sim.reports.report import budget_window_note
from slo import first_fire_seconds_constant

ONE_FILE = """\
name: own-slo
window: {window}
noise: false
catalog:
  slos:
    - {{id: MY-API, name: API availability, objective: {{kind: ratio, target: 99.9%}}, window: 30d}}
services: {{api: {{requests: {{rate: 100}}}}}}
slos: {{MY-API: api.requests}}
policies: [sre-workbook]
incidents:
  - {{id: burn, kind: error_ratio, magnitude: 1.5%, service: api, start: 1d, duration: 2h}}
"""


def test_a_scenario_with_its_own_slo_is_one_file() -> None:
    plan = parse_scenario(ONE_FILE.format(window="30d"), "own.yaml")
    assert plan.warnings == ()
    objective = plan.objective("MY-API")
    assert objective.target == pytest.approx(0.999) and objective.slo_window_seconds == 30 * 86400.0
    doc = summary(assess(plan))
    assert doc["catalog"] == "inline"
    page = next(a for a in doc["alerts"] if a["rule"] == "page-fast")
    rule = next(a.rule for a in plan.alerts if a.rule.name == "page-fast")
    # 1.5 % is a 15x burn of 99.9 %, over the 14.4x factor: the closed form, to the evaluation tick.
    assert page["fired_at_seconds"] == first_fire_seconds_constant(
        target=objective.target, error_ratio=0.015, rule=rule, start_seconds=86400.0
    )
    # The packaged SLOs and policies are still there beside the inline one.
    assert {a.policy for a in plan.alerts} == {"sre-workbook"}


def test_a_window_unlike_the_slos_says_so_in_one_line_and_in_the_report() -> None:
    plan = parse_scenario(ONE_FILE.format(window="28d"), "own.yaml")
    assert plan.warnings == (
        "own.yaml:2: window: the scenario simulates 28d but its SLOs' windows differ (MY-API 30d): "
        "budgets are relative to the simulated 28d",
    )
    note = budget_window_note(summary(assess(plan)))
    assert note == "Budgets are relative to the simulated window, 28d (MY-API is defined over 30d)."


@pytest.mark.parametrize(
    ("old", "new", "exactly"),
    [
        (
            "target: 99.9%",
            "target: 120%",
            "own.yaml:6: catalog.slos[0].objective.target: must be a percentage",
        ),
        ("objective: {", "objectiv: {", "own.yaml:6: catalog.slos[0].objectiv: unknown field (did you mean"),
        (
            "  slos:\n",
            "  sloz:\n",
            "own.yaml:6: catalog.sloz: unknown field (inline catalogues hold name, slis",
        ),
        ("window: 30d}", "window: 30d, sli: NOPE}", "own.yaml:6: catalog.slos[0].sli: unknown SLI 'NOPE'"),
    ],
)
def test_errors_inside_the_inline_catalogue_name_its_line(old: str, new: str, exactly: str) -> None:
    text = ONE_FILE.format(window="30d")
    assert old in text
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text.replace(old, new), "own.yaml")
    assert str(info.value).startswith(exactly), str(info.value)
