"""The chain prober against a scripted node: gauges, the block intervals it derives, and each failure."""

from __future__ import annotations

import pytest

from probes.probers import chain_prober
from probes.result import FailureReason
from tests.conftest import free_port
from tests.probes.probers.chain.conftest import T0, Clock, Consumer, ContextFactory, ScriptedNode, module

pytestmark = pytest.mark.integration

CHAIN = module("chain", max_block_age="30s", height_advance_window="20s", min_peers=1)


async def test_healthy_node_reports_gauges_and_latest_interval(
    node: ScriptedNode, make_ctx: ContextFactory
) -> None:
    node.produce(6.0, 6.5, 5.5)
    clock = Clock(node.header_times[node.height] + 2.0)
    state: dict[str, object] = {}
    seen = Consumer(state)
    result = await chain_prober.probe(node.url, CHAIN, make_ctx(state, clock=clock))
    assert result.success, result.message
    assert result.value("probe_chain_block_height") == 4
    assert result.value("probe_chain_block_age_seconds") == pytest.approx(2.0, abs=1e-3)
    assert result.value("probe_chain_catching_up") == 0
    assert result.value("probe_chain_peers") == 3
    assert result.value("probe_chain_block_interval_seconds") == pytest.approx(5.5)
    # A first probe counts only the latest interval: earlier blocks belong to no probe's period.
    assert seen.take() == pytest.approx((5.5,))


async def test_next_probe_counts_every_new_interval_once(
    node: ScriptedNode, make_ctx: ContextFactory
) -> None:
    node.produce(6.0)
    clock = Clock(node.header_times[node.height])
    state: dict[str, object] = {}
    seen = Consumer(state)
    await chain_prober.probe(node.url, CHAIN, make_ctx(state, clock=clock))
    seen.take()
    node.produce(6.0, 7.5, 6.2)
    clock.now = node.header_times[node.height] + 1
    result = await chain_prober.probe(node.url, CHAIN, make_ctx(state, clock=clock))
    assert result.success
    assert result.value("probe_chain_new_blocks") == 3
    assert seen.take() == pytest.approx((6.0, 7.5, 6.2))
    assert node.requests[-1].startswith("/blockchain?minHeight=2&maxHeight=5")


async def test_unchanged_height_makes_no_blockchain_call(
    node: ScriptedNode, make_ctx: ContextFactory
) -> None:
    node.produce(6.0)
    clock = Clock(node.header_times[node.height] + 1)
    state: dict[str, object] = {}
    seen = Consumer(state)
    await chain_prober.probe(node.url, CHAIN, make_ctx(state, clock=clock))
    assert seen.take() == pytest.approx((6.0,))
    calls = len(node.requests)
    clock.now += 1
    result = await chain_prober.probe(node.url, CHAIN, make_ctx(state, clock=clock))
    assert result.success
    assert not any(r.startswith("/blockchain") for r in node.requests[calls:])
    assert result.value("probe_chain_block_interval_seconds") == pytest.approx(6.0)
    assert seen.take() == ()


async def test_more_than_a_page_of_new_blocks_reads_one_page(
    node: ScriptedNode, make_ctx: ContextFactory
) -> None:
    clock = Clock(T0)
    state: dict[str, object] = {}
    seen = Consumer(state)
    await chain_prober.probe(node.url, CHAIN, make_ctx(state, clock=clock))
    node.produce(*([6.0] * 30))
    clock.now = node.header_times[node.height]
    await chain_prober.probe(node.url, CHAIN, make_ctx(state, clock=clock))
    assert len(seen.take() or ()) == 19


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda n, c: setattr(n, "catching_up", True), FailureReason.CATCHING_UP),
        (lambda n, c: setattr(n, "peers", 0), FailureReason.PEERS),
        (lambda n, c: setattr(c, "now", c.now + 31), FailureReason.BLOCK_AGE),
    ],
    ids=["catching_up", "zero_peers", "block_age"],
)
async def test_each_check_fails_with_its_reason(
    node: ScriptedNode, make_ctx: ContextFactory, setup: object, reason: FailureReason
) -> None:
    clock = Clock(T0 + 1)
    setup(node, clock)  # type: ignore[operator]
    result = await chain_prober.probe(node.url, CHAIN, make_ctx(clock=clock))
    assert not result.success
    assert result.failure is reason
    assert result.value("probe_chain_block_height") == 1  # gauges are there on failure too


async def test_height_stall_fails_after_the_window(node: ScriptedNode, make_ctx: ContextFactory) -> None:
    relaxed = module("chain", max_block_age="1h", height_advance_window="20s")
    clock = Clock(T0)
    state: dict[str, object] = {}
    assert (await chain_prober.probe(node.url, relaxed, make_ctx(state, clock=clock))).success
    clock.now += 19
    assert (await chain_prober.probe(node.url, relaxed, make_ctx(state, clock=clock))).success
    clock.now += 1
    stalled = await chain_prober.probe(node.url, relaxed, make_ctx(state, clock=clock))
    assert stalled.failure is FailureReason.HEIGHT_STALLED
    node.produce(6.0)
    assert (await chain_prober.probe(node.url, relaxed, make_ctx(state, clock=clock))).success


async def test_stall_check_can_be_switched_off(node: ScriptedNode, make_ctx: ContextFactory) -> None:
    lenient = module("chain", max_block_age="1h", require_height_advance=False)
    clock = Clock(T0)
    state: dict[str, object] = {}
    for _ in range(3):
        result = await chain_prober.probe(node.url, lenient, make_ctx(state, clock=clock))
        clock.now += 100
        assert result.success


async def test_refused_connection_is_connect_failure(make_ctx: ContextFactory) -> None:
    result = await chain_prober.probe(f"127.0.0.1:{free_port()}", CHAIN, make_ctx())
    assert result.failure is FailureReason.CONNECT


async def test_rpc_path_prefixes_every_call(node: ScriptedNode, make_ctx: ContextFactory) -> None:
    proxied = module("chain", rpc_path="/rpc")
    result = await chain_prober.probe(node.url, proxied, make_ctx())
    assert result.failure is FailureReason.STATUS_CODE  # the scripted node has no /rpc prefix: 404


async def test_probe_scrapes_in_between_take_no_blocks_from_the_schedule(
    node: ScriptedNode, make_ctx: ContextFactory
) -> None:
    clock = Clock(T0)
    shared: dict[str, object] = {}  # /probe and the schedule share one (module, target) state
    schedule, scrape = Consumer(shared), Consumer(shared)
    node.produce(6.0)
    await chain_prober.probe(node.url, CHAIN, make_ctx(shared, clock=clock))
    schedule.take()
    node.produce(6.0, 7.0)
    clock.now = node.header_times[node.height]
    await chain_prober.probe(node.url, CHAIN, make_ctx(shared, clock=clock))  # a /probe scrape
    assert scrape.take() == pytest.approx((6.0, 6.0, 7.0))
    node.produce(8.0)
    clock.now = node.header_times[node.height]
    await chain_prober.probe(node.url, CHAIN, make_ctx(shared, clock=clock))
    assert schedule.take() == pytest.approx((6.0, 7.0, 8.0))


async def test_an_answer_past_the_body_cap_is_not_read(node: ScriptedNode, make_ctx: ContextFactory) -> None:
    result = await chain_prober.probe(node.url, CHAIN, make_ctx(body_limit=64))
    assert result.failure is FailureReason.PROTOCOL
    assert "larger than 64 bytes" in result.message
