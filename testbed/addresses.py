"""Bech32 addresses (BIP-173), as the SDK prints accounts (``akash1…``) and consensus keys (``…valcons1…``).

The testbed only encodes and checks them; it never derives them from keys, so no RIPEMD-160 is needed.
"""

from __future__ import annotations

import hashlib

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_GENERATOR):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def _expand_prefix(prefix: str) -> list[int]:
    return [ord(c) >> 5 for c in prefix] + [0] + [ord(c) & 31 for c in prefix]


def _regroup(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    mask = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & mask)
    if pad and bits:
        out.append((acc << (to_bits - bits)) & mask)
    elif not pad and (bits >= from_bits or (acc << (to_bits - bits)) & mask):
        raise ValueError("invalid padding")
    return out


def encode(prefix: str, payload: bytes) -> str:
    """The bech32 string for ``payload`` under human-readable ``prefix``."""
    data = _regroup(payload, 8, 5, pad=True)
    checksum = _polymod([*_expand_prefix(prefix), *data, 0, 0, 0, 0, 0, 0]) ^ 1
    data += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    return prefix + "1" + "".join(_CHARSET[d] for d in data)


def decode(address: str, prefix: str) -> bytes:
    """The payload of a bech32 address with this prefix; ValueError names what is wrong, as the SDK does."""
    if address.lower() != address and address.upper() != address:
        raise ValueError("decoding bech32 failed: string not all lowercase or all uppercase")
    text = address.lower()
    sep = text.rfind("1")
    if sep < 1 or len(text) - sep < 7:
        raise ValueError("decoding bech32 failed: invalid separator index")
    hrp, rest = text[:sep], text[sep + 1 :]
    if any(c not in _CHARSET for c in rest):
        raise ValueError("decoding bech32 failed: invalid character not part of charset")
    data = [_CHARSET.index(c) for c in rest]
    if _polymod([*_expand_prefix(hrp), *data]) != 1:
        raise ValueError("decoding bech32 failed: invalid checksum")
    if hrp != prefix:
        raise ValueError(f"invalid Bech32 prefix; expected {prefix}, got {hrp}")
    return bytes(_regroup(data[:-6], 5, 8, pad=False))


def account_address(name: str, prefix: str = "akash") -> str:
    """A stable, valid account address for a name (test and load accounts need many)."""
    return encode(prefix, hashlib.sha256(name.encode()).digest()[:20])
