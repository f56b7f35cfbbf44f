"""The chain and tx probers against the testbed, one test per fault mode a node shows in the wild."""

from __future__ import annotations

import asyncio
import base64
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from probes.config import Module
from probes.probers.dispatch import run_probe
from probes.result import FailureReason, ProbeResult
from testbed import Fault, FaultKind, Surface, Testbed, TestbedConfig, run_testbed
from tests.probes.probers.chain import probe_tx
from tests.probes.probers.chain.conftest import Consumer, ContextFactory, module

pytestmark = pytest.mark.integration

BLOCK_SECONDS = 0.5
CONFIG = TestbedConfig(block_time_seconds=BLOCK_SECONDS, seed=5)
SIGNING = {"chain_id": CONFIG.chain_id, "prefix": CONFIG.bech32_prefix, "denom": CONFIG.denom}


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    async with run_testbed(CONFIG) as testbed:
        yield testbed


@pytest.fixture
def signed(tmp_path: Path) -> str:
    """Txs of one account for sequences 0..19, as an operator would pre-sign them."""
    path = tmp_path / "txs.b64"
    lines = [base64.b64encode(probe_tx.send(seq, **SIGNING)).decode() for seq in range(20)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def tx_module(path: str, **settings: Any) -> Module:
    block = {"poll_interval": "100ms", "confirmation_timeout": "3s", **settings}
    return module("tx", payload={"kind": "file", "path": path}, **block)


CHAIN = module("chain", max_block_age="2s", height_advance_window="2s")


async def chain_probe(
    tb: Testbed, make_ctx: ContextFactory, state: dict[str, object], mod: Module = CHAIN
) -> ProbeResult:
    return await run_probe(tb.rpc_url, mod, make_ctx(state, clock=tb.clock.time))


async def test_healthy_chain_yields_block_intervals(tb: Testbed, make_ctx: ContextFactory) -> None:
    state: dict[str, object] = {}
    seen = Consumer(state)
    assert (await chain_probe(tb, make_ctx, state)).success
    seen.take()
    await asyncio.sleep(4 * BLOCK_SECONDS + 0.1)
    result = await chain_probe(tb, make_ctx, state)
    assert result.success, result.message
    intervals = seen.take() or ()
    assert len(intervals) >= 3
    assert all(v == pytest.approx(BLOCK_SECONDS, abs=0.1) for v in intervals)
    assert result.value("probe_chain_peers") == 3


async def test_block_stall_fails_on_block_age(tb: Testbed, make_ctx: ContextFactory) -> None:
    tb.faults.add(Fault(kind=FaultKind.BLOCK_STALL))
    await asyncio.sleep(2.2)
    result = await chain_probe(tb, make_ctx, {})
    assert result.failure is FailureReason.BLOCK_AGE
    assert result.value("probe_chain_block_age_seconds") > 2  # type: ignore[operator]


async def test_block_stall_fails_on_height_when_age_is_lenient(tb: Testbed, make_ctx: ContextFactory) -> None:
    lenient = module("chain", max_block_age="1h", height_advance_window="1s")
    state: dict[str, object] = {}
    tb.faults.add(Fault(kind=FaultKind.BLOCK_STALL))
    assert (await chain_probe(tb, make_ctx, state, lenient)).success
    await asyncio.sleep(1.1)
    result = await chain_probe(tb, make_ctx, state, lenient)
    assert result.failure is FailureReason.HEIGHT_STALLED


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault(kind=FaultKind.CATCHING_UP), FailureReason.CATCHING_UP),
        (Fault(kind=FaultKind.ZERO_PEERS), FailureReason.PEERS),
        (Fault(surface=Surface.RPC, kind=FaultKind.DOWN), FailureReason.CONNECT),
        (Fault(surface=Surface.RPC, kind=FaultKind.ERROR, http_status=503), FailureReason.STATUS_CODE),
        (Fault(surface=Surface.RPC, kind=FaultKind.ERROR, body="protocol"), FailureReason.STATUS_CODE),
        (Fault(surface=Surface.RPC, kind=FaultKind.TRUNCATED_JSON), FailureReason.PROTOCOL),
        (Fault(surface=Surface.RPC, kind=FaultKind.LATENCY, latency_seconds=3.0), FailureReason.TIMEOUT),
    ],
    ids=["catching_up", "zero_peers", "down", "http_503", "jsonrpc_error", "truncated", "slow"],
)
async def test_each_fault_has_its_reason(
    tb: Testbed, make_ctx: ContextFactory, fault: Fault, reason: FailureReason
) -> None:
    tb.faults.add(fault)
    await asyncio.sleep(0.15)  # the supervisor closes a "down" port within 50 ms
    result = await run_probe(tb.rpc_url, CHAIN, make_ctx(clock=tb.clock.time, timeout=1.0))
    assert result.failure is reason, result.message
    assert not result.success


@pytest.mark.parametrize("endpoint", ["rpc", "rest"])
async def test_tx_confirms_within_a_block_or_two(
    tb: Testbed, make_ctx: ContextFactory, signed: str, endpoint: str
) -> None:
    url = tb.rpc_url if endpoint == "rpc" else tb.rest_url
    result = await run_probe(url, tx_module(signed, endpoint=endpoint), make_ctx())
    assert result.success, result.message
    seconds = result.value("probe_tx_confirmation_seconds")
    assert seconds is not None and 0 < seconds <= 2 * BLOCK_SECONDS + 0.2


async def test_slow_inclusion_shows_in_confirmation_time(
    tb: Testbed, make_ctx: ContextFactory, signed: str
) -> None:
    tb.faults.add(Fault(kind=FaultKind.SLOW_INCLUSION, delay_blocks=4))
    result = await run_probe(tb.rpc_url, tx_module(signed), make_ctx())
    assert result.success, result.message
    assert result.value("probe_tx_confirmation_seconds") >= 4 * BLOCK_SECONDS - 0.1  # type: ignore[operator]


async def test_dropped_tx_is_a_tx_timeout(tb: Testbed, make_ctx: ContextFactory, signed: str) -> None:
    tb.faults.add(Fault(kind=FaultKind.DROPPED_TXS))
    result = await run_probe(tb.rpc_url, tx_module(signed, confirmation_timeout="1500ms"), make_ctx())
    assert result.failure is FailureReason.TX_TIMEOUT


@pytest.mark.parametrize(
    ("fault", "text"),
    [
        (Fault(kind=FaultKind.MEMPOOL_FULL), "mempool is full"),
        (Fault(kind=FaultKind.CHECKTX_REJECT, code=13), "code 13"),
        (Fault(kind=FaultKind.CHECKTX_REJECT, code=32), "code 32"),
    ],
    ids=["mempool_full", "insufficient_fee", "sequence_always_wrong"],
)
async def test_refused_tx_is_tx_rejected(
    tb: Testbed, make_ctx: ContextFactory, signed: str, fault: Fault, text: str
) -> None:
    tb.faults.add(fault)
    result = await run_probe(tb.rpc_url, tx_module(signed), make_ctx())
    assert result.failure is FailureReason.TX_REJECTED
    assert text in result.message


async def test_restarted_prober_skips_presigned_txs_already_sent(
    tb: Testbed, make_ctx: ContextFactory, signed: str
) -> None:
    first: dict[str, object] = {}
    for _ in range(3):
        assert (await run_probe(tb.rpc_url, tx_module(signed), make_ctx(first))).success
    fresh: dict[str, object] = {}  # a restart forgets the position; lines 0-2 are in the node's cache
    result = await run_probe(tb.rpc_url, tx_module(signed), make_ctx(fresh))
    assert result.success, result.message
    assert result.value("probe_tx_broadcasts") == 4


async def test_restarted_signer_follows_the_expected_sequence(tb: Testbed, make_ctx: ContextFactory) -> None:
    script = Path(probe_tx.__file__)
    # The script imports ``tests`` (and, installed or not, this checkout's packages) from the root.
    root = script.parents[4]
    sign = (
        f"import runpy, sys; sys.path.insert(0, {str(root)!r}); "
        f"runpy.run_path({str(script)!r}, run_name='__main__')"
    )
    signer = module(
        "tx",
        poll_interval="100ms",
        payload={"kind": "command", "argv": [sys.executable, "-c", sign, "{sequence}", *SIGNING.values()]},
    )
    for _ in range(2):
        assert (await run_probe(tb.rpc_url, signer, make_ctx({}, timeout=10))).success
    # Each fresh state starts at sequence 0; the chain's "expected 1" (then 2) puts it right.
    result = await run_probe(tb.rpc_url, signer, make_ctx({}, timeout=10))
    assert result.value("probe_tx_broadcasts") == 2
