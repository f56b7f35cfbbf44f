"""The ``http`` prober: blackbox_exporter's ``ProbeHTTP`` on aiohttp, plus JSON assertions and values.

Every hop of a redirect chain is resolved by us (BBE's ``chooseProtocol``), checked against the target
policy, and then requested by address with the original ``Host`` header and TLS server name, so a
redirect or a DNS answer cannot lead the probe where the policy refuses, and what was checked is what
is connected to. The order of checks, the gauges and their values on each path (status 0 without a
response, ``probe_http_redirects`` counting the refused redirect, phases summed over hops) follow
BBE's ``prober/http.go``.
"""

from __future__ import annotations

import functools
import json
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from probes.config import HTTPProbe, Module
from probes.context import ProbeContext, Samples
from probes.json_assert import assert_all, json_path, lookup, numeric
from probes.probers.http_phases import PhaseRecorder, RoundTrip, activate, deactivate
from probes.probers.resolve import resolve
from probes.probers.tls import ssl_context, tls_samples
from probes.result import (
    BodyRegexFailure,
    ConnectFailure,
    DnsFailure,
    HeaderFailure,
    HttpVersionFailure,
    ProbeFailure,
    ProbeResult,
    ProtocolFailure,
    SslFailure,
    StatusCodeFailure,
    TlsFailure,
)
from probes.target import TargetSyntaxError, endpoint, url_endpoint

__all__ = ["PHASES", "host_header", "probe", "read_body"]

PHASES = ("connect", "processing", "resolve", "tls", "transfer")
_REDIRECTS = frozenset((301, 302, 303, 307, 308))
_MAX_REDIRECTS = 10
_ZERO_AT_START = (
    "probe_http_content_length",
    "probe_http_uncompressed_body_length",
    "probe_http_redirects",
    "probe_http_ssl",
    "probe_http_status_code",
    "probe_http_version",
    "probe_failed_due_to_regex",
)
_USER_AGENT = "slo-harness/0.1.0"
_HELP = {
    "probe_http_duration_seconds": "Duration of http request by phase, summed over all redirects",
    "probe_http_content_length": "Length of http content response",
    "probe_http_uncompressed_body_length": "Length of uncompressed response body",
    "probe_http_redirects": "The number of redirects",
    "probe_http_ssl": "Indicates if SSL was used for the final redirect",
    "probe_http_status_code": "Response HTTP status code",
    "probe_http_version": "Returns the version of HTTP of the probe response",
    "probe_failed_due_to_regex": "Indicates if probe failed due to regex",
    "probe_http_last_modified_timestamp_seconds": (
        "Returns the Last-Modified HTTP response header in unixtime"
    ),
    "probe_json_value": "Numeric value found at a JSON path of the response body",
}


def _zeros() -> Samples:
    """The gauges BBE sets to 0 before an HTTP probe starts, so every failure path reports them."""
    zeros = Samples()
    for name in _ZERO_AT_START:
        zeros.set(name, 0, _HELP[name])
    for phase in PHASES:
        zeros.set("probe_http_duration_seconds", 0, _HELP["probe_http_duration_seconds"], phase=phase)
    return zeros


_ZEROS = _zeros()


def _set(ctx: ProbeContext, name: str, value: float, **labels: str) -> None:
    ctx.samples.set(name, value, _HELP[name], **labels)


def host_header(url: URL) -> str:
    host = url.raw_host or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{url.explicit_port}" if url.explicit_port is not None else host


def _request_headers(config: HTTPProbe, url: URL, ctx: ProbeContext, first_hop: bool) -> dict[str, str]:
    headers = {"User-Agent": _USER_AGENT}
    if config.compression:
        headers["Accept-Encoding"] = config.compression
    headers.update(config.headers)
    if first_hop and ctx.hostname:
        headers["Host"] = ctx.hostname
    elif not first_hop or not any(k.lower() == "host" for k in config.headers):
        headers["Host"] = host_header(url)
    if config.basic_auth is not None:
        password = config.basic_auth.password
        if config.basic_auth.password_file:
            password = Path(config.basic_auth.password_file).read_text(encoding="utf-8").strip()
        headers["Authorization"] = aiohttp.BasicAuth(config.basic_auth.username, password).encode()
    elif config.authorization is not None:
        credentials = config.authorization.credentials
        if config.authorization.credentials_file:
            credentials = Path(config.authorization.credentials_file).read_text(encoding="utf-8").strip()
        headers["Authorization"] = f"{config.authorization.type} {credentials}"
    elif config.bearer_token or config.bearer_token_file:
        token = config.bearer_token or Path(config.bearer_token_file).read_text(encoding="utf-8").strip()
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _request_body(config: HTTPProbe) -> bytes | None:
    if config.body_file:
        return Path(config.body_file).read_bytes()
    return config.body.encode() if config.body else None


def _client_failure(exc: aiohttp.ClientError, url: URL) -> ProbeFailure:
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return TlsFailure(f"TLS handshake with {url.host} failed: {exc}")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return DnsFailure(f"cannot resolve {url.host}: {exc}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectFailure(f"cannot connect to {url.host}: {exc}")
    return ProtocolFailure(f"HTTP request to {url} failed: {exc}")


async def read_body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await response.content.read(65536):
        size += len(chunk)
        if size > limit:
            raise ProtocolFailure(f"Failed to read HTTP response body: body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_status(config: HTTPProbe, status: int, ctx: ProbeContext) -> ProbeFailure | None:
    valid = status in config.valid_status_codes if config.valid_status_codes else 200 <= status < 300
    if valid:
        return None
    wanted = ",".join(map(str, config.valid_status_codes)) or "2xx"
    ctx.log.info(f"Invalid HTTP response status code, wanted {wanted}", status_code=status)
    return StatusCodeFailure(f"HTTP status {status}, wanted {wanted}")


def _check_headers(config: HTTPProbe, headers: Any, ctx: ProbeContext) -> ProbeFailure | None:
    for match in config.fail_if_header_matches:
        values = headers.getall(match.header, [])
        if not values and not match.allow_missing:
            # As blackbox_exporter: a missing header fails unless allow_missing, for both lists.
            ctx.log.error("Missing required header", header=match.header)
            return HeaderFailure(f"header {match.header} is missing")
        for value in values:
            if match.regexp.search(value):
                ctx.log.error(
                    "Header matched regular expression", header=match.header, regexp=match.regexp.source
                )
                return HeaderFailure(f"header {match.header} matched {match.regexp.source!r}")
    for match in config.fail_if_header_not_matches:
        values = headers.getall(match.header, [])
        if not values:
            if match.allow_missing:
                continue
            ctx.log.error("Missing required header", header=match.header)
            return HeaderFailure(f"header {match.header} is missing")
        if not any(match.regexp.search(v) for v in values):
            ctx.log.error(
                "Header did not match regular expression", header=match.header, regexp=match.regexp.source
            )
            return HeaderFailure(f"header {match.header} did not match {match.regexp.source!r}")
    return None


def _check_body_regexps(config: HTTPProbe, text: str, ctx: ProbeContext) -> ProbeFailure | None:
    for regexp in config.fail_if_body_matches_regexp:
        if regexp.search(text):
            ctx.log.error("Body matched regular expression", regexp=regexp.source)
            return BodyRegexFailure(f"body matched {regexp.source!r}")
    for regexp in config.fail_if_body_not_matches_regexp:
        if not regexp.search(text):
            ctx.log.error("Body did not match regular expression", regexp=regexp.source)
            return BodyRegexFailure(f"body did not match {regexp.source!r}")
    return None


def _check_json(config: HTTPProbe, body: bytes, ctx: ProbeContext) -> ProbeFailure | None:
    """Our extension: ``json_values`` become ``probe_json_value{path}``; ``json_assertions`` must hold."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        ctx.log.error("Response body is not JSON", err=str(exc))
        return ProtocolFailure(f"response body is not JSON: {exc}")
    for path in config.json_values:
        value = numeric(lookup(document, json_path(path)))
        if value is None:
            ctx.log.warn("JSON path has no numeric value", path=path)
        else:
            _set(ctx, "probe_json_value", value, path=path)
    return assert_all(config.json_assertions, document, ctx.log, "JSON")


def _redirect_target(url: URL, response: aiohttp.ClientResponse) -> URL | None:
    location = response.headers.get("Location")
    if response.status not in _REDIRECTS or not location:
        return None
    return url.join(URL(location))


async def probe(target: str, module: Module, ctx: ProbeContext) -> ProbeResult:
    """Probe an http(s) URL; a target without a scheme gets ``http://``, as in BBE."""
    config = module.http
    ctx.samples.update(_ZEROS)
    try:
        url = endpoint(target, "http").url
    except TargetSyntaxError as exc:
        raise ConnectFailure(f"Could not parse target URL: {exc}") from None
    assert url is not None  # a URL prober's endpoint has one
    recorder = PhaseRecorder()
    token = activate(recorder)
    try:
        failure = await _exchange(url, config, ctx, recorder)
    finally:
        deactivate(token)
        for phase, seconds in recorder.phases().items():
            _set(ctx, "probe_http_duration_seconds", seconds, phase=phase)
    return ctx.finish(failure)


async def _exchange(
    url: URL, config: HTTPProbe, ctx: ProbeContext, recorder: PhaseRecorder
) -> ProbeFailure | None:
    method = config.method.upper()
    body = _request_body(config)
    hops = 0
    while True:
        try:
            where = url_endpoint(url, str(url))
        except TargetSyntaxError as exc:
            raise ProtocolFailure(f"cannot follow a redirect to {url}: {exc}") from None
        ctx.policy.check_host(where.host, where.port)
        trip = RoundTrip()
        recorder.trips.append(trip)
        resolved = await resolve(
            where.host,
            config.preferred_ip_protocol,
            config.ip_protocol_fallback,
            ctx,
            port=where.port,
            gauges=hops == 0,
        )
        trip.resolve_seconds = resolved.lookup_seconds
        is_tls = url.scheme == "https"
        server_name = config.tls_config.server_name or (
            ctx.hostname if hops == 0 and ctx.hostname else url.host
        )
        headers = _request_headers(config, url, ctx, first_hop=hops == 0)
        ctx.log.info("Making HTTP request", url=str(url), host=headers["Host"])
        try:
            response = await ctx.session.request(
                method,
                url.with_host(resolved.address),
                headers=headers,
                data=body,
                allow_redirects=False,
                ssl=ssl_context(config.tls_config, ctx.ssl_contexts) if is_tls else False,
                server_hostname=server_name if is_tls else None,
            )
        except aiohttp.ClientError as exc:
            ctx.log.error("Error for HTTP request", err=str(exc))
            raise _client_failure(exc, url) from None
        trip.response_start = ctx.now()  # the request returns once the response headers are in
        async with response:
            next_url = _redirect_target(url, response)
            if next_url is not None:
                ctx.log.info("Received redirect", location=str(next_url))
                if config.follows_redirects and hops < _MAX_REDIRECTS:
                    hops += 1
                    _set(ctx, "probe_http_redirects", hops)
                    await read_body(response, ctx.body_limit)
                    trip.end = ctx.now()
                    if response.status in (301, 302, 303) and method not in ("GET", "HEAD"):
                        method, body = "GET", None
                    url = next_url
                    continue
                ctx.log.info("Not following redirect")
                _set(ctx, "probe_http_redirects", hops + 1)
                return _final(
                    config, response, _check_status(config, response.status, ctx), ctx, trip.ssl_object
                )
            return await _finish_response(config, response, ctx, trip)


async def _finish_response(
    config: HTTPProbe, response: aiohttp.ClientResponse, ctx: ProbeContext, trip: RoundTrip
) -> ProbeFailure | None:
    ctx.log.info("Received HTTP response", status_code=response.status)
    failure = _check_status(config, response.status, ctx)
    if failure is None and (config.fail_if_header_matches or config.fail_if_header_not_matches):
        failure = _check_headers(config, response.headers, ctx)
        _set(ctx, "probe_failed_due_to_regex", 0 if failure is None else 1)
    limit = min(config.body_size_limit or ctx.body_limit, ctx.body_limit)
    ssl_object = trip.ssl_object
    try:
        body = await read_body(response, limit)
    except (aiohttp.ClientError, ProtocolFailure) as exc:
        ctx.log.error("Failed to read HTTP response body", err=str(exc))
        unread = exc if isinstance(exc, ProtocolFailure) else ProtocolFailure(f"Failed to read body: {exc}")
        return _final(config, response, failure or unread, ctx, ssl_object)
    trip.end = ctx.now()
    _set(ctx, "probe_http_uncompressed_body_length", len(body))
    if failure is None and (config.fail_if_body_matches_regexp or config.fail_if_body_not_matches_regexp):
        failure = _check_body_regexps(config, body.decode("utf-8", "replace"), ctx)
        _set(ctx, "probe_failed_due_to_regex", 0 if failure is None else 1)
    if failure is None and (config.json_assertions or config.json_values):
        failure = _check_json(config, body, ctx)
    return _final(config, response, failure, ctx, ssl_object)


@functools.lru_cache(maxsize=1024)
def _http_date(text: str) -> float:
    """Unix seconds of an HTTP date; memoised, since a target's Last-Modified rarely changes."""
    return parsedate_to_datetime(text).timestamp()


def _final(
    config: HTTPProbe,
    response: aiohttp.ClientResponse,
    failure: ProbeFailure | None,
    ctx: ProbeContext,
    ssl_object: Any = None,
) -> ProbeFailure | None:
    """The gauges BBE sets once the exchange is over, and the checks on version and TLS."""
    last_modified = response.headers.get("Last-Modified")
    if last_modified:
        try:
            _set(ctx, "probe_http_last_modified_timestamp_seconds", _http_date(last_modified))
        except (TypeError, ValueError):
            ctx.log.debug("Unparseable Last-Modified header", value=last_modified)
    version = response.version or aiohttp.HttpVersion11
    proto = f"HTTP/{version.major}.{version.minor}"
    _set(ctx, "probe_http_version", version.major + version.minor / 10)
    if failure is None and config.valid_http_versions and proto not in config.valid_http_versions:
        ctx.log.error("Invalid HTTP version number", version=proto)
        failure = HttpVersionFailure(
            f"HTTP version {proto} is not one of {', '.join(config.valid_http_versions)}"
        )
    if ssl_object is not None:
        _set(ctx, "probe_http_ssl", 1)
        tls_samples(ssl_object, ctx)
        if failure is None and config.fail_if_ssl:
            ctx.log.error("Final request was over SSL")
            failure = SslFailure("final request was over SSL")
    elif failure is None and config.fail_if_not_ssl:
        ctx.log.error("Final request was not over SSL")
        failure = SslFailure("final request was not over SSL")
    _set(ctx, "probe_http_status_code", response.status)
    _set(ctx, "probe_http_content_length", -1 if response.content_length is None else response.content_length)
    return failure
