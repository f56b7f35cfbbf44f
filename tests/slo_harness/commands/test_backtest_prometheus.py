"""``backtest --prometheus`` against a real Prometheus holding the simulator's own counts as history.

The simulator replays six hours of API traffic with an incident; its good and total counts per step
become two counters in OpenMetrics, ``promtool tsdb create-blocks-from openmetrics`` turns them into
blocks, and a real Prometheus serves them. The backtest of that history must agree with the
simulation: the same alerts at the same times, the same budget and status transitions.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from sim import assess, parse_scenario, summary
from slo_harness.cli import app
from tests.recorded.prometheus_history import prometheus_with_history as serving_history

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCENARIO = """\
name: api-history
seed: 11
window: 6h
step: 30s
evaluation_interval: 30s
services:
  api:
    requests: {rate: 20, error_ratio: 0.05%}
slos: {SLO-API-001: api.requests}
policies: [source-document]
incidents:
  - {id: burn, kind: error_ratio, magnitude: 20%, service: api, start: 2h, duration: 20m}
"""
STEP = 30


def _openmetrics(start: float, good: np.ndarray, bad: np.ndarray) -> str:
    lines = ["# TYPE requests counter"]
    for code, counts in (("200", good), ("500", bad)):
        cumulative = np.concatenate([[0.0], np.cumsum(counts)])
        lines += [
            f'requests_total{{code="{code}"}} {value!r} {start + k * STEP:.0f}'
            for k, value in enumerate(cumulative.tolist())
        ]
    return "\n".join([*lines, "# EOF", ""])


@pytest.fixture
def prometheus_with_history(tmp_path: Path) -> Iterator[tuple[str, float, dict[str, Any]]]:
    result = assess(parse_scenario(SCENARIO, "api-history.yaml"))
    stream = result.run.traffic.streams["SLO-API-001"]
    # Whole hours some hours back: inside Prometheus' retention, and blocks cover it exactly.
    start = math.floor(time.time() / 3600) * 3600 - 8 * 3600.0
    with serving_history(tmp_path, _openmetrics(start, stream.good, stream.bad)) as url:
        yield url, start, summary(result)


def test_backtest_of_the_simulators_counts_agrees_with_the_simulation(
    prometheus_with_history: tuple[str, float, dict[str, Any]], tmp_path: Path
) -> None:
    url, start, simulated = prometheus_with_history
    out = tmp_path / "results"
    args = [
        "backtest",
        "--prometheus",
        url,
        "--good",
        'sum(requests_total{code="200"})',
        "--total",
        "sum(requests_total)",
        "--slo",
        "SLO-API-001",
        "--from",
        f"{start:.0f}",
        "--to",
        f"{start + 6 * 3600:.0f}",
        "--policy",
        "source-document",
        "--incident",
        "2h..2h20m",
        "--name",
        "api-history",
        "--out",
        str(out),
        # The sweep grid on the same history.
        "--factor",
        "2,10",
        "--long-window",
        "5m,1h",
    ]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    files = {p.name for p in (out / "api-history").iterdir()}
    assert files == {
        "summary.json",
        "timeline.csv.gz",
        "alerts.csv",
        "budget.png",
        "burn_rates.png",
        "report.html",
        "sweep.csv",
    }
    backtest = json.loads((out / "api-history" / "summary.json").read_text())

    def alerts(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
        keys = ("rule", "fired_at_seconds", "resolved_at_seconds", "detection_seconds", "reset_seconds")
        return [tuple(a[k] for k in keys) for a in doc["alerts"]]

    assert alerts(simulated) and alerts(backtest) == alerts(simulated)
    for key in ("sli", "budget", "status_transitions"):
        assert backtest["slos"][0][key] == simulated["slos"][0][key], key
    assert "fired SLO-API-001/source-document/" in run.output
    with (out / "api-history" / "sweep.csv").open() as handle:
        sweep = {(float(r["factor"]), float(r["long_window_seconds"])): r for r in csv.DictReader(handle)}
    # 20 % errors burn at 200x: every configuration detects the one marked incident.
    assert len(sweep) == 4 and all(r["detected"] == "1" for r in sweep.values())
