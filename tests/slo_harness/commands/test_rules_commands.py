"""``slo-harness rules`` writes rules that real promtool accepts, and refuses SLOs without a budget."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from slo import load_catalog
from slo.prometheus.metric_sources import has_budget, probe_queries
from slo_harness.cli import app
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
    # 99.95 %: the 10x rule compares the 5-minute error ratio with 10 × 0.0005, ">" as the workbook.
    assert alerts[2]["expr"] == 'slo:sli_error:ratio_rate5m{slo="SLO-NODE-001"} > 0.005'
    assert alerts[2]["labels"] == {
        "slo": "SLO-NODE-001",
        "service": "node",
        "tier": "tier0",
        "severity": "page",
        "policy": "source-document",
        "rule": "burn-10x-5m",
        "action": "automatic_rollback",
    }
    assert alerts[2]["annotations"]["budget_spent"].startswith("0.12% of the 28d error budget")
    records = [r["record"] for r in groups[0]["rules"] if "record" in r]
    assert records == [
        "slo:sli_error:ratio_rate5m",
        "slo:sli_error:ratio_rate15m",
        "slo:sli_error:ratio_rate1h",
        "slo:sli_error:ratio_rate28d",
        "slo:objective:ratio",
        "slo:error_budget:ratio",
        "slo:time_period:days",
        "slo:current_burn_rate:ratio",
        "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio",
    ]
    check = subprocess.run(
        [require_binary("promtool"), "check", "rules", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 26 rules found" in check.stdout


@pytest.mark.integration
def test_whole_default_catalogue_passes_promtool_check_from_every_source(tmp_path: Path) -> None:
    """`slo-harness rules --out rules.yml && promtool check rules rules.yml`, as the README shows."""
    for source in ("probe", "cometbft"):
        out = tmp_path / f"{source}.yml"
        result = runner.invoke(app, ["rules", "--source", source, "--out", str(out)])
        assert result.exit_code == 0, result.output
        groups = yaml.safe_load(out.read_text(encoding="utf-8"))["groups"]
        alerts = [r for g in groups for r in g["rules"] if "alert" in r]
        # 6 rules in the two policies, for each SLO the source measures.
        assert len(alerts) == 6 * len(groups)
        check = subprocess.run(
            [require_binary("promtool"), "check", "rules", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        # 6 windows and the 28-day one, 6 meta recordings, 6 alerts.
        assert f"SUCCESS: {19 * len(groups)} rules found" in check.stdout
        budgeted = [s.id for s in load_catalog().slos if has_budget(s)]
        if source == "probe":
            assert [g["name"] for g in groups] == [f"slo-harness-{s}" for s in budgeted]
        else:
            # Only the node SLIs CometBFT measures itself; the rest are named as skipped.
            assert 1 <= len(groups) < len(budgeted)
            assert "skipped: SLO-API-001: no cometbft metric measures SLI-API-001" in result.output


def test_probe_queries_use_the_scheduled_counters() -> None:
    errors, total = probe_queries('module="rpc"')
    assert errors == 'sum(rate(slo_harness_probe_total{result="failure",module="rpc"}[$window]))'
    assert total == 'sum(rate(slo_harness_probe_total{module="rpc"}[$window]))'
    assert probe_queries("")[1] == "sum(rate(slo_harness_probe_total[$window]))"
    slow, count = probe_queries("", 2.0)
    assert count == "sum(rate(slo_harness_sli_latency_seconds_count[$window]))"
    assert slow == count + ' - sum(rate(slo_harness_sli_latency_seconds_bucket{le=~"2|2\\\\.0"}[$window]))'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slo", "SLO-NODE-008"], "error: SLO-NODE-008 has no error budget over a time window"),
        (["--slo", "SLO-X"], "error: no SLO 'SLO-X' in the catalogue"),
        (["--slo", "SLO-API-001", "--source", "cometbft"], "error: SLO-API-001: no cometbft metric"),
        (["--slo", "SLO-API-001", "--source", "catalog"], "error: SLO-API-001: SLI-API-001 has no queries"),
        (["--errors", "sum(rate(x[$window]))"], "error: --errors and --total go together"),
        (["--slo", "SLO-NODE-001", "--policy", "none"], "error: no alert policy 'none'"),
        (
            ["--slo", "SLO-NODE-001", "--errors", "sum(rate(x[5m]))", "--total", "sum(rate(x[$window]))"],
            "error: error_query must contain $window",
        ),
    ],
)
def test_rules_bad_input(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["rules", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message), result.output


def test_unknown_source_is_a_usage_error() -> None:
    result = runner.invoke(app, ["rules", "--source", "x"])
    assert result.exit_code == 2
    assert "Invalid value for '--source'" in result.output
