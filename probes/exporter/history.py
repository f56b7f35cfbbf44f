"""Recent probe results for ``/history`` (JSON) and ``/logs``: blackbox_exporter's history, as data.

BBE keeps the last ``--history.limit`` results and, separately, failures pushed out of that window,
so a burst of successes cannot hide the last failure; it shows them only as an HTML table. This
keeps the same two lists and serves them as JSON (a stable, documented shape).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from probes.result import ProbeResult

__all__ = ["HistoryEntry", "ProbeHistory"]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    module: str
    target: str
    wall_time: float
    result: ProbeResult

    def as_json(self) -> dict[str, Any]:
        """``{id, module, target, time, success, duration_seconds, failure_reason, message}``."""
        return {
            "id": self.id,
            "module": self.module,
            "target": self.target,
            "time": datetime.fromtimestamp(self.wall_time, UTC).isoformat().replace("+00:00", "Z"),
            "success": self.result.success,
            "duration_seconds": self.result.duration_seconds,
            "failure_reason": None if self.result.failure is None else self.result.failure.value,
            "message": self.result.message,
        }


class ProbeHistory:
    """The last ``limit`` probes, plus up to ``limit`` older failures that fell out of that window."""

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self._next_id = 0
        self._recent: deque[HistoryEntry] = deque(maxlen=limit)
        self._old_failures: deque[HistoryEntry] = deque(maxlen=limit)

    def add(self, module: str, target: str, wall_time: float, result: ProbeResult) -> int:
        if self.limit == 0:
            return -1
        entry = HistoryEntry(self._next_id, module, target, wall_time, result)
        self._next_id += 1
        if len(self._recent) == self.limit:
            dropped = self._recent[0]
            if not dropped.result.success:
                self._old_failures.append(dropped)
        self._recent.append(entry)
        return entry.id

    def entries(self) -> list[HistoryEntry]:
        """Newest first: the recent window, then the older failures."""
        return [*reversed(self._recent), *reversed(self._old_failures)]

    def get(self, entry_id: int) -> HistoryEntry | None:
        return next((e for e in self.entries() if e.id == entry_id), None)

    def latest(self, module: str, target: str) -> HistoryEntry | None:
        return next((e for e in self.entries() if e.module == module and e.target == target), None)
