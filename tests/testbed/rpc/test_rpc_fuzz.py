"""Hypothesis throws arbitrary bodies and queries at the RPC port; every answer must be well formed."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.integration

METHODS = [
    "health",
    "status",
    "block",
    "blockchain",
    "tx",
    "tx_search",
    "broadcast_tx_sync",
    "broadcast_tx_commit",
]
PARAMS = ["height", "minHeight", "maxHeight", "hash", "tx", "query", "page", "per_page", "order_by", "prove"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
requests = st.fixed_dictionaries(
    {"jsonrpc": st.just("2.0"), "method": st.sampled_from(METHODS) | st.text(max_size=10)},
    optional={
        "id": json_values,
        "params": st.dictionaries(st.sampled_from(PARAMS), json_values) | json_values,
    },
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | requests.map(lambda r: json.dumps(r).encode())
    | st.lists(requests, min_size=1, max_size=4).map(lambda r: json.dumps(r).encode())
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _request(url: str, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=15)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _well_formed(envelope: Any) -> None:
    assert isinstance(envelope, dict) and envelope["jsonrpc"] == "2.0"
    assert ("result" in envelope) != ("error" in envelope)
    if "error" in envelope:
        error = envelope["error"]
        assert error["code"] in (-32700, -32600, -32601, -32602, -32603) and isinstance(error["message"], str)
        assert "data" not in error or (isinstance(error["data"], str) and error["data"])


@FUZZ
@given(body=bodies)
def test_json_rpc_answers_are_well_formed(threaded_rpc_url: str, body: bytes) -> None:
    status, answer = _request(threaded_rpc_url, "POST", "/", body)
    assert status == 200
    if not answer:
        return  # only notifications: no reply, as CometBFT does
    if answer.startswith(b"<html>"):
        assert body == b""  # an empty POST lists the endpoints
        return
    payload = json.loads(answer)
    for envelope in payload if isinstance(payload, list) else [payload]:
        _well_formed(envelope)


@FUZZ
@given(method=st.sampled_from(METHODS), query=st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=12)))
def test_uri_answers_are_well_formed(threaded_rpc_url: str, method: str, query: dict[str, str]) -> None:
    status, answer = _request(threaded_rpc_url, "GET", f"/{method}?{urllib.parse.urlencode(query)}")
    assert status in (200, 500)
    envelope = json.loads(answer)
    _well_formed(envelope)
    assert envelope["id"] == -1 and (status == 200) == ("result" in envelope)


def test_the_server_survived(threaded_rpc_url: str) -> None:
    assert _request(threaded_rpc_url, "GET", "/health") == (200, b'{"jsonrpc":"2.0","id":-1,"result":{}}')
