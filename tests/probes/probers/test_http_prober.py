"""The http prober against small loopback servers: gauges, phases, checks and failure reasons."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from probes.result import FailureReason
from probes.security import TargetPolicy
from tests.probes.conftest import probe_once, serve

pytestmark = pytest.mark.integration  # loopback servers

STATUS_BODY = {"result": {"sync_info": {"latest_block_height": "42", "catching_up": False}}}


def _app(hits: list[str]) -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        hits.append(f"{request.method} {request.path} {request.host} {await request.text()}")
        return web.Response(text="hello node", headers={"X-Node": "validator-0"})

    async def status(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response(STATUS_BODY)

    async def code(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="nope")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query.get("to", "/"))

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("s", "5")))
        return web.Response(text="late")

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 100_000)

    app = web.Application()
    app.router.add_route("*", "/", ok)
    app.router.add_get("/status", status)
    app.router.add_get("/code/{code}", code)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/slow", slow)
    app.router.add_get("/big", big)
    return app


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[str]]]:
    hits: list[str] = []
    async with serve(_app(hits)) as url:
        yield url, hits


HTTP = {"prober": "http", "http": {"preferred_ip_protocol": "ip4"}}


def _http(**settings: object) -> dict[str, object]:
    return {"prober": "http", "http": {"preferred_ip_protocol": "ip4", **settings}}


async def test_success_sets_blackbox_gauges_and_phases(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url + "/", HTTP)
    assert r.success and r.failure is None
    assert r.value("probe_http_status_code") == 200
    assert r.value("probe_http_version") == 1.1
    assert r.value("probe_http_content_length") == len("hello node")
    assert r.value("probe_http_uncompressed_body_length") == len("hello node")
    assert r.value("probe_http_redirects") == 0
    assert r.value("probe_http_ssl") == 0
    assert r.value("probe_failed_due_to_regex") == 0
    assert r.value("probe_ip_protocol") == 4
    assert r.value("probe_ip_addr_hash") == 3668918509
    phases = {
        p: r.value("probe_http_duration_seconds", phase=p)
        for p in ("resolve", "connect", "tls", "processing", "transfer")
    }
    assert phases["connect"] is not None and phases["connect"] > 0
    assert phases["processing"] is not None and phases["processing"] > 0
    assert phases["tls"] == 0
    assert sum(v or 0 for v in phases.values()) <= r.duration_seconds


async def test_scheme_is_added_like_blackbox(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url.removeprefix("http://") + "/", HTTP)
    assert r.success


async def test_status_codes(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url + "/code/404", HTTP)
    assert not r.success and r.failure is FailureReason.STATUS_CODE
    assert r.value("probe_http_status_code") == 404
    r = await probe_once(url + "/code/404", _http(valid_status_codes=[404]))
    assert r.success


async def test_body_regexps(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url + "/", _http(fail_if_body_matches_regexp=["hello"]))
    assert r.failure is FailureReason.BODY_REGEX and r.value("probe_failed_due_to_regex") == 1
    r = await probe_once(url + "/", _http(fail_if_body_not_matches_regexp=["^hello node$"]))
    assert r.success and r.value("probe_failed_due_to_regex") == 0


async def test_header_checks(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(
        url + "/", _http(fail_if_header_matches=[{"header": "X-Node", "regexp": "validator"}])
    )
    assert r.failure is FailureReason.HEADER
    r = await probe_once(
        url + "/",
        _http(fail_if_header_not_matches=[{"header": "X-Missing", "regexp": ".", "allow_missing": True}]),
    )
    assert r.success


async def test_method_body_and_hostname(server: tuple[str, list[str]]) -> None:
    url, hits = server
    r = await probe_once(url + "/", _http(method="POST", body="ping"), hostname="node.example")
    assert r.success
    assert hits[-1] == "POST / node.example ping"


async def test_json_assertions_and_values(server: tuple[str, list[str]]) -> None:
    url, _ = server
    module = _http(
        json_assertions=[
            "result.sync_info.catching_up == false",
            "result.sync_info.latest_block_height > 10",
        ],
        json_values=["result.sync_info.latest_block_height"],
    )
    r = await probe_once(url + "/status", module)
    assert r.success
    assert r.value("probe_json_value", path="result.sync_info.latest_block_height") == 42
    r = await probe_once(
        url + "/status", _http(json_assertions=["result.sync_info.latest_block_height > 100"])
    )
    assert r.failure is FailureReason.JSON
    r = await probe_once(url + "/", _http(json_assertions=["a == 1"]))
    assert r.failure is FailureReason.PROTOCOL


async def test_redirects_followed_counted_or_refused(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url + "/redirect?to=/status", HTTP)
    assert r.success and r.value("probe_http_redirects") == 1
    r = await probe_once(url + "/redirect?to=/status", _http(follow_redirects=False))
    assert r.failure is FailureReason.STATUS_CODE
    assert r.value("probe_http_status_code") == 302 and r.value("probe_http_redirects") == 1
    r = await probe_once(url + "/redirect?to=ftp://127.0.0.1/file", HTTP)
    assert r.failure is FailureReason.PROTOCOL


async def test_redirect_to_refused_address_is_not_followed(server: tuple[str, list[str]]) -> None:
    url, hits = server
    port = url.rsplit(":", 1)[1]
    policy = TargetPolicy(["127.0.0.1/32"])
    r = await probe_once(f"{url}/redirect?to=http://127.0.0.2:{port}/status", HTTP, policy=policy)
    assert r.failure is FailureReason.REFUSED
    assert "/status" not in hits
    r = await probe_once(f"{url}/redirect?to=http://169.254.169.254/latest/meta-data/", HTTP)
    assert r.failure is FailureReason.REFUSED


async def test_deadline_ends_a_slow_response(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url + "/slow?s=5", HTTP, timeout=0.3)
    assert r.failure is FailureReason.TIMEOUT
    assert r.value("probe_http_status_code") == 0
    assert 0.29 <= r.duration_seconds < 1.0


async def test_body_cap(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url + "/big", HTTP, body_limit=10_000)
    assert r.failure is FailureReason.PROTOCOL
    r = await probe_once(url + "/big", _http(body_size_limit="1KB"))
    assert r.failure is FailureReason.PROTOCOL
    r = await probe_once(url + "/big", HTTP)
    assert r.success and r.value("probe_http_uncompressed_body_length") == 100_000


async def test_connection_refused_and_versions(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once("http://127.0.0.1:1/", HTTP)
    assert r.failure is FailureReason.CONNECT and r.value("probe_http_status_code") == 0
    r = await probe_once(url + "/", _http(valid_http_versions=["HTTP/2.0"]))
    assert r.failure is FailureReason.HTTP_VERSION
    r = await probe_once(url + "/", _http(fail_if_not_ssl=True))
    assert r.failure is FailureReason.SSL


async def test_ip6_preferred_without_fallback_fails_for_an_ip4_literal(server: tuple[str, list[str]]) -> None:
    url, _ = server
    r = await probe_once(url + "/", {"prober": "http", "http": {"ip_protocol_fallback": False}})
    assert r.failure is FailureReason.DNS


async def test_tls_phase_and_certificate_gauges(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    app = _app([])
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        module = _http(tls_config={"ca_file": str(cert)})
        r = await probe_once(f"https://127.0.0.1:{port}/", module, hostname="node.test")
        assert r.success, r.message
        assert r.value("probe_http_ssl") == 1
        tls = r.value("probe_http_duration_seconds", phase="tls")
        assert tls is not None and tls > 0
        assert r.value("probe_tls_version_info", version="TLS 1.3") == 1
        expiry = r.value("probe_ssl_earliest_cert_expiry")
        assert expiry is not None and expiry > 1_700_000_000
        r = await probe_once(f"https://127.0.0.1:{port}/", _http())
        assert r.failure is FailureReason.TLS
        r = await probe_once(
            f"https://127.0.0.1:{port}/", _http(tls_config={"insecure_skip_verify": True}, fail_if_ssl=True)
        )
        assert r.failure is FailureReason.SSL
    finally:
        await runner.cleanup()


async def test_names_resolve_with_the_preferred_protocol(server: tuple[str, list[str]]) -> None:
    port = server[0].rsplit(":", 1)[1]
    r = await probe_once(f"http://localhost:{port}/", HTTP)
    assert r.success and r.value("probe_ip_protocol") == 4
    dns = r.value("probe_dns_lookup_time_seconds")
    assert dns is not None and dns > 0
    # ip6 only: there is no IPv6 address, or nothing listens on it; either way no success.
    r = await probe_once(
        f"http://localhost:{port}/", {"prober": "http", "http": {"ip_protocol_fallback": False}}
    )
    assert r.failure in (FailureReason.DNS, FailureReason.CONNECT)
