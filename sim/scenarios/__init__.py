"""The scenario language and what it resolves to.

``scenario`` is the pydantic model of a scenario file; ``scenario_file`` reads one (with
``inline_catalog`` for SLOs defined in the file itself) and resolves it into a ``plan.Plan`` of plain
values; ``incident_process`` turns random incident processes into incidents, one window at a time;
``what_if`` edits a scenario document before it is validated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from sim.scenarios.incident_process import ProcessPlan, realise
    from sim.scenarios.plan import Plan
    from sim.scenarios.scenario import Scenario
    from sim.scenarios.scenario_file import ScenarioError, load_scenario, parse_scenario
    from sim.scenarios.what_if import WhatIf, apply_what_if, parse_what_if

__all__ = [
    "Plan",
    "ProcessPlan",
    "Scenario",
    "ScenarioError",
    "WhatIf",
    "apply_what_if",
    "load_scenario",
    "parse_scenario",
    "parse_what_if",
    "realise",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "incident_process": ("ProcessPlan", "realise"),
        "plan": ("Plan",),
        "scenario": ("Scenario",),
        "scenario_file": ("ScenarioError", "load_scenario", "parse_scenario"),
        "what_if": ("WhatIf", "apply_what_if", "parse_what_if"),
    },
)
