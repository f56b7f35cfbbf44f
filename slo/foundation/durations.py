"""Duration strings as Prometheus writes them ("28d", "1h30m", "250ms"), so every file reads alike."""

from __future__ import annotations

import math
import re

_UNIT_SECONDS = {
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 7 * 86400.0,
    "y": 365 * 86400.0,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")


def parse_duration(text: str | float | int) -> float:
    """Seconds in a Prometheus-style duration; a bare number is already seconds.

    >>> parse_duration("1h30m")
    5400.0
    """
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise ValueError(f"duration must be finite: {text!r}")
        if text < 0:
            raise ValueError(f"duration must not be negative: {text!r}")
        return float(text)
    s = text.strip()
    if not s:
        raise ValueError("empty duration")
    try:
        value = float(s)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise ValueError(f"duration must be finite: {text!r}")
        if value < 0:
            raise ValueError(f"duration must not be negative: {text!r}")
        return value
    pos = 0
    total = 0.0
    for match in _PART.finditer(s):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(s) or pos == 0:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 30s, 5m, 1h30m, 28d)")
    if not math.isfinite(total):
        raise ValueError(f"duration must be finite: {text!r}")
    return total


def positive_duration(text: str, option: str) -> float:
    """A duration option that must be longer than zero; the ValueError says ``option: reason``."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise ValueError(f"{option}: {exc}") from None
    if seconds <= 0:
        raise ValueError(f"{option}: must be longer than zero")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact Prometheus duration for whole seconds, else seconds with a fraction.

    >>> format_duration(5400)
    '1h30m'
    """
    if seconds < 0:
        raise ValueError(f"duration must not be negative: {seconds!r}")
    if seconds == 0:
        return "0s"
    if seconds != int(seconds):
        return f"{seconds:g}s"
    rest = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
