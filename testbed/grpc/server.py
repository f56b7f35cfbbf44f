"""The gRPC port (:9090): the SDK's tendermint and tx services, the auth and bank queries, server
reflection, and an opt-in health service.

A real node registers no ``grpc.health.v1.Health``, so by default a health check answers
UNIMPLEMENTED; with ``grpc_health`` on, the testbed serves it and the ``health_not_serving`` fault
switches it to NOT_SERVING. Transport faults are applied by an interceptor; ``down`` stops the
server and a new one binds the same port when the fault ends (a gRPC server cannot restart).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from chainpb.cosmos.auth.v1beta1 import query_pb2_grpc as auth_query_pb2_grpc
from chainpb.cosmos.bank.v1beta1 import query_pb2_grpc as bank_query_pb2_grpc
from chainpb.cosmos.base.tendermint.v1beta1 import query_pb2, query_pb2_grpc
from chainpb.cosmos.tx.v1beta1 import service_pb2, service_pb2_grpc
from testbed.config import TestbedConfig
from testbed.faults import FaultBoard, FaultKind, Surface
from testbed.grpc.node_service import NodeService, ServiceError
from testbed.grpc.query_service import QueryService

TENDERMINT_SERVICE = "cosmos.base.tendermint.v1beta1.Service"
TX_SERVICE = "cosmos.tx.v1beta1.Service"
AUTH_QUERY_SERVICE = "cosmos.auth.v1beta1.Query"
BANK_QUERY_SERVICE = "cosmos.bank.v1beta1.Query"


async def _answer(context: Any, produce: Callable[[], Any]) -> Any:
    try:
        return produce()
    except ServiceError as exc:
        await context.abort(exc.code, exc.message)


class TendermintServicer:
    """``cosmos.base.tendermint.v1beta1.Service`` over ``NodeService``."""

    def __init__(self, service: NodeService) -> None:
        self.service = service

    async def GetNodeInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, self.service.get_node_info)

    async def GetSyncing(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, self.service.get_syncing)

    async def GetLatestBlock(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, self.service.get_latest_block)

    async def GetBlockByHeight(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, lambda: self.service.get_block_by_height(request.height))


class TxServicer:
    """``cosmos.tx.v1beta1.Service`` over ``NodeService``."""

    def __init__(self, service: NodeService) -> None:
        self.service = service

    async def BroadcastTx(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, lambda: self.service.broadcast_tx(request.tx_bytes, request.mode))

    async def GetTx(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, lambda: self.service.get_tx(request.hash))

    async def Simulate(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, lambda: self.service.simulate(request.tx_bytes))


class AuthQueryServicer:
    """``cosmos.auth.v1beta1.Query`` over ``QueryService``."""

    def __init__(self, queries: QueryService) -> None:
        self.queries = queries

    async def Account(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, lambda: self.queries.account(request))


class BankQueryServicer:
    """``cosmos.bank.v1beta1.Query`` over ``QueryService``."""

    def __init__(self, queries: QueryService) -> None:
        self.queries = queries

    async def Balance(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, lambda: self.queries.balance(request))

    async def AllBalances(self, request: Any, context: Any) -> Any:  # noqa: N802
        return await _answer(context, lambda: self.queries.all_balances(request))


class FaultInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Applies the ``grpc`` surface's hang, latency and error faults to every unary call."""

    def __init__(self, board: FaultBoard, timeout_seconds: float) -> None:
        self.board = board
        self.timeout_seconds = timeout_seconds

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], handler_call_details: Any
    ) -> Any:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def faulty(request: Any, context: Any) -> Any:
            for fault in self.board.active_on(Surface.GRPC):
                if not self.board.hits(fault):
                    continue
                if fault.kind is FaultKind.HANG:
                    await asyncio.sleep(self.timeout_seconds)
                    await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "context deadline exceeded")
                elif fault.kind is FaultKind.LATENCY:
                    await asyncio.sleep(self.board.latency(fault))
                elif fault.kind is FaultKind.ERROR:
                    await context.abort(grpc.StatusCode[fault.grpc_code], fault.data)
            return await inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            faulty,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


class GrpcSurface:
    """Builds, starts and stops the gRPC server on a fixed loopback port."""

    def __init__(
        self, service: NodeService, queries: QueryService, board: FaultBoard, limits: TestbedConfig
    ) -> None:
        self.service = service
        self.queries = queries
        self.board = board
        self.limits = limits
        self.port = 0  # the OS picks one on the first open; later opens reuse it
        self.health = health.aio.HealthServicer() if limits.grpc_health else None
        self._server: grpc.aio.Server | None = None

    @property
    def up(self) -> bool:
        return self._server is not None

    async def open(self) -> None:
        if self._server is not None:
            return
        server = grpc.aio.server(
            interceptors=[FaultInterceptor(self.board, self.limits.request_timeout_seconds)],
            maximum_concurrent_rpcs=self.limits.max_concurrent_requests,
            options=[("grpc.max_receive_message_length", self.limits.max_body_bytes)],
        )
        query_pb2_grpc.add_ServiceServicer_to_server(TendermintServicer(self.service), server)
        service_pb2_grpc.add_ServiceServicer_to_server(TxServicer(self.service), server)
        auth_query_pb2_grpc.add_QueryServicer_to_server(AuthQueryServicer(self.queries), server)
        bank_query_pb2_grpc.add_QueryServicer_to_server(BankQueryServicer(self.queries), server)
        names = [
            query_pb2.DESCRIPTOR.services_by_name["Service"].full_name,
            service_pb2.DESCRIPTOR.services_by_name["Service"].full_name,
            AUTH_QUERY_SERVICE,
            BANK_QUERY_SERVICE,
            reflection.SERVICE_NAME,
        ]
        if self.health is not None:
            health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
            names.append(health.SERVICE_NAME)
        reflection.enable_server_reflection(names, server)
        self.port = server.add_insecure_port(f"127.0.0.1:{self.port}")
        await server.start()
        self._server = server
        await self.sync_health()

    async def close(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await server.stop(grace=None)

    async def sync_health(self) -> None:
        """Set the served health status from the board (NOT_SERVING while that fault is active)."""
        if self.health is None:
            return
        failing = self.board.active(Surface.GRPC, FaultKind.HEALTH_NOT_SERVING) is not None
        status = (
            health_pb2.HealthCheckResponse.NOT_SERVING if failing else health_pb2.HealthCheckResponse.SERVING
        )
        for name in ("", TENDERMINT_SERVICE, TX_SERVICE):
            await self.health.set(name, status)
