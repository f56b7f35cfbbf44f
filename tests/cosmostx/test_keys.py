"""Key derivation, addresses and signatures against keys and signatures other Cosmos tooling published."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cosmostx import (
    DEFAULT_HD_PATH,
    decode_address,
    dev_accounts,
    encode_address,
    key_from_mnemonic,
    sign_doc_bytes,
    verify,
)
from tests.cosmostx import vectors

# secp256k1 group order: s and n - s verify alike in plain ECDSA; the SDK accepts only the low one.
_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def test_cosmjs_wallet_vector() -> None:
    key = key_from_mnemonic(vectors.WALLET_MNEMONIC)
    assert key.public_key.hex() == vectors.WALLET_PUBKEY_HEX
    assert key.address("cosmos") == vectors.WALLET_ADDRESS
    assert DEFAULT_HD_PATH == "m/44'/118'/0'/0/0"


def test_cosmjs_faucet_vector() -> None:
    key = key_from_mnemonic(vectors.FAUCET_MNEMONIC)
    assert base64.b64encode(key.public_key).decode() == vectors.FAUCET_PUBKEY_B64
    assert key.address("cosmos") == vectors.FAUCET_ADDRESS
    assert len(key.private_key) == 32


def test_other_derivation_paths_give_other_keys() -> None:
    keys = {
        key_from_mnemonic(vectors.WALLET_MNEMONIC, account=a, index=i).public_key
        for a in range(2)
        for i in range(2)
    }
    assert len(keys) == 4


def test_mnemonic_whitespace_is_normalised_and_bad_ones_refused() -> None:
    spaced = "  " + vectors.WALLET_MNEMONIC.replace(" ", "\n ") + "\n"
    assert key_from_mnemonic(spaced) == key_from_mnemonic(vectors.WALLET_MNEMONIC)
    with pytest.raises(ValueError, match="invalid mnemonic"):
        key_from_mnemonic(vectors.WALLET_MNEMONIC.replace("ceiling", "zoo"))  # checksum
    with pytest.raises(ValueError, match="invalid mnemonic"):
        key_from_mnemonic("not a mnemonic at all")


def test_sdk_cli_signature_is_reproduced() -> None:
    """RFC 6979 makes signing deterministic, so our signature must equal the SDK CLI's byte for byte."""
    key = key_from_mnemonic(vectors.FAUCET_MNEMONIC)
    doc = bytes.fromhex(vectors.SDK_SIGN_BYTES_HEX)
    assert key.sign(doc).hex() == vectors.SDK_SIGNATURE_HEX
    assert verify(key.public_key, doc, bytes.fromhex(vectors.SDK_SIGNATURE_HEX))


def test_high_s_and_malformed_signatures_are_refused() -> None:
    key = key_from_mnemonic(vectors.FAUCET_MNEMONIC)
    doc = bytes.fromhex(vectors.SDK_SIGN_BYTES_HEX)
    signature = key.sign(doc)
    r, s = signature[:32], int.from_bytes(signature[32:], "big")
    assert s <= _ORDER // 2
    assert not verify(key.public_key, doc, r + (_ORDER - s).to_bytes(32, "big"))
    assert not verify(key.public_key, doc, signature[:63])
    assert not verify(key.public_key, doc, b"\xff" * 64)
    assert not verify(b"\x02" + b"\x00" * 32, doc, signature)
    assert not verify(key.public_key, doc + b"\x00", signature)


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0, max_value=63), st.integers(1, 255))
def test_any_flipped_byte_fails_verification(doc: bytes, position: int, flip: int) -> None:
    key = key_from_mnemonic(vectors.WALLET_MNEMONIC)
    signature = bytearray(key.sign(doc))
    assert verify(key.public_key, doc, bytes(signature))
    signature[position] ^= flip
    assert not verify(key.public_key, doc, bytes(signature))


def test_sign_doc_changes_with_chain_and_account_number() -> None:
    body, auth = bytes.fromhex(vectors.SDK_BODY_HEX), bytes.fromhex(vectors.SDK_AUTH_INFO_HEX)
    docs = {
        sign_doc_bytes(body, auth, chain, number)
        for chain in ("simd-testing", "other-chain")
        for number in (0, 1)
    }
    assert len(docs) == 4
    assert sign_doc_bytes(body, auth, "simd-testing", 1).hex() == vectors.SDK_SIGN_BYTES_HEX


def test_bech32_vectors_and_errors() -> None:
    # BIP-173's P2WPKH program under the cosmos prefix, as the Go bech32 package encodes it.
    payload = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    assert encode_address("cosmos", payload) == "cosmos1w508d6qejxtdg4y5r3zarvary0c5xw7k6ah60c"
    assert (
        decode_address(vectors.FAUCET_ADDRESS, "cosmos").hex() == "0d82b1e7c96dbfa42462fe612932e6bff111d51b"
    )
    with pytest.raises(ValueError, match="checksum"):
        decode_address(vectors.FAUCET_ADDRESS[:-1] + "7", "cosmos")
    with pytest.raises(ValueError, match="expected akash, got cosmos"):
        decode_address(vectors.FAUCET_ADDRESS, "akash")
    with pytest.raises(ValueError, match="decoding bech32 failed"):
        decode_address("cosmos1b", "cosmos")


@given(st.binary(min_size=20, max_size=32))
def test_address_round_trip(payload: bytes) -> None:
    assert decode_address(encode_address("akash", payload), "akash") == payload


def test_dev_accounts_are_deterministic_and_distinct() -> None:
    first = dev_accounts(3, prefix="akash")
    assert first == dev_accounts(3, prefix="akash")
    assert len({account.address for account in first}) == 3
    assert dev_accounts(1, prefix="akash", seed="other") != first[:1]
    for account in first:
        assert len(account.mnemonic.split()) == 24
        assert key_from_mnemonic(account.mnemonic) == account.key
        assert account.address == account.key.address("akash") and account.address.startswith("akash1")
    assert dev_accounts(0, prefix="akash") == []
