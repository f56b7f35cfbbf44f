"""Block times as the two APIs print them: Go's RFC3339Nano on :26657, protobuf JSON on :1317."""

from __future__ import annotations

import time

_NS = 1_000_000_000


def _seconds_part(time_ns: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time_ns // _NS))


def rfc3339_nano(time_ns: int) -> str:
    """Go ``time.RFC3339Nano`` in UTC: nanoseconds with trailing zeros trimmed, none when whole.

    >>> rfc3339_nano(1_700_000_000_120_000_000)
    '2023-11-14T22:13:20.12Z'
    """
    fraction = f"{time_ns % _NS:09d}".rstrip("0")
    return f"{_seconds_part(time_ns)}{'.' + fraction if fraction else ''}Z"


def rfc3339_proto(time_ns: int) -> str:
    """A ``google.protobuf.Timestamp`` in JSON: 0, 3, 6 or 9 fraction digits.

    >>> rfc3339_proto(1_700_000_000_120_000_000)
    '2023-11-14T22:13:20.120Z'
    """
    nanos = time_ns % _NS
    if nanos == 0:
        fraction = ""
    elif nanos % 1_000_000 == 0:
        fraction = f".{nanos // 1_000_000:03d}"
    elif nanos % 1000 == 0:
        fraction = f".{nanos // 1000:06d}"
    else:
        fraction = f".{nanos:09d}"
    return f"{_seconds_part(time_ns)}{fraction}Z"


def rfc3339_seconds(time_ns: int) -> str:
    """Go ``time.RFC3339`` (whole seconds), as the SDK fills ``TxResponse.timestamp``."""
    return f"{_seconds_part(time_ns)}Z"
