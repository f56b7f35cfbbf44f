"""Accounts as the auth and bank modules keep them, and the ante handler that guards them.

Each account has a number (assigned in creation order), a sequence, a public key (set by its first
transaction) and balances per denom. The ante handler runs the SDK's decorators in the SDK's order
(``x/auth/ante``: deduct fee, set public key, check sequence, verify signature) with the SDK's codes
and log texts. CheckTx runs it against a check state (pending sequences, fees and keys on top of the
committed accounts) that every block resets before the mempool is rechecked, as ``baseapp`` does.
Signatures are verified at CheckTx (SIGN_MODE_DIRECT only); recheck and delivery skip them, as the
SDK's recheck does and as delivery may, since the signed bytes, chain id and number cannot change.
A failed message at delivery keeps the ante handler's effects (fee paid, sequence used).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field

from chainpb.cosmos.tx.signing.v1beta1 import signing_pb2
from cosmostx import DevAccount, dev_accounts, public_key_address, sign_doc_bytes, verify
from testbed.chain.transactions import Coins, ParsedTx
from testbed.config import TestbedConfig

_DIRECT = signing_pb2.SIGN_MODE_DIRECT


class AnteMode(enum.Enum):
    """Which state the ante handler reads and writes, and whether it verifies the signature."""

    CHECK = "check"  # CheckTx: check state, signature verified
    RECHECK = "recheck"  # after a block: check state, no signature
    DELIVER = "deliver"  # in a block: committed state, no signature
    SIMULATE = "simulate"  # Simulate: check state read only, no public key or signature needed


@dataclass(frozen=True)
class Rejection:
    """A transaction the ante handler or a message refused: the SDK code and log."""

    code: int
    log: str


@dataclass
class Account:
    """A committed account (``BaseAccount`` plus its bank balances)."""

    address: str
    number: int
    sequence: int = 0
    public_key: bytes | None = None
    balances: dict[str, int] = field(default_factory=dict)

    def coins(self) -> Coins:
        """Non-zero balances sorted by denom, as the bank module lists them."""
        return tuple(sorted((denom, amount) for denom, amount in self.balances.items() if amount))


@dataclass
class _CheckState:
    sequence: dict[str, int] = field(default_factory=dict)
    fees: defaultdict[str, defaultdict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    public_key: dict[str, bytes] = field(default_factory=dict)


def _spendable_text(amount: int, denom: str) -> str:
    # The SDK prints the spendable coins; zero coins print as nothing.
    return f"{amount}{denom}" if amount else ""


def sequence_log(expected: int, got: int) -> str:
    """The log of code 32, whose numbers clients parse to resynchronise."""
    return f"account sequence mismatch, expected {expected}, got {got}: incorrect account sequence"


def _signature_log(number: int, chain_id: str, reason: str) -> str:
    return (
        f"signature verification failed; please verify account number ({number}) and chain-id "
        f"({chain_id}): ({reason}): unauthorized"
    )


class Ledger:
    """The auth and bank state of one chain, with the genesis of its config."""

    def __init__(self, config: TestbedConfig) -> None:
        self.chain_id = config.chain_id
        self.prefix = config.bech32_prefix
        self.verify_signatures = config.verify_signatures
        self._accounts: dict[str, Account] = {}
        self._check = _CheckState()
        self.dev_accounts: tuple[DevAccount, ...] = tuple(
            dev_accounts(config.accounts, prefix=config.bech32_prefix, seed=config.accounts_seed)
        )
        for dev in self.dev_accounts:
            self._genesis(dev.address, {config.denom: config.initial_balance})
        for entry in config.genesis_accounts:
            balances = (
                entry.balances if entry.balances is not None else {config.denom: config.initial_balance}
            )
            self._genesis(entry.account_address(self.prefix), dict(balances))

    def _genesis(self, address: str, balances: dict[str, int]) -> None:
        if address in self._accounts:
            raise ValueError(f"duplicate account found in genesis state; address: {address}")
        self.create(address).balances.update(balances)

    # -- reading ---------------------------------------------------------------------------------

    def account(self, address: str) -> Account | None:
        return self._accounts.get(address)

    def balance(self, address: str, denom: str) -> int:
        account = self._accounts.get(address)
        return account.balances.get(denom, 0) if account is not None else 0

    def check_sequence(self, address: str) -> int:
        """The sequence CheckTx expects next from ``address`` (0 for no account)."""
        account = self._accounts.get(address)
        return self._check.sequence.get(address, account.sequence if account is not None else 0)

    def create(self, address: str) -> Account:
        """A new account with the next account number (a recipient's first coins create it)."""
        account = Account(address=address, number=len(self._accounts))
        self._accounts[address] = account
        return account

    # -- the ante handler ------------------------------------------------------------------------

    def reset_check_state(self) -> None:
        """Start CheckTx's view afresh from the committed state (after a block, before recheck)."""
        self._check = _CheckState()

    def ante(self, tx: ParsedTx, mode: AnteMode) -> Rejection | None:
        """Run the ante handler for ``tx``; on success apply its effects to the mode's state."""
        account = self._accounts.get(tx.signer)
        if account is None:
            return Rejection(9, f"fee payer address: {tx.signer} does not exist: unknown address")
        in_check = mode is not AnteMode.DELIVER
        pending_fees = self._check.fees[account.address] if in_check else None
        for denom, amount in tx.fee:
            spendable = account.balances.get(denom, 0) - (pending_fees[denom] if pending_fees else 0)
            if spendable < amount:
                log = (
                    f"spendable balance {_spendable_text(spendable, denom)} is smaller than "
                    f"{amount}{denom}: insufficient funds: insufficient funds"
                )
                return Rejection(5, log)
        key = self._check.public_key.get(account.address) if in_check else None
        key = key or account.public_key
        if tx.public_key is not None and mode is not AnteMode.SIMULATE:
            if tx.public_key != key and not self._key_matches(tx.public_key, account.address):
                log = f"pubKey does not match signer address {account.address} with signer index: 0"
                return Rejection(8, f"{log}: invalid pubkey")
            key = key or tx.public_key
        if key is None and mode is not AnteMode.SIMULATE:
            return Rejection(8, "pubkey on account is not set: invalid pubkey")
        expected = self.check_sequence(account.address) if in_check else account.sequence
        if tx.sequence != expected:
            return Rejection(32, sequence_log(expected, tx.sequence))
        if mode is AnteMode.CHECK and self.verify_signatures:
            assert key is not None, "a key is required above outside simulation"
            rejection = self._verify(tx, account, key)
            if rejection is not None:
                return rejection
        if mode is AnteMode.SIMULATE:
            return None
        if in_check:
            assert pending_fees is not None
            for denom, amount in tx.fee:
                pending_fees[denom] += amount
            self._check.sequence[account.address] = tx.sequence + 1
            if key is not None:
                self._check.public_key[account.address] = key
        else:
            for denom, amount in tx.fee:
                account.balances[denom] -= amount
            account.sequence += 1
            account.public_key = key
        return None

    def _key_matches(self, public_key: bytes, address: str) -> bool:
        try:
            return public_key_address(public_key, self.prefix) == address
        except ValueError:  # not a point on the curve
            return False

    def _verify(self, tx: ParsedTx, account: Account, key: bytes) -> Rejection | None:
        if tx.sign_mode != _DIRECT:
            mode = (
                signing_pb2.SignMode.Name(tx.sign_mode)
                if tx.sign_mode in signing_pb2.SignMode.values()
                else str(tx.sign_mode)
            )
            return Rejection(
                4, _signature_log(account.number, self.chain_id, f"unsupported sign mode {mode}")
            )
        doc = sign_doc_bytes(tx.body_bytes, tx.auth_info_bytes, self.chain_id, account.number)
        if not verify(key, doc, tx.signature):
            reason = "unable to verify single signer signature"
            return Rejection(4, _signature_log(account.number, self.chain_id, reason))
        return None

    # -- messages --------------------------------------------------------------------------------

    def execute(self, tx: ParsedTx, *, commit: bool) -> Rejection | None:
        """Run the tx's ``MsgSend`` after the ante handler passed; ``commit`` moves the coins."""
        if not tx.recipient:
            return None
        sender = self._accounts[tx.signer]
        # Delivery runs after the fee left the account; a simulation has to take it off itself.
        fee = {} if commit else dict(tx.fee)
        for denom, amount in tx.amount:
            have = sender.balances.get(denom, 0) - fee.get(denom, 0)
            if have < amount:
                log = (
                    "failed to execute message; message index: 0: spendable balance "
                    f"{_spendable_text(have, denom)} is smaller than {amount}{denom}: insufficient funds"
                )
                return Rejection(5, log)
        if commit:
            recipient = self._accounts.get(tx.recipient) or self.create(tx.recipient)
            for denom, amount in tx.amount:
                sender.balances[denom] -= amount
                recipient.balances[denom] = recipient.balances.get(denom, 0) + amount
        return None
