"""The clock seam: chain time and fault windows read time through a ``Clock``, so tests can drive it.

``SystemClock`` is the real one. ``ManualClock`` moves only when told, which lets a test produce a
hundred blocks or step through a fault's window without sleeping.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Wall time (for block header times) and monotonic time (for intervals and fault windows)."""

    def time(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...


class SystemClock:
    """The process clocks."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that stands still until ``advance`` moves it.

    >>> clock = ManualClock(start=1_700_000_000.0)
    >>> clock.advance(6.0)
    >>> clock.time()
    1700000006.0
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._start = start
        self._elapsed = 0.0

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._elapsed += seconds

    def time(self) -> float:
        return self._start + self._elapsed

    def monotonic(self) -> float:
        return self._elapsed
