"""Transactions as the SDK signs them in SIGN_MODE_DIRECT: ``TxBody``, ``AuthInfo``, ``SignDoc``, ``TxRaw``.

The signature covers the ``SignDoc`` (body bytes, auth-info bytes, chain id, account number) exactly
as ``x/auth/tx`` serialises it, so the body and auth-info bytes are signed as sent and a verifier
rebuilds the document from the raw bytes, never from a re-encoding. The public key goes into the
first ``SignerInfo`` so the chain can set it on the account at its first transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from google.protobuf import any_pb2

from chainpb.cosmos.bank.v1beta1 import tx_pb2 as bank_tx_pb2
from chainpb.cosmos.base.v1beta1 import coin_pb2
from chainpb.cosmos.crypto.secp256k1 import keys_pb2
from chainpb.cosmos.tx.signing.v1beta1 import signing_pb2
from chainpb.cosmos.tx.v1beta1 import tx_pb2
from cosmostx.keys import Key

MSG_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgSend"
PUBKEY_TYPE_URL = "/cosmos.crypto.secp256k1.PubKey"


@dataclass(frozen=True)
class Fee:
    """The fee a transaction pays (``amount`` of ``denom``) and its gas limit."""

    amount: int
    denom: str
    gas_limit: int


def tx_hash(raw: bytes) -> str:
    """The tx hash as CometBFT prints it: uppercase hex of sha256(raw)."""
    return hashlib.sha256(raw).hexdigest().upper()


def sign_doc_bytes(body_bytes: bytes, auth_info_bytes: bytes, chain_id: str, account_number: int) -> bytes:
    """The serialized ``SignDoc`` that SIGN_MODE_DIRECT signs."""
    doc = tx_pb2.SignDoc(
        body_bytes=body_bytes,
        auth_info_bytes=auth_info_bytes,
        chain_id=chain_id,
        account_number=account_number,
    )
    data: bytes = doc.SerializeToString()
    return data


def public_key_any(public_key: bytes) -> any_pb2.Any:
    """The ``Any``-wrapped ``cosmos.crypto.secp256k1.PubKey`` of a compressed public key."""
    return any_pb2.Any(type_url=PUBKEY_TYPE_URL, value=keys_pb2.PubKey(key=public_key).SerializeToString())


def auth_info_bytes(public_key: bytes, sequence: int, fee: Fee) -> bytes:
    """``AuthInfo`` for one SIGN_MODE_DIRECT signer at ``sequence`` paying ``fee``."""
    auth = tx_pb2.AuthInfo(
        signer_infos=[
            tx_pb2.SignerInfo(
                public_key=public_key_any(public_key),
                mode_info=tx_pb2.ModeInfo(single=tx_pb2.ModeInfo.Single(mode=signing_pb2.SIGN_MODE_DIRECT)),
                sequence=sequence,
            )
        ],
        fee=tx_pb2.Fee(
            amount=[coin_pb2.Coin(denom=fee.denom, amount=str(fee.amount))], gas_limit=fee.gas_limit
        ),
    )
    data: bytes = auth.SerializeToString()
    return data


def sign_tx(key: Key, body_bytes: bytes, auth_info: bytes, *, chain_id: str, account_number: int) -> bytes:
    """Sign body and auth-info bytes for ``chain_id`` and ``account_number``; returns ``TxRaw`` bytes."""
    signature = key.sign(sign_doc_bytes(body_bytes, auth_info, chain_id, account_number))
    raw: bytes = tx_pb2.TxRaw(
        body_bytes=body_bytes, auth_info_bytes=auth_info, signatures=[signature]
    ).SerializeToString()
    return raw


def build_msg_send(
    key: Key,
    *,
    chain_id: str,
    account_number: int,
    sequence: int,
    from_address: str,
    to_address: str,
    amount: int,
    denom: str,
    fee: Fee,
    memo: str = "",
) -> bytes:
    """A signed one-``MsgSend`` transaction (``TxRaw`` bytes, SIGN_MODE_DIRECT)."""
    send = bank_tx_pb2.MsgSend(
        from_address=from_address,
        to_address=to_address,
        amount=[coin_pb2.Coin(denom=denom, amount=str(amount))],
    )
    body = tx_pb2.TxBody(
        messages=[any_pb2.Any(type_url=MSG_SEND_TYPE_URL, value=send.SerializeToString())], memo=memo
    )
    return sign_tx(
        key,
        body.SerializeToString(),
        auth_info_bytes(key.public_key, sequence, fee),
        chain_id=chain_id,
        account_number=account_number,
    )
