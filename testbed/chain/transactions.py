"""Cosmos SDK transactions as the chain sees them: ``TxRaw`` bytes in, the fields the ante handler needs out.

A real node hashes the raw bytes (uppercase hex sha256), decodes ``TxRaw`` → ``TxBody`` / ``AuthInfo``,
and its ante handler reads the signer, fee, sequence, public key and signature; so does the testbed.
The signer is the ``from_address`` of the first ``MsgSend``, as the SDK's ``GetSigners`` gives it;
other messages count against the account of the signer's public key. The signed bytes are kept as
sent, since the signature covers them and not a re-encoding. ``cosmostx`` builds such transactions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError

from chainpb.cosmos.bank.v1beta1 import tx_pb2 as bank_tx_pb2
from chainpb.cosmos.crypto.secp256k1 import keys_pb2
from chainpb.cosmos.tx.v1beta1 import tx_pb2
from cosmostx import MSG_SEND_TYPE_URL, PUBKEY_TYPE_URL, public_key_address

Coins = tuple[tuple[str, int], ...]
"""Coins as (denom, amount) pairs sorted by denom, the SDK's canonical order."""

_AMOUNT = re.compile(r"^[0-9]{1,78}$")


class TxDecodeError(ValueError):
    """The bytes are not a transaction the ante handler accepts; ``code`` and ``log`` as the SDK reports."""

    def __init__(self, code: int, log: str) -> None:
        super().__init__(log)
        self.code = code
        self.log = log


def _parse_error() -> TxDecodeError:
    return TxDecodeError(2, "tx parse error")


@dataclass(frozen=True)
class ParsedTx:
    """What CheckTx and DeliverTx read from a transaction."""

    signer: str
    sequence: int
    gas_limit: int
    fee: Coins
    recipient: str
    amount: Coins
    public_key: bytes | None
    sign_mode: int
    body_bytes: bytes
    auth_info_bytes: bytes
    signature: bytes


def coins_text(coins: Coins) -> str:
    """Coins as the SDK prints them: ``5000uakt,1ufoo``."""
    return ",".join(f"{amount}{denom}" for denom, amount in coins)


def _coins(coins: Iterable[Any]) -> Coins:
    total: dict[str, int] = {}
    for coin in coins:
        if not _AMOUNT.match(coin.amount):
            raise _parse_error()
        total[coin.denom] = total.get(coin.denom, 0) + int(coin.amount)
    return tuple(sorted((denom, amount) for denom, amount in total.items() if amount))


def _public_key(signer_info: Any) -> bytes | None:
    wrapped = signer_info.public_key
    if not signer_info.HasField("public_key"):
        return None
    if wrapped.type_url != PUBKEY_TYPE_URL:
        raise TxDecodeError(8, f"unsupported public key type {wrapped.type_url}: invalid pubkey")
    try:
        key: bytes = keys_pb2.PubKey.FromString(wrapped.value).key
    except DecodeError as exc:
        raise _parse_error() from exc
    return key


def parse_tx(raw: bytes, prefix: str = "akash") -> ParsedTx:
    """Decode ``TxRaw`` bytes; raises ``TxDecodeError`` when they are not a signed transaction.

    ``prefix`` names the signer of a tx without a ``MsgSend`` (the address of its public key).
    """
    try:
        tx_raw = tx_pb2.TxRaw.FromString(raw)
        body = tx_pb2.TxBody.FromString(tx_raw.body_bytes)
        auth = tx_pb2.AuthInfo.FromString(tx_raw.auth_info_bytes)
    except DecodeError as exc:
        raise _parse_error() from exc
    if not body.messages:
        raise TxDecodeError(18, "must contain at least one message: invalid request")
    if not auth.signer_infos or not tx_raw.signatures:
        raise TxDecodeError(15, "no signatures supplied")
    signer_info = auth.signer_infos[0]
    public_key = _public_key(signer_info)
    signer = recipient = ""
    amount: Coins = ()
    first = body.messages[0]
    if first.type_url == MSG_SEND_TYPE_URL:
        try:
            send = bank_tx_pb2.MsgSend.FromString(first.value)
        except DecodeError as exc:
            raise _parse_error() from exc
        signer, recipient, amount = send.from_address, send.to_address, _coins(send.amount)
    elif public_key is not None:
        try:
            signer = public_key_address(public_key, prefix)
        except ValueError as exc:
            raise TxDecodeError(8, f"{exc}: invalid pubkey") from exc
    mode = signer_info.mode_info.single.mode if signer_info.mode_info.HasField("single") else 0
    return ParsedTx(
        signer=signer,
        sequence=signer_info.sequence,
        gas_limit=auth.fee.gas_limit,
        fee=_coins(auth.fee.amount),
        recipient=recipient,
        amount=amount,
        public_key=public_key,
        sign_mode=mode,
        body_bytes=tx_raw.body_bytes,
        auth_info_bytes=tx_raw.auth_info_bytes,
        signature=tx_raw.signatures[0],
    )


def decode_tx(raw: bytes) -> tx_pb2.Tx:
    """The full ``Tx`` message for display (GetTx, REST); raises ``TxDecodeError`` (code 2)."""
    try:
        tx_raw = tx_pb2.TxRaw.FromString(raw)
        return tx_pb2.Tx(
            body=tx_pb2.TxBody.FromString(tx_raw.body_bytes),
            auth_info=tx_pb2.AuthInfo.FromString(tx_raw.auth_info_bytes),
            signatures=list(tx_raw.signatures),
        )
    except DecodeError as exc:
        raise _parse_error() from exc
