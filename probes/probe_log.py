"""The log of one probe, which ``debug=true``, ``/history`` and ``/logs`` show.

Records are kept raw and formatted only when someone reads them, because formatting timestamps for
every probe costs more than the probe's own bookkeeping. It is its own module, below the module
config, so that the JSON assertions (which the config parses and the probers log) need nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from probes.result import LogRecord

__all__ = ["ProbeLog"]


class ProbeLog:
    """The per-probe log that ``debug=true`` shows; cheap to write, formatted only on demand."""

    def __init__(self, caller: str, wall_clock: Callable[[], float] = time.time) -> None:
        self.caller = caller
        self._wall = wall_clock
        self._records: list[LogRecord] = []

    def _add(self, level: str, message: str, fields: dict[str, object]) -> None:
        self._records.append(LogRecord(self._wall(), level, self.caller, message, tuple(fields.items())))

    def debug(self, message: str, **fields: object) -> None:
        self._add("debug", message, fields)

    def info(self, message: str, **fields: object) -> None:
        self._add("info", message, fields)

    def warn(self, message: str, **fields: object) -> None:
        self._add("warn", message, fields)

    def error(self, message: str, **fields: object) -> None:
        self._add("error", message, fields)

    @property
    def records(self) -> tuple[LogRecord, ...]:
        return tuple(self._records)
