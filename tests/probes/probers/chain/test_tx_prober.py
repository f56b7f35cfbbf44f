"""The tx prober against a scripted node: confirmation time, rejection, timeout, code-32 handling."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from probes.config import Module
from probes.probers import tx_prober
from probes.result import FailureReason
from tests.probes.probers.chain.conftest import Consumer, ContextFactory, ScriptedNode, module

pytestmark = pytest.mark.integration

TXS = [f"signed-tx-seq-{n}".encode() for n in range(10, 20)]
MISMATCH = "account sequence mismatch, expected {}, got {}: incorrect account sequence"


@pytest.fixture
def txs_file(tmp_path: Path) -> str:
    path = tmp_path / "txs.b64"
    path.write_text("\n".join(base64.b64encode(t).decode() for t in TXS) + "\n")
    return str(path)


def tx_module(path: str, **settings: Any) -> Module:
    block = {"poll_interval": "50ms", "confirmation_timeout": "2s", **settings}
    return module("tx", payload={"kind": "file", "path": path}, **block)


@pytest.mark.parametrize("endpoint", ["rpc", "rest"])
async def test_confirmation_time_is_measured_to_the_poll_that_found_it(
    node: ScriptedNode, make_ctx: ContextFactory, txs_file: str, endpoint: str
) -> None:
    node.confirm_after_lookups = 3
    state: dict[str, object] = {}
    seen = Consumer(state)
    result = await tx_prober.probe(node.url, tx_module(txs_file, endpoint=endpoint), make_ctx(state))
    assert result.success, result.message
    seconds = result.value("probe_tx_confirmation_seconds")
    assert seconds is not None and 0.15 <= seconds < 1.0
    assert result.value("probe_tx_polls") == 3
    assert result.value("probe_tx_check_code") == 0
    assert seen.take() == pytest.approx((seconds,), abs=1e-6)
    assert node.broadcasts == [TXS[0]]


async def test_checktx_rejection_fails_without_polling(
    node: ScriptedNode, make_ctx: ContextFactory, txs_file: str
) -> None:
    node.check_codes = [(13, "insufficient fee")]
    result = await tx_prober.probe(node.url, tx_module(txs_file), make_ctx())
    assert result.failure is FailureReason.TX_REJECTED
    assert "code 13" in result.message
    assert node.lookups == 0


async def test_dropped_tx_times_out_as_tx_timeout(
    node: ScriptedNode, make_ctx: ContextFactory, txs_file: str
) -> None:
    node.confirm_after_lookups = None
    state: dict[str, object] = {}
    seen = Consumer(state)
    result = await tx_prober.probe(
        node.url, tx_module(txs_file, confirmation_timeout="300ms"), make_ctx(state)
    )
    assert result.failure is FailureReason.TX_TIMEOUT
    assert 0.3 <= result.duration_seconds < 1.0
    assert seen.take() == ()


async def test_probe_deadline_before_confirmation_timeout_is_tx_timeout(
    node: ScriptedNode, make_ctx: ContextFactory, txs_file: str
) -> None:
    node.confirm_after_lookups = None
    result = await tx_prober.probe(node.url, tx_module(txs_file), make_ctx(timeout=0.4))
    assert result.failure is FailureReason.TX_TIMEOUT


async def test_sequence_mismatch_moves_to_the_expected_sequence(
    node: ScriptedNode, make_ctx: ContextFactory, txs_file: str
) -> None:
    node.check_codes = [(32, MISMATCH.format(13, 10))]
    state: dict[str, object] = {}
    result = await tx_prober.probe(node.url, tx_module(txs_file), make_ctx(state))
    assert result.success
    assert result.value("probe_tx_broadcasts") == 2
    assert node.broadcasts == [TXS[0], TXS[3]]
    node.lookups = 0
    await tx_prober.probe(node.url, tx_module(txs_file), make_ctx(state))
    assert node.broadcasts[-1] == TXS[4]


async def test_sequence_mismatch_can_go_back_to_a_lost_tx(
    node: ScriptedNode, make_ctx: ContextFactory, txs_file: str
) -> None:
    state: dict[str, object] = {}
    await tx_prober.probe(node.url, tx_module(txs_file), make_ctx(state))
    node.lookups = 0
    node.check_codes = [(32, MISMATCH.format(10, 11))]  # the chain never took seq 10 after all
    result = await tx_prober.probe(node.url, tx_module(txs_file), make_ctx(state))
    assert result.success
    assert node.broadcasts == [TXS[0], TXS[1], TXS[0]]


async def test_sequence_mismatch_twice_fails(
    node: ScriptedNode, make_ctx: ContextFactory, txs_file: str
) -> None:
    node.check_codes = [(32, MISMATCH.format(11, 10)), (32, MISMATCH.format(12, 11))]
    result = await tx_prober.probe(node.url, tx_module(txs_file, sequence_retries=1), make_ctx())
    assert result.failure is FailureReason.TX_REJECTED
    assert "code 32" in result.message


async def test_command_signs_for_the_sequence_it_is_given(
    node: ScriptedNode, make_ctx: ContextFactory, tmp_path: Path
) -> None:
    script = tmp_path / "sign.py"
    script.write_text("import base64, sys\nprint(base64.b64encode(f'tx-{sys.argv[1]}'.encode()).decode())\n")
    signer = module(
        "tx",
        poll_interval="50ms",
        payload={"kind": "command", "argv": [sys.executable, str(script), "{sequence}"], "start_sequence": 5},
    )
    node.check_codes = [(32, MISMATCH.format(9, 5))]
    state: dict[str, object] = {}
    result = await tx_prober.probe(node.url, signer, make_ctx(state))
    assert result.success, result.message
    assert node.broadcasts == [b"tx-5", b"tx-9"]


async def test_file_used_up_is_tx_rejected(
    node: ScriptedNode, make_ctx: ContextFactory, tmp_path: Path
) -> None:
    path = tmp_path / "one.b64"
    path.write_text(base64.b64encode(b"only").decode() + "\n")
    state: dict[str, object] = {}
    assert (await tx_prober.probe(node.url, tx_module(str(path)), make_ctx(state))).success
    result = await tx_prober.probe(node.url, tx_module(str(path)), make_ctx(state))
    assert result.failure is FailureReason.TX_REJECTED
    assert "no pre-signed tx left" in result.message


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "file", "path": "/nonexistent/txs.b64"},
        {"kind": "command", "argv": ["/nonexistent/signer"]},
    ],
    ids=["missing_file", "missing_command"],
)
async def test_a_payload_that_cannot_be_had_is_unsupported(
    node: ScriptedNode, make_ctx: ContextFactory, payload: dict[str, object] | None
) -> None:
    result = await tx_prober.probe(node.url, module("tx", payload=payload), make_ctx())
    assert result.failure is FailureReason.UNSUPPORTED
    assert node.broadcasts == []


def test_a_tx_module_without_payload_is_refused_at_load() -> None:
    with pytest.raises(ValidationError, match=r"tx\.payload: the tx prober needs signed probe txs"):
        module("tx", payload=None)


def test_sequence_gap_reads_the_sdk_log() -> None:
    assert tx_prober.sequence_gap(MISMATCH.format(7, 9)) == -2
    assert tx_prober.sequence_gap("out of gas") is None
