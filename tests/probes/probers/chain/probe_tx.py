"""Probe txs of a testbed's dev account 0, signed with ``cosmostx``. Run as a script (``SEQUENCE
CHAIN_ID PREFIX DENOM``) it prints the base64 tx, as a signer command for the tx prober does; it
imports only ``cosmostx``, so it starts quickly."""

from __future__ import annotations

import base64
import sys
import time

from cosmostx import Fee, build_msg_send, dev_accounts


def send(sequence: int, *, chain_id: str, prefix: str, denom: str, memo: str = "probe") -> bytes:
    """A 1-coin ``MsgSend`` from dev account 0 (account number 0) to itself at ``sequence``."""
    account = dev_accounts(1, prefix=prefix)[0]
    return build_msg_send(
        account.key,
        chain_id=chain_id,
        account_number=0,
        sequence=sequence,
        from_address=account.address,
        to_address=account.address,
        amount=1,
        denom=denom,
        fee=Fee(5000, denom, 200_000),
        memo=memo,
    )


if __name__ == "__main__":
    sequence, chain_id, prefix, denom = sys.argv[1:5]
    tx = send(int(sequence), chain_id=chain_id, prefix=prefix, denom=denom, memo=str(time.time_ns()))
    print(base64.b64encode(tx).decode())
