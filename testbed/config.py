"""Testbed settings: one frozen model, loadable from YAML, with the CometBFT / Akash defaults.

Defaults follow NODE_WIRE.md: ~6 s blocks, a 5000-tx / 1 GiB mempool with a 10000-entry cache and
1 MiB per tx, a 10 s ``timeout_broadcast_tx_commit``. ``max_txs_per_block`` is what makes inclusion
saturate: at most that many txs per block, so ``max_txs_per_block / block_time_seconds`` is the
chain's TPS ceiling. ``retain_blocks`` prunes older blocks and their txs (0 keeps all), as a node
with ``min-retain-blocks`` does, so a long load test does not grow the testbed without bound.

Genesis funds ``accounts`` deterministic dev accounts (``cosmostx.dev_accounts``, account numbers
0, 1, … in order) with ``initial_balance`` of ``denom`` each, then every ``genesis_accounts`` entry
in order. Only genesis accounts and accounts that received coins exist, as on a real chain.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cosmostx import decode_address, dev_accounts, key_from_mnemonic
from testbed.faults import Fault

# The SDK's denom pattern (types/coin.go) and a bech32 human-readable part.
_DENOM = r"^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$"
_PREFIX = r"^[a-z]{1,20}$"
DENOM_PATTERN = re.compile(_DENOM)


class ProviderConfig(BaseModel):
    """The provider daemon: how long provisioning and bidding take and how often they fail."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provision_median_seconds: float = Field(default=2.0, gt=0)
    provision_sigma: float = Field(default=0.5, gt=0)
    gpu_provision_median_seconds: float = Field(default=6.0, gt=0)
    gpu_provision_sigma: float = Field(default=1.0, gt=0)
    failure_ratio: float = Field(default=0.02, ge=0, le=1)
    gpu_failure_ratio: float = Field(default=0.08, ge=0, le=1)
    bid_median_seconds: float = Field(default=0.2, gt=0)
    bid_sigma: float = Field(default=0.5, gt=0)


class BenchmarkConfig(BaseModel):
    """The benchmark daemon: run duration and the share of challenges answered past their timeout."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_median_seconds: float = Field(default=0.5, gt=0)
    challenge_median_seconds: float = Field(default=0.1, gt=0)
    late_challenge_ratio: float = Field(default=0.0, ge=0, le=1)


class GenesisAccount(BaseModel):
    """An account funded at genesis, named by its address or by a mnemonic (whose key then signs).

    ``balances`` maps denom to amount; left out, the account gets ``initial_balance`` of ``denom``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str | None = None
    mnemonic: str | None = None
    balances: dict[Annotated[str, Field(pattern=_DENOM)], Annotated[int, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _named_once(self) -> GenesisAccount:
        if (self.address is None) == (self.mnemonic is None):
            raise ValueError("give exactly one of address or mnemonic")
        if self.mnemonic is not None:
            key_from_mnemonic(self.mnemonic)  # raises ValueError for a phrase that is not BIP-39
        return self

    def account_address(self, prefix: str) -> str:
        """The address this entry funds."""
        if self.address is not None:
            return self.address
        assert self.mnemonic is not None, "checked when the model was built"
        return key_from_mnemonic(self.mnemonic).address(prefix)


class TestbedConfig(BaseModel):
    """Everything a testbed needs to start; every field has a default."""

    __test__ = False  # a pydantic model, not a pytest test class
    model_config = ConfigDict(frozen=True, extra="forbid")

    chain_id: str = "virtengine-testnet-1"
    bech32_prefix: str = Field(default="akash", pattern=_PREFIX)
    denom: str = Field(default="uakt", pattern=_DENOM)
    accounts: int = Field(default=10, ge=0, le=10_000)
    accounts_seed: str = "slo-harness dev"
    genesis_accounts: tuple[GenesisAccount, ...] = ()
    verify_signatures: bool = True
    moniker: str = "testbed"
    app_name: str = "akash"
    block_time_seconds: float = Field(default=6.0, gt=0)
    block_time_jitter_seconds: float = Field(default=0.0, ge=0)
    max_txs_per_block: int = Field(default=10_000, ge=1)
    max_block_bytes: int = Field(default=22_020_096, ge=1)
    mempool_max_txs: int = Field(default=5000, ge=1)
    mempool_max_bytes: int = Field(default=1_073_741_824, ge=1)
    max_tx_bytes: int = Field(default=1_048_576, ge=1)
    cache_size: int = Field(default=10_000, ge=0)
    retain_blocks: int = Field(default=20_000, ge=0)
    timeout_broadcast_tx_commit_seconds: float = Field(default=10.0, gt=0)
    peers: int = Field(default=3, ge=0)
    initial_balance: int = Field(default=1_000_000_000, ge=0)
    gas_per_tx: int = Field(default=85_000, ge=1)
    max_body_bytes: int = Field(default=2_097_152, ge=1024)
    max_concurrent_requests: int = Field(default=256, ge=1)
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    grpc_health: bool = False
    seed: int = 0
    provider: ProviderConfig = ProviderConfig()
    benchmark: BenchmarkConfig = BenchmarkConfig()
    faults: tuple[Fault, ...] = ()

    @model_validator(mode="after")
    def _genesis_accounts_are_distinct(self) -> TestbedConfig:
        if not self.genesis_accounts:
            return self
        seen = {
            a.address for a in dev_accounts(self.accounts, prefix=self.bech32_prefix, seed=self.accounts_seed)
        }
        for entry in self.genesis_accounts:
            if entry.address is not None:
                decode_address(entry.address, self.bech32_prefix)
            address = entry.account_address(self.bech32_prefix)
            if address in seen:
                raise ValueError(f"duplicate account found in genesis state; address: {address}")
            seen.add(address)
        return self

    @property
    def max_tps(self) -> float:
        """The inclusion ceiling in transactions per second."""
        return self.max_txs_per_block / self.block_time_seconds


def load_config(path: Path) -> TestbedConfig:
    """Read a testbed YAML file (the fields of ``TestbedConfig``); raises ValueError on bad content."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of testbed settings")
    return TestbedConfig.model_validate(data)
