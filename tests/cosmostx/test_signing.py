"""Transactions: the bytes ``build_msg_send`` makes equal the SDK CLI's, and cosmjs' txs verify."""

from __future__ import annotations

from chainpb.cosmos.bank.v1beta1 import tx_pb2 as bank_tx_pb2
from chainpb.cosmos.tx.v1beta1 import tx_pb2
from cosmostx import Fee, build_msg_send, key_from_mnemonic, sign_doc_bytes, tx_hash, verify
from tests.cosmostx import vectors


def _faucet_send(sequence: int, *, chain_id: str = vectors.CHAIN_ID, memo: str = "") -> bytes:
    return build_msg_send(
        key_from_mnemonic(vectors.FAUCET_MNEMONIC),
        chain_id=chain_id,
        account_number=vectors.ACCOUNT_NUMBER,
        sequence=sequence,
        from_address=vectors.FAUCET_ADDRESS,
        to_address=vectors.RECIPIENT,
        amount=vectors.SEND_AMOUNT,
        denom=vectors.DENOM,
        fee=Fee(vectors.FEE_AMOUNT, vectors.DENOM, vectors.GAS_LIMIT),
        memo=memo,
    )


def test_msg_send_equals_the_sdk_cli_signed_tx() -> None:
    assert _faucet_send(0).hex() == vectors.SDK_SIGNED_TX_HEX


def test_cosmjs_txs_verify_over_the_sign_doc_we_rebuild() -> None:
    key = key_from_mnemonic(vectors.FAUCET_MNEMONIC)
    for sequence, signed_hex, sign_bytes_hex in vectors.COSMJS_TXS:
        raw = tx_pb2.TxRaw.FromString(bytes.fromhex(signed_hex))
        doc = sign_doc_bytes(raw.body_bytes, raw.auth_info_bytes, vectors.CHAIN_ID, vectors.ACCOUNT_NUMBER)
        assert doc.hex() == sign_bytes_hex
        assert verify(key.public_key, doc, raw.signatures[0])
        assert tx_pb2.AuthInfo.FromString(raw.auth_info_bytes).signer_infos[0].sequence == sequence
        wrong_chain = sign_doc_bytes(raw.body_bytes, raw.auth_info_bytes, "other", vectors.ACCOUNT_NUMBER)
        assert not verify(key.public_key, wrong_chain, raw.signatures[0])


def test_fields_land_where_the_sdk_reads_them() -> None:
    raw = tx_pb2.TxRaw.FromString(_faucet_send(5, memo="probe"))
    body = tx_pb2.TxBody.FromString(raw.body_bytes)
    auth = tx_pb2.AuthInfo.FromString(raw.auth_info_bytes)
    send = bank_tx_pb2.MsgSend.FromString(body.messages[0].value)
    assert body.messages[0].type_url == "/cosmos.bank.v1beta1.MsgSend" and body.memo == "probe"
    assert (send.from_address, send.to_address) == (vectors.FAUCET_ADDRESS, vectors.RECIPIENT)
    assert [(c.denom, c.amount) for c in send.amount] == [(vectors.DENOM, str(vectors.SEND_AMOUNT))]
    signer = auth.signer_infos[0]
    assert signer.sequence == 5 and signer.mode_info.single.mode == 1  # SIGN_MODE_DIRECT
    assert signer.public_key.type_url == "/cosmos.crypto.secp256k1.PubKey"
    assert auth.fee.gas_limit == vectors.GAS_LIMIT
    assert [(c.denom, c.amount) for c in auth.fee.amount] == [(vectors.DENOM, str(vectors.FEE_AMOUNT))]


def test_tx_hash_is_uppercase_sha256() -> None:
    # sha256("") as every implementation prints it.
    assert tx_hash(b"") == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
