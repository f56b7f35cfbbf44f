"""The tcp prober: connect, and blackbox_exporter's query_response dialogue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from probes.result import FailureReason
from probes.target import endpoint
from tests.probes.conftest import probe_once

pytestmark = pytest.mark.integration  # loopback servers


@pytest.fixture
async def irc() -> AsyncIterator[str]:
    """A server speaking the start of IRC: PING after registration, a 001 welcome after PONG."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        await reader.readline()
        writer.write(b"PING :token42\r\n")
        await writer.drain()
        line = await reader.readline()
        if line.strip() == b"PONG token42":
            writer.write(b":server 001 prober :Welcome\r\n")
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"127.0.0.1:{port}"


IRC = {
    "prober": "tcp",
    "tcp": {
        "query_response": [
            {"send": "NICK prober"},
            {"send": "USER prober prober prober :prober"},
            {"expect": "PING :([^ ]+)", "send": "PONG ${1}", "labels": [{"token": "${1}"}]},
            {"expect": "^:[^ ]+ 001"},
        ]
    },
}


async def test_irc_banner_dialogue(irc: str) -> None:
    r = await probe_once(irc, IRC)
    assert r.success, r.message
    assert r.value("probe_failed_due_to_regex") == 0
    assert r.value("probe_expect_info", token="token42") == 1


async def test_expect_waits_only_until_the_deadline(irc: str) -> None:
    module = {"prober": "tcp", "tcp": {"query_response": [{"expect": "^SSH-2.0-"}]}}
    r = await probe_once(irc, module, timeout=0.3)
    assert r.failure is FailureReason.TIMEOUT
    assert r.duration_seconds < 1.0


async def test_connect_and_refused() -> None:
    r = await probe_once("127.0.0.1:1", {"prober": "tcp"})
    assert r.failure is FailureReason.CONNECT
    r = await probe_once("127.0.0.1", {"prober": "tcp"})
    assert r.failure is FailureReason.CONNECT


async def test_banner_mismatch_ends_with_regex_failure() -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"+OK ready\r\n")
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        module = {"prober": "tcp", "tcp": {"query_response": [{"expect": "^+OK"}]}}
        r = await probe_once(f"127.0.0.1:{port}", module)
    assert r.failure is FailureReason.EXPECT  # as blackbox_exporter: Go reads ^+OK as "OK" at the start
    assert r.value("probe_failed_due_to_regex") == 1


def test_tcp_targets_are_host_and_port() -> None:
    assert (endpoint("[::1]:80", "tcp").host, endpoint("[::1]:80", "tcp").port) == ("::1", 80)
    assert (endpoint("Node:26656", "tcp").host, endpoint("Node:26656", "tcp").port) == ("node", 26656)
    with pytest.raises(ValueError):
        endpoint("node", "tcp")
