"""``slo-harness stack``: rules for the SLOs the exporter's targets measure, and clear refusals.

(The running loop itself is exercised in test_live_loop.)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from slo import load_catalog
from slo_harness.cli import app
from slo_harness.commands.rules_commands import dump_rules
from slo_harness.commands.stack_commands import stack_rules, target_selector
from slo_harness.monitoring.stack import StackSettings, alertmanager_config, prometheus_config
from tests.conftest import require_binary

runner = CliRunner()


def test_target_selector_matches_exactly_the_bound_targets() -> None:
    assert target_selector(["http://127.0.0.1:26657/health"]) == 'target="http://127.0.0.1:26657/health"'
    many = target_selector(["a.b:1", "c"])
    assert many == 'target=~"a\\\\.b:1|c"'


@pytest.mark.integration
def test_stack_rules_and_configs_pass_promtool(tmp_path: Path) -> None:
    rules = stack_rules(load_catalog(), {"SLO-NODE-001": ["n1", "n2"], "SLO-API-003": ["api"]}, [], 15.0)
    (tmp_path / "rules.yml").write_text(dump_rules(rules, "# test\n"), encoding="utf-8")
    settings = StackSettings(9115, 9090, 9093, "http://127.0.0.1:5001/hook")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(prometheus_config(settings)), encoding="utf-8")
    promtool = require_binary("promtool")
    for args in (["check", "rules", "rules.yml"], ["check", "config", "prometheus.yml"]):
        check = subprocess.run(
            [promtool, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr
    am = alertmanager_config(settings)
    assert am["receivers"][0]["webhook_configs"] == [
        {"url": "http://127.0.0.1:5001/hook", "send_resolved": True}
    ]
    latency = next(g for g in rules["groups"] if g["name"] == "slo-harness-SLO-API-003")
    assert (
        'slo_harness_sli_latency_seconds_bucket{le=~"2|2\\\\.0",target="api"}' in latency["rules"][0]["expr"]
    )


def test_stack_refuses_a_config_without_slo_targets(tmp_path: Path) -> None:
    config = tmp_path / "exporter.yml"
    config.write_text("modules: {h: {prober: http}}\ntargets: [{target: 'http://127.0.0.1:1/', module: h}]\n")
    result = runner.invoke(app, ["stack", "--config", str(config), "--dir", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "no targets: entry names slos:" in result.output
