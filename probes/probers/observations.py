"""Latencies a probe measured for a latency SLI, handed from the prober to whoever counts them.

A probe's gauges keep one value each, but one chain probe can see several new blocks, and each
block interval is one SLI-NODE-004 event. So a prober records its latencies in the target's state,
each under an increasing key (the block height, or a running count), and a consumer keeps a cursor:
it takes what lies after its cursor. Scheduled probes and ``/probe`` scrapes of the same target
share that state; with keys and cursors neither takes the other's blocks away, and no block counts
twice. A prober that records nothing (http, tcp, grpc) is measured by its own duration.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

__all__ = ["append_observation", "latest_key", "observations_after", "record_observations"]

_KEY = "sli_observations"
_KEEP = 256  # newest entries kept: more than any consumer falls behind between two probes


def _entries(state: MutableMapping[str, object]) -> dict[int, float] | None:
    entries = state.get(_KEY)
    return entries if isinstance(entries, dict) else None


def record_observations(state: MutableMapping[str, object], by_key: Mapping[int, float]) -> None:
    """Add latencies under increasing keys; an empty mapping still marks the prober as one that records."""
    entries = _entries(state)
    if entries is None:
        entries = {}
        state[_KEY] = entries
    entries.update(by_key)
    for key in sorted(entries)[:-_KEEP]:
        del entries[key]


def append_observation(state: MutableMapping[str, object], seconds: float) -> None:
    """Add one latency under the next running key (a tx's confirmation time)."""
    record_observations(state, {(latest_key(state) or 0) + 1: seconds})


def latest_key(state: MutableMapping[str, object]) -> int | None:
    """The newest key recorded, or None: a consumer's starting cursor, so old entries are not taken."""
    entries = _entries(state)
    return max(entries) if entries else None


def observations_after(
    state: MutableMapping[str, object], cursor: int | None
) -> tuple[tuple[float, ...], int | None] | None:
    """Latencies recorded after ``cursor`` (all when None) in key order, and the cursor to keep.

    None when the prober records no latencies at all: the caller then uses the probe's duration.
    A cursor beyond every key means the state was started afresh (evicted, exporter restarted).
    """
    entries = _entries(state)
    if entries is None:
        return None
    if cursor is not None and entries and cursor > max(entries):
        cursor = None
    keys = sorted(k for k in entries if cursor is None or k > cursor)
    return tuple(entries[k] for k in keys), (keys[-1] if keys else cursor)
