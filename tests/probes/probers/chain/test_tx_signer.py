"""The tx prober signing for itself against the testbed, signatures verified as a real node does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cosmostx import dev_accounts
from probes.config import Module
from probes.probers.dispatch import run_probe
from probes.result import FailureReason, format_log
from testbed import Testbed, TestbedConfig, run_testbed
from tests.probes.probers.chain import probe_tx
from tests.probes.probers.chain.conftest import ContextFactory, module

pytestmark = pytest.mark.integration

CONFIG = TestbedConfig(block_time_seconds=0.5, seed=5, accounts=2)
PROBE_ACCOUNT = dev_accounts(1, prefix=CONFIG.bech32_prefix)[0]


@pytest.fixture
async def tb() -> AsyncIterator[Testbed]:
    async with run_testbed(CONFIG) as testbed:
        assert testbed.config.verify_signatures
        yield testbed


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "probe.mnemonic"
    path.write_text(PROBE_ACCOUNT.mnemonic + "\n", encoding="utf-8")
    return path


def key_module(endpoint: str = "rpc", **payload: Any) -> Module:
    return module(
        "tx",
        endpoint=endpoint,
        poll_interval="100ms",
        confirmation_timeout="5s",
        payload={"kind": "key", **payload},
    )


def logged(result: Any) -> str:
    return "\n".join(format_log(result.log, "m", "t"))


@pytest.mark.parametrize("endpoint", ["rpc", "rest"])
async def test_probe_signs_with_a_key_file_and_confirms(
    tb: Testbed, make_ctx: ContextFactory, key_file: Path, endpoint: str
) -> None:
    base = tb.rpc_url if endpoint == "rpc" else tb.rest_url
    state: dict[str, object] = {}
    mod = key_module(endpoint, mnemonic_file=str(key_file))
    for sequence in range(2):
        result = await run_probe(base, mod, make_ctx(state, timeout=10))
        assert result.success, result.message
        confirmation = result.value("probe_tx_confirmation_seconds")
        assert confirmation is not None and 0 < confirmation < 5
        assert f"sequence={sequence}" in logged(result)
    assert tb.chain.ledger.account(PROBE_ACCOUNT.address).sequence == 2  # type: ignore[union-attr]


async def test_probe_reads_the_mnemonic_from_the_environment(
    tb: Testbed, make_ctx: ContextFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLO_HARNESS_TEST_MNEMONIC", PROBE_ACCOUNT.mnemonic)
    mod = key_module("rest", mnemonic_env="SLO_HARNESS_TEST_MNEMONIC")
    result = await run_probe(tb.rest_url, mod, make_ctx(timeout=10))
    assert result.success, result.message
    assert PROBE_ACCOUNT.mnemonic.split()[0] not in mod.model_dump_json()


async def test_probe_recovers_when_the_account_also_sent_elsewhere(
    tb: Testbed, make_ctx: ContextFactory, key_file: Path
) -> None:
    signing = {"chain_id": CONFIG.chain_id, "prefix": CONFIG.bech32_prefix, "denom": CONFIG.denom}
    assert (
        tb.chain.check_tx(probe_tx.send(0, memo="elsewhere", **signing)).code == 0
    )  # pending, not committed
    result = await run_probe(tb.rpc_url, key_module(mnemonic_file=str(key_file)), make_ctx(timeout=10))
    assert result.success, result.message
    assert result.value("probe_tx_broadcasts") == 2  # sequence 0 (stale), then the expected 1


async def test_a_key_of_no_account_is_tx_rejected(
    tb: Testbed, make_ctx: ContextFactory, tmp_path: Path
) -> None:
    stranger = dev_accounts(1, prefix=CONFIG.bech32_prefix, seed="not funded")[0]
    path = tmp_path / "wrong.mnemonic"
    path.write_text(stranger.mnemonic, encoding="utf-8")
    result = await run_probe(tb.rpc_url, key_module(mnemonic_file=str(path)), make_ctx(timeout=10))
    assert result.failure is FailureReason.TX_REJECTED
    assert f"account {stranger.address} not found" in result.message


@pytest.mark.parametrize("endpoint", ["rpc", "rest"])
async def test_signing_for_the_wrong_chain_is_code_4(
    tb: Testbed, make_ctx: ContextFactory, key_file: Path, endpoint: str
) -> None:
    base = tb.rpc_url if endpoint == "rpc" else tb.rest_url
    mod = key_module(endpoint, mnemonic_file=str(key_file), chain_id="some-other-chain")
    result = await run_probe(base, mod, make_ctx(timeout=10))
    assert result.failure is FailureReason.TX_REJECTED
    assert "code 4" in result.message
    assert "code=4" in logged(result) and "signature verification failed" in logged(result)


async def test_key_sources_fail_without_quoting_the_mnemonic(
    tb: Testbed, make_ctx: ContextFactory, tmp_path: Path
) -> None:
    missing = await run_probe(tb.rpc_url, key_module(mnemonic_file=str(tmp_path / "none")), make_ctx())
    assert missing.failure is FailureReason.UNSUPPORTED and "cannot read mnemonic file" in missing.message
    bad = tmp_path / "bad.mnemonic"
    bad.write_text("correct horse battery staple", encoding="utf-8")
    invalid = await run_probe(tb.rpc_url, key_module(mnemonic_file=str(bad)), make_ctx())
    assert invalid.failure is FailureReason.UNSUPPORTED
    assert "not hold a valid BIP-39 mnemonic" in invalid.message and "horse" not in invalid.message
    unset = await run_probe(tb.rpc_url, key_module(mnemonic_env="SLO_HARNESS_UNSET_VARIABLE"), make_ctx())
    assert unset.failure is FailureReason.UNSUPPORTED and "is not set" in unset.message


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({}, "exactly one of mnemonic_file or mnemonic_env"),
        ({"mnemonic_file": "a", "mnemonic_env": "B"}, "exactly one of mnemonic_file or mnemonic_env"),
        ({"mnemonic": PROBE_ACCOUNT.mnemonic}, "Extra inputs are not permitted"),
    ],
)
def test_key_payload_config_is_checked(payload: dict[str, str], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        key_module(**payload)
