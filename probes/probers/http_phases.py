"""The five HTTP phases of blackbox_exporter (resolve, connect, tls, processing, transfer) from aiohttp.

aiohttp's tracing gives the request start, the connection being created and made, and the response
headers; it has no signal between the TCP connect and the TLS handshake, so the session's connector
times that one boundary itself and hands it to the probe's recorder through a context variable
(set per probe task, so concurrent probes never see each other's timings).

Phases are summed over the round trips of a redirect chain, as in BBE's ``transport.go``: connect is
connection start to TCP connected, tls the handshake, processing connection ready to response
headers, transfer headers to the end of the body.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import ssl
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["PhaseRecorder", "RoundTrip", "activate", "deactivate", "new_session"]


@dataclass(slots=True)
class RoundTrip:
    """Event-loop times of one request of a redirect chain; 0 means the event did not happen."""

    start: float = 0.0
    connect_start: float = 0.0
    tls_start: float = 0.0
    got_conn: float = 0.0
    response_start: float = 0.0
    end: float = 0.0
    resolve_seconds: float = 0.0
    ssl_object: Any = None


@dataclass
class PhaseRecorder:
    """The round trips of one probe; pass it as ``trace_request_ctx`` and activate it for TLS timing."""

    trips: list[RoundTrip] = field(default_factory=list)

    @property
    def current(self) -> RoundTrip:
        return self.trips[-1]

    def phases(self) -> dict[str, float]:
        """Seconds per phase, summed over round trips (BBE counts a phase only once it completed)."""
        total = dict.fromkeys(("resolve", "connect", "tls", "processing", "transfer"), 0.0)
        for trip in self.trips:
            total["resolve"] += trip.resolve_seconds
            if trip.got_conn:
                if trip.tls_start:
                    total["connect"] += trip.tls_start - trip.connect_start
                    total["tls"] += trip.got_conn - trip.tls_start
                else:
                    total["connect"] += trip.got_conn - trip.connect_start
            if trip.response_start and trip.got_conn:
                total["processing"] += trip.response_start - trip.got_conn
                if trip.end:
                    total["transfer"] += trip.end - trip.response_start
        return total


_ACTIVE: contextvars.ContextVar[PhaseRecorder | None] = contextvars.ContextVar("probe_phases", default=None)


def _recorder(context: SimpleNamespace) -> PhaseRecorder | None:
    rec = context.trace_request_ctx
    return rec if isinstance(rec, PhaseRecorder) else None


def _now() -> float:
    return asyncio.get_running_loop().time()


async def _on_request_start(_s: Any, context: SimpleNamespace, _p: Any) -> None:
    rec = _recorder(context)
    if rec is not None:
        rec.current.start = _now()


async def _on_connection_create_start(_s: Any, context: SimpleNamespace, _p: Any) -> None:
    rec = _recorder(context)
    if rec is not None:
        rec.current.connect_start = _now()


async def _on_connection_create_end(_s: Any, context: SimpleNamespace, _p: Any) -> None:
    rec = _recorder(context)
    if rec is not None:
        rec.current.got_conn = _now()


async def _on_request_end(_s: Any, context: SimpleNamespace, _p: Any) -> None:
    rec = _recorder(context)
    if rec is not None:
        rec.current.response_start = _now()


def _trace_config() -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()
    config.on_request_start.append(_on_request_start)
    config.on_connection_create_start.append(_on_connection_create_start)
    config.on_connection_create_end.append(_on_connection_create_end)
    config.on_request_end.append(_on_request_end)
    return config


class _PhaseConnector(aiohttp.TCPConnector):
    """A connector that connects the socket itself, so a TLS handshake is timed apart from the connect.

    Probes always hand aiohttp a literal address (the prober resolved and vetted it), so there is one
    address to dial and nothing of aiohttp's happy-eyeballs to lose; dialling it directly is also
    cheaper than going through it, on every probe.
    """

    async def _wrap_create_connection(
        self,
        *args: Any,
        addr_infos: list[Any],
        req: Any,
        timeout: aiohttp.ClientTimeout,
        client_error: type[Exception] = aiohttp.ClientConnectorError,
        **kwargs: Any,
    ) -> tuple[asyncio.Transport, Any]:
        loop = asyncio.get_running_loop()
        family, type_, proto, _, address = addr_infos[0]
        sock = socket.socket(family, type_, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            raise client_error(req.connection_key, exc) from exc
        rec = _ACTIVE.get()
        tls = bool(kwargs.get("ssl"))
        if rec is not None and tls:
            rec.current.tls_start = _now()
        try:
            transport, protocol = await loop.create_connection(*args, **kwargs, sock=sock)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise aiohttp.ClientConnectorCertificateError(req.connection_key, exc) from exc
        except OSError as exc:
            sock.close()
            error = aiohttp.ClientConnectorSSLError if tls else client_error
            raise error(req.connection_key, exc) from exc
        if rec is not None and tls:
            rec.current.ssl_object = transport.get_extra_info("ssl_object")
        return transport, protocol


class _NoLookups(AbstractResolver):
    """The session's resolver: it refuses every name. Probers resolve a host themselves, check each
    address against the target policy and hand aiohttp that literal address, which aiohttp dials
    without asking a resolver; a request that names a host would skip the check, so it fails."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        raise OSError(f"{host}: probes connect to vetted addresses only, never to a name")

    async def close(self) -> None:
        return None


def activate(recorder: PhaseRecorder) -> contextvars.Token[PhaseRecorder | None]:
    """Make ``recorder`` the one the connector reports TLS timing to, in this task."""
    return _ACTIVE.set(recorder)


def deactivate(token: contextvars.Token[PhaseRecorder | None]) -> None:
    _ACTIVE.reset(token)


def new_session() -> aiohttp.ClientSession:
    """The HTTP session probes share: no keep-alive (each probe connects, as BBE's does), no cookies,
    no proxy from the environment, no aiohttp timeout (the probe deadline rules), phase tracing on."""
    connector = _PhaseConnector(
        force_close=True, limit=0, use_dns_cache=False, enable_cleanup_closed=False, resolver=_NoLookups()
    )
    return aiohttp.ClientSession(
        connector=connector,
        trace_configs=[_trace_config()],
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
        auto_decompress=True,
    )
