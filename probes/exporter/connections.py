"""How many client connections the exporter holds, so idle clients cannot starve it of file descriptors.

Every accepted connection costs a descriptor, and so does every probe's outgoing socket and the
results store. With ``ulimit -n 1024``, 1,100 idle connections left nothing for ``/metrics`` and
``/probe`` for over a minute. So the exporter:

- raises its soft descriptor limit to the hard one at start (:func:`raise_descriptor_limit`);
- keeps a reserve for outgoing probes (two descriptors per concurrent probe, plus 64 for the store,
  logs and the listening sockets) and accepts at most the rest as client connections
  (:func:`client_connection_limit`);
- closes a connection that has sent nothing within ``silent_timeout_seconds`` (aiohttp closes idle
  keep-alive connections itself, after ``KEEPALIVE_TIMEOUT_SECONDS``);
- listens with a backlog of half that reserve, since asyncio accepts up to the backlog in one burst
  before any connection reaches the guard (:func:`accept_backlog`);
- at the cap, drops the oldest connection that has sent nothing yet to make room, and when every
  connection is busy answers the newcomer ``503 Service Unavailable`` and closes it.
"""

from __future__ import annotations

import asyncio
import resource
from collections import OrderedDict
from collections.abc import Callable
from typing import cast

from aiohttp import web

__all__ = [
    "KEEPALIVE_TIMEOUT_SECONDS",
    "ConnectionGuard",
    "GuardedSite",
    "accept_backlog",
    "client_connection_limit",
    "raise_descriptor_limit",
]

KEEPALIVE_TIMEOUT_SECONDS = 15.0
_RESERVE_BASE = 64
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 32\r\nConnection: close\r\n\r\ntoo many connections, try again\n"
)


def raise_descriptor_limit() -> int:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit (as far as the system allows); the new soft
    limit, or the old one when it cannot be raised."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (OSError, ValueError):
            return soft
        return wanted
    return soft


def _reserve(max_concurrent_probes: int) -> int:
    return 2 * max_concurrent_probes + _RESERVE_BASE


def client_connection_limit(descriptors: int, max_concurrent_probes: int) -> int:
    """Client connections to accept with ``descriptors`` available: what the probes' reserve leaves.

    >>> client_connection_limit(1024, 256)
    448
    """
    return max(16, descriptors - _reserve(max_concurrent_probes))


def accept_backlog(max_concurrent_probes: int) -> int:
    """The listen backlog, which is also how many connections asyncio accepts in one burst before
    the guard sees any of them: half the probes' reserve, so a burst cannot exhaust descriptors.

    >>> accept_backlog(256)
    288
    """
    return min(1024, _reserve(max_concurrent_probes) // 2)


class ConnectionGuard:
    """Counts the server's connections and enforces the cap and the silence timeout."""

    def __init__(self, limit: int, *, silent_timeout_seconds: float = 10.0) -> None:
        self.limit = limit
        self.silent_timeout_seconds = silent_timeout_seconds
        self.open = 0
        self.refused = 0
        self.dropped = 0
        self._silent: OrderedDict[int, _Guarded] = OrderedDict()

    def protocol(self, inner: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """A protocol factory that wraps each of ``inner``'s protocols in the guard."""
        return lambda: _Guarded(inner(), self)

    def _admit(self, connection: _Guarded) -> bool:
        if self.open >= self.limit and self._silent:
            _, oldest = self._silent.popitem(last=False)
            self.dropped += 1
            oldest.release()
            oldest.close()
        if self.open >= self.limit:
            self.refused += 1
            return False
        self.open += 1
        self._silent[id(connection)] = connection
        return True

    def _spoke(self, connection: _Guarded) -> None:
        self._silent.pop(id(connection), None)

    def _released(self, connection: _Guarded) -> None:
        self._silent.pop(id(connection), None)
        self.open -= 1


class _Guarded(asyncio.Protocol):
    """Delegates to aiohttp's request handler; counts itself in and out of the guard."""

    def __init__(self, inner: asyncio.Protocol, guard: ConnectionGuard) -> None:
        self._inner = inner
        self._guard = guard
        self._transport: asyncio.Transport | None = None
        self._admitted = False
        self._counted = False
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's TCPTransport is one without subclassing asyncio.Transport).
        self._transport = cast(asyncio.Transport, transport)
        if not self._guard._admit(self):
            self._transport.write(_BUSY)
            transport.close()
            return
        self._admitted = self._counted = True
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._guard.silent_timeout_seconds, self.close)
        self._inner.connection_made(transport)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def release(self) -> None:
        """Give this connection's place back to the guard (once, whether evicted or lost)."""
        if self._counted:
            self._counted = False
            self._guard._released(self)

    def data_received(self, data: bytes) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self._guard._spoke(self)
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._admitted else None

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.release()
        if self._admitted:
            self._inner.connection_lost(exc)


class GuardedSite(web.TCPSite):
    """``web.TCPSite`` whose connections pass through a :class:`ConnectionGuard`."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        guard: ConnectionGuard,
        *,
        backlog: int = 128,
        reuse_port: bool | None = None,
    ) -> None:
        super().__init__(runner, host, port, backlog=backlog, reuse_port=reuse_port)
        self.guard = guard

    async def start(self) -> None:
        self._runner._reg_site(self)
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self.guard.protocol(server),
            self._host,
            self._port,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port
