"""The tx prober's own signer: a key from a mnemonic, the account read from the node, a signed ``MsgSend``.

As a wallet does before it signs, the prober reads the account's number and sequence from the
node it probes (REST ``/cosmos/auth/v1beta1/accounts/{address}``, or ``abci_query`` at the SDK's
``/cosmos.auth.v1beta1.Query/Account`` path when it speaks CometBFT RPC) and the chain id from the
node's info unless the module pins it. The mnemonic is read at each probe from a file or an
environment variable, so a rotated key needs no restart, and it never appears in a log or an error.
Deriving the key runs in a thread: the first derivation also imports ``bip_utils`` (most of a second).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
from pathlib import Path
from typing import Any, Literal

from chainpb.cosmos.auth.v1beta1 import query_pb2 as auth_query_pb2
from cosmostx import (
    AccountInfo,
    Fee,
    Key,
    account_from_proto,
    account_from_rest,
    build_msg_send,
    key_from_mnemonic,
)
from probes.chain_config import KeyPayload
from probes.context import ProbeContext
from probes.probers.node_api import RpcError, request_json, rpc_result
from probes.result import ProtocolFailure, StatusCodeFailure, TxRejectedFailure, UnsupportedProber

__all__ = ["sign_probe_tx"]

Endpoint = Literal["rpc", "rest"]
_ACCOUNT_PATH = '"/cosmos.auth.v1beta1.Query/Account"'
_NOT_FOUND = 22  # the SDK's code for a gRPC NotFound answered through abci_query


def _mnemonic(source: KeyPayload) -> tuple[str, str]:
    """The mnemonic text and where it came from (for messages that must not quote it)."""
    if source.mnemonic_env is not None:
        where = f"environment variable {source.mnemonic_env}"
        text = os.environ.get(source.mnemonic_env)
        if not text:
            raise UnsupportedProber(f"{where} is not set")
        return text, where
    assert source.mnemonic_file is not None, "the config requires one of the two"
    where = f"mnemonic file {source.mnemonic_file}"
    try:
        return Path(source.mnemonic_file).read_text(encoding="utf-8"), where
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UnsupportedProber(f"cannot read {where}: {reason}") from None


def _derive(text: str, source: KeyPayload) -> tuple[Key, str]:
    key = key_from_mnemonic(text, account=source.account, index=source.index)
    return key, key.address(source.prefix)


async def _key(source: KeyPayload) -> tuple[Key, str]:
    text, where = _mnemonic(source)
    try:
        return await asyncio.to_thread(_derive, text, source)
    except ValueError:
        raise UnsupportedProber(f"{where} does not hold a valid BIP-39 mnemonic") from None


def _unfunded(address: str) -> TxRejectedFailure:
    return TxRejectedFailure(f"account {address} not found on the chain: the probe key has no funded account")


async def _account_rest(ctx: ProbeContext, base: str, address: str) -> AccountInfo:
    reply = await request_json(ctx, f"{base}/cosmos/auth/v1beta1/accounts/{address}")
    if reply.status == 404:
        raise _unfunded(address)
    if reply.status != 200 or not isinstance(reply.body, dict):
        message = reply.body.get("message", "") if isinstance(reply.body, dict) else ""
        raise StatusCodeFailure(f"account lookup: HTTP {reply.status}: {message}")
    try:
        return account_from_rest(reply.body)
    except ValueError as exc:
        raise ProtocolFailure(f"account lookup: {exc}") from None


async def _account_rpc(ctx: ProbeContext, base: str, address: str) -> AccountInfo:
    query = auth_query_pb2.QueryAccountRequest(address=address).SerializeToString()
    try:
        params = {"path": _ACCOUNT_PATH, "data": "0x" + query.hex()}
        result = await rpc_result(ctx, base, "abci_query", params)
    except RpcError as exc:
        raise StatusCodeFailure(f"abci_query: {exc}") from None
    response: Any = result.get("response") if isinstance(result, dict) else None
    if not isinstance(response, dict):
        raise ProtocolFailure("abci_query: no response in the answer")
    code = response.get("code") or 0
    if code == _NOT_FOUND:
        raise _unfunded(address)
    if code != 0:
        raise ProtocolFailure(f"abci_query: code {code}: {response.get('log', '')}")
    try:
        return account_from_proto(base64.b64decode(str(response.get("value") or ""), validate=True))
    except (ValueError, binascii.Error) as exc:
        raise ProtocolFailure(f"abci_query: {exc}") from None


async def _chain_id(ctx: ProbeContext, endpoint: Endpoint, base: str) -> str:
    try:
        if endpoint == "rpc":
            network = (await rpc_result(ctx, base, "status"))["node_info"]["network"]
        else:
            reply = await request_json(ctx, f"{base}/cosmos/base/tendermint/v1beta1/node_info")
            network = reply.body["default_node_info"]["network"]
    except RpcError as exc:
        raise StatusCodeFailure(f"status: {exc}") from None
    except (KeyError, TypeError):
        raise ProtocolFailure("node info has no network (chain id)") from None
    if not isinstance(network, str) or not network:
        raise ProtocolFailure("node info has no network (chain id)")
    return network


async def sign_probe_tx(
    source: KeyPayload, endpoint: Endpoint, base: str, ctx: ProbeContext, at_least: int
) -> tuple[bytes, int]:
    """A signed probe tx and its sequence: the account's on-chain sequence, or ``at_least`` when
    the prober knows of later ones (its own txs still in the mempool, or the chain's "expected N")."""
    key, address = await _key(source)
    reader = _account_rpc if endpoint == "rpc" else _account_rest
    account = await reader(ctx, base, address)
    chain_id = source.chain_id or await _chain_id(ctx, endpoint, base)
    sequence = max(account.sequence, at_least)
    ctx.log.debug(
        "signing probe tx",
        address=address,
        account_number=account.account_number,
        sequence=sequence,
        chain_id=chain_id,
    )
    raw = build_msg_send(
        key,
        chain_id=chain_id,
        account_number=account.account_number,
        sequence=sequence,
        from_address=address,
        to_address=source.recipient or address,
        amount=source.amount,
        denom=source.denom,
        fee=Fee(source.fee, source.denom, source.gas_limit),
        memo=source.memo,
    )
    return raw, sequence
