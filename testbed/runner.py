"""Start a whole testbed on free loopback ports and stop it cleanly: ``run_testbed``.

Every surface binds 127.0.0.1 on a port the OS picks, and keeps that port for the testbed's life so
a ``down`` fault can close it and reopen it. A supervisor task reconciles the listeners and the
gRPC health status with the fault board every 50 ms; a producer task commits blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import numpy as np
from aiohttp import web

from cosmostx import DevAccount, encode_address
from testbed.chain.block_feed import BlockFeed, commit_block, produce_blocks
from testbed.chain.model import ChainModel
from testbed.clock import Clock, SystemClock
from testbed.config import TestbedConfig
from testbed.control import ControlApi
from testbed.daemons.benchmark import BenchmarkDaemon
from testbed.daemons.provider import ProviderDaemon
from testbed.faults import FaultBoard, FaultKind, Surface
from testbed.grpc.node_service import NodeService
from testbed.grpc.query_service import QueryService
from testbed.grpc.server import GrpcSurface
from testbed.http_surface import Listener, ProtocolError, SurfaceGuard, plain_protocol_error
from testbed.metrics import CONTENT_TYPE, exposition, new_registry
from testbed.rest.server import RestServer, rest_protocol_error
from testbed.rpc.methods import RpcMethods
from testbed.rpc.server import RpcServer, rpc_protocol_error

SUPERVISE_SECONDS = 0.05


@dataclass
class Testbed:
    """A running testbed: its endpoints, its chain and its fault board."""

    __test__ = False  # not a pytest test class

    config: TestbedConfig
    chain: ChainModel
    faults: FaultBoard
    clock: Clock
    feed: BlockFeed
    rpc_url: str
    rest_url: str
    grpc_target: str
    metrics_url: str
    provider_url: str
    benchmark_url: str
    control_url: str

    @property
    def accounts(self) -> tuple[DevAccount, ...]:
        """The funded dev accounts; account ``i`` has account number ``i``."""
        return self.chain.ledger.dev_accounts

    def commit_block(self) -> bool:
        """Commit a block now, outside the block timer; False while a block stall is active."""
        return commit_block(self.chain, self.clock, self.feed)

    def endpoints(self) -> dict[str, str]:
        """Each surface's URL (the gRPC one as ``host:port``), by surface name."""
        return {
            "rpc": self.rpc_url,
            "rest": self.rest_url,
            "grpc": self.grpc_target,
            "metrics": self.metrics_url,
            "provider": self.provider_url,
            "benchmark": self.benchmark_url,
            "control": self.control_url,
        }


def _app(config: TestbedConfig, routes: list[web.RouteDef], guard: SurfaceGuard | None) -> web.Application:
    middlewares = [guard.limits, guard.faults] if guard is not None else []
    app = web.Application(client_max_size=config.max_body_bytes, middlewares=middlewares)
    app.add_routes(routes)
    return app


def _metrics_routes(chain: ChainModel, provider: ProviderDaemon) -> list[web.RouteDef]:
    registry = new_registry(chain, provider)

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=exposition(registry), headers={"Content-Type": CONTENT_TYPE})

    return [web.get("/metrics", metrics)]


async def _supervise(
    listeners: dict[Surface, Listener], grpc_surface: GrpcSurface, board: FaultBoard
) -> None:
    surfaces: list[tuple[Surface, Listener | GrpcSurface]] = [
        *listeners.items(),
        (Surface.GRPC, grpc_surface),
    ]
    while True:
        for surface, server in surfaces:
            down = board.active(surface, FaultKind.DOWN) is not None
            try:
                if down and server.up:
                    await server.close()
                elif not down and not server.up:
                    await server.open()
            except (OSError, RuntimeError):  # gRPC reports a failed bind as RuntimeError
                pass  # the port is briefly taken; the next round tries again
        await grpc_surface.sync_health()
        await asyncio.sleep(SUPERVISE_SECONDS)


@contextlib.asynccontextmanager
async def run_testbed(
    config: TestbedConfig | None = None,
    *,
    clock: Clock | None = None,
    rng: np.random.Generator | None = None,
    produce_blocks_on_timer: bool = True,
) -> AsyncIterator[Testbed]:
    """Start every surface on free 127.0.0.1 ports; stop them all on exit.

    ``clock`` sets header times and fault windows (default: the system clock); ``rng`` drives every
    random choice (default: seeded from ``config.seed``). With ``produce_blocks_on_timer=False``
    blocks come only from ``Testbed.commit_block``.

    >>> async def demo() -> None:
    ...     async with run_testbed(TestbedConfig(block_time_seconds=1.0)) as tb:
    ...         print(tb.rpc_url)  # e.g. http://127.0.0.1:41234
    """
    config = config or TestbedConfig()
    clock = clock or SystemClock()
    rng = rng or np.random.default_rng(config.seed)
    board = FaultBoard(clock.monotonic, rng)
    board.replace(config.faults)
    chain = ChainModel(config, board)
    feed = BlockFeed()
    commit_block(chain, clock, feed)
    service = NodeService(chain)
    queries = QueryService(chain, service)
    provider_key_hash = hashlib.sha256(f"{config.chain_id}/provider".encode()).digest()[:20]
    provider_address = encode_address(config.bech32_prefix, provider_key_hash)
    provider = ProviderDaemon(config.provider, rng, clock.monotonic, provider_address)
    benchmark = BenchmarkDaemon(config.benchmark, rng)

    def guard(surface: Surface, protocol_error: ProtocolError) -> SurfaceGuard:
        return SurfaceGuard(
            surface,
            board,
            protocol_error,
            max_concurrent=config.max_concurrent_requests,
            timeout_seconds=config.request_timeout_seconds,
        )

    rpc_methods = RpcMethods(chain, feed, queries, rpc_address="")
    apps: dict[Surface, tuple[list[web.RouteDef], ProtocolError]] = {
        Surface.RPC: (RpcServer(rpc_methods).routes(), rpc_protocol_error),
        Surface.REST: (RestServer(chain, service, queries).routes(), rest_protocol_error),
        Surface.METRICS: (_metrics_routes(chain, provider), plain_protocol_error),
        Surface.PROVIDER: (provider.routes(), plain_protocol_error),
        Surface.BENCHMARK: (benchmark.routes(), plain_protocol_error),
    }
    listeners = {
        surface: Listener(_app(config, routes, guard(surface, protocol_error)))
        for surface, (routes, protocol_error) in apps.items()
    }
    control = Listener(_app(config, ControlApi(board).routes(), None))
    grpc_surface = GrpcSurface(service, queries, board, config)
    tasks: list[asyncio.Task[None]] = []
    try:
        for listener in [*listeners.values(), control]:
            await listener.setup()
            await listener.open()
        await grpc_surface.open()
        rpc_methods.rpc_address = f"tcp://127.0.0.1:{listeners[Surface.RPC].port}"

        def url(surface: Surface) -> str:
            return f"http://127.0.0.1:{listeners[surface].port}"

        testbed = Testbed(
            config=config,
            chain=chain,
            faults=board,
            clock=clock,
            feed=feed,
            rpc_url=url(Surface.RPC),
            rest_url=url(Surface.REST),
            grpc_target=f"127.0.0.1:{grpc_surface.port}",
            metrics_url=f"{url(Surface.METRICS)}/metrics",
            provider_url=url(Surface.PROVIDER),
            benchmark_url=url(Surface.BENCHMARK),
            control_url=f"http://127.0.0.1:{control.port}",
        )
        tasks.append(asyncio.create_task(_supervise(listeners, grpc_surface, board)))
        if produce_blocks_on_timer:
            tasks.append(asyncio.create_task(produce_blocks(chain, clock, feed, rng)))
        yield testbed
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await grpc_surface.close()
        for listener in [*listeners.values(), control]:
            await listener.cleanup()
