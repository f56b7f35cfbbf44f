"""The testbed answers only JSON and refuses values no client could mean: NaN ids, infinite latencies."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from testbed import Testbed, load_config
from tests.testbed.conftest import fetch
from yamlsafe import InputError


@pytest.mark.parametrize("raw_id", ["NaN", "Infinity", "-Infinity"])
async def test_json_rpc_ids_that_are_not_json_get_a_parse_error(
    tb: Testbed, http: aiohttp.ClientSession, raw_id: str
) -> None:
    body = f'{{"jsonrpc": "2.0", "id": {raw_id}, "method": "health", "params": {{}}}}'
    reply = await fetch(http, "POST", tb.rpc_url, data=body.encode())
    answer = json.loads(reply.body, parse_constant=lambda c: pytest.fail(f"answered non-JSON {c}"))
    assert answer["error"]["code"] == -32700 and raw_id in answer["error"]["data"]


@pytest.mark.parametrize(
    "fault",
    [
        "{kind: latency, surface: rpc, latency_seconds: .inf}",
        "{kind: latency, surface: rpc, latency_seconds: .nan}",
        "{kind: latency, surface: rpc, latency_seconds: 1e300}",
        '{"kind": "latency", "surface": "rpc", "latency_seconds": NaN}',
        "{kind: latency, surface: rpc, latency_seconds: 1, start_after_seconds: .inf}",
    ],
)
async def test_faults_with_unbounded_values_are_400(
    tb: Testbed, http: aiohttp.ClientSession, fault: str
) -> None:
    reply = await fetch(http, "POST", f"{tb.control_url}/faults", data=fault.encode())
    assert reply.status == 400
    assert (await fetch(http, "GET", f"{tb.control_url}/faults")).json() == {"faults": []}


def test_config_files_with_non_finite_values_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "testbed.yaml"
    path.write_text("peers: 2\nblock_time_seconds: .inf\n")
    with pytest.raises(
        InputError, match=r"testbed\.yaml:2: block_time_seconds: Input should be a finite number"
    ):
        load_config(path)
