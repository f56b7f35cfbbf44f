"""What every HTTP port of the testbed shares: request limits, fault injection and a restartable listener.

Each surface is an aiohttp application wrapped by two middlewares. ``limits`` bounds concurrent
handlers and their run time (past it the connection closes unanswered, which is also how a hang
ends); ``faults`` applies the transport faults of its surface (hang, latency,
error, truncated JSON, and closing connections while the surface is down). ``Listener`` binds one
loopback port and can close and reopen it on the same port, which is how ``down`` refuses
connections. Oversized bodies get 413 from aiohttp's ``client_max_size``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from testbed.faults import Fault, FaultBoard, FaultKind, Surface

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ProtocolError = Callable[[web.Request, Fault], Awaitable[web.Response]]

HTML_ERROR = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable"}


def json_response(payload: Any, status: int = 200) -> web.Response:
    """A JSON answer written compactly, as Go's ``encoding/json`` writes it."""
    return web.Response(
        body=json.dumps(payload, separators=(",", ":"), allow_nan=False).encode(),
        status=status,
        content_type="application/json",
    )


def _not_json(name: str) -> Any:
    raise ValueError(f"invalid character {name[0]!r}: {name} is not JSON")


def load_json(body: bytes) -> Any:
    """``json.loads`` as strict as Go's ``encoding/json``: ``NaN`` and ``Infinity`` are refused (Python
    accepts them, and a request id of NaN would be echoed as non-JSON), and nesting too deep to parse
    is a ``ValueError`` too."""
    try:
        return json.loads(body, parse_constant=_not_json)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


async def plain_protocol_error(request: web.Request, fault: Fault) -> web.Response:
    """The error a daemon without a richer format gives: a JSON object with the message."""
    return json_response({"error": fault.data}, status=fault.http_status)


def error_response(fault: Fault) -> web.Response:
    """An HTML (proxy-like) or empty error response with the fault's status."""
    if fault.body == "empty":
        return web.Response(status=fault.http_status)
    reason = _REASONS[fault.http_status]
    return web.Response(
        status=fault.http_status,
        text=HTML_ERROR.format(status=fault.http_status, reason=reason),
        content_type="text/html",
    )


def _abort(request: web.Request) -> web.Response:
    """Close the connection without an answer; the returned response is never written."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=499)


def truncate(response: web.StreamResponse) -> web.StreamResponse:
    """The same response with its body cut in half (a connection that died mid-body)."""
    if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
        return response
    body = response.body
    return web.Response(
        status=response.status, body=body[: len(body) // 2], content_type=response.content_type
    )


class SurfaceGuard:
    """The two middlewares of one surface, bound to its fault board and limits."""

    def __init__(
        self,
        surface: Surface,
        board: FaultBoard,
        protocol_error: ProtocolError,
        *,
        max_concurrent: int,
        timeout_seconds: float,
    ) -> None:
        self.surface = surface
        self.board = board
        self.protocol_error = protocol_error
        self.timeout_seconds = timeout_seconds
        self._slots = asyncio.Semaphore(max_concurrent)

    @web.middleware
    async def limits(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        async with self._slots:
            try:
                async with asyncio.timeout(self.timeout_seconds):
                    return await handler(request)
            except TimeoutError:
                return _abort(request)

    @web.middleware
    async def faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        active = self.board.active_on(self.surface)
        if not active:
            return await handler(request)
        truncated = False
        for fault in active:
            if fault.kind is FaultKind.DOWN:  # a connection opened before the port closed
                return _abort(request)
            if not self.board.hits(fault):
                continue
            if fault.kind is FaultKind.HANG:
                await asyncio.Event().wait()  # until ``limits`` gives up on the request
            elif fault.kind is FaultKind.LATENCY:
                await asyncio.sleep(self.board.latency(fault))
            elif fault.kind is FaultKind.ERROR:
                if fault.body == "protocol":
                    return await self.protocol_error(request, fault)
                return error_response(fault)
            elif fault.kind is FaultKind.TRUNCATED_JSON:
                truncated = True
        response = await handler(request)
        return truncate(response) if truncated else response


class Listener:
    """An aiohttp application served on one loopback port that can be closed and reopened."""

    def __init__(self, app: web.Application) -> None:
        self.port = 0  # the OS picks one on the first open; later opens reuse it
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        self._site: web.TCPSite | None = None

    @property
    def up(self) -> bool:
        return self._site is not None

    async def setup(self) -> None:
        await self._runner.setup()

    async def open(self) -> None:
        if self._site is None:
            site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
            await site.start()
            self._site = site
            self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._site is not None:
            site, self._site = self._site, None
            await site.stop()

    async def cleanup(self) -> None:
        self._site = None
        await self._runner.cleanup()
