"""Side by side with the real blackbox_exporter: same module file, same targets, same answers.

Both exporters probe the same loopback targets with the same blackbox.yml; for every case the
metrics blackbox_exporter dashboards and alerts key on must have identical names, labels and values.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import grpc
import pytest
import yaml
from aiohttp import web
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from probes.config import load_config
from probes.exporter.server import build_app
from tests.conftest import free_port, require_binary
from tests.probes.conftest import serve

pytestmark = pytest.mark.integration

COMPARED = (
    "probe_success",
    "probe_http_status_code",
    "probe_http_version",
    "probe_failed_due_to_regex",
    "probe_grpc_status_code",
    "probe_grpc_healthcheck_response",
)
MODULES = {
    "http_2xx": {"prober": "http", "timeout": "2s"},
    "http_ip4": {"prober": "http", "timeout": "2s", "http": {"preferred_ip_protocol": "ip4"}},
    "http_404_ok": {"prober": "http", "timeout": "2s", "http": {"valid_status_codes": [404]}},
    "http_body_error": {
        "prober": "http",
        "timeout": "2s",
        "http": {"fail_if_body_matches_regexp": ["error"]},
    },
    "http_body_ready": {
        "prober": "http",
        "timeout": "2s",
        "http": {"fail_if_body_not_matches_regexp": ["^ready"]},
    },
    "http_no_redirect": {"prober": "http", "timeout": "2s", "http": {"follow_redirects": False}},
    "http_post": {"prober": "http", "timeout": "2s", "http": {"method": "POST", "body": "x"}},
    "http_h2_only": {"prober": "http", "timeout": "2s", "http": {"valid_http_versions": ["HTTP/2.0"]}},
    "http_header": {
        "prober": "http",
        "timeout": "2s",
        "http": {"fail_if_header_matches": [{"header": "X-State", "regexp": "bad"}]},
    },
    "tcp_connect": {"prober": "tcp", "timeout": "2s"},
    "tcp_ssh": {"prober": "tcp", "timeout": "2s", "tcp": {"query_response": [{"expect": "^SSH-2.0-"}]}},
    "tcp_pop3": {"prober": "tcp", "timeout": "2s", "tcp": {"query_response": [{"expect": "^+OK"}]}},
    "grpc_plain": {"prober": "grpc", "timeout": "2s", "grpc": {"tls": False, "preferred_ip_protocol": "ip4"}},
    "grpc_service_down": {"prober": "grpc", "timeout": "2s", "grpc": {"service": "down"}},
    "grpc_service_unknown": {"prober": "grpc", "timeout": "2s", "grpc": {"service": "nobody"}},
}
CASES = [
    ("http_2xx", "/ok"),
    ("http_ip4", "/ok"),
    ("http_2xx", "/code/404"),
    ("http_2xx", "/code/500"),
    ("http_404_ok", "/code/404"),
    ("http_404_ok", "/ok"),
    ("http_body_error", "/error"),
    ("http_body_error", "/ok"),
    ("http_body_ready", "/ok"),
    ("http_body_ready", "/error"),
    ("http_2xx", "/redirect"),
    ("http_no_redirect", "/redirect"),
    ("http_post", "/ok"),
    ("http_2xx", "/http10"),
    ("http_h2_only", "/ok"),
    ("http_header", "/bad-header"),
    ("http_header", "/ok"),
    ("http_2xx", "closed"),
    ("tcp_connect", "banner"),
    ("tcp_connect", "closed"),
    ("tcp_ssh", "banner"),
    ("tcp_pop3", "banner"),
    ("grpc_plain", "grpc"),
    ("grpc_service_down", "grpc"),
    ("grpc_service_unknown", "grpc"),
    ("grpc_plain", "closed"),
]


def _target_app() -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ready and fine")

    async def error(request: web.Request) -> web.Response:
        return web.Response(text="an error happened")

    async def code(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="status")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/ok")

    async def bad_header(request: web.Request) -> web.Response:
        return web.Response(text="ready", headers={"X-State": "bad"})

    async def http10(request: web.Request) -> web.StreamResponse:
        response = web.Response(text="old")
        response.version = aiohttp.HttpVersion10
        return response

    app = web.Application()
    app.router.add_route("*", "/ok", ok)
    app.router.add_get("/error", error)
    app.router.add_get("/code/{code}", code)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/bad-header", bad_header)
    app.router.add_get("/http10", http10)
    return app


@dataclass
class Both:
    ours: str
    theirs: str
    http_target: str
    grpc_target: str
    banner: str
    closed: str

    def target(self, where: str) -> str:
        special = {"grpc": self.grpc_target, "banner": self.banner, "closed": self.closed}
        return special.get(where, self.http_target + where)


@pytest.fixture(scope="module")
def module_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bbe") / "blackbox.yml"
    path.write_text(yaml.safe_dump({"modules": MODULES}))
    return path


@pytest.fixture
def blackbox(module_file: Path) -> Iterator[str]:
    binary = require_binary("prometheus-blackbox-exporter")
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--config.file={module_file}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _wait_up(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.get(url + "/-/healthy") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture
async def both(blackbox: str, module_file: Path) -> AsyncIterator[Both]:
    server = grpc.aio.server()
    grpc_port = server.add_insecure_port("127.0.0.1:0")
    servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    await servicer.set("down", health_pb2.HealthCheckResponse.NOT_SERVING)
    await server.start()

    async def ssh_banner(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # "^+OK" must not match the first line (Go repeats the anchor), "^SSH-2.0-" matches the second.
        writer.write(b"+OK POP3 ready\r\nSSH-2.0-OpenSSH_9.2\r\n")
        writer.close()

    banner = await asyncio.start_server(ssh_banner, "127.0.0.1", 0)
    banner_target = f"127.0.0.1:{banner.sockets[0].getsockname()[1]}"
    app = build_app(load_config(module_file), CollectorRegistry())
    try:
        async with banner, serve(_target_app()) as target, serve(app) as ours:
            await _wait_up(blackbox)
            grpc_target = f"127.0.0.1:{grpc_port}"
            yield Both(ours, blackbox, target, grpc_target, banner_target, f"127.0.0.1:{free_port()}")
    finally:
        await server.stop(None)


def _compared(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in COMPARED:
                out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def test_same_answers_as_blackbox_exporter(both: Both) -> None:
    mismatches = []
    async with aiohttp.ClientSession() as session:
        for module, where in CASES:
            target = both.target(where)
            answers = []
            for exporter in (both.theirs, both.ours):
                async with session.get(f"{exporter}/probe", params={"module": module, "target": target}) as r:
                    assert r.status == 200
                    answers.append(_compared(await r.text()))
            theirs, ours = answers
            if theirs != ours:
                mismatches.append(f"{module} {where}: blackbox_exporter {theirs} != ours {ours}")
    assert not mismatches, "\n".join(mismatches)


# Names only one side has, on purpose: our failure reason, and blackbox_exporter 0.23's TLS expiry
# gauge on plaintext gRPC (a bug fixed in 0.26, #1338).
OURS_ONLY = {"probe_failure_info"}
THEIRS_ONLY = {"probe_ssl_earliest_cert_expiry"}


def _names(text: str) -> set[str]:
    return {family.name for family in text_string_to_metric_families(text)}


async def test_same_metric_names_as_blackbox_exporter(both: Both) -> None:
    mismatches = []
    async with aiohttp.ClientSession() as session:
        for module, where in CASES:
            target = both.target(where)
            names = []
            for exporter in (both.theirs, both.ours):
                async with session.get(f"{exporter}/probe", params={"module": module, "target": target}) as r:
                    names.append(_names(await r.text()))
            theirs, ours = names
            if theirs - THEIRS_ONLY != ours - OURS_ONLY:
                mismatches.append(f"{module} {where}: only theirs {theirs - ours}, only ours {ours - theirs}")
    assert not mismatches, "\n".join(mismatches)
