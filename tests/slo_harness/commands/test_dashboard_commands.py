"""``slo-harness dashboards``: one importable Grafana dashboard per service with the panels the SLOs need.

(That every query evaluates on a live Prometheus is checked in test_live_loop.)
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from slo import load_catalog
from slo.prometheus.metric_sources import has_budget
from slo_harness.cli import app
from slo_harness.monitoring.dashboards import expressions

runner = CliRunner()


def test_dashboards_per_service(tmp_path: Path) -> None:
    result = runner.invoke(app, ["dashboards", "--out", str(tmp_path), "--policy", "sre-workbook"])
    assert result.exit_code == 0, result.output
    catalog = load_catalog()
    files = sorted(p.name for p in tmp_path.glob("*.json"))
    assert files == sorted(f"slo-harness-{s}.json" for s in ("node", "provider", "benchmark", "api"))
    node = json.loads((tmp_path / "slo-harness-node.json").read_text(encoding="utf-8"))
    assert node["uid"] == "slo-harness-node"
    assert isinstance(node["schemaVersion"], int)
    assert [v["name"] for v in node["templating"]["list"]] == ["datasource"]
    node_slos = [s for s in catalog.slos if has_budget(s) and catalog.sli(s.sli).service == "node"]
    panels = node["panels"]
    rows = [p for p in panels if p["type"] == "row"]
    assert [r["title"].split()[0] for r in rows] == [*(s.id for s in node_slos), "Scheduled"]
    budget = [p for p in panels if p["title"].endswith("error budget remaining")]
    assert len(budget) == len(node_slos)
    steps = budget[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [(s["value"], s["color"]) for s in steps] == [
        (None, "red"),
        (0.05, "orange"),
        (0.25, "yellow"),
        (0.5, "green"),
    ]
    burn = next(p for p in panels if p["title"] == "SLO-NODE-001: burn rate per window")
    assert [t["legendFormat"] for t in burn["targets"]] == [
        f"burn rate {w}" for w in ("5m", "30m", "1h", "6h", "3d")
    ]
    lines = [s["value"] for s in burn["fieldConfig"]["defaults"]["thresholds"]["steps"]][1:]
    assert lines == [1.0, 6.0, 14.4]
    assert burn["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "dashed"
    titles = [p["title"] for p in panels]
    assert "Probe latency P50 / P95 / P99 by target" in titles
    assert "Probe success by target and module" in titles
    for panel in panels:
        for target in panel.get("targets", []):
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert all("$" not in e for e in expressions(node))  # runs as is against /api/v1/query
    assert "4 panels" not in result.output and "wrote" in result.output


def test_unknown_policy_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["dashboards", "--out", str(tmp_path), "--policy", "nope"])
    assert result.exit_code == 2
    assert "no alert policy 'nope'" in result.output
