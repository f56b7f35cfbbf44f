"""Accounts, fees and signatures in the testbed, against txs signed by other Cosmos clients.

The cosmjs and SDK-CLI vectors (``tests/cosmostx/vectors.py``) were signed for chain ``simd-testing``,
account number 1, prefix ``cosmos``, denom ``ucosm``: a testbed with one dev account (number 0)
and the faucet as its next genesis account (number 1) must accept them as a real node would.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chainpb.cosmos.tx.v1beta1 import tx_pb2
from cosmostx import Fee, Key, build_msg_send, dev_accounts, key_from_mnemonic, sign_tx
from testbed import ChainModel, FaultBoard, GenesisAccount, ManualClock, TestbedConfig, parse_tx
from testbed.chain.transactions import TxDecodeError
from tests.cosmostx import vectors

SECOND = 1_000_000_000
FUNDS = 10_000_000
SIMD = TestbedConfig(
    chain_id=vectors.CHAIN_ID,
    bech32_prefix="cosmos",
    denom=vectors.DENOM,
    accounts=1,
    genesis_accounts=(GenesisAccount(address=vectors.FAUCET_ADDRESS, balances={vectors.DENOM: FUNDS}),),
)


def _chain(config: TestbedConfig = SIMD) -> ChainModel:
    chain = ChainModel(config, FaultBoard(ManualClock().monotonic, np.random.default_rng(1)))
    chain.produce_block(SECOND)
    return chain


def _faucet_tx(
    sequence: int, *, chain_id: str = vectors.CHAIN_ID, account_number: int = 1, **kw: int
) -> bytes:
    return build_msg_send(
        key_from_mnemonic(vectors.FAUCET_MNEMONIC),
        chain_id=chain_id,
        account_number=account_number,
        sequence=sequence,
        from_address=vectors.FAUCET_ADDRESS,
        to_address=vectors.RECIPIENT,
        amount=kw.get("amount", vectors.SEND_AMOUNT),
        denom=vectors.DENOM,
        fee=Fee(kw.get("fee", vectors.FEE_AMOUNT), vectors.DENOM, vectors.GAS_LIMIT),
    )


def _send_by(key: Key, sender: str, *, account_number: int) -> bytes:
    return build_msg_send(
        key,
        chain_id=vectors.CHAIN_ID,
        account_number=account_number,
        sequence=0,
        from_address=sender,
        to_address=vectors.RECIPIENT,
        amount=1,
        denom=vectors.DENOM,
        fee=Fee(1, vectors.DENOM, vectors.GAS_LIMIT),
    )


def _signature_log(number: int = 1, chain_id: str = vectors.CHAIN_ID) -> str:
    return (
        f"signature verification failed; please verify account number ({number}) and chain-id "
        f"({chain_id}): (unable to verify single signer signature): unauthorized"
    )


def test_txs_signed_by_cosmjs_are_accepted_and_delivered() -> None:
    chain = _chain()
    assert chain.ledger.account(vectors.FAUCET_ADDRESS).number == 1  # type: ignore[union-attr]
    for _, signed_hex, _ in vectors.COSMJS_TXS:
        result = chain.check_tx(bytes.fromhex(signed_hex))
        assert (result.code, result.log) == (0, "")
    block = chain.produce_block(2 * SECOND)
    assert block is not None and [r.code for r in block.results] == [0, 0, 0]
    spent = 3 * (vectors.SEND_AMOUNT + vectors.FEE_AMOUNT)
    assert chain.balance(vectors.FAUCET_ADDRESS) == FUNDS - spent
    assert chain.balance(vectors.RECIPIENT) == 3 * vectors.SEND_AMOUNT
    recipient = chain.ledger.account(vectors.RECIPIENT)
    assert recipient is not None and recipient.number == 2  # created by its first coins


def test_the_sdk_clis_signed_tx_is_accepted() -> None:
    chain = _chain()
    assert chain.check_tx(bytes.fromhex(vectors.SDK_SIGNED_TX_HEX)).code == 0


@pytest.mark.parametrize("signer", ["cosmjs", "cosmostx"])
@pytest.mark.parametrize("position", [0, 17, 63])
def test_one_flipped_signature_byte_is_code_4_with_the_sdk_text(signer: str, position: int) -> None:
    signed = bytes.fromhex(vectors.COSMJS_TXS[0][1]) if signer == "cosmjs" else _faucet_tx(0)
    raw = tx_pb2.TxRaw.FromString(signed)
    assert _chain().check_tx(signed).code == 0
    signature = bytearray(raw.signatures[0])
    signature[position] ^= 0x01
    raw.signatures[0] = bytes(signature)
    chain = _chain()
    result = chain.check_tx(raw.SerializeToString())
    assert (result.code, result.codespace, result.log) == (4, "sdk", _signature_log())
    assert len(chain.mempool) == 0
    unchecked = _chain(SIMD.model_copy(update={"verify_signatures": False}))
    assert unchecked.check_tx(raw.SerializeToString()).code == 0


@pytest.mark.parametrize("signed_for", [{"chain_id": "other-chain"}, {"account_number": 0}])
def test_signing_for_another_chain_or_account_number_is_code_4(signed_for: dict[str, object]) -> None:
    result = _chain().check_tx(_faucet_tx(0, **signed_for))  # type: ignore[arg-type]
    assert (result.code, result.log) == (4, _signature_log())


def test_a_first_tx_without_public_key_is_refused_and_a_later_one_is_not() -> None:
    key = key_from_mnemonic(vectors.FAUCET_MNEMONIC)
    signed = tx_pb2.TxRaw.FromString(_faucet_tx(0))
    auth = tx_pb2.AuthInfo.FromString(signed.auth_info_bytes)
    auth.signer_infos[0].ClearField("public_key")
    keyless = auth.SerializeToString()
    chain = _chain()
    first = sign_tx(key, signed.body_bytes, keyless, chain_id=vectors.CHAIN_ID, account_number=1)
    result = chain.check_tx(first)
    # The SDK's SigVerificationDecorator: code 8, not 4, when neither the account nor the tx has a key.
    assert (result.code, result.log) == (8, "pubkey on account is not set: invalid pubkey")
    assert chain.check_tx(_faucet_tx(0)).code == 0
    auth.signer_infos[0].sequence = 1
    later = sign_tx(
        key, signed.body_bytes, auth.SerializeToString(), chain_id=vectors.CHAIN_ID, account_number=1
    )
    assert chain.check_tx(later).code == 0


def test_a_key_that_is_not_the_senders_is_code_8() -> None:
    stranger = dev_accounts(1, prefix="cosmos", seed="stranger")[0].key
    raw = _send_by(stranger, vectors.FAUCET_ADDRESS, account_number=1)
    result = _chain().check_tx(raw)
    expected = (
        f"pubKey does not match signer address {vectors.FAUCET_ADDRESS} with signer index: 0: invalid pubkey"
    )
    assert (result.code, result.log) == (8, expected)


def test_an_unknown_sender_is_code_9() -> None:
    nobody = dev_accounts(1, prefix="cosmos", seed="nobody")[0]
    raw = _send_by(nobody.key, nobody.address, account_number=0)
    result = _chain().check_tx(raw)
    assert (result.code, result.log) == (
        9,
        f"fee payer address: {nobody.address} does not exist: unknown address",
    )


def test_fees_pending_in_the_mempool_count_against_the_balance() -> None:
    config = SIMD.model_copy(
        update={
            "genesis_accounts": (
                GenesisAccount(address=vectors.FAUCET_ADDRESS, balances={vectors.DENOM: 5000}),
            )
        }
    )
    chain = _chain(config)
    assert chain.check_tx(_faucet_tx(0, amount=1, fee=3000)).code == 0
    result = chain.check_tx(_faucet_tx(1, amount=1, fee=3000))
    expected = "spendable balance 2000ucosm is smaller than 3000ucosm: insufficient funds: insufficient funds"
    assert (result.code, result.log) == (5, expected)
    block = chain.produce_block(2 * SECOND)
    assert block is not None and [r.code for r in block.results] == [0]
    assert chain.balance(vectors.FAUCET_ADDRESS) == 5000 - 3001
    empty = chain.check_tx(_faucet_tx(1, amount=1, fee=3000))
    assert empty.log.startswith("spendable balance 1999ucosm is smaller")


def test_genesis_accounts_are_checked_when_the_config_loads() -> None:
    with pytest.raises(ValidationError, match="exactly one of address or mnemonic"):
        GenesisAccount()
    with pytest.raises(ValidationError, match="invalid mnemonic"):
        GenesisAccount(mnemonic="not a mnemonic")
    with pytest.raises(ValidationError, match="expected akash, got cosmos"):
        TestbedConfig(genesis_accounts=(GenesisAccount(address=vectors.FAUCET_ADDRESS),))
    named = GenesisAccount(mnemonic=vectors.FAUCET_MNEMONIC)
    assert named.account_address("cosmos") == vectors.FAUCET_ADDRESS
    with pytest.raises(ValidationError, match="duplicate account found in genesis state"):
        TestbedConfig(bech32_prefix="cosmos", genesis_accounts=(named, named))
    dev = dev_accounts(1, prefix="akash")[0]
    with pytest.raises(ValidationError, match="duplicate account found in genesis state"):
        TestbedConfig(accounts=1, genesis_accounts=(GenesisAccount(address=dev.address),))
    twice = SIMD.model_copy(update={"genesis_accounts": (named, named)})  # skips validation
    with pytest.raises(ValueError, match="duplicate account found in genesis state"):
        _chain(twice)


@given(st.binary(max_size=64))
def test_arbitrary_bytes_never_parse_into_a_signed_tx(data: bytes) -> None:
    with pytest.raises(TxDecodeError) as error:
        parse_tx(data)
    assert error.value.code in (2, 8, 15, 18)
