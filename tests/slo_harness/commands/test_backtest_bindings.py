"""``backtest --store`` alone: the results file's ``slo_bindings`` say which SLO each series measures."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from slo_harness.cli import app
from tests.recorded.test_store_sources import NOW, SLO, write_store


def test_the_store_s_bindings_replace_the_config(tmp_path: Path) -> None:
    write_store(tmp_path / "r.sqlite", bad_in_last_hour=8)
    out = tmp_path / "results"
    args = ["backtest", "--store", str(tmp_path / "r.sqlite"), "--from", str(NOW - 7200), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    (slo,) = json.loads((out / "backtest" / "summary.json").read_text())["slos"]
    # 240 probes in (NOW − 2 h, NOW], the last 8 of them failed.
    assert slo["id"] == SLO
    assert (slo["sli"]["total"], slo["sli"]["good"]) == (240, 232)


def test_a_store_without_bindings_needs_the_config(tmp_path: Path) -> None:
    write_store(tmp_path / "r.sqlite", bad_in_last_hour=0, bind=False)
    result = CliRunner().invoke(
        app, ["backtest", "--store", str(tmp_path / "r.sqlite"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert (
        result.output.strip()
        == f"error: {tmp_path / 'r.sqlite'}: records no SLO bindings; give --config with the probe config"
    )
    assert not (tmp_path / "backtest").exists()
