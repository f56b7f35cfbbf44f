"""The run's plots: a zoomed panel per short incident, budget in percent, no colour twice in a legend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from matplotlib.colors import to_hex

from sim import assess, load_scenario, parse_scenario
from sim.reports.plots import budget_figure, burn_rate_figure, distinct_colours, zooms

_EXAMPLE = Path(__file__).resolve().parents[3] / "results" / "example" / "scenario.yaml"


@pytest.mark.parametrize("count", [1, 9, 20, 21, 40])
def test_distinct_colours_are_distinct(count: int) -> None:
    colours = distinct_colours(count)
    assert len(colours) == count == len(set(colours))


def test_a_short_incident_gets_a_zoom_that_covers_it_and_a_long_one_does_not() -> None:
    doc = {
        "name": "zooms",
        "window": "10d",
        "services": {"node": {"health": {"interval": "30s"}}},
        "slos": {"SLO-NODE-001": "node.health"},
        "policies": ["source-document"],
        "incidents": [
            {"id": "blip", "kind": "outage", "service": "node", "start": "2d", "duration": "20m"},
            {"id": "long", "kind": "outage", "service": "node", "start": "5d", "duration": "2d"},
        ],
    }
    result = assess(parse_scenario(json.dumps(doc), "zooms.yaml"))
    (zoom,) = zooms(result, result.run.plan.objectives[0])
    assert zoom.incident == "blip"
    assert zoom.start == 2 * 86400 - 1200 and zoom.end == 2 * 86400 + 2400  # padded by its length
    assert zoom.unit == "min" and zoom.x(2 * 86400 + 1200) == 20.0
    figure = budget_figure(result)
    main, panel = figure.axes[0], figure.axes[1]
    assert main.get_ylabel() == "budget remaining (%)"
    assert panel.get_title() == "zoom: blip" and panel.get_xlim() == (-20.0, 40.0)
    # The outage spends 20 min of 99.95 % over 10 d (7.2 min): the zoom shows the budget going below 0 %.
    assert min(panel.get_ylim()) < 0.0 and max(main.get_ylim()) > 100.0


def test_burn_rate_legend_never_repeats_a_colour() -> None:
    result = assess(load_scenario(_EXAMPLE, {}))
    figure = burn_rate_figure(result)
    for ax in figure.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        colours = [to_hex(line.get_color()) for line in legend.get_lines()]
        assert len(colours) >= 4 and len(colours) == len(set(colours))
