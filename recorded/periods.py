"""Instants and periods on the command line: ``2026-11-30T12:00:00Z`` or Unix seconds, and ``2026-11``.

A month period runs from its first midnight to the next month's, in UTC; ``--from``/``--to`` give any
other span. Both are half-open, ``[start, end)``, so consecutive months never share a second.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_time", "month_period", "parse_time", "previous_period"]


def parse_time(text: str) -> float:
    """Unix seconds from RFC 3339 / ISO 8601 (UTC unless it says otherwise) or a bare number."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        expected = "expected e.g. 2026-11-30T12:00:00Z or Unix seconds"
        raise ValueError(f"{text!r} is not a time: {expected}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def format_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_period(text: str) -> tuple[float, float]:
    """``2026-11`` → the start of 1 November and of 1 December 2026, UTC, in Unix seconds."""
    try:
        first = datetime.strptime(text, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{text!r} is not a month: expected YYYY-MM, e.g. 2026-11") from None
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return first.timestamp(), following.timestamp()


def previous_period(start: float, end: float, month: str | None = None) -> tuple[float, float]:
    """The trend's baseline: the previous calendar month for a month, else the same length just before."""
    if month is not None:
        before = datetime.fromtimestamp(start - 86400.0, UTC)
        return month_period(before.strftime("%Y-%m"))
    return start - (end - start), start
