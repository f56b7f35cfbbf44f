"""Keys and addresses as Cosmos wallets make them: BIP-39 mnemonic → BIP-32/44 secp256k1 key → bech32.

Derivation, mnemonics and bech32 come from ``bip-utils`` and the curve from ``coincurve``
(libsecp256k1), so nothing here is hand-written cryptography. ``Key.sign`` gives what the SDK's
``secp256k1.PrivKey.Sign`` gives: a 64-byte ``r‖s`` over sha256 of the message, RFC 6979
deterministic and low-S; ``verify`` refuses high-S signatures as the SDK does. ``bip_utils`` loads
the address codecs of every coin it knows when imported (most of a second), so the functions that
need it import it, keeping ``import cosmostx`` and the verifying path cheap.

>>> key = key_from_mnemonic(" ".join(["abandon"] * 23 + ["art"]))
>>> key.address("akash").startswith("akash1")
True
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

import coincurve
from coincurve.ecdsa import cdata_to_der, deserialize_compact

DEFAULT_HD_PATH = "m/44'/118'/0'/0/0"
SIGNATURE_BYTES = 64


def _bip() -> ModuleType:
    """``bip_utils``, imported on first use (see the module docstring)."""
    return importlib.import_module("bip_utils")


@dataclass(frozen=True)
class Key:
    """A secp256k1 account key: 32-byte private key and 33-byte compressed public key."""

    private_key: bytes
    public_key: bytes
    # Parsing the secret derives its public point, which costs more than a signature: keep it.
    _signer: coincurve.PrivateKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_signer", coincurve.PrivateKey(self.private_key))

    def address(self, prefix: str) -> str:
        """The account address: bech32(prefix, ripemd160(sha256(public_key)))."""
        return public_key_address(self.public_key, prefix)

    def sign(self, sign_doc: bytes) -> bytes:
        """The 64-byte compact ``r‖s`` signature (low-S, RFC 6979) over sha256(sign_doc)."""
        recoverable = self._signer.sign_recoverable(sign_doc)
        return recoverable[:SIGNATURE_BYTES]


@dataclass(frozen=True)
class DevAccount:
    """A deterministic development account: its mnemonic, key and address."""

    mnemonic: str
    key: Key
    address: str


def key_from_mnemonic(mnemonic: str, *, account: int = 0, index: int = 0) -> Key:
    """The key at ``m/44'/118'/account'/0/index`` of a BIP-39 mnemonic (no passphrase), as the SDK's
    keyring and cosmjs derive it; raises ValueError for a mnemonic that is not valid BIP-39 English."""
    bip = _bip()
    words = " ".join(mnemonic.split())
    if not bip.Bip39MnemonicValidator(bip.Bip39Languages.ENGLISH).IsValid(words):
        raise ValueError("invalid mnemonic: not a valid BIP-39 English phrase (word list or checksum)")
    if account < 0 or index < 0:
        raise ValueError("account and index must not be negative")
    seed = bip.Bip39SeedGenerator(words, bip.Bip39Languages.ENGLISH).Generate()
    node = bip.Bip32Slip10Secp256k1.FromSeedAndPath(seed, f"m/44'/118'/{account}'/0/{index}")
    return Key(
        private_key=bytes(node.PrivateKey().Raw().ToBytes()),
        public_key=bytes(node.PublicKey().RawCompressed().ToBytes()),
    )


def dev_accounts(count: int, *, prefix: str, seed: str = "slo-harness dev") -> list[DevAccount]:
    """``count`` reproducible accounts: account i's 24-word mnemonic encodes sha256(f"{seed}/{i}").

    Anyone can recompute these keys, so they are for test chains only.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    return [_dev_account(seed, i, prefix) for i in range(count)]


@cache
def _dev_account(seed: str, i: int, prefix: str) -> DevAccount:
    # Derivation takes milliseconds (PBKDF2, five BIP-32 steps) and testbeds ask for the same ones.
    bip = _bip()
    mnemonic = str(
        bip.Bip39MnemonicEncoder(bip.Bip39Languages.ENGLISH).Encode(
            hashlib.sha256(f"{seed}/{i}".encode()).digest()
        )
    )
    key = key_from_mnemonic(mnemonic)
    return DevAccount(mnemonic=mnemonic, key=key, address=key.address(prefix))


def verify(public_key: bytes, sign_doc: bytes, signature: bytes) -> bool:
    """True when ``signature`` (64-byte ``r‖s``, low-S) signs sha256(sign_doc) under ``public_key``,
    as the SDK's ``secp256k1.PubKey.VerifySignature`` decides."""
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        der = cdata_to_der(deserialize_compact(signature))
        return bool(coincurve.PublicKey(public_key).verify(der, sign_doc))
    except (ValueError, TypeError):
        return False


def public_key_address(public_key: bytes, prefix: str) -> str:
    """The account address of a compressed secp256k1 public key: bech32(prefix, ripemd160(sha256(key)))."""
    return str(_bip().AtomAddrEncoder.EncodeKey(public_key, hrp=prefix))


def encode_address(prefix: str, payload: bytes) -> str:
    """The bech32 string of ``payload`` under ``prefix`` (accounts ``akash1…``, ``…valcons1…``)."""
    return str(_bip().Bech32Encoder.Encode(prefix, payload))


def decode_address(address: str, prefix: str) -> bytes:
    """The payload of a bech32 address with this prefix; ValueError names what is wrong, in the
    SDK's words where they differ only in wording."""
    hrp = address.lower().rpartition("1")[0]
    if hrp != prefix:
        raise ValueError(f"invalid Bech32 prefix; expected {prefix}, got {hrp}")
    bip = _bip()
    try:
        return bytes(bip.Bech32Decoder.Decode(prefix, address))
    except (bip.Bech32ChecksumError, ValueError) as exc:
        raise ValueError(f"decoding bech32 failed: {exc}") from None
