"""SSRF: no target spelling, redirect or DNS answer makes any prober connect outside the allowlist.

Two canary listeners, one on another loopback address (127.0.0.2) and one on another port of the
allowed address, count every connection they get. An exporter whose allowlist admits one port of
127.0.0.1 runs every prober kind, on demand (``/probe``) and on schedule, against hostile spellings
of the canaries, redirects to them and names whose DNS answer changes to them between the check
and the connection. The canaries must see nothing, while the allowed node does see the controls.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from probes.config import load_config
from probes.context import ProbeContext
from probes.exporter.server import build_app
from probes.probers.http_phases import new_session
from probes.probers.resolve import resolve
from probes.result import TargetRefused
from probes.schedule.scheduled import enable_scheduled_probing
from probes.security import TargetPolicy, parse_address
from probes.target import TargetSyntaxError, endpoint
from slo.foundation.input_errors import InputError
from tests.probes.conftest import serve
from tests.probes.probers.chain.conftest import ScriptedNode

pytestmark = pytest.mark.integration

PROBERS = ("http", "tcp", "grpc", "chain", "tx")
REBIND = "rebind.test"  # 127.0.0.1 to the admission check, 127.0.0.2 to the prober (rebinding)
CANARY_NAME = "canary.test"  # always answers 127.0.0.2


@dataclass
class Canary:
    """A TCP listener that counts the connections it accepts and answers nothing."""

    host: str
    port: int = 0
    connections: int = 0


@asynccontextmanager
async def canary(host: str, port: int = 0) -> AsyncIterator[Canary]:
    seen = Canary(host)

    def accepted(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        writer.close()

    server = await asyncio.start_server(accepted, host, port)
    seen.port = server.sockets[0].getsockname()[1]
    try:
        yield seen
    finally:
        server.close()
        await server.wait_closed()


@contextmanager
def fake_dns(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """``canary.test`` resolves to 127.0.0.2; ``rebind.test`` to 127.0.0.1 for the exporter's admission
    check (a plain lookup) and to 127.0.0.2 for the prober's own (by family and socket type), the
    DNS rebinding a check before the connection alone would miss. Other names resolve as usual."""
    real = loop.getaddrinfo

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in (REBIND, CANARY_NAME):
            return await real(host, port, *args, **kwargs)
        address = "127.0.0.1" if name == REBIND and "type" not in kwargs else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign]
    try:
        yield
    finally:
        loop.getaddrinfo = real  # type: ignore[method-assign]


def _modules(payload: Path) -> dict[str, Any]:
    return {
        "http": {"prober": "http", "timeout": "2s", "http": {"preferred_ip_protocol": "ip4"}},
        "tcp": {"prober": "tcp", "timeout": "2s", "tcp": {"preferred_ip_protocol": "ip4"}},
        "grpc": {"prober": "grpc", "timeout": "2s", "grpc": {"preferred_ip_protocol": "ip4"}},
        "chain": {"prober": "chain", "timeout": "2s"},
        "tx": {
            "prober": "tx",
            "timeout": "2s",
            "tx": {"payload": {"kind": "file", "path": str(payload)}, "confirmation_timeout": "1s"},
        },
    }


def hostile(near: Canary, allowed: int) -> list[str]:
    """Spellings that name a canary (or could be read as naming one) by every trick we know.

    ``p`` is the allowed port, on which the far canary listens at 127.0.0.2.
    """
    p, q = allowed, near.port
    return [
        f"127.0.0.2:{p}",
        f"127.0.0.1:{q}",  # the allowed address, another port
        f"localhost:{q}",
        f"127.0.0.1@127.0.0.2:{p}",
        f"127.0.0.1:{allowed}@127.0.0.2:{p}",
        f"http://127.0.0.1:{allowed}@127.0.0.2:{p}/",
        f"user:pw@127.0.0.2:{p}",
        f"127.0.0.2:{p}?a:b",
        f"127.0.0.2:{p}#x:y",
        f"127.0.0.2:{p}/?next=127.0.0.1:{allowed}",
        f"http://127.0.0.2:{p}\\@127.0.0.1:{allowed}/",
        f"http://[127.0.0.2]:{p}/",
        f"http://[::ffff:127.0.0.2]:{p}/",
        f"[::ffff:127.0.0.2]:{p}",
        f"0x7f000002:{p}",
        f"2130706434:{p}",
        f"0177.0.0.02:{p}",
        f"127.2:{p}",
        f"127.0.0.2.:{p}",
        f"127.0.0.2:{p} ",
        f"127.0.0.2%09:{p}",
        f"HTTP://127.0.0.2:{p}",
        f"grpc://127.0.0.2:{p}",
        f"{CANARY_NAME}:{p}",
        f"{REBIND}:{p}",
        f"http://{REBIND}:{p}/",
        f"127.0.0.1:{allowed}:{p}",
        f"127.0.0.1:{allowed}/../127.0.0.2:{p}",
    ]


@dataclass
class World:
    node: ScriptedNode
    allowed: int
    far: Canary
    near: Canary
    exporter: str = ""

    @property
    def canary_hits(self) -> int:
        return self.far.connections + self.near.connections


@asynccontextmanager
async def world(tmp_path: Path, targets: list[dict[str, str]] | None = None) -> AsyncIterator[World]:
    node = ScriptedNode()
    app = node.app()

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    app.router.add_get("/redirect", redirect)
    payload = tmp_path / "txs.b64"
    payload.write_text("CgQKAggBEgA=\n" * 50)
    async with serve(app) as node_url:
        node.url = node_url
        allowed = int(node_url.rsplit(":", 1)[1])
        # The far canary listens on the allowed port of another address: only the address differs.
        async with canary("127.0.0.2", allowed) as far, canary("127.0.0.1") as near:
            data: dict[str, Any] = {
                "modules": _modules(payload),
                "security": {"allow_targets": [f"127.0.0.1:{allowed}"]},
            }
            if targets:
                data["targets"] = [
                    {**t, "target": t["target"].format(p=allowed, q=near.port), "interval": "150ms"}
                    for t in targets
                ]
            path = tmp_path / "probes.yml"
            path.write_text(yaml.safe_dump(data))
            exporter_app = build_app(load_config(path), CollectorRegistry(), config_path=path)
            if targets:
                enable_scheduled_probing(exporter_app, store_path=tmp_path / "r.sqlite")
            with fake_dns(asyncio.get_running_loop()):
                async with serve(exporter_app) as exporter:
                    yield World(node, allowed, far, near, exporter)


async def _probe(session: aiohttp.ClientSession, exporter: str, module: str, target: str) -> int:
    async with session.get(f"{exporter}/probe", params={"module": module, "target": target}) as reply:
        await reply.read()
        return reply.status


async def test_no_spelling_reaches_a_canary_on_demand(tmp_path: Path) -> None:
    async with world(tmp_path) as w, aiohttp.ClientSession() as session:
        for module in PROBERS:
            for target in hostile(w.near, w.allowed):
                status = await _probe(session, w.exporter, module, target)
                assert status in (200, 400, 403), (module, target, status)
                assert w.canary_hits == 0, (module, target)
        # Rebinding: admitted by its first answer, the name is refused by every prober at connect time.
        for module in PROBERS:
            target = f"http://{REBIND}:{w.allowed}/" if module == "http" else f"{REBIND}:{w.allowed}"
            async with session.get(f"{w.exporter}/probe", params={"module": module, "target": target}) as r:
                assert r.status == 200, module
                assert 'probe_failure_info{reason="refused"} 1' in await r.text(), module
        assert w.canary_hits == 0
        # A redirect from the allowed node to either canary, in any spelling, is not followed.
        for to in (
            f"http://127.0.0.2:{w.far.port}/",
            f"http://127.0.0.1:{w.near.port}/",
            f"http://127.0.0.1:{w.allowed}@127.0.0.2:{w.far.port}/",
            f"//0x7f000002:{w.far.port}/",
            f"http://{REBIND}:{w.allowed}/",
        ):
            target = f"{w.node.url}/redirect?to={to}"
            assert await _probe(session, w.exporter, "http", target) == 200
            assert w.canary_hits == 0, to
        # Controls: the allowed node is reached by every URL prober, so the setup can connect at all.
        before = len(w.node.requests)
        for module in ("http", "chain"):
            assert await _probe(session, w.exporter, module, f"127.0.0.1:{w.allowed}/status"
                                if module == "http" else f"127.0.0.1:{w.allowed}") == 200  # fmt: skip
        assert len(w.node.requests) > before
        assert w.canary_hits == 0


SCHEDULED = [
    {"target": "127.0.0.2:{p}", "module": "tcp"},
    {"target": "http://127.0.0.2:{p}/", "module": "http"},
    {"target": "0x7f000002:{p}", "module": "chain"},
    {"target": "127.0.0.1:{q}", "module": "grpc"},
    {"target": "localhost:{q}", "module": "tx"},
    {"target": REBIND + ":{p}", "module": "chain"},
    {"target": REBIND + ":{p}", "module": "grpc"},
    {"target": "http://" + REBIND + ":{p}/", "module": "http"},
    {"target": CANARY_NAME + ":{p}", "module": "http"},
    {"target": "[::ffff:127.0.0.2]:{p}", "module": "grpc"},
]


async def test_no_scheduled_target_reaches_a_canary(tmp_path: Path) -> None:
    async with world(tmp_path, SCHEDULED) as w, aiohttp.ClientSession() as session:
        await asyncio.sleep(1.5)
        async with session.get(f"{w.exporter}/metrics") as reply:
            text = await reply.text()
    assert w.canary_hits == 0
    failures = {
        (s.labels["target"], s.labels["module"])
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "slo_harness_probe_total" and s.labels["result"] == "failure" and s.value > 0
    }
    assert len(failures) == len(SCHEDULED)  # every hostile schedule ran, and failed


@pytest.mark.parametrize(
    "target",
    ["127.0.0.1@127.0.0.2:1", "127.0.0.2:1?a:b", "127.0.0.2:1#x:y", "http://[127.0.0.2]:1/", "a\\b:1"],
)
def test_ambiguous_scheduled_targets_are_refused_at_load(tmp_path: Path, target: str) -> None:
    path = tmp_path / "p.yml"
    data = {"modules": {"m": {"prober": "chain"}}, "targets": [{"target": target, "module": "m"}]}
    path.write_text(yaml.safe_dump(data))
    refused = r"p\.yml:\d+: targets\[0\]\.target: not a target for the chain prober: target "
    with pytest.raises(InputError, match=refused):
        load_config(path)


# --- The one reading of a target: what is admitted is exactly what is connected to. ---

_LOOPBACK_2 = ["127.0.0.2", "0x7f000002", "2130706434", "0177.0.0.2", "127.2", "127.0.2", "0x7f.2",
               "::ffff:127.0.0.2", "[::ffff:127.0.0.2]", "[::ffff:7f00:2]", "127.000.000.002"]  # fmt: skip
_ALLOWED = ["127.0.0.1", "0x7f000001", "2130706433", "127.1", "[::ffff:127.0.0.1]", "localhost"]
_METADATA = ["169.254.169.254", "0xa9fea9fe", "2852039166", "[::ffff:169.254.169.254]", "169.254.43518",
             "metadata.google.internal", "METADATA.google.internal.", "instance-data"]  # fmt: skip

_hosts = st.sampled_from(_LOOPBACK_2 + _ALLOWED + _METADATA + ["evil.test", "10.0.0.1", "[::1]", ""])
_ports = st.sampled_from(["", ":9100", ":9101", ":0", ":65536", ":80", ":x"])
_user = st.sampled_from(["", "127.0.0.1@", "127.0.0.1:9100@", "u:p@", "@", "%40"])
_scheme = st.sampled_from(["", "http://", "https://", "HTTP://", "grpc://", "ftp://", "//"])
_tail = st.sampled_from(["", "/", "/status", "?a:b", "#x:y", "/?x=127.0.0.1:9100", "\\@127.0.0.1:9100",
                         " ", "%00", "/@127.0.0.1:9100", "\t"])  # fmt: skip
_spellings = st.tuples(_scheme, _user, _hosts, _ports, _tail).map("".join) | st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(target=_spellings, prober=st.sampled_from(PROBERS))
def test_admitted_means_the_allowed_host_and_port(target: str, prober: str) -> None:
    policy = TargetPolicy(["127.0.0.1:9100", "localhost:9100"])
    try:
        where = endpoint(target, prober, tls=False)
        policy.check_host(where.host, where.port)
    except (TargetSyntaxError, TargetRefused):
        return
    address = parse_address(where.host)
    assert where.port == 9100
    if address is None:
        assert where.host == "localhost"  # admitted by name, then every address it resolves to is checked
    else:
        assert str(address) == "127.0.0.1"
    if where.url is not None:
        assert where.url.host is not None and where.url.user is None
        assert parse_address(where.url.host) == address and where.url.port == 9100


@settings(max_examples=150, deadline=None)
@given(target=_spellings, prober=st.sampled_from(PROBERS))
def test_metadata_is_refused_in_every_spelling_without_an_allowlist(target: str, prober: str) -> None:
    try:
        where = endpoint(target, prober)
    except TargetSyntaxError:
        return
    address = parse_address(where.host)
    special = where.host.rstrip(".") in ("metadata.google.internal", "instance-data") or (
        address is not None and address.is_link_local
    )
    if special:
        with pytest.raises(TargetRefused):
            TargetPolicy().check_host(where.host, where.port)


def test_allowlist_entries_with_ports() -> None:
    policy = TargetPolicy(["127.0.0.1:9100", "[::1]:26657", "10.0.0.0/8:443", "*.example.com:443", "::2/128"])
    policy.check_host("127.0.0.1", 9100)
    policy.check_host("::1", 26657)
    policy.check_host("10.2.3.4", 443)
    policy.check_host("node.example.com", 443)
    policy.check_host("::2", 1)  # no port in the entry: every port
    for host, port in [("127.0.0.1", 9101), ("::1", 26658), ("10.2.3.4", 80), ("127.0.0.1", None)]:
        with pytest.raises(TargetRefused):
            policy.check_host(host, port)
    with pytest.raises(TargetRefused):  # a name no pattern admits on that port is judged by its address
        policy.check_address("node.example.com", "10.2.3.4", 80)
    with pytest.raises(TargetRefused):
        policy.check_address("node.internal", "127.0.0.1", 9101)
    policy.check_address("node.internal", "127.0.0.1", 9100)
    with pytest.raises(ValueError, match="not a port"):
        TargetPolicy(["127.0.0.1:99999"])


async def test_unparseable_targets_are_400_naming_the_reason(tmp_path: Path) -> None:
    async with world(tmp_path) as w, aiohttp.ClientSession() as session:
        p = w.allowed
        for target, reason in [
            (f"http://127.0.0.2:{p}\\@127.0.0.1:{p}/", "backslashes are refused"),
            (f"http://[127.0.0.2]:{p}/", "IPv6"),
            (f"127.0.0.1@127.0.0.2:{p}", "user info"),
        ]:
            for module in PROBERS:
                params = {"module": module, "target": target}
                async with session.get(f"{w.exporter}/probe", params=params) as reply:
                    assert reply.status == 400, (module, target)
                    text = await reply.text()
                assert text.startswith(f"Invalid target: target {target!r}"), text
                assert reason in text or module in ("tcp", "grpc"), text  # "expected host:port" there
        assert w.canary_hits == 0


async def test_without_an_allowlist_a_name_resolving_to_metadata_is_refused_before_dialling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 0))]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    async with new_session() as session:
        for host in ("innocent.test", "node.example"):
            ctx = ProbeContext("m", loop.time() + 2, session, TargetPolicy())
            with pytest.raises(TargetRefused, match="link-local or metadata"):
                await resolve(host, "ip4", True, ctx, port=80)
