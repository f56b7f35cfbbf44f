"""CPU seconds of other processes, read from ``/proc`` (``getrusage`` sees only this one and its
children once they have exited): a server under load, or a server and the workers it forked."""

from __future__ import annotations

import os
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces); None once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def process_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (fields 14 and 15 of /proc/PID/stat); 0 once gone."""
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and every live process under it (an exporter and its workers)."""
    parents: dict[int, int] = {}
    seconds: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(entry.name) if entry.name.isdigit() else None
        if fields is not None:
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            seconds[pid] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    tree, below = {root}, {root}
    while below:
        below = {pid for pid, parent in parents.items() if parent in below} - tree
        tree |= below
    return sum(seconds.get(pid, 0.0) for pid in tree)
