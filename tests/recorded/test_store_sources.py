"""The gate and the report on an exporter's results file: bindings kept in the file, hand-counted budgets,
stale or unbound series refused with exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from probes.schedule.store import ProbeRecord, ResultStore
from recorded.periods import format_time
from slo_harness.cli import app

NOW = 1_790_000_040.0  # a multiple of 30 s, so the view's steps line up with the probes
SLO = "SLO-BENCH-003"  # 95 % over 28 days: 5 % of probes may fail


def write_store(path: Path, bad_in_last_hour: int, *, bind: bool = True) -> None:
    """240 probes, one every 30 s over the two hours before NOW; the last ``bad_in_last_hour`` fail."""
    store = ResultStore.open(path, retention_seconds=28 * 86400)
    times = [NOW - 30 * i for i in range(240)]  # newest first
    records = [ProbeRecord("n", "bench", t, t, t, i >= bad_in_last_hour) for i, t in enumerate(times)]
    store.add(records)
    if bind:
        store.set_bindings([(SLO, "n", "bench")])
    store.close()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def gate(path: Path, at: float, risk: str) -> tuple[int, Any]:
    code, out = run(
        "gate", "--slo", SLO, "--store", str(path), "--risk", risk, "--at", str(at), "--format", "json"
    )
    return code, (out if code == 2 else json.loads(out))


def test_store_gate_counts_the_window_by_hand(tmp_path: Path) -> None:
    write_store(tmp_path / "r.sqlite", bad_in_last_hour=8)
    code, doc = gate(tmp_path / "r.sqlite", NOW, "medium")
    # 240 probes allow 0.05 × 240 = 12 bad; 8 spent leaves 1/3: Warning, so a feature release needs review.
    assert (code, doc["decision"]) == (3, "review")
    (row,) = doc["slos"]
    assert row["status"] == "warning"
    assert row["remaining"] == pytest.approx(1 - 8 / 12)
    assert row["burn_rate_1h"] == pytest.approx(8 / 120 / 0.05)  # 120 probes in the last hour
    assert row["burn_rate_6h"] == pytest.approx(8 / 240 / 0.05)
    assert row["series"] == "n bench"


def test_store_gate_approves_a_clean_series(tmp_path: Path) -> None:
    write_store(tmp_path / "r.sqlite", bad_in_last_hour=0)
    code, doc = gate(tmp_path / "r.sqlite", NOW, "high")
    assert (code, doc["decision"], doc["slos"][0]["remaining"]) == (0, "approve", 1.0)


def test_a_store_that_stopped_is_stale(tmp_path: Path) -> None:
    write_store(tmp_path / "r.sqlite", bad_in_last_hour=0)
    code, out = gate(tmp_path / "r.sqlite", NOW + 3600, "low")
    assert code == 2
    assert "stale source: newest result is 1h old" in out and len(out.strip().splitlines()) == 1


def test_a_series_without_bindings_or_file_is_missing(tmp_path: Path) -> None:
    write_store(tmp_path / "r.sqlite", bad_in_last_hour=0, bind=False)
    code, out = gate(tmp_path / "r.sqlite", NOW, "low")
    assert code == 2 and "no data for this SLO" in out
    code, out = gate(tmp_path / "absent.sqlite", NOW, "low")
    assert code == 2 and "no results store" in out


def test_gate_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("gate", "--slo", SLO, "--risk", "low")[0] == 2  # no source
    code, out = run("gate", "--slo", "SLO-NOPE", "--store", str(tmp_path / "r"), "--risk", "low")
    assert code == 2 and "SLO-NOPE" in out
    assert run("gate", "--slo", SLO, "--store", str(tmp_path / "r"), "--risk", "huge")[0] == 2


def test_store_report_over_two_hours(tmp_path: Path) -> None:
    write_store(tmp_path / "r.sqlite", bad_in_last_hour=8)
    out = tmp_path / "report"
    code, text = run(
        "report",
        "--from",
        format_time(NOW - 7200),
        "--to",
        format_time(NOW),
        "--store",
        str(tmp_path / "r.sqlite"),
        "--out",
        str(out),
    )
    assert code == 0, text
    slo = json.loads((out / "report.json").read_text())["services"][0]["slos"][0]
    # Steps cover (NOW − 2 h, NOW]: all 240 probes, from NOW − 7,170 s to NOW, 8 of them bad.
    assert (slo["id"], slo["total"], slo["good"]) == (SLO, 240, 232)
    assert slo["attainment"] == pytest.approx(232 / 240)
    assert slo["budget"]["consumed"] == pytest.approx(8 / (0.05 * 240))
    assert (out / "report.html").read_text().count("<table>") >= 3


def test_report_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("report", "--period", "2026-10", "--store", str(tmp_path / "r"))[0] == 2  # no --out
    code, out = run("report", "--period", "2026-13", "--store", str(tmp_path / "r"), "--out", str(tmp_path))
    assert code == 2 and "not a month" in out
    # RESULTS_DIR without a source rebuilds the demo's index; a folder with no run in it is refused.
    code, out = run("report", str(tmp_path))
    assert code == 2 and "no run folders" in out
