"""The fault control API and faults given at start in a testbed YAML file."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from testbed import ManualClock, Testbed, load_config, run_testbed
from tests.testbed.conftest import fetch

pytestmark = pytest.mark.integration


async def test_put_get_post_delete(tb: Testbed, http: aiohttp.ClientSession) -> None:
    url = f"{tb.control_url}/faults"
    assert (await fetch(http, "GET", url)).json() == {"faults": []}
    put = await fetch(
        http,
        "PUT",
        url,
        json={
            "faults": [{"kind": "zero_peers"}, {"kind": "down", "surface": "rest", "start_after_seconds": 60}]
        },
    )
    listed = put.json()["faults"]
    assert put.status == 200 and [(f["kind"], f["state"]) for f in listed] == [
        ("zero_peers", "active"),
        ("down", "pending"),
    ]
    net = (await fetch(http, "GET", f"{tb.rpc_url}/net_info")).json()["result"]
    assert net["n_peers"] == "0"
    added = await fetch(http, "POST", url, data=b"kind: latency\nsurface: rpc\nlatency_seconds: 0.01\n")
    assert added.status == 201 and added.json()["kind"] == "latency"
    removed = await fetch(http, "DELETE", f"{url}/{listed[0]['id']}")
    assert [f["kind"] for f in removed.json()["faults"]] == ["down", "latency"]
    assert (await fetch(http, "DELETE", f"{url}/nope")).status == 404
    assert (await fetch(http, "DELETE", url)).json() == {"faults": []}
    assert (await fetch(http, "GET", f"{tb.rpc_url}/net_info")).json()["result"]["n_peers"] == "3"


async def test_invalid_faults_are_400_with_the_reason(tb: Testbed, http: aiohttp.ClientSession) -> None:
    url = f"{tb.control_url}/faults"
    wrong_surface = await fetch(http, "POST", url, json={"kind": "mempool_full", "surface": "rpc"})
    assert wrong_surface.status == 400 and "needs surface 'chain'" in wrong_surface.json()["error"]
    assert (await fetch(http, "PUT", url, json=[{"kind": "down"}])).status == 400
    assert (await fetch(http, "POST", url, data=b"{{{: [")).status == 400
    assert (await fetch(http, "GET", url)).json() == {"faults": []}


@pytest.mark.parametrize(
    ("method", "body", "field", "reason"),
    [
        ("POST", {"kind": "mempool_full", "surface": "rpc"}, "(body)", "fault kind 'mempool_full' needs"),
        ("POST", {"kind": "down", "surface": "rest", "ratio": 2}, "ratio", "Input should be less than"),
        ("POST", {"surface": "rest"}, "kind", "required field is missing"),
        ("POST", {"kind": "down", "surface": "rest", "colour": 1}, "colour", "unknown field"),
        ("PUT", {"faults": [{"kind": "zero_peers"}, {"kind": "nap"}]}, "faults[1].kind", "Input should be"),
        ("PUT", [{"kind": "down"}], "(body)", 'expected {"faults": [...]}'),
        ("POST", "{{{: [", "(body)", "request body:1: not valid YAML"),
    ],
)
async def test_invalid_fault_names_field_and_reason_in_json(
    tb: Testbed, http: aiohttp.ClientSession, method: str, body: object, field: str, reason: str
) -> None:
    data = body.encode() if isinstance(body, str) else None
    answer = await fetch(http, method, f"{tb.control_url}/faults", json=None if data else body, data=data)
    document = answer.json()
    assert answer.status == 400
    assert document["field"] == field and document["reason"].startswith(reason)
    assert document["error"] == f"{field}: {document['reason']}"
    assert "pydantic" not in document["error"] and "\n" not in document["error"]


async def test_faults_from_the_config_file_count_from_start(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    path = tmp_path / "testbed.yaml"
    path.write_text(
        "block_time_seconds: 3600\n"
        "faults:\n"
        "  - {kind: catching_up, start_after_seconds: 30, duration_seconds: 30}\n",
        encoding="utf-8",
    )
    clock = ManualClock()
    async with run_testbed(load_config(path), clock=clock, produce_blocks_on_timer=False) as tb:
        flags = []
        for _ in range(3):
            status = (await fetch(http, "GET", f"{tb.rpc_url}/status")).json()["result"]
            flags.append(status["sync_info"]["catching_up"])
            clock.advance(30)
        assert flags == [False, True, False]


def test_bad_config_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("block_time_seconds: -1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="block_time_seconds"):
        load_config(path)
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a mapping"):
        load_config(path)
