"""Bech32 addresses and transaction bytes: round trips and rejection of bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testbed import account_address, build_tx, parse_tx, tx_hash
from testbed.addresses import decode, encode
from testbed.transactions import TxDecodeError


def test_known_vector() -> None:
    payload = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    assert encode("cosmos", payload) == "cosmos1w508d6qejxtdg4y5r3zarvary0c5xw7k6ah60c"


@given(st.binary(min_size=20, max_size=32))
def test_round_trip(payload: bytes) -> None:
    assert decode(encode("akash", payload), "akash") == payload


def test_bad_addresses_are_refused() -> None:
    good = account_address("alice")
    with pytest.raises(ValueError, match="invalid checksum"):
        decode(good[:-1] + ("q" if good[-1] != "q" else "p"), "akash")
    with pytest.raises(ValueError, match="expected akash, got cosmos"):
        decode(encode("cosmos", b"\x01" * 20), "akash")


def test_tx_round_trip_and_hash() -> None:
    raw = build_tx(account_address("bob"), 7, amount=42, memo="m")
    parsed = parse_tx(raw)
    assert (parsed.signer, parsed.sequence, parsed.amount, parsed.fee) == (
        account_address("bob"),
        7,
        42,
        5000,
    )
    assert len(tx_hash(raw)) == 64 and tx_hash(raw) == tx_hash(raw).upper()


@given(st.binary(max_size=64))
def test_arbitrary_bytes_never_parse_into_a_signed_tx(data: bytes) -> None:
    with pytest.raises(TxDecodeError) as error:
        parse_tx(data)
    assert error.value.code in (2, 15, 18)
