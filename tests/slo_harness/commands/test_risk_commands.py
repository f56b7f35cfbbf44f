"""``slo-harness risk`` as a user runs it: the table, the files, what-if columns, and the CI gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slo_harness.cli import app

SCENARIO = """\
name: risk-cli
window: 7d
services:
  api:
    requests: {rate: 5, error_ratio: 0.01%}
slos: {SLO-API-001: api.requests}
policies: [source-document]
incident_processes:
  - {id: outage, kind: outage, service: api, rate: 3/7d, duration: {median: 20m, p95: 2h}}
slas:
  SLA-NETWORK-API: {availability: api.requests}
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "risk-cli.yaml"
    path.write_text(SCENARIO)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["risk", *args])
    return result.exit_code, result.stdout, result.stderr


def test_writes_summary_csv_and_histograms_and_prints_intervals(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = _run(
        str(scenario), "--runs", "60", "--jobs", "1", "--out", str(out),
        "--what-if", "incident_processes.outage.rate=1/7d",
    )  # fmt: skip
    assert code == 0, stdout
    assert "P(SLA-NETWORK-API/availability service_credit)" in stdout
    target = out / "risk-cli" / "risk"
    summary = json.loads((target / "summary.json").read_text())
    names = [c["name"] for c in summary["columns"]]
    assert names == ["scenario", "what-if incident_processes.outage.rate=1/7d"]
    base, fewer = (c["means"]["incidents"]["mean"] for c in summary["columns"])
    assert fewer < base
    rows = (target / "replications.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 60
    for name in ("budget_remaining.png", "alerts.png", "sla.png"):
        assert (target / name).read_bytes().startswith(b"\x89PNG")
    assert not list(target.glob(".*.tmp"))


def test_fail_if_exits_one_above_the_bound_and_zero_below(scenario: Path, tmp_path: Path) -> None:
    args = [str(scenario), "--runs", "60", "--jobs", "1", "--out", str(tmp_path)]
    code, _, stderr = _run(*args, "--fail-if", "P(SLA-NETWORK-API/availability breached) > 1%")
    assert code == 1 and "FAIL P(SLA-NETWORK-API/availability breached) > 1%" in stderr
    code, _, _ = _run(*args, "--fail-if", "P(SLA-NETWORK-API/availability breached) > 100%")
    assert code == 0
    code, _, _ = _run(*args, "--fail-if", "E(incidents) < 1")
    assert code == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--fail-if", "P(no such thing) > 1%"], "no quantity 'no such thing'"),
        (["--fail-if", "probably > 1%"], "--fail-if: expected e.g."),
        (["--what-if", "responders"], "--what-if: expected KEY=VALUE"),
        (["--what-if", "incident_processes.outage.duration=-5m"], "risk-cli.yaml --what-if"),
    ],
)
def test_bad_options_are_one_line_errors_with_exit_code_two(
    scenario: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    code, stdout, stderr = _run(str(scenario), "--runs", "5", "--jobs", "1", "--out", str(tmp_path), *extra)
    assert code == 2, stdout
    assert message in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
