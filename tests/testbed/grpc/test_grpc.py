"""The gRPC port: real service and method names (chainpb stubs), status codes, reflection, health."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2, query_pb2_grpc
from chainpb.cosmos.tx.v1beta1 import service_pb2, service_pb2_grpc
from cosmostx import tx_hash
from testbed import Testbed
from tests.testbed.conftest import FAST, HealthNode, Sender

pytestmark = pytest.mark.integration


@pytest.fixture
async def channel(tb: Testbed) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(tb.grpc_target) as chan:
        yield chan


async def test_tendermint_service_answers(tb: Testbed, channel: grpc.aio.Channel) -> None:
    stub = query_pb2_grpc.ServiceStub(channel)
    info = await stub.GetNodeInfo(query_pb2.GetNodeInfoRequest(), timeout=5)
    assert info.default_node_info.network == FAST.chain_id and info.application_version.app_name == "akash"
    assert (await stub.GetSyncing(query_pb2.GetSyncingRequest(), timeout=5)).syncing is False
    tb.commit_block()
    latest = await stub.GetLatestBlock(query_pb2.GetLatestBlockRequest(), timeout=5)
    assert latest.block.header.height == 2 and latest.sdk_block.header.height == 2
    assert latest.sdk_block.header.proposer_address.startswith("akashvalcons1")
    assert len(latest.block_id.hash) == 32
    first = await stub.GetBlockByHeight(query_pb2.GetBlockByHeightRequest(height=1), timeout=5)
    assert first.block.header.height == 1
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.GetBlockByHeight(query_pb2.GetBlockByHeightRequest(height=9), timeout=5)
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_broadcast_then_get_tx(tb: Testbed, channel: grpc.aio.Channel) -> None:
    stub = service_pb2_grpc.ServiceStub(channel)
    raw = Sender(0).next_tx()
    request = service_pb2.BroadcastTxRequest(tx_bytes=raw, mode=service_pb2.BROADCAST_MODE_SYNC)
    response = await stub.BroadcastTx(request, timeout=5)
    assert response.tx_response.code == 0 and response.tx_response.txhash == tx_hash(raw)
    with pytest.raises(grpc.aio.AioRpcError) as pending:
        await stub.GetTx(service_pb2.GetTxRequest(hash=tx_hash(raw)), timeout=5)
    assert pending.value.code() is grpc.StatusCode.NOT_FOUND
    assert pending.value.details() == f"tx not found: {tx_hash(raw)}"
    tb.commit_block()
    found = await stub.GetTx(service_pb2.GetTxRequest(hash=tx_hash(raw)), timeout=5)
    assert found.tx_response.height == 2 and found.tx.auth_info.signer_infos[0].sequence == 0
    assert found.tx_response.gas_used == FAST.gas_per_tx


async def test_simulate_reports_gas(tb: Testbed, channel: grpc.aio.Channel) -> None:
    stub = service_pb2_grpc.ServiceStub(channel)
    simulated = await stub.Simulate(service_pb2.SimulateRequest(tx_bytes=Sender(1).next_tx()), timeout=5)
    assert simulated.gas_info.gas_used == FAST.gas_per_tx and simulated.gas_info.gas_wanted == 200_000
    assert len(tb.chain.mempool) == 0
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.Simulate(service_pb2.SimulateRequest(), timeout=5)
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_reflection_lists_the_real_service_names(tb: Testbed, channel: grpc.aio.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    call = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
    )
    names = set()
    async for response in call:
        names = {service.name for service in response.list_services_response.service}
    assert {
        "cosmos.base.tendermint.v1beta1.Service",
        "cosmos.tx.v1beta1.Service",
        "cosmos.auth.v1beta1.Query",
        "cosmos.bank.v1beta1.Query",
    } <= names
    assert "grpc.health.v1.Health" not in names


async def test_health_is_unimplemented_like_a_real_node(tb: Testbed, channel: grpc.aio.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert error.value.code() is grpc.StatusCode.UNIMPLEMENTED


async def test_opt_in_health_serves(health_node: HealthNode) -> None:
    request = health_pb2.HealthCheckRequest(service="cosmos.tx.v1beta1.Service")
    answer = await health_node.health.Check(request, timeout=5)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await health_node.health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
    assert error.value.code() is grpc.StatusCode.NOT_FOUND
