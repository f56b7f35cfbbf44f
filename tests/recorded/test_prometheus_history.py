"""The gate and the periodic report against a real Prometheus holding two months of known probe counters.

History: 10 probes a minute from 2026-09-01 to 2026-11-01, all good except three incidents of known
size. Every expectation below is worked by hand from those counts (the comments show the sums), not
by the code under test: 28-day budgets for the gate, the October report's attainment, budget,
incidents, status transitions, first alert and trend.
"""

from __future__ import annotations

import json
import struct
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from slo_harness.cli import app
from tests.conftest import free_port, require_binary
from tests.recorded.prometheus_history import openmetrics_counters, prometheus_with_history

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PER_MINUTE = 10
START = datetime(2026, 9, 1, tzinfo=UTC)
MINUTES = 61 * 1440  # to 2026-11-01
# (start, minutes, bad per minute): Sep 20 120 bad, Oct 5 150 bad, Oct 12 200 bad.
INCIDENTS = (
    (datetime(2026, 9, 20, 12, tzinfo=UTC), 60, 2),
    (datetime(2026, 10, 5, 12, tzinfo=UTC), 30, 5),
    (datetime(2026, 10, 12, 12, tzinfo=UTC), 20, 10),
)


def _bad_per_minute() -> list[int]:
    bad = [0] * MINUTES
    for start, minutes, per in INCIDENTS:
        first = int((start - START).total_seconds()) // 60
        bad[first : first + minutes] = [per] * minutes
    return bad


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    bad = _bad_per_minute()
    text = openmetrics_counters(
        [
            (
                'slo_harness_probe_total{module="m",result="success",target="t"}',
                [PER_MINUTE - b for b in bad],
            ),
            ('slo_harness_probe_total{module="m",result="failure",target="t"}', bad),
        ],
        start=int(START.timestamp()),
        step=60,
    )
    with prometheus_with_history(tmp_path_factory.mktemp("prometheus"), text) as url:
        yield url


def gate(url: str, at: str, risk: str, *extra: str) -> tuple[int, dict[str, Any] | str]:
    args = ["gate", "--slo", "SLO-API-001", "--prometheus", url, "--risk", risk, "--at", at, *extra]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    if result.exit_code == 2:
        return 2, result.output
    return result.exit_code, json.loads(result.output)


# SLO-API-001: 99.9 % over 28 days; a 28-day window inside the data holds 28 × 14,400 = 403,200 probes,
# so 403.2 bad are allowed. Bad in the window, by hand: Sep 30 → Sep 20's 120; Oct 5 13:00 → 120 + 150;
# Oct 12 13:00 → 120 + 150 + 200 (Sep 20 12:00 is inside (Sep 14 13:00, Oct 12 13:00]); Oct 19 → 150 + 200.
POINTS = [
    ("2026-09-30T00:00:00Z", "high", 120, "healthy", "approve", 0),  # 70.2 % left
    ("2026-10-05T13:00:00Z", "medium", 270, "warning", "review", 3),  # 33.0 % left
    ("2026-10-05T13:00:00Z", "high", 270, "warning", "defer", 1),
    ("2026-10-12T13:00:00Z", "low", 470, "depleted", "block", 1),  # −16.6 % left
    ("2026-10-19T00:00:00Z", "low", 350, "critical", "review", 3),  # 13.2 % left
    ("2026-10-19T00:00:00Z", "medium", 350, "critical", "defer", 1),
]


@pytest.mark.parametrize(("at", "risk", "bad", "status", "decision", "code"), POINTS)
def test_gate_decides_from_the_status_worked_by_hand(
    prometheus: str, at: str, risk: str, bad: int, status: str, decision: str, code: int
) -> None:
    exit_code, doc = gate(prometheus, at, risk)
    assert isinstance(doc, dict), doc
    assert (exit_code, doc["decision"], doc["exit_code"]) == (code, decision, code)
    (row,) = doc["slos"]
    assert row["status"] == status
    assert row["remaining"] == pytest.approx(1 - bad / 403.2, abs=1e-9)
    assert doc["conditions"]  # the status level's actions from the catalogue
    assert "SLO-API-001" in doc["reason"] and status in doc["reason"]


def test_gate_reports_burn_rates_over_1h_and_6h(prometheus: str) -> None:
    _, doc = gate(prometheus, "2026-10-05T13:00:00Z", "low")
    assert isinstance(doc, dict)
    (row,) = doc["slos"]
    # The last hour held all 150 bad of 600 probes: 0.25 / 0.001; six hours: 150 / 3,600 / 0.001.
    assert row["burn_rate_1h"] == pytest.approx(250.0)
    assert row["burn_rate_6h"] == pytest.approx(150 / 3600 / 0.001)


@pytest.mark.parametrize(
    ("good", "total"),
    [
        # $window templates, as `rules` takes them
        (
            'sum(increase(slo_harness_probe_total{result="success"}[$window]))',
            "sum(increase(slo_harness_probe_total[$window]))",
        ),
        # counter expressions, as `backtest` takes them
        ('sum(slo_harness_probe_total{result="success"})', "sum(slo_harness_probe_total)"),
    ],
)
def test_gate_with_explicit_queries_agrees(prometheus: str, good: str, total: str) -> None:
    _, doc = gate(prometheus, "2026-10-05T13:00:00Z", "medium", "--good", good, "--total", total)
    assert isinstance(doc, dict)
    assert doc["slos"][0]["remaining"] == pytest.approx(1 - 270 / 403.2, abs=1e-9)
    assert doc["slos"][0]["burn_rate_1h"] == pytest.approx(250.0)


def test_a_stale_source_is_never_an_approval(prometheus: str) -> None:
    # The history ends on 2026-11-01: a day later no probe is newer than --max-age.
    code, output = gate(prometheus, "2026-11-02T00:00:00Z", "low")
    assert code == 2
    assert isinstance(output, str) and "stale source" in output and len(output.strip().splitlines()) == 1


def test_an_unreachable_source_exits_2_in_one_line() -> None:
    code, output = gate(f"http://127.0.0.1:{free_port()}", "2026-10-05T13:00:00Z", "low")
    assert code == 2
    assert isinstance(output, str) and "cannot query Prometheus" in output
    assert len(output.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def october(prometheus: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    args = ["report", "--period", "2026-10", "--prometheus", prometheus, "--slo", "SLO-API-001"]
    result = CliRunner().invoke(app, [*args, "--step", "60s", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_report_attainment_and_budget_match_closed_forms(october: Path) -> None:
    doc = json.loads((october / "report.json").read_text())
    (service,) = doc["services"]
    (slo,) = service["slos"]
    total, bad = 31 * 14_400, 150 + 200  # October's probes and bad probes
    allowed = 0.001 * total  # 446.4
    assert (slo["total"], slo["good"]) == (total, total - bad)
    assert slo["attainment"] == pytest.approx(1 - bad / total, abs=1e-9)
    assert slo["met"] is True
    assert slo["budget"]["allowed"] == pytest.approx(allowed)
    assert slo["budget"]["consumed"] == pytest.approx(bad / allowed, abs=1e-9)
    assert slo["budget"]["remaining"] == pytest.approx(1 - bad / allowed, abs=1e-9)
    assert slo["budget"]["status"] == "critical"  # 21.6 % left
    # September: 432,000 probes, 120 bad.
    assert slo["trend"]["previous_attainment"] == pytest.approx(1 - 120 / 432_000, abs=1e-9)
    assert slo["trend"]["attainment_change"] == pytest.approx(120 / 432_000 - bad / total, abs=1e-9)
    assert [(o["sla"], o["commitment"], o["met"]) for o in slo["sla"]] == [
        ("SLA-NETWORK-API", "availability", True)
    ]


def test_report_incidents_transitions_and_alerts_match_hand_timings(october: Path) -> None:
    slo = json.loads((october / "report.json").read_text())["services"][0]["slos"][0]
    allowed = 446.4
    # The 1-hour burn rate passes 2x with the first bad minute; an incident runs from the first to the
    # last bad minute it saw: exactly the injected Oct 5 12:00 (30 min) and Oct 12 12:00 (20 min). Peak
    # burn: a whole incident inside one hour, 150 / 600 / 0.001 and 200 / 600 / 0.001.
    assert [(i["start"], i["end"], i["duration_seconds"]) for i in slo["incidents"]] == [
        ("2026-10-05T12:00:00Z", "2026-10-05T12:30:00Z", 30 * 60),
        ("2026-10-12T12:00:00Z", "2026-10-12T12:20:00Z", 20 * 60),
    ]
    assert [i["peak_burn_rate"] for i in slo["incidents"]] == pytest.approx([250.0, 1000 / 3])
    assert [i["budget_spent"] for i in slo["incidents"]] == pytest.approx([150 / allowed, 200 / allowed])
    # Burn-down on October's allowance: 150 spent on Oct 5; on Oct 12 the 8th minute passes half of
    # 446.4 (150 + 80 ≥ 223.2) and the 19th passes three quarters (150 + 190 > 334.8).
    assert [(t["at"], t["to"]) for t in slo["status_transitions"]] == [
        ("2026-10-12T12:08:00Z", "warning"),
        ("2026-10-12T12:19:00Z", "critical"),
    ]
    # 10x over 5 min: error ratio 0.5 from 12:00 reaches 10 × 0.001 after 10 × 0.001 × 300 / 0.5 = 6 s,
    # so it fires at the next evaluation, 12:01. 14.4x over 1 h and 5 m: the hour's ratio 5m/600 passes
    # 0.0144 after 1.73 minutes, so 12:02.
    fired = {(a["rule"], a["fired_at"]) for a in slo["alerts"]}
    assert ("burn-10x-5m", "2026-10-05T12:01:00Z") in fired
    assert ("page-fast", "2026-10-05T12:02:00Z") in fired
    first = next(a for a in slo["alerts"] if a["rule"] == "burn-10x-5m")
    assert first["budget_consumed_at_fire"] == pytest.approx(5 / allowed)
    assert first["fired_at_seconds"] == _ts("2026-10-05T12:01:00")


def test_report_page_is_self_contained_and_renders_in_headless_chromium(october: Path) -> None:
    html = (october / "report.html").read_text()
    assert "SLO-API-001" in html and "Budget burn-down" in html and "data:image/png;base64," in html
    assert 'src="http' not in html and 'href="http' not in html  # nothing fetched from the network
    chromium = require_binary("chromium")
    shot = october / "screenshot.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            (october / "report.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1200, 1600)
    assert len(png) > 20_000  # a blank page compresses to a few kB; tables and a plot do not
