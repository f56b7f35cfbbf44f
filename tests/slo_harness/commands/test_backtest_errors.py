"""``backtest`` with bad options: one ``error:`` line and exit code 2, before any query is made."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from slo_harness.cli import app

# Port 9 (discard) on loopback: nothing listens, and no case here may get as far as asking it.
PROMETHEUS = [
    "--prometheus",
    "http://127.0.0.1:9",
    "--good",
    "g",
    "--total",
    "t",
    "--from",
    "0",
    "--to",
    "3600",
]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: give --store with --config"),
        ([*PROMETHEUS, "--slo", "SLO-API-001", "--name", "../up"], "error: --name:"),
        ([*PROMETHEUS, "--slo", "SLO-API-001", "--step", "0s"], "error: --step: must be longer than zero"),
        ([*PROMETHEUS], "error: --prometheus needs --good, --total, --from, --to and one --slo"),
        ([*PROMETHEUS, "--slo", "SLO-API-001", "--incident", "2h"], "error: --incident: expected START..END"),
        ([*PROMETHEUS, "--slo", "SLO-API-001", "--incident", "3h..2h"], "error: --incident: '3h..2h' ends"),
        (
            [*PROMETHEUS, "--slo", "SLO-API-001", "--from", "yesterday"],
            "error: --from: expected Unix seconds",
        ),
        (
            ["--prometheus", "file:///etc/passwd", *PROMETHEUS[2:], "--slo", "SLO-API-001"],
            "error: --prometheus: expected an http(s) URL",
        ),
    ],
)
def test_bad_options_give_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["backtest", *args])
    assert result.exit_code == 2, result.output
    assert result.output.strip().startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1
