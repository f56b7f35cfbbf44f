"""Calls to a node's CometBFT RPC and Cosmos REST API within a probe's deadline, failures given reasons.

The chain and tx probers speak the same two wire dialects (NODE_WIRE.md §1, §2): the JSON-RPC
envelope with int64 values as strings, and grpc-gateway JSON with ``{code, message, details}``
errors. This module reads both, so a refused connection, a slow port, an HTML error page or a
truncated body becomes the same failure reason whichever prober met it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from probes.context import ProbeContext
from probes.probers.http_prober import host_header, read_body
from probes.probers.resolve import resolve
from probes.result import (
    ConnectFailure,
    DnsFailure,
    ProbeTimeout,
    ProtocolFailure,
    StatusCodeFailure,
    TlsFailure,
)
from probes.target import TargetSyntaxError, endpoint, url_endpoint

__all__ = ["NodeReply", "RpcError", "node_url", "request_json", "rpc_result"]


def node_url(target: str, path: str) -> str:
    """The API base for a target: ``http://`` added when no scheme is given (as blackbox_exporter
    does), then the module's path prefix. The target is read by :func:`probes.target.endpoint`, so a
    spelling that could name two hosts fails the probe instead of reaching either.

    >>> node_url("127.0.0.1:26657", "/rpc")
    'http://127.0.0.1:26657/rpc'
    """
    try:
        url = endpoint(target, "chain").url
    except TargetSyntaxError as exc:
        raise ConnectFailure(f"Could not parse target URL: {exc}") from None
    return str(url).rstrip("/") + path.rstrip("/")


@dataclass(frozen=True)
class NodeReply:
    """An HTTP status and the JSON body that came with it."""

    status: int
    body: Any


class RpcError(Exception):
    """A JSON-RPC error envelope: the node understood the call and said no (-32603 carries the reason)."""

    def __init__(self, code: int, message: str, data: str) -> None:
        super().__init__(f"JSON-RPC error {code} {message}" + (f": {data}" if data else ""))
        self.code = code
        self.message = message
        self.data = data


async def request_json(
    ctx: ProbeContext,
    url: str,
    *,
    params: dict[str, str] | None = None,
    body: Any = None,
) -> NodeReply:
    """GET (or POST ``body`` as JSON) within the probe's remaining time; any JSON answer is returned.

    A non-JSON body is a protocol failure at HTTP 2xx and a status-code failure otherwise (an HTML
    error page from a proxy); a body past ``ctx.body_limit`` is a protocol failure, as for http.
    Redirects are not followed: a node API never redirects, and following one would let a target
    send the prober elsewhere.
    """
    remaining = ctx.remaining()
    if remaining <= 0:
        raise ProbeTimeout(f"no time left before calling {url}")
    method = "GET" if body is None else "POST"
    target = URL(url)
    try:
        where = url_endpoint(target, url)
    except TargetSyntaxError as exc:
        raise ConnectFailure(str(exc)) from None
    ctx.policy.check_host(where.host, where.port)
    try:
        async with asyncio.timeout(remaining):
            # As the http prober does per hop: resolve, check the address, connect to that address.
            resolved = await resolve(where.host, "ip4", True, ctx, port=where.port, gauges=False)
            async with ctx.session.request(
                method,
                target.with_host(resolved.address),
                params=params,
                json=body,
                allow_redirects=False,
                headers={"Host": host_header(target)},
                server_hostname=where.host if target.scheme == "https" else None,
            ) as response:
                raw = await read_body(response, ctx.body_limit)
                status = response.status
    except TimeoutError:
        raise ProbeTimeout(f"{method} {url} did not answer within {remaining:.3f}s") from None
    except aiohttp.ClientConnectorDNSError as exc:
        raise DnsFailure(f"cannot resolve {url}: {exc}") from None
    except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
        raise TlsFailure(f"TLS with {url} failed: {exc}") from None
    except aiohttp.ClientConnectorError as exc:
        raise ConnectFailure(f"cannot connect to {url}: {exc.os_error}") from None
    except aiohttp.ClientError as exc:
        raise ProtocolFailure(f"{method} {url} broke off: {exc!r}") from None
    ctx.log.debug("node replied", url=url, status=status, bytes=len(raw))
    try:
        data = json.loads(raw)
    except ValueError:
        if 200 <= status < 300:
            raise ProtocolFailure(f"{url} answered HTTP {status} with a body that is not JSON") from None
        raise StatusCodeFailure(f"{url} answered HTTP {status}") from None
    return NodeReply(status, data)


async def rpc_result(ctx: ProbeContext, base: str, method: str, params: dict[str, str] | None = None) -> Any:
    """The ``result`` of a CometBFT RPC call in URI form; an error envelope raises :class:`RpcError`.

    URI errors come with HTTP 500 and JSON-RPC POST errors with HTTP 200 (NODE_WIRE.md §1), so the
    envelope, not the status, decides.
    """
    reply = await request_json(ctx, f"{base}/{method}", params=params)
    body = reply.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        raise RpcError(int(err.get("code", 0)), str(err.get("message", "")), str(err.get("data", "")))
    if reply.status != 200:
        raise StatusCodeFailure(f"{method}: HTTP {reply.status}")
    if not isinstance(body, dict) or "result" not in body:
        raise ProtocolFailure(f"{method}: no JSON-RPC result in the answer")
    return body["result"]
