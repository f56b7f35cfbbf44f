"""``slo-harness load`` refuses bad options with one line and exit code 2, before starting Locust."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from slo_harness.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--api", "soap"], "argument --api: invalid choice: 'soap'"),
        (["--duration", "5q"], "--duration: not a duration: '5q'"),
        (["--shape", "steps", "--steps", "10,-1"], "--steps: every step must be a positive rate"),
        (["--tps", "0"], "--tps: must be a positive rate"),
        (["--accounts", "2", "--workers", "3"], "--workers 3: each worker needs its own account"),
    ],
)
def test_bad_options_exit_2_with_one_line(options: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", "--target", "http://127.0.0.1:9", *options, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written


def test_a_bad_mnemonic_file_names_file_and_entry(tmp_path: Path) -> None:
    mnemonics = tmp_path / "keys.txt"
    mnemonics.write_text("not a mnemonic at all\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "load",
            "--target",
            "http://127.0.0.1:9",
            "--mnemonic-file",
            str(mnemonics),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert f"{mnemonics}: mnemonic 1:" in result.output
    missing = runner.invoke(app, ["load", "--target", "x", "--mnemonic-file", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2
    assert "none.txt: cannot read" in missing.output
