"""Cosmos SDK keys and transactions: the one place in the harness that signs.

BIP-39 mnemonics and BIP-32/44 derivation at ``m/44'/118'/0'/0/0``, secp256k1 keys, bech32
addresses, ``MsgSend`` transactions signed in SIGN_MODE_DIRECT with the ``SignDoc`` bytes exactly as
the SDK builds them, and the account number and sequence read back from REST, gRPC or
``abci_query``. The testbed verifies with it, the tx prober and the load test sign with it. It
imports only ``chainpb`` and the libraries ``coincurve`` and ``bip-utils``.

Example::

    key = key_from_mnemonic(mnemonic)
    info = account_from_rest(requests.get(f"{rest}/cosmos/auth/v1beta1/accounts/{addr}").json())
    raw = build_msg_send(key, chain_id="virtengine-testnet-1", account_number=info.account_number,
                         sequence=info.sequence, from_address=addr, to_address=other, amount=1,
                         denom="uakt", fee=Fee(5000, "uakt", 200_000))
"""

from __future__ import annotations

from cosmostx.accounts import AccountInfo, account_from_proto, account_from_rest
from cosmostx.keys import (
    DEFAULT_HD_PATH,
    DevAccount,
    Key,
    decode_address,
    dev_accounts,
    encode_address,
    key_from_mnemonic,
    public_key_address,
    verify,
)
from cosmostx.signing import (
    MSG_SEND_TYPE_URL,
    PUBKEY_TYPE_URL,
    Fee,
    auth_info_bytes,
    build_msg_send,
    public_key_any,
    sign_doc_bytes,
    sign_tx,
    tx_hash,
)

__all__ = [
    "DEFAULT_HD_PATH",
    "MSG_SEND_TYPE_URL",
    "PUBKEY_TYPE_URL",
    "AccountInfo",
    "DevAccount",
    "Fee",
    "Key",
    "account_from_proto",
    "account_from_rest",
    "auth_info_bytes",
    "build_msg_send",
    "decode_address",
    "dev_accounts",
    "encode_address",
    "key_from_mnemonic",
    "public_key_address",
    "public_key_any",
    "sign_doc_bytes",
    "sign_tx",
    "tx_hash",
    "verify",
]
