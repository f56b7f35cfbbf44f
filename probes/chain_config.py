"""The ``chain:`` and ``tx:`` blocks of a probe module: what a chain-aware probe checks and how hard.

Durations are written the Prometheus way in YAML (``max_block_age: 30s``) and held in seconds in
Python (``max_block_age_seconds``), so a module file reads like blackbox.yml while the probers do
plain float arithmetic. Defaults follow the node's own timing: Akash produces a block about every
6 s, so 30 s without one is five missed blocks, and a probe tx that is not in a block after 60 s
(ten blocks) counts as lost.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from slo.catalogs.quantities import Seconds

__all__ = ["ChainProbeConfig", "CommandPayload", "FilePayload", "KeyPayload", "TxPayload", "TxProbeConfig"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ChainProbeConfig(BaseModel):
    """How the ``chain`` prober judges a CometBFT node from ``/status``, ``/net_info`` and ``/blockchain``.

    A node can answer ``/health`` with ``{}`` while its blocks are stalled, so the prober fails on
    the age of the latest block and on a height that did not move since the previous probe of the
    same target, never on liveness alone. The height must have moved within
    ``height_advance_window`` (30 s, the default probe interval, so by default between two probes):
    a target probed every second sees the same height for a whole 6 s block, which is no stall.

    >>> ChainProbeConfig.model_validate({"max_block_age": "20s", "min_peers": 2}).max_block_age_seconds
    20.0
    """

    model_config = _FROZEN

    max_block_age_seconds: Seconds = Field(default=30.0, alias="max_block_age", gt=0)
    require_height_advance: bool = True
    height_advance_window_seconds: Seconds = Field(default=30.0, alias="height_advance_window", gt=0)
    fail_if_catching_up: bool = True
    min_peers: int = Field(default=1, ge=0)
    rpc_path: str = Field(
        default="",
        description="Prefix of the CometBFT RPC under the target, e.g. '/rpc' behind a reverse proxy.",
        pattern=r"^(/[^?#]*)?$",
    )


class FilePayload(BaseModel):
    """Pre-signed transactions, one base64 ``TxRaw`` per line, for consecutive account sequences.

    A real chain needs a signed tx with the account's next sequence, and signing belongs to a wallet,
    not to a prober: the operator signs a batch (``akash tx bank send … --generate-only`` then
    ``tx sign --sequence N`` for N, N+1, …) and the prober walks through it, one line per probe.
    """

    model_config = _FROZEN

    kind: Literal["file"]
    path: str = Field(min_length=1)


class CommandPayload(BaseModel):
    """A command that prints one signed tx (base64 ``TxRaw``) for the sequence it is given.

    ``{sequence}`` in any argument is replaced by the account sequence the prober wants next; it
    starts at ``start_sequence`` and follows the chain's "expected N" after a code-32 mismatch, so
    the prober finds the right sequence by itself after a restart.
    """

    model_config = _FROZEN

    kind: Literal["command"]
    argv: tuple[str, ...] = Field(min_length=1)
    start_sequence: int = Field(default=0, ge=0)


class KeyPayload(BaseModel):
    """The prober signs its own probe tx: a ``MsgSend`` of ``amount`` to itself (or ``recipient``).

    The key comes from a BIP-39 mnemonic at ``m/44'/118'/account'/0/index``, read from
    ``mnemonic_file`` or from the environment variable ``mnemonic_env`` at each probe, never from
    this config (which ``/config`` shows). The account number and sequence are read from the node
    (REST ``auth/v1beta1/accounts`` or the RPC's ``abci_query``), the chain id from its node info
    unless ``chain_id`` pins it; a code-32 mismatch moves to the sequence the chain expects.

    >>> KeyPayload.model_validate({"kind": "key", "mnemonic_env": "PROBE_MNEMONIC"}).denom
    'uakt'
    """

    model_config = _FROZEN

    kind: Literal["key"]
    mnemonic_file: str | None = Field(default=None, min_length=1)
    mnemonic_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    account: int = Field(default=0, ge=0, lt=2**31, description="BIP-44 account (hardened).")
    index: int = Field(default=0, ge=0, lt=2**31, description="BIP-44 address index.")
    prefix: str = Field(default="akash", pattern=r"^[a-z]{1,20}$", description="Bech32 account prefix.")
    chain_id: str | None = Field(default=None, min_length=1, description="Sign for this chain id only.")
    denom: str = Field(default="uakt", pattern=r"^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$")
    amount: int = Field(default=1, ge=0)
    fee: int = Field(default=5000, ge=0, description="Fee in ``denom``.")
    gas_limit: int = Field(default=200_000, ge=1)
    recipient: str | None = Field(default=None, description="Default: the probe account itself.")
    memo: str = Field(default="slo-harness tx probe", max_length=256)

    @model_validator(mode="after")
    def _one_key_source(self) -> KeyPayload:
        if (self.mnemonic_file is None) == (self.mnemonic_env is None):
            raise ValueError("give exactly one of mnemonic_file or mnemonic_env")
        return self


TxPayload = Annotated[FilePayload | CommandPayload | KeyPayload, Field(discriminator="kind")]


class TxProbeConfig(BaseModel):
    """How the ``tx`` prober submits a probe transaction and waits for it to land in a block.

    The measured confirmation time is first-seen-in-index minus submission, so the poll interval is
    its error bound; the interval is therefore capped at 1 s. A tx still missing when the
    confirmation timeout runs out is a failed probe, not a slow one.

    >>> TxProbeConfig.model_validate({"endpoint": "rest", "poll_interval": "250ms",
    ...                               "payload": {"kind": "file", "path": "txs.b64"}}).poll_interval_seconds
    0.25
    """

    model_config = _FROZEN

    endpoint: Literal["rpc", "rest"] = "rpc"
    path: str = Field(
        default="",
        description="Prefix of the RPC or REST API under the target, e.g. '/rpc' behind a reverse proxy.",
        pattern=r"^(/[^?#]*)?$",
    )
    poll_interval_seconds: Seconds = Field(default=0.5, alias="poll_interval", gt=0, le=1.0)
    confirmation_timeout_seconds: Seconds = Field(default=60.0, alias="confirmation_timeout", gt=0)
    sequence_retries: int = Field(
        default=3,
        ge=0,
        le=20,
        description="Further payloads to try after a code-32 mismatch or a tx already in the node's cache.",
    )
    payload: TxPayload | None = Field(
        default=None, description="Where signed probe txs come from; a tx module without one cannot run."
    )

    @model_validator(mode="after")
    def _poll_within_timeout(self) -> TxProbeConfig:
        if self.poll_interval_seconds >= self.confirmation_timeout_seconds:
            raise ValueError("poll_interval must be shorter than confirmation_timeout")
        return self
