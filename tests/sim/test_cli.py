"""The ``sim`` and ``sweep`` commands as a user runs them."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from slo_harness.commands import sim_commands

# The commands on their own, exactly as slo_harness.cli registers them.
app = typer.Typer()
sim_commands.register(app)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_sim_writes_every_file_and_passes(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["sim", str(SCENARIOS / "bad-deploy-rollback.yaml"), "--out", str(tmp_path), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "bad-deploy-rollback"
    names = {p.name for p in out.iterdir()}
    assert names == {
        "summary.json",
        "timeline.csv.gz",
        "alerts.csv",
        "budget.png",
        "burn_rates.png",
        "report.html",
    }
    summary = json.loads((out / "summary.json").read_text())
    assert summary["passed"] and summary["automation_savings"][0]["saved"] > 0.15
    with gzip.open(out / "timeline.csv.gz", "rt") as handle:
        rows = list(csv.DictReader(handle))
    # One row per 5 minutes (the default) of the 28-day window.
    assert len(rows) == 28 * 288 and rows[-1]["status"] == "healthy"
    assert [float(r["time_seconds"]) for r in rows[:2]] == [300.0, 600.0]
    html = (out / "report.html").read_text()
    assert "Budget saved by automation" in html and 'src="http' not in html
    assert (out / "budget.png").read_bytes().startswith(b"\x89PNG")


def test_a_failed_expectation_exits_1_and_says_why(tmp_path: Path) -> None:
    text = (SCENARIOS / "api-credit-10pct.yaml").read_text().replace("amount: 10}", "amount: 15}")
    path = tmp_path / "edited.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["sim", str(path), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith("FAIL"))
    assert line.startswith("FAIL api-credit-10pct: SLA-NETWORK-API/availability")
    assert "amount 15" in line and "observed" in line and "amount 10" in line


def test_sweep_prints_and_writes_the_trade_off(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            str(SCENARIOS / "slow-burn-10d.yaml"),
            "--factor",
            "1,2,14.4",
            "--long-window",
            "1h,3d",
            "--for",
            "0,2m",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "slow-burn-10d" / "sweep.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 2 * 2
    by_config = {
        (float(r["factor"]), float(r["long_window_seconds"]), float(r["for_seconds"])): r for r in rows
    }
    assert by_config[(1.0, 259200.0, 0.0)]["detected"] == "1"
    assert by_config[(14.4, 3600.0, 0.0)]["detected"] == "0"


def test_sweep_rejects_a_bad_list(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sweep", str(SCENARIOS / "slow-burn-10d.yaml"), "--factor", "2,x"])
    assert result.exit_code == 2 and "--factor" in result.output


def test_sim_runs_scenarios_in_parallel_processes(tmp_path: Path) -> None:
    paths = [str(SCENARIOS / f"{name}.yaml") for name in ("validator-warning", "api-credit-cap")]
    result = CliRunner().invoke(app, ["sim", *paths, "--out", str(tmp_path), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    for name in ("validator-warning", "api-credit-cap"):
        assert json.loads((tmp_path / name / "summary.json").read_text())["passed"]
