"""Scheduled probe results on disk (SQLite, WAL), kept for the longest SLO window and read back as counts.

The SLO view needs every result of the last 28 days after a restart, so results go to a file rather
than to memory. The view only ever asks "how many good and how many in total, per time step", so
the store answers exactly that with one ``GROUP BY`` per series instead of handing rows back.

``slo_bindings`` says which SLO each (target, module) measures, as the exporter's config had it, so
a reader given only the file (``slo-harness gate --store``) knows which series is which SLO.

Two tables of results: ``results`` has one row per probe (success, reason, the times that show
scheduling lag); ``observations`` has one row per latency the probe measured (block intervals, a
tx's confirmation time, or the probe's own duration), which a latency objective compares with its threshold.

WAL lets readers (``GET /slo`` in a worker thread, ``slo-harness status --config``) read while the
exporter writes; ``synchronous=NORMAL``
costs at most the last transaction on power loss, never consistency.

Stored results are the SLO's memory, so two things never destroy them:

- **A clock jump.** Retention counts back from a reference time that is the wall clock or the 99th
  percentile of the stored results' finish times, whichever is earlier: one result stamped 60 days
  ahead moves neither. A pass that would still delete more than half of a store of some size deletes
  nothing and says so; every deletion is logged with its count and cutoff.
- **A corrupt file.** On open, a file that is not a SQLite database, fails ``PRAGMA quick_check``, is
  empty, or is a directory is moved aside to ``<name>.corrupt-<timestamp>`` (one log line with both
  paths) and a fresh store is started, so the exporter keeps serving.
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

# NumPy loads when counts are first read, not when the exporter starts: it imports this module for
# ``default_store_path`` whether or not it probes on a schedule.
if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Counts = tuple[NDArray[np.float64], NDArray[np.float64]]

__all__ = ["ProbeRecord", "ResultStore", "default_store_path"]

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    target TEXT NOT NULL,
    module TEXT NOT NULL,
    due_at REAL NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL NOT NULL,
    success INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS results_by_series ON results (target, module, finished_at);
CREATE TABLE IF NOT EXISTS observations (
    target TEXT NOT NULL,
    module TEXT NOT NULL,
    finished_at REAL NOT NULL,
    seconds REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_by_series ON observations (target, module, finished_at);
CREATE INDEX IF NOT EXISTS results_by_time ON results (finished_at);
CREATE TABLE IF NOT EXISTS slo_bindings (
    slo TEXT NOT NULL,
    target TEXT NOT NULL,
    module TEXT NOT NULL
);
"""
_SERIES_IN_RANGE = "target = :target AND module = :module AND finished_at > :start AND finished_at <= :end"
_PRUNE_EVERY_SECONDS = 600.0
_BUSY_TIMEOUT_SECONDS = 5.0
_REFERENCE_QUANTILE = 0.99  # of finish times: a few rows stamped by a jumped clock do not move it
MAX_PRUNE_SHARE = 0.5
"""The largest share of the results one retention pass deletes without refusing (and saying so)."""
_GUARDED_ROWS = 100  # below this many results the share rule would refuse ordinary pruning

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _iso(seconds: float) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return f"{seconds:g}"

@dataclass(frozen=True, slots=True)
class ProbeRecord:
    """One finished probe. Times are Unix seconds; ``due_at`` is when the schedule wanted it to start.

    ``observations`` are the latencies the probe measured, in seconds; a failed probe has none and
    counts as one bad event for a latency objective instead.
    """

    target: str
    module: str
    due_at: float
    started_at: float
    finished_at: float
    success: bool
    reason: str | None = None
    observations: tuple[float, ...] = ()


def default_store_path(config_path: Path) -> Path:
    """Where results of a probe config live unless told otherwise: beside it, ``<name>.results.sqlite``.

    The exporter and ``slo-harness status --config`` derive the same path, so they meet without a flag.
    """
    return config_path.with_name(f"{config_path.stem}.results.sqlite")


class ResultStore:
    """Probe results for ``retention_seconds``; open with :meth:`open`, close with :meth:`close`.

    >>> store = ResultStore.open(":memory:", retention_seconds=3600)
    >>> store.add([ProbeRecord("n1", "chain", 0.0, 0.0, 1.0, True, observations=(6.0,))])
    >>> good, total = store.latency_counts("n1", "chain", 7.0, start=0.0, step_seconds=10.0, steps=1)
    >>> good.tolist(), total.tolist()
    ([1.0], [1.0])
    >>> store.close()
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        retention_seconds: float,
        *,
        wall_clock: Callable[[], float] = time.time,
        log: Log = _stderr,
        name: str = "",
    ) -> None:
        if retention_seconds <= 0:
            raise ValueError(f"retention must be positive, got {retention_seconds!r}")
        self._db = connection
        self.retention_seconds = retention_seconds
        self._wall = wall_clock
        self._log = log
        self.name = name
        self._last_prune: float | None = None

    @classmethod
    def open(
        cls,
        path: Path | str,
        retention_seconds: float,
        *,
        wall_clock: Callable[[], float] = time.time,
        log: Log = _stderr,
    ) -> ResultStore:
        """Open (or create) the store file, switch it to WAL and drop results past the retention.

        A corrupt or foreign file in its place is moved aside first (see the module docstring).
        """
        if str(path) != ":memory:":
            _set_aside_if_corrupt(Path(path), wall_clock(), log)
        db = sqlite3.connect(str(path), timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, _SCHEMA_VERSION):
            db.close()
            raise ValueError(
                f"{path}: results store has schema {version}, this version reads {_SCHEMA_VERSION}"
            )
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        store = cls(db, retention_seconds, wall_clock=wall_clock, log=log, name=str(path))
        if store.latest_finished_at() is not None:
            store.prune()
        return store

    @classmethod
    def reader(cls, path: Path | str) -> ResultStore:
        """A second connection that only reads: WAL lets it run beside the writer, in another thread.

        The SLO view reads 28 days of results off the event loop through one of these.
        """
        if not Path(path).exists():
            raise FileNotFoundError(f"{path}: no results store")
        db = sqlite3.connect(str(path), timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
        db.execute("PRAGMA query_only=ON")
        return cls(db, retention_seconds=math.inf)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, records: Sequence[ProbeRecord]) -> None:
        """Write a batch in one transaction; prune old rows every ten minutes of result time."""
        if not records:
            return
        with self._transaction():
            self._db.executemany(
                "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.target, r.module, r.due_at, r.started_at, r.finished_at, int(r.success), r.reason)
                    for r in records
                ],
            )
            self._db.executemany(
                "INSERT INTO observations VALUES (?, ?, ?, ?)",
                [(r.target, r.module, r.finished_at, s) for r in records for s in r.observations],
            )
        newest = max(r.finished_at for r in records)
        if self._last_prune is None or abs(newest - self._last_prune) >= _PRUNE_EVERY_SECONDS:
            self.prune()
            self._last_prune = newest

    def reference_time(self) -> float | None:
        """What retention counts back from: the wall clock or the 99th percentile of finish times,
        whichever is earlier, so neither a clock jump nor a few outlier rows can age every result."""
        total = self.result_count()
        if total == 0:
            return None
        row = self._db.execute(
            "SELECT finished_at FROM results ORDER BY finished_at DESC LIMIT 1 OFFSET ?",
            (int(total * (1 - _REFERENCE_QUANTILE)),),
        ).fetchone()
        return min(self._wall(), float(row[0]))

    def prune(self) -> int:
        """Delete what is older than the retention before :meth:`reference_time` (the longest SLO
        window needs nothing before it); return how many results went. Logged; a pass that would
        delete more than ``MAX_PRUNE_SHARE`` of a store of ``_GUARDED_ROWS`` or more deletes nothing."""
        reference = self.reference_time()
        if reference is None:
            return 0
        cutoff = reference - self.retention_seconds
        total = self.result_count()
        doomed = int(
            self._db.execute("SELECT COUNT(*) FROM results WHERE finished_at < ?", (cutoff,)).fetchone()[0]
        )
        if doomed > MAX_PRUNE_SHARE * total and total >= _GUARDED_ROWS:
            self._log(
                f"results store {self.name}: not deleting {doomed} of {total} results older than"
                f" {_iso(cutoff)}: more than {MAX_PRUNE_SHARE:.0%} in one pass (check the clock)"
            )
            return 0
        with self._transaction():
            self._db.execute("DELETE FROM results WHERE finished_at < ?", (cutoff,))
            self._db.execute("DELETE FROM observations WHERE finished_at < ?", (cutoff,))
        if doomed:
            self._log(
                f"results store {self.name}: deleted {doomed} of {total} results finished before"
                f" {_iso(cutoff)} (retention {self.retention_seconds:g}s)"
            )
        return doomed

    def latest_finished_at(self, target: str | None = None, module: str | None = None) -> float | None:
        """When the newest probe finished: of the whole store, or of one (target, module) series."""
        if target is None or module is None:
            row = self._db.execute("SELECT MAX(finished_at) FROM results").fetchone()
        else:
            row = self._db.execute(
                "SELECT MAX(finished_at) FROM results WHERE target = ? AND module = ?", (target, module)
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def earliest_finished_at(self) -> float | None:
        row = self._db.execute("SELECT MIN(finished_at) FROM results").fetchone()
        return None if row[0] is None else float(row[0])

    def set_bindings(self, bound: Sequence[tuple[str, str, str]]) -> None:
        """Replace the (SLO, target, module) rows: the exporter writes its config's at start."""
        with self._transaction():
            self._db.execute("DELETE FROM slo_bindings")
            self._db.executemany("INSERT INTO slo_bindings VALUES (?, ?, ?)", bound)

    def bindings(self) -> list[tuple[str, str, str]]:
        """(SLO, target, module) as the exporter last wrote them; empty for a file from before them."""
        try:
            rows = self._db.execute("SELECT slo, target, module FROM slo_bindings ORDER BY rowid").fetchall()
        except sqlite3.OperationalError:  # a file written before the table existed, opened read-only
            return []
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def result_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def success_counts(
        self, target: str, module: str, *, start: float, step_seconds: float, steps: int
    ) -> Counts:
        """Successful and all probes per step ``i`` of ``(start + i·step, start + (i+1)·step]``."""
        events = f"SELECT finished_at AS t, success AS good FROM results WHERE {_SERIES_IN_RANGE}"
        return self._per_step(events, {"target": target, "module": module}, start, step_seconds, steps)

    def latency_counts(
        self,
        target: str,
        module: str,
        threshold_seconds: float,
        *,
        start: float,
        step_seconds: float,
        steps: int,
    ) -> Counts:
        """Per step: observations at or under the threshold, and observations plus failed probes.

        Equal to the threshold is good, as Prometheus' ``le`` bucket counts it.
        """
        events = (
            "SELECT finished_at AS t, seconds <= :threshold AS good FROM observations"
            f" WHERE {_SERIES_IN_RANGE}"
            f" UNION ALL SELECT finished_at, 0 FROM results WHERE {_SERIES_IN_RANGE} AND success = 0"
        )
        names = {"target": target, "module": module, "threshold": threshold_seconds}
        return self._per_step(events, names, start, step_seconds, steps)

    def _per_step(
        self, events: str, names: dict[str, object], start: float, step_seconds: float, steps: int
    ) -> Counts:
        # Step i holds (start + i·step, start + (i+1)·step]: ceil(x) - 1 with x the time in steps, so
        # a time on a boundary is in the step it closes, the convention RollingSeries reads windows with.
        # SQLite counts per step, so a target probed every second hands back one row per step, not 30.
        rows = self._db.execute(
            "SELECT CAST(x AS INTEGER) + (x > CAST(x AS INTEGER)) - 1 AS i, COUNT(*), SUM(good)"
            f" FROM (SELECT (t - :start) / :step AS x, good FROM ({events}))"
            " GROUP BY i",
            {**names, "start": start, "step": step_seconds, "end": start + steps * step_seconds},
        ).fetchall()
        import numpy as np  # noqa: PLC0415 (see the imports)

        good = np.zeros(steps)
        total = np.zeros(steps)
        if rows:
            index = np.clip(np.fromiter((r[0] for r in rows), np.int64, len(rows)), 0, steps - 1)
            np.add.at(total, index, np.fromiter((r[1] for r in rows), np.float64, len(rows)))
            np.add.at(good, index, np.fromiter((r[2] for r in rows), np.float64, len(rows)))
        return good, total

    def results(
        self, target: str, module: str, *, start: float, end: float
    ) -> list[tuple[float, bool, str | None]]:
        """``(finished_at, success, reason)`` of every probe of a series that finished in ``(start, end]``."""
        rows = self._db.execute(
            f"SELECT finished_at, success, reason FROM results WHERE {_SERIES_IN_RANGE} ORDER BY finished_at",
            {"target": target, "module": module, "start": start, "end": end},
        ).fetchall()
        return [(float(t), bool(ok), reason) for t, ok, reason in rows]

    def observations(self, target: str, module: str, *, start: float, end: float) -> Counts:
        """Times and values (seconds) of the latencies a series measured in ``(start, end]``."""
        rows = self._db.execute(
            f"SELECT finished_at, seconds FROM observations WHERE {_SERIES_IN_RANGE} ORDER BY finished_at",
            {"target": target, "module": module, "start": start, "end": end},
        ).fetchall()
        import numpy as np  # noqa: PLC0415 (see the imports)

        times = np.fromiter((r[0] for r in rows), np.float64, len(rows))
        return times, np.fromiter((r[1] for r in rows), np.float64, len(rows))

    def finished_between(self, start: float, end: float) -> tuple[int, int]:
        """How many probes finished in ``(start, end]``, and how many of those failed."""
        row = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(1 - success), 0) FROM results"
            " WHERE finished_at > ? AND finished_at <= ?",
            (start, end),
        ).fetchone()
        return int(row[0]), int(row[1])

    def scheduling_lags(self, since: float) -> NDArray[np.float64]:
        """``started_at − due_at`` of every probe that finished after ``since``: how late the schedule ran."""
        rows = self._db.execute(
            "SELECT started_at - due_at FROM results WHERE finished_at > ?", (since,)
        ).fetchall()
        import numpy as np  # noqa: PLC0415 (see the imports)

        return np.fromiter((r[0] for r in rows), np.float64, len(rows))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


def _set_aside_if_corrupt(path: Path, now: float, log: Log) -> None:
    """Move a store file that SQLite cannot use, or that fails its quick check, out of the way."""
    if not path.exists() and not path.is_symlink():
        return
    problem = _problem(path)
    if problem is None:
        return
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    log(f"results store {path}: {problem}; moved it to {aside} and started a fresh store")


def _problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be the store, or None when it can."""
    if path.is_dir():
        return "is a directory"
    if path.stat().st_size == 0:
        return "is empty (0 bytes), so its results were lost before this start"
    try:
        db = sqlite3.connect(str(path), timeout=_BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        return f"cannot be opened ({exc})"
    try:
        verdict = db.execute("PRAGMA quick_check").fetchone()[0]
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        return f"is not a usable SQLite database ({exc})"
    finally:
        db.close()
    return None if verdict == "ok" else f"failed its integrity check ({verdict})"


class _Transaction:
    """``BEGIN`` … ``COMMIT`` (or ``ROLLBACK``) on an autocommit connection, so batches are atomic."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
