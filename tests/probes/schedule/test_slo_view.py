"""The SLO view: window SLIs, budget, burn rates and firing rules on results whose answers we know."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from probes.config import ProberConfig
from probes.schedule.slo_view import (
    SloBinding,
    SloView,
    add_slo_routes,
    bindings,
    retention_seconds,
    slo_report,
)
from probes.schedule.store import ProbeRecord, ResultStore
from slo.catalogs.catalog import Catalog
from slo.catalogs.catalog_file import load_catalog
from slo.foundation.input_errors import InputError
from tests.probes.conftest import serve

NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def six_hours_records(last_failures: int, observation: float = 6.0) -> list[ProbeRecord]:
    """A probe every 30 s for six hours ending at NOW; the last ``last_failures`` probes failed."""
    records = []
    for k in range(720):
        t = NOW - 30 * k
        ok = k >= last_failures
        failure = None if ok else "block_age"
        records.append(ProbeRecord("node", "chain", t, t, t, ok, failure, (observation,) if ok else ()))
    return records


def six_hours(last_failures: int, observation: float = 6.0) -> ResultStore:
    store = ResultStore.open(":memory:", retention_seconds=28 * 86400)
    store.add(six_hours_records(last_failures, observation))
    return store


def test_a_burst_of_failures_fires_the_fast_rules(catalog: Catalog) -> None:
    store = six_hours(last_failures=10)
    (entry,) = slo_report(store, catalog, [SloBinding("SLO-NODE-001", "node", "chain")], NOW)["slos"]
    w = entry["windows"]
    assert (w["5m"]["total"], w["5m"]["sli"]) == (10, 0.0)
    assert w["5m"]["burn_rate"] == pytest.approx(1 / 0.0005)
    assert w["1h"]["sli"] == pytest.approx(110 / 120)
    assert w["1h"]["burn_rate"] == pytest.approx((10 / 120) / 0.0005)
    assert w["28d"]["total"] == 720
    budget = entry["budget"]
    assert budget["allowed_bad"] == pytest.approx(0.0005 * 720)
    assert budget["remaining"] == pytest.approx(1 - 10 / (0.0005 * 720))
    assert budget["status"] == "depleted"
    assert set(entry["firing"]) == {
        "source-document/burn-2x-1h",
        "source-document/burn-5x-15m",
        "source-document/burn-10x-5m",
        "sre-workbook/page-fast",
        "sre-workbook/page-slow",
        "sre-workbook/ticket",
    }


def test_failures_that_ended_an_hour_ago_leave_only_the_ticket(catalog: Catalog) -> None:
    store = ResultStore.open(":memory:", retention_seconds=28 * 86400)
    store.add(
        [
            ProbeRecord("node", "chain", t, t, t, not (NOW - 7200 < t <= NOW - 3600), None)
            for t in (NOW - 30 * k for k in range(720))
        ]
    )
    (entry,) = slo_report(store, catalog, [SloBinding("SLO-NODE-001", "node", "chain")], NOW)["slos"]
    assert entry["windows"]["1h"]["sli"] == 1.0
    assert entry["windows"]["6h"]["burn_rate"] == pytest.approx((120 / 720) / 0.0005)
    # page-slow needs its 30 m short window burning too; only the 3 d / 6 h ticket still holds.
    assert entry["firing"] == ["sre-workbook/ticket"]


def test_latency_objective_counts_observations_against_the_threshold(catalog: Catalog) -> None:
    slow = six_hours(last_failures=0, observation=8.0)  # every block interval above 7 s
    fast = six_hours(last_failures=0, observation=6.0)
    bind = [SloBinding("SLO-NODE-007", "node", "chain")]
    (bad,) = slo_report(slow, catalog, bind, NOW)["slos"]
    (good,) = slo_report(fast, catalog, bind, NOW)["slos"]
    assert bad["threshold_seconds"] == 7.0
    assert bad["windows"]["1h"]["sli"] == 0.0
    assert bad["windows"]["1h"]["burn_rate"] == pytest.approx(1 / 0.05)
    assert good["windows"]["28d"]["sli"] == 1.0
    assert good["budget"] == {
        "bad": 0.0,
        "total": 720.0,
        "allowed_bad": pytest.approx(36.0),
        "remaining": 1.0,
        "status": "healthy",
    }
    assert good["firing"] == []


def test_window_without_results_has_a_null_sli(catalog: Catalog) -> None:
    store = ResultStore.open(":memory:", retention_seconds=28 * 86400)
    store.add([ProbeRecord("node", "chain", NOW - 7200, NOW - 7200, NOW - 7200, True)])
    (entry,) = slo_report(store, catalog, [SloBinding("SLO-NODE-001", "node", "chain")], NOW)["slos"]
    assert entry["windows"]["5m"] == {"good": 0.0, "total": 0.0, "sli": None, "burn_rate": None}
    assert entry["windows"]["6h"]["sli"] == 1.0


def test_objectives_without_a_budget_say_so(catalog: Catalog) -> None:
    store = six_hours(last_failures=0)
    (entry,) = slo_report(store, catalog, [SloBinding("SLO-NODE-008", "node", "chain")], NOW)["slos"]
    assert "error" in entry and "windows" not in entry


def test_bindings_and_retention_follow_the_config(catalog: Catalog) -> None:
    config = ProberConfig.model_validate(
        {
            "modules": {"c": {"prober": "chain"}},
            "targets": [
                {"target": "n1", "module": "c", "slos": ["SLO-NODE-001", "SLO-NODE-007"]},
                {"target": "n2", "module": "c"},
            ],
        }
    )
    bound = bindings(config, catalog)
    assert bound == [SloBinding("SLO-NODE-001", "n1", "c"), SloBinding("SLO-NODE-007", "n1", "c")]
    assert retention_seconds(catalog, bound) == 28 * 86400
    bad = config.model_copy(update={"targets": (config.targets[0].model_copy(update={"slos": ("SLO-X",)}),)})
    with pytest.raises(
        InputError, match=r"^targets\[0\]\.slos\[0\]: unknown SLO 'SLO-X' in catalogue virtengine$"
    ):
        bindings(bad, catalog)


@pytest.fixture
async def slo_url(catalog: Catalog, tmp_path: Path) -> AsyncIterator[str]:
    path = tmp_path / "r.sqlite"
    with ResultStore.open(path, retention_seconds=28 * 86400) as store:
        store.add(six_hours_records(last_failures=10))
    flushed: list[bool] = []
    bound = (SloBinding("SLO-NODE-001", "node", "chain"),)
    view = SloView(path, catalog, bound, lambda: NOW, before_read=lambda: flushed.append(True))
    app = web.Application()
    add_slo_routes(app, view)
    async with serve(app) as url:
        yield f"{url}/slo"
    assert flushed


@pytest.mark.integration
async def test_get_slo_serves_the_report_as_json(slo_url: str) -> None:
    async with aiohttp.ClientSession() as session, session.get(slo_url) as response:
        assert response.status == 200
        body = await response.json()
    assert body["windows"] == ["5m", "30m", "1h", "6h", "1d", "3d", "28d"]
    assert body["results_stored"] == 720
    assert body["slos"][0]["budget"]["status"] == "depleted"
