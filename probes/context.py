"""What a prober gets for one probe: deadline, shared HTTP session, target policy, per-target state, log.

blackbox_exporter gives each probe a fresh registry and a log buffer; ``Samples`` and
``probes.probe_log.ProbeLog`` are those two, and ``ProbeContext.finish`` turns them into the
immutable ``ProbeResult``.
"""

from __future__ import annotations

import ssl
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from probes.probe_log import ProbeLog
from probes.result import ProbeFailure, ProbeResult, Sample

if TYPE_CHECKING:
    import aiohttp

    from probes.config import TLSConfig
    from probes.security import TargetPolicy

__all__ = ["ProbeContext", "Samples", "TargetStates"]


class Samples:
    """The gauges of one probe (blackbox_exporter's fresh registry): setting a series again replaces it.

    Values are kept as plain pairs and become ``Sample`` objects once, in ``freeze``: probers set most
    gauges to 0 first and again later, and building an object for each of those costs more than the
    probe's other bookkeeping.
    """

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[float, str]] = {}

    def set(self, name: str, value: float, help_text: str, **labels: str) -> None:
        if name[-8:] == "_seconds":
            value = round(value, 9)  # nanoseconds, as Go's time.Duration reports them
        self._by_key[(name, tuple(labels.items()) if labels else ())] = (float(value), help_text)

    def add(self, name: str, value: float, help_text: str, **labels: str) -> None:
        """Add to a series, starting from 0 (BBE adds to its lookup-time gauge the same way)."""
        old = self._by_key.get((name, tuple(labels.items())))
        self.set(name, (old[0] if old else 0.0) + value, help_text, **labels)

    def update(self, other: Samples) -> None:
        """Set every series of ``other`` here (e.g. a prober's gauges that start at 0)."""
        self._by_key.update(other._by_key)

    def freeze(self) -> tuple[Sample, ...]:
        return tuple(Sample(name, v, h, labels) for (name, labels), (v, h) in self._by_key.items())


class TargetStates:
    """Small state kept between probes of one (module, target), e.g. the last block height seen.

    Bounded (least recently used goes first) because targets come from scrape URLs, and an exporter
    must not grow without limit when someone probes many distinct targets.
    """

    def __init__(self, max_targets: int = 10_000) -> None:
        self._max = max_targets
        self._states: OrderedDict[tuple[str, str], dict[str, object]] = OrderedDict()

    def for_target(self, module: str, target: str) -> dict[str, object]:
        key = (module, target)
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = {}
            while len(self._states) > self._max:
                self._states.popitem(last=False)
        else:
            self._states.move_to_end(key)
        return state


@dataclass
class ProbeContext:
    """Everything one probe may use besides its target and module.

    ``deadline`` is in event-loop time (``loop.time()``); every phase of every prober waits at most
    ``remaining()``; durations are timed by ``now()``, the same clock at full resolution. ``state``
    is this (module, target)'s ``TargetStates`` entry; ``body_limit`` caps any response body read
    (security), and ``ssl_contexts`` caches TLS contexts per ``tls_config``.
    """

    module_name: str
    deadline: float
    session: aiohttp.ClientSession
    policy: TargetPolicy
    state: MutableMapping[str, object] = field(default_factory=dict)
    hostname: str | None = None
    body_limit: int = 10 * 1024 * 1024
    ssl_contexts: dict[TLSConfig, ssl.SSLContext] = field(default_factory=dict)
    wall_clock: Callable[[], float] = time.time
    log: ProbeLog = field(init=False)
    samples: Samples = field(default_factory=Samples)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.log = ProbeLog(self.module_name, self.wall_clock)
        self.started = time.monotonic()

    def now(self) -> float:
        """The event loop's clock, ``time.monotonic()``, at full resolution: asyncio's loop time is
        exactly that, and uvloop's is the same clock in whole milliseconds, as of the start of the
        loop's current iteration, too coarse to time a probe's phases."""
        return time.monotonic()

    def remaining(self) -> float:
        """Seconds left before the deadline, never negative."""
        return max(0.0, self.deadline - self.now())

    def finish(self, failure: ProbeFailure | None = None) -> ProbeResult:
        """The result of this probe so far: success unless ``failure`` is given."""
        duration = round(self.now() - self.started, 9)
        if failure is not None:
            self.log.error("Probe failure reason", reason=failure.reason.value, err=str(failure))
        return ProbeResult(
            success=failure is None,
            duration_seconds=duration,
            failure=None if failure is None else failure.reason,
            message="" if failure is None else str(failure),
            samples=self.samples.freeze(),
            log=self.log.records,
        )
