"""``catalog``, ``budget`` and ``check`` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from slo_harness.cli import app
from slo_harness.shared import terminal
from tests.slo.catalogs.test_lint import EXPECTED_MISMATCHES, _consistent_catalogue

runner = CliRunner()


def test_console_script_lists_the_commands() -> None:
    exe = shutil.which("slo-harness")
    cmd = [exe] if exe else [sys.executable, "-m", "slo_harness"]
    out = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    for command in ("catalog", "budget", "check"):
        assert command in out


def test_budget_prints_40_32_minutes() -> None:
    result = runner.invoke(app, ["budget", "--target", "99.9", "--window", "28d"])
    assert result.exit_code == 0
    assert "40.32 minutes" in result.output
    assert "2419.2 seconds" in result.output


def test_budget_json_gives_the_same_as_numbers() -> None:
    result = runner.invoke(
        app, ["budget", "--target", "99.9", "--window", "28d", "--burn-rate", "14.4", "--format", "json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["budget_minutes"] == 40.32
    assert data["budget_seconds"] == 2419.2
    assert data["time_to_exhaustion_hours"] == pytest.approx(28 * 24 / 14.4)
    assert data["budget_consumed_per_hour"] == pytest.approx(14.4 / 672)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "100.5"], "error: --target: must be a percentage in (0, 100]"),
        (["--target", "abc"], "error: --target: expected a percentage"),
        (["--target", "99.9", "--window", "4 weeks"], "error: --window: not a duration"),
        (["--target", "99.9", "--burn-rate", "-1"], "error: --burn-rate: must be positive"),
    ],
)
def test_budget_bad_input_is_one_line_and_non_zero(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["budget", *args])
    assert result.exit_code == 2
    assert result.output.strip().startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_catalog_json_lists_every_slo_of_the_four_tables() -> None:
    result = runner.invoke(app, ["catalog", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)["slos"]
    assert len(rows) == 27
    prefixes = {r["id"].rsplit("-", 1)[0] for r in rows}
    assert prefixes == {"SLO-NODE", "SLO-PROV", "SLO-BENCH", "SLO-API"}
    node1 = next(r for r in rows if r["id"] == "SLO-NODE-001")
    assert node1["computed_budget"]["minutes"] == 20.16
    assert node1["declared_budget"] == "21 minutes"


def test_catalog_table_shows_computed_and_declared() -> None:
    result = runner.invoke(app, ["catalog"])
    assert result.exit_code == 0
    assert "SLO-NODE-001" in result.output
    assert "20.16 min" in result.output


def test_check_exits_1_and_names_each_contradicted_figure() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("MISMATCH")]
    assert len(lines) == len(EXPECTED_MISMATCHES)
    assert any(
        "SLO-NODE-001" in line and "'21 minutes'" in line and "20.16 minutes" in line for line in lines
    )
    assert any("'~144 blocks'" in line and "403.2 blocks" in line for line in lines)


def test_check_json_and_consistent_catalogue_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "consistent.yaml"
    path.write_text(_consistent_catalogue(), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "all declared figures agree" in result.output
    result = runner.invoke(app, ["check", "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["mismatches"] == len(EXPECTED_MISMATCHES)


def test_bad_catalogue_file_is_one_line_naming_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsource: y\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path}:")
    assert "tiers: required field is missing" in result.output


@pytest.mark.parametrize("command", ["catalog", "check"])
def test_narrow_terminal_never_cuts_ids_or_verdicts(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal, "stdout_console", lambda: Console(width=80, highlight=False))
    result = runner.invoke(app, [command, "--format", "json"])
    document = json.loads(result.output)
    ids = [row["id"] for row in document["slos"]] if command == "catalog" else []
    ids += [f["subject"] for f in document.get("findings", [])]
    table = runner.invoke(app, [command]).output
    rows = [line.split("│") for line in table.splitlines() if line.startswith("│")]
    first_cells = {cells[1].strip() for cells in rows if cells[1].strip()}
    assert set(ids) <= first_cells | {cells[2].strip() for cells in rows}
    if command == "check":
        verdicts = [cells[1].strip() for cells in rows if cells[1].strip()]
        assert verdicts.count("MISMATCH") == len(EXPECTED_MISMATCHES)
        assert set(verdicts) <= {"ok", "MISMATCH", "warning", "info"}
