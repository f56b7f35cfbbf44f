"""The accounts that send, one per sender, never shared: where they come from and how they sign.

Accounts are the testbed's deterministic dev accounts (``cosmostx.dev_accounts``, the same ones
``slo-harness testbed`` funds and prints), or mnemonics from a file for a real chain: one BIP-39
mnemonic per line, or the JSON list ``slo-harness testbed --accounts-file`` writes. Worker ``w`` of
``n`` takes accounts ``w, w + n, w + 2n, …``, so no two processes ever hold the same account, and
within a process each sender takes its own from the pool.

``Sender.sign_next`` is the one place a tx is built: a ``MsgSend`` of ``amount`` to the sender
itself, signed by ``cosmostx``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cosmostx import DevAccount, Fee, Key, build_msg_send, dev_accounts, key_from_mnemonic

DEFAULT_PREFIX = "akash"
DEFAULT_DENOM = "uakt"


@dataclass(frozen=True)
class AccountKey:
    """An address and the key that signs for it."""

    address: str
    key: Key


@dataclass(frozen=True)
class TxTemplate:
    """What every tx of a run carries besides its signer: chain id, amount, fee."""

    chain_id: str
    denom: str
    fee: Fee
    amount: int = 1


def _from_dev(account: DevAccount) -> AccountKey:
    return AccountKey(account.address, account.key)


def derived_accounts(count: int, prefix: str = DEFAULT_PREFIX) -> list[AccountKey]:
    """The first ``count`` deterministic dev accounts (as the testbed funds them)."""
    return [_from_dev(a) for a in dev_accounts(count, prefix=prefix)]


def _mnemonics(text: str) -> list[str]:
    stripped = text.strip()
    if stripped.startswith("["):
        entries = json.loads(stripped)
        if not isinstance(entries, list):
            raise ValueError("expected a JSON list of {address, mnemonic} objects")
        out = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("mnemonic"), str):
                raise ValueError(f"entry {i}: expected an object with a mnemonic")
            out.append(entry["mnemonic"])
        return out
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def accounts_from_file(path: Path, prefix: str = DEFAULT_PREFIX) -> list[AccountKey]:
    """Accounts from a mnemonic file; raises ValueError naming the file and the bad entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        phrases = _mnemonics(text)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    out = []
    for line, phrase in enumerate(phrases, start=1):
        try:
            key = key_from_mnemonic(phrase)
        except Exception as exc:  # bip-utils raises its own error types for a bad phrase
            raise ValueError(f"{path}: mnemonic {line}: {exc}") from None
        out.append(AccountKey(key.address(prefix), key))
    if not out:
        raise ValueError(f"{path}: no mnemonics")
    return out


def worker_accounts(accounts: list[AccountKey], worker_index: int, workers: int) -> list[AccountKey]:
    """The accounts worker ``worker_index`` of ``workers`` owns: every ``workers``-th from its index."""
    return accounts[worker_index::workers]


class Sender:
    """One account's signing state: its account number and the next sequence, kept locally."""

    def __init__(self, account: AccountKey, account_number: int, sequence: int) -> None:
        self.account = account
        self.account_number = account_number
        self.sequence = sequence

    def sign_next(self, template: TxTemplate, memo: str = "") -> bytes:
        """The signed tx for the current sequence (advance it with ``advance`` once accepted)."""
        return build_msg_send(
            self.account.key,
            chain_id=template.chain_id,
            account_number=self.account_number,
            sequence=self.sequence,
            from_address=self.account.address,
            to_address=self.account.address,
            amount=template.amount,
            denom=template.denom,
            fee=template.fee,
            memo=memo,
        )

    def advance(self) -> None:
        self.sequence += 1
