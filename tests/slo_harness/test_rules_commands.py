"""``slo-harness rules`` writes rules that real promtool accepts, and refuses SLOs without a budget."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from slo_harness.cli import app
from slo_harness.rules_commands import default_queries
from tests.conftest import require_binary

runner = CliRunner()


@pytest.mark.integration
def test_rules_file_passes_promtool_check(tmp_path: Path) -> None:
    out = tmp_path / "slo-rules.yml"
    result = runner.invoke(
        app,
        [
            "rules",
            "--slo",
            "SLO-NODE-001",
            "--slo",
            "SLO-API-001",
            "--policy",
            "source-document",
            "--selector",
            'module="rpc_status"',
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    groups = yaml.safe_load(out.read_text(encoding="utf-8"))["groups"]
    assert [g["name"] for g in groups] == ["slo-harness-SLO-NODE-001", "slo-harness-SLO-API-001"]
    alerts = [r for r in groups[0]["rules"] if "alert" in r]
    # 99.95 %: the 10x rule compares the 5-minute error ratio with 10 × 0.0005.
    assert alerts[2]["expr"] == 'slo:sli_error:ratio_rate5m{slo_id="SLO-NODE-001"} >= 0.005'
    assert alerts[2]["labels"]["action"] == "automatic_rollback"
    check = subprocess.run(
        [require_binary("promtool"), "check", "rules", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 12 rules found" in check.stdout


def test_default_queries_use_the_probe_counter() -> None:
    errors, total = default_queries('module="rpc"')
    assert errors == 'sum(rate(slo_harness_probe_total{result="failure",module="rpc"}[$window]))'
    assert total == 'sum(rate(slo_harness_probe_total{module="rpc"}[$window]))'
    assert default_queries("")[1] == "sum(rate(slo_harness_probe_total[$window]))"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: --slo: name at least one SLO"),
        (["--slo", "SLO-NODE-008"], "error: --slo: SLO-NODE-008 has no error budget over a time window"),
        (["--slo", "SLO-X"], "error: --slo: no SLO 'SLO-X' in the catalogue"),
        (["--slo", "SLO-NODE-001", "--policy", "none"], "error: no alert policy 'none'"),
        (
            ["--slo", "SLO-NODE-001", "--errors", "sum(rate(x[5m]))"],
            "error: error_query must contain $window",
        ),
    ],
)
def test_rules_bad_input(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["rules", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message), result.output
