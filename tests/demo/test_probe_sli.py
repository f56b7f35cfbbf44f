"""The demo's probe summary against a hand-made results file: counts, timeline, burn rate, alert times."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.plan import QUICK
from demo.probe_sli import IncidentWindow, probe_summary
from probes.config import ProberConfig
from probes.schedule.store import ProbeRecord, ResultStore
from slo.catalogs.catalog_file import load_catalog

T0 = 1_800_000_000.0
TARGET = "http://127.0.0.1:1317/cosmos/base/tendermint/v1beta1/syncing"


@pytest.fixture
def summary(tmp_path: Path) -> dict[str, object]:
    """60 probes, one a second (finishing at +0.5 s), the ten of seconds 20–29 failing with status 503."""
    config = ProberConfig.model_validate(
        {
            "modules": {"rest_syncing": {"prober": "http"}},
            "targets": [{"target": TARGET, "module": "rest_syncing", "slos": ["SLO-API-001"]}],
        }
    )
    path = tmp_path / "results.sqlite"
    store = ResultStore.open(path, retention_seconds=86400)
    records = []
    for k in range(60):
        t = T0 + k + 0.5
        ok = not 20 <= k < 30
        records.append(
            ProbeRecord(
                TARGET, "rest_syncing", t - 0.1, t - 0.1, t, ok, None if ok else "status_code", (0.01,)
            )
        )
    store.add(records)
    store.close()
    window = IncidentWindow(QUICK.incident[1], 20.0, 30.0)
    return probe_summary(
        path, config, load_catalog(), started_at=T0, duration_seconds=60, step_seconds=1.0, incidents=[window]
    )


def test_counts_and_timeline(summary: dict[str, object]) -> None:
    (module,) = summary["modules"]  # type: ignore[misc]
    assert (module["probes"], module["failed"]) == (60, 10)
    assert module["availability"] == pytest.approx(50 / 60)
    assert module["failure_reasons"] == {"status_code": 10}
    availability = module["timeline"]["availability"]
    assert availability == [0.0 if 20 <= k < 30 else 1.0 for k in range(60)]
    assert module["timeline"]["time_seconds"][:3] == [1.0, 2.0, 3.0]
    assert len(module["latencies"]["seconds"]) == 60
    (incident,) = summary["incidents"]  # type: ignore[misc]
    assert incident["name"] == "REST 5xx burst" and incident["fault"]["duration_seconds"] == 7.0


def test_burn_rate_and_every_rule_fires_at_the_first_evaluation_after_the_first_failure(
    summary: dict[str, object],
) -> None:
    (slo,) = summary["slos"]  # type: ignore[misc]
    assert slo["slo"] == "SLO-API-001" and slo["total"] == 60 and slo["good"] == 50
    # 10 bad of 60 against a 99.9 % target: (1/6) / 0.001.
    assert slo["burn_rate"] == pytest.approx(1000 / 6)
    # The first failure finishes at +20.5 s, in the step evaluated at 21 s; by then 1 of 21 probes
    # failed, a burn rate of 47.6 over every window (all reach back to the start), above every factor.
    rules = {(a["policy"], a["rule"]) for a in slo["alerts"]}
    assert len(rules) == 6 == len(slo["alerts"])
    for alert in slo["alerts"]:
        assert alert["fired_at_seconds"] == 21.0 and alert["resolved_at_seconds"] is None
