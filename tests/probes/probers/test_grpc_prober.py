"""The grpc prober against an in-process gRPC server: health states, codes, deadline, unary method."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2, query_pb2_grpc
from probes.result import FailureReason
from tests.probes.conftest import probe_once

pytestmark = pytest.mark.integration  # loopback servers


@dataclass
class Node(query_pb2_grpc.ServiceServicer):  # type: ignore[misc]
    """GetSyncing answers ``syncing``; it records the metadata of each call and can be slowed."""

    syncing: bool = False
    delay: float = 0.0
    seen_metadata: list[dict[str, str]] = field(default_factory=list)

    async def GetSyncing(self, request: Any, context: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        self.seen_metadata.append(dict(context.invocation_metadata() or ()))
        await asyncio.sleep(self.delay)
        return query_pb2.GetSyncingResponse(syncing=self.syncing)


@dataclass
class Server:
    target: str
    health: health.aio.HealthServicer
    node: Node


async def _start(with_health: bool) -> tuple[grpc.aio.Server, Server]:
    server = grpc.aio.server()
    port = server.add_insecure_port("127.0.0.1:0")
    servicer = health.aio.HealthServicer()
    if with_health:
        health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    node = Node()
    query_pb2_grpc.add_ServiceServicer_to_server(node, server)
    await server.start()
    return server, Server(f"127.0.0.1:{port}", servicer, node)


@pytest.fixture
async def grpc_server() -> AsyncIterator[Server]:
    server, info = await _start(with_health=True)
    try:
        yield info
    finally:
        await server.stop(None)


@pytest.fixture
async def node_without_health() -> AsyncIterator[Server]:
    server, info = await _start(with_health=False)
    try:
        yield info
    finally:
        await server.stop(None)


GRPC = {"prober": "grpc", "grpc": {"preferred_ip_protocol": "ip4"}}


async def test_serving(grpc_server: Server) -> None:
    await grpc_server.health.set("", health_pb2.HealthCheckResponse.SERVING)
    r = await probe_once(grpc_server.target, GRPC)
    assert r.success, r.message
    assert r.value("probe_grpc_status_code") == 0
    assert r.value("probe_grpc_healthcheck_response", serving_status="SERVING") == 1
    assert r.value("probe_grpc_healthcheck_response", serving_status="NOT_SERVING") == 0
    assert r.value("probe_grpc_ssl") == 0
    check = r.value("probe_grpc_duration_seconds", phase="check")
    assert check is not None and check > 0


async def test_not_serving_and_unknown_service(grpc_server: Server) -> None:
    await grpc_server.health.set("svc", health_pb2.HealthCheckResponse.NOT_SERVING)
    r = await probe_once(grpc_server.target, {"prober": "grpc", "grpc": {"service": "svc"}})
    assert r.failure is FailureReason.NOT_SERVING
    assert r.value("probe_grpc_healthcheck_response", serving_status="NOT_SERVING") == 1
    r = await probe_once(grpc_server.target, {"prober": "grpc", "grpc": {"service": "other"}})
    assert r.failure is FailureReason.GRPC_STATUS
    assert r.value("probe_grpc_status_code") == grpc.StatusCode.NOT_FOUND.value[0]


async def test_real_node_has_no_health_service(node_without_health: Server) -> None:
    r = await probe_once(node_without_health.target, GRPC)
    assert r.failure is FailureReason.GRPC_UNIMPLEMENTED
    assert r.value("probe_grpc_status_code") == 12


async def test_unary_method_with_assertion_and_metadata(node_without_health: Server) -> None:
    module = {
        "prober": "grpc",
        "grpc": {
            "method": "cosmos.base.tendermint.v1beta1.Service/GetSyncing",
            "assertions": ["syncing == false"],
            "metadata": {"x-probe": "slo"},
        },
    }
    r = await probe_once(node_without_health.target, module)
    assert r.success, r.message
    assert r.value("probe_grpc_healthcheck_response", serving_status="SERVING") is None
    assert node_without_health.node.seen_metadata[-1]["x-probe"] == "slo"
    node_without_health.node.syncing = True
    r = await probe_once(node_without_health.target, module)
    assert r.failure is FailureReason.JSON


async def test_deadline_is_enforced_on_the_call(node_without_health: Server) -> None:
    node_without_health.node.delay = 5.0
    module = {"prober": "grpc", "grpc": {"method": "cosmos.base.tendermint.v1beta1.Service/GetSyncing"}}
    r = await probe_once(node_without_health.target, module, timeout=0.3)
    assert r.failure is FailureReason.TIMEOUT
    assert r.value("probe_grpc_status_code") == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
    assert r.duration_seconds < 1.0  # the server would have slept 5 s


async def test_connection_refused_is_a_connect_failure() -> None:
    r = await probe_once("127.0.0.1:1", GRPC)
    assert r.failure is FailureReason.CONNECT
    assert r.value("probe_grpc_status_code") == 14


async def test_unknown_method_is_unsupported(node_without_health: Server) -> None:
    module = {"prober": "grpc", "grpc": {"method": "no.such.Service/Call"}}
    r = await probe_once(node_without_health.target, module)
    assert r.failure is FailureReason.UNSUPPORTED


async def test_tls_health_check(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server = grpc.aio.server()
    credentials = grpc.ssl_server_credentials([(key.read_bytes(), cert.read_bytes())])
    port = server.add_secure_port("127.0.0.1:0", credentials)
    servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    await server.start()
    try:
        module = {"prober": "grpc", "grpc": {"tls": True, "tls_config": {"ca_file": str(cert)}}}
        r = await probe_once(f"127.0.0.1:{port}", module, hostname="node.test")
        assert r.success, r.message
        assert r.value("probe_grpc_ssl") == 1
        r = await probe_once(
            f"127.0.0.1:{port}", {"prober": "grpc", "grpc": {"tls": True}}, hostname="node.test"
        )
        assert r.failure is FailureReason.TLS
        r = await probe_once(f"127.0.0.1:{port}", GRPC)  # plaintext to a TLS port
        assert not r.success
    finally:
        await server.stop(None)
