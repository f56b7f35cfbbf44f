"""Cosmos SDK transactions as the chain sees them: ``TxRaw`` bytes in, the fields CheckTx needs out.

A real node hashes the raw bytes (uppercase hex sha256), decodes ``TxRaw`` → ``TxBody`` / ``AuthInfo``
and checks the signer's sequence; so does the testbed (signatures are not verified). The signer is
the ``from_address`` of the first ``MsgSend``, as the SDK's ``GetSigners`` gives it; other messages
count against the account named after their public key. ``build_tx`` makes such bytes, for tests and
load generators that need many accounts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf import any_pb2
from google.protobuf.message import DecodeError

from chainpb.cosmos.bank.v1beta1 import tx_pb2 as bank_tx_pb2
from chainpb.cosmos.base.v1beta1 import coin_pb2
from chainpb.cosmos.crypto.secp256k1 import keys_pb2
from chainpb.cosmos.tx.signing.v1beta1 import signing_pb2
from chainpb.cosmos.tx.v1beta1 import tx_pb2
from testbed.addresses import encode

MSG_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgSend"
PUBKEY_TYPE_URL = "/cosmos.crypto.secp256k1.PubKey"
DENOM = "uakt"


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
    fee: int
    recipient: str
    amount: int


def tx_hash(raw: bytes) -> str:
    """The tx hash as CometBFT prints it: uppercase hex of sha256(raw)."""
    return hashlib.sha256(raw).hexdigest().upper()


def _amount(coins: Iterable[Any]) -> int:
    total = 0
    for coin in coins:
        if coin.denom == DENOM and coin.amount.isdigit():
            total += int(coin.amount)
    return total


def parse_tx(raw: bytes) -> ParsedTx:
    """Decode ``TxRaw`` bytes; raises ``TxDecodeError`` when they are not a signed transaction."""
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
    signer = encode("akash", hashlib.sha256(signer_info.public_key.value).digest()[:20])
    recipient = ""
    amount = 0
    first = body.messages[0]
    if first.type_url == MSG_SEND_TYPE_URL:
        try:
            send = bank_tx_pb2.MsgSend.FromString(first.value)
        except DecodeError as exc:
            raise _parse_error() from exc
        signer, recipient, amount = send.from_address, send.to_address, _amount(send.amount)
    return ParsedTx(
        signer=signer,
        sequence=signer_info.sequence,
        gas_limit=auth.fee.gas_limit,
        fee=_amount(auth.fee.amount),
        recipient=recipient,
        amount=amount,
    )


def build_tx(
    sender: str,
    sequence: int,
    *,
    recipient: str = "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq7cdc78",
    amount: int = 1,
    fee: int = 5000,
    gas_limit: int = 200_000,
    memo: str = "",
) -> bytes:
    """Serialized ``TxRaw`` of a one-``MsgSend`` transaction from ``sender`` at ``sequence``.

    The signature is a placeholder (the testbed does not verify it); ``memo`` makes otherwise equal
    txs distinct.

    >>> raw = build_tx("akash190vqdjtlpcq27xslcveglfmr4ynfwg7gdq4sff", 0)
    >>> parse_tx(raw).sequence
    0
    """
    send = bank_tx_pb2.MsgSend(
        from_address=sender,
        to_address=recipient,
        amount=[coin_pb2.Coin(denom=DENOM, amount=str(amount))],
    )
    body = tx_pb2.TxBody(
        messages=[any_pb2.Any(type_url=MSG_SEND_TYPE_URL, value=send.SerializeToString())], memo=memo
    )
    pub_key = keys_pb2.PubKey(key=b"\x02" + hashlib.sha256(sender.encode()).digest())
    auth = tx_pb2.AuthInfo(
        signer_infos=[
            tx_pb2.SignerInfo(
                public_key=any_pb2.Any(type_url=PUBKEY_TYPE_URL, value=pub_key.SerializeToString()),
                mode_info=tx_pb2.ModeInfo(single=tx_pb2.ModeInfo.Single(mode=signing_pb2.SIGN_MODE_DIRECT)),
                sequence=sequence,
            )
        ],
        fee=tx_pb2.Fee(amount=[coin_pb2.Coin(denom=DENOM, amount=str(fee))], gas_limit=gas_limit),
    )
    signature = hashlib.sha512(body.SerializeToString() + auth.SerializeToString()).digest()
    raw: bytes = tx_pb2.TxRaw(
        body_bytes=body.SerializeToString(),
        auth_info_bytes=auth.SerializeToString(),
        signatures=[signature],
    ).SerializeToString()
    return raw


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
