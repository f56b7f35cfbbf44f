"""The http, grpc and tcp probers against the testbed node, one case per fault mode it can show.

Each case installs one fault and states what a user must see: ``probe_success``, the status code,
and the ``probe_failure_info`` reason. (The chain and tx probers have their own cases.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from probes.result import FailureReason
from testbed import Fault, FaultKind, Surface, Testbed, TestbedConfig, run_testbed
from testbed.runner import SUPERVISE_SECONDS
from tests.probes.conftest import probe_once

pytestmark = pytest.mark.integration

STATUS = {
    "prober": "http",
    "http": {
        "preferred_ip_protocol": "ip4",
        "json_assertions": ["result.sync_info.catching_up == false"],
        "json_values": ["result.sync_info.latest_block_height"],
    },
}
JSONRPC_STATUS = {
    "prober": "http",
    "http": {
        "preferred_ip_protocol": "ip4",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"jsonrpc": "2.0", "id": 1, "method": "status", "params": {}}',
        "json_assertions": ["result.sync_info.catching_up == false"],
    },
}
PEERS = {
    "prober": "http",
    "http": {"preferred_ip_protocol": "ip4", "json_assertions": ["result.n_peers > 0"]},
}
SYNCING = {
    "prober": "http",
    "http": {"preferred_ip_protocol": "ip4", "json_assertions": ["syncing == false"]},
}
HEALTH = {"prober": "grpc", "grpc": {"preferred_ip_protocol": "ip4"}}
GET_SYNCING = {
    "prober": "grpc",
    "grpc": {
        "preferred_ip_protocol": "ip4",
        "method": "cosmos.base.tendermint.v1beta1.Service/GetSyncing",
        "assertions": ["syncing == false"],
    },
}
METRICS = {
    "prober": "http",
    "http": {
        "preferred_ip_protocol": "ip4",
        "fail_if_body_not_matches_regexp": ["cometbft_consensus_height"],
    },
}
TCP = {"prober": "tcp", "tcp": {"preferred_ip_protocol": "ip4"}}


@dataclass(frozen=True)
class Case:
    name: str
    endpoint: str  # rpc, rest, grpc, metrics (+ path)
    module: dict[str, Any]
    fault: Fault | None
    reason: FailureReason | None
    status: int | None = None
    grpc_code: int | None = None


def _f(surface: Surface, kind: FaultKind, **fields: Any) -> Fault:
    return Fault(surface=surface, kind=kind, **fields)


RPC, REST, GRPC = Surface.RPC, Surface.REST, Surface.GRPC
CASES = [
    Case("rpc healthy", "rpc/status", STATUS, None, None, 200),
    Case("rpc down", "rpc/status", STATUS, _f(RPC, FaultKind.DOWN), FailureReason.CONNECT, 0),
    Case("rpc down (tcp)", "rpc", TCP, _f(RPC, FaultKind.DOWN), FailureReason.CONNECT),
    Case("rpc hang", "rpc/status", STATUS, _f(RPC, FaultKind.HANG), FailureReason.TIMEOUT, 0),
    Case(
        "rpc slow past timeout",
        "rpc/status",
        STATUS,
        _f(RPC, FaultKind.LATENCY, latency_seconds=5.0),
        FailureReason.TIMEOUT,
        0,
    ),
    Case(
        "rpc slow within timeout",
        "rpc/status",
        STATUS,
        _f(RPC, FaultKind.LATENCY, latency_seconds=0.1),
        None,
        200,
    ),
    Case(
        "rpc 500 html",
        "rpc/status",
        STATUS,
        _f(RPC, FaultKind.ERROR, http_status=500),
        FailureReason.STATUS_CODE,
        500,
    ),
    Case(
        "rpc 502 empty",
        "rpc/status",
        STATUS,
        _f(RPC, FaultKind.ERROR, http_status=502, body="empty"),
        FailureReason.STATUS_CODE,
        502,
    ),
    Case(
        "rpc -32603 on a URI request is HTTP 500",
        "rpc/status",
        STATUS,
        _f(RPC, FaultKind.ERROR, body="protocol"),
        FailureReason.STATUS_CODE,
        500,
    ),
    Case(
        "rpc -32603 on JSON-RPC is HTTP 200",
        "rpc/",
        JSONRPC_STATUS,
        _f(RPC, FaultKind.ERROR, body="protocol"),
        FailureReason.JSON,
        200,
    ),
    Case(
        "rpc -32601 on JSON-RPC",
        "rpc/",
        JSONRPC_STATUS,
        _f(RPC, FaultKind.ERROR, body="protocol", jsonrpc_code=-32601),
        FailureReason.JSON,
        200,
    ),
    Case("rpc JSON-RPC healthy", "rpc/", JSONRPC_STATUS, None, None, 200),
    Case(
        "rpc truncated json",
        "rpc/status",
        STATUS,
        _f(RPC, FaultKind.TRUNCATED_JSON),
        FailureReason.PROTOCOL,
        200,
    ),
    Case(
        "chain catching up", "rpc/status", STATUS, Fault(kind=FaultKind.CATCHING_UP), FailureReason.JSON, 200
    ),
    Case(
        "chain stalled, status still fine", "rpc/status", STATUS, Fault(kind=FaultKind.BLOCK_STALL), None, 200
    ),
    Case("zero peers", "rpc/net_info", PEERS, Fault(kind=FaultKind.ZERO_PEERS), FailureReason.JSON, 200),
    Case("rest healthy", "rest/cosmos/base/tendermint/v1beta1/syncing", SYNCING, None, None, 200),
    Case(
        "rest catching up",
        "rest/cosmos/base/tendermint/v1beta1/syncing",
        SYNCING,
        Fault(kind=FaultKind.CATCHING_UP),
        FailureReason.JSON,
        200,
    ),
    Case(
        "rest 503 gateway error",
        "rest/cosmos/base/tendermint/v1beta1/syncing",
        SYNCING,
        _f(REST, FaultKind.ERROR, body="protocol"),
        FailureReason.STATUS_CODE,
        503,
    ),
    Case(
        "rest down",
        "rest/cosmos/base/tendermint/v1beta1/syncing",
        SYNCING,
        _f(REST, FaultKind.DOWN),
        FailureReason.CONNECT,
        0,
    ),
    Case("grpc serving", "grpc", HEALTH, None, None, grpc_code=0),
    Case(
        "grpc not serving",
        "grpc",
        HEALTH,
        _f(GRPC, FaultKind.HEALTH_NOT_SERVING),
        FailureReason.NOT_SERVING,
        grpc_code=0,
    ),
    Case(
        "grpc unavailable",
        "grpc",
        HEALTH,
        _f(GRPC, FaultKind.ERROR, grpc_code="UNAVAILABLE"),
        FailureReason.GRPC_STATUS,
        grpc_code=14,
    ),
    Case(
        "grpc deadline exceeded",
        "grpc",
        HEALTH,
        _f(GRPC, FaultKind.ERROR, grpc_code="DEADLINE_EXCEEDED"),
        FailureReason.GRPC_STATUS,
        grpc_code=4,
    ),
    Case(
        "grpc unimplemented",
        "grpc",
        HEALTH,
        _f(GRPC, FaultKind.ERROR, grpc_code="UNIMPLEMENTED"),
        FailureReason.GRPC_UNIMPLEMENTED,
        grpc_code=12,
    ),
    Case("grpc hang", "grpc", HEALTH, _f(GRPC, FaultKind.HANG), FailureReason.TIMEOUT, grpc_code=4),
    Case("grpc down", "grpc", HEALTH, _f(GRPC, FaultKind.DOWN), FailureReason.CONNECT, grpc_code=14),
    Case("grpc GetSyncing healthy", "grpc", GET_SYNCING, None, None, grpc_code=0),
    Case(
        "grpc GetSyncing catching up",
        "grpc",
        GET_SYNCING,
        Fault(kind=FaultKind.CATCHING_UP),
        FailureReason.JSON,
        grpc_code=0,
    ),
    Case("metrics healthy", "metrics", METRICS, None, None, 200),
    Case("metrics down", "metrics", METRICS, _f(Surface.METRICS, FaultKind.DOWN), FailureReason.CONNECT, 0),
]


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    async with run_testbed(TestbedConfig(block_time_seconds=0.5, grpc_health=True, seed=3)) as testbed:
        yield testbed


def _target(tb: Testbed, endpoint: str) -> str:
    surface, _, path = endpoint.partition("/")
    base = {"rpc": tb.rpc_url, "rest": tb.rest_url, "grpc": tb.grpc_target, "metrics": tb.metrics_url}[
        surface
    ]
    if surface == "rpc" and not endpoint.endswith("/") and not path:
        return base.removeprefix("http://")
    return f"{base}/{path}" if path or endpoint.endswith("/") else base


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_fault_mode(tb: Testbed, case: Case) -> None:
    if case.fault is not None:
        tb.faults.add(case.fault)
        if case.fault.kind in (FaultKind.DOWN, FaultKind.HEALTH_NOT_SERVING):
            await asyncio.sleep(
                2 * SUPERVISE_SECONDS
            )  # the testbed closes ports and flips health on its tick
    result = await probe_once(_target(tb, case.endpoint), case.module, timeout=0.6)
    assert result.success is (case.reason is None), result.message
    assert result.failure is case.reason
    if case.status is not None:
        assert result.value("probe_http_status_code") == case.status
    if case.grpc_code is not None:
        assert result.value("probe_grpc_status_code") == case.grpc_code
    if case.reason is FailureReason.TIMEOUT:
        assert 0.59 <= result.duration_seconds < 1.2
    if case.name == "rpc healthy":
        height = result.value("probe_json_value", path="result.sync_info.latest_block_height")
        assert height is not None and height >= 1
        for phase in ("connect", "processing", "transfer"):
            assert (result.value("probe_http_duration_seconds", phase=phase) or 0) > 0
