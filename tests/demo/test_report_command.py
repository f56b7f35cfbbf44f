"""``slo-harness report RESULTS``: the index rebuilt from the run folders found under a results folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from slo_harness.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "results" / "example" / "example-bad-deploy"
runner = CliRunner()


def test_report_indexes_the_simulator_runs_it_finds(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "runs" / "example-bad-deploy")
    shutil.copytree(EXAMPLE, tmp_path / ".partial" / "ignored")  # hidden: a run being written
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    index = tmp_path / "index.html"
    assert result.output.strip() == f"report: {index}"
    html = index.read_text(encoding="utf-8")
    assert '<h2 id="simulations">' in html and 'id="probes"' not in html and 'id="load"' not in html
    links = set(re.findall(r'(?:href|src)="([^"#:]+)"', html))
    assert links == {"runs/example-bad-deploy/report.html", "runs/example-bad-deploy/budget.png"}
    assert "ignored" not in html and html.count("example-bad-deploy</a>") == 1
    assert "SLA-NETWORK-API/availability" in html  # the SLA outcomes table


def test_report_on_a_folder_without_runs_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {tmp_path}: no run folders (summary.json of a demo, load or sim run) found"
    )
    assert not (tmp_path / "index.html").exists()
    result = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "not a folder" in result.output
