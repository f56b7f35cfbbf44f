"""The five HTTP phases of blackbox_exporter (resolve, connect, tls, processing, transfer) from aiohttp.

The session's connector dials every connection itself, so it times the connect and the TLS handshake
and hands them to the probe's recorder through a context variable (set per probe task, so
concurrent probes never see each other's timings); the prober notes when the response headers
arrived (when the request returns) and when the body ended. aiohttp's request tracing could give
the same instants, but its signals cost more per probe than the rest of the timing together, and
it has no signal between the TCP connect and the TLS handshake anyway.

Phases are summed over the round trips of a redirect chain, as in BBE's ``transport.go``: connect is
connection start to TCP connected, tls the handshake, processing connection ready to response
headers, transfer headers to the end of the body.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["PhaseRecorder", "RoundTrip", "activate", "deactivate", "new_session"]


@dataclass(slots=True)
class RoundTrip:
    """Event-loop times of one request of a redirect chain; 0 means the event did not happen."""

    connect_start: float = 0.0
    tls_start: float = 0.0
    got_conn: float = 0.0
    response_start: float = 0.0
    end: float = 0.0
    resolve_seconds: float = 0.0
    ssl_object: Any = None


@dataclass
class PhaseRecorder:
    """The round trips of one probe; activate it while the probe runs so the connector can fill them in."""

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


class _PhaseConnector(aiohttp.TCPConnector):
    """A connector that dials each connection itself, so it can time the connect, and a TLS handshake
    apart from the connect.

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
        rec = _ACTIVE.get()
        trip = rec.current if rec is not None else None
        if trip is not None:
            trip.connect_start = time.monotonic()  # the clock of ProbeContext.now()
        family, type_, proto, _, address = addr_infos[0]
        tls = bool(kwargs.get("ssl"))
        if not tls and (family == socket.AF_INET or address[3] == 0):
            # Plain HTTP has no handshake to time apart: the loop dials the literal address itself,
            # in one step, which costs far less than a Python socket plus two loop calls.
            try:
                transport, protocol = await loop.create_connection(
                    args[0], str(address[0]), int(address[1]), family=family, proto=proto
                )
            except OSError as exc:
                raise client_error(req.connection_key, exc) from exc
            if trip is not None:
                trip.got_conn = time.monotonic()
            return transport, protocol
        sock = socket.socket(family, type_, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            raise client_error(req.connection_key, exc) from exc
        if trip is not None and tls:
            trip.tls_start = time.monotonic()
        try:
            transport, protocol = await loop.create_connection(*args, **kwargs, sock=sock)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise aiohttp.ClientConnectorCertificateError(req.connection_key, exc) from exc
        except OSError as exc:
            sock.close()
            error = aiohttp.ClientConnectorSSLError if tls else client_error
            raise error(req.connection_key, exc) from exc
        if trip is not None:
            trip.got_conn = time.monotonic()
            if tls:
                trip.ssl_object = transport.get_extra_info("ssl_object")
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
    """Make ``recorder`` the one the connector reports connect and TLS timing to, in this task."""
    return _ACTIVE.set(recorder)


def deactivate(token: contextvars.Token[PhaseRecorder | None]) -> None:
    _ACTIVE.reset(token)


def new_session() -> aiohttp.ClientSession:
    """The HTTP session probes share: no keep-alive (each probe connects, as BBE's does), no cookies,
    no proxy from the environment, no aiohttp timeout (the probe deadline rules), phases timed by
    its connector."""
    connector = _PhaseConnector(
        force_close=True, limit=0, use_dns_cache=False, enable_cleanup_closed=False, resolver=_NoLookups()
    )
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
        auto_decompress=True,
    )
