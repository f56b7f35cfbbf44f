"""Random incidents: arrival, duration and magnitude laws, sampled into incidents one window at a time.

A scenario's ``incident_processes`` become :class:`ProcessPlan` values; :func:`realise` draws one
history from them with a given generator and returns a plan with those incidents added to the fixed
ones. The draws happen in a fixed order (process by process: starts, then durations, then
magnitudes), so the same generator state gives the same incidents on any machine.

Poisson arrivals: ``N ~ Poisson(λ W)`` incidents with starts uniform on ``[0, W)``, which is the same
law as exponential gaps at rate λ (an MTBF of m is λ = 1/m). Periodic arrivals start at
``offset + k × every``, each delayed by ``Uniform[0, jitter)``. An incident still running at the end
of the window is cut there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from sim.scenarios.plan import IncidentPlan, LatencyModel, Plan
from sim.scenarios.scenario import ERROR_KINDS, IncidentProcess, MagnitudeRange

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ProcessPlan:
    """One incident process, resolved: where it hits and the parameters of its three laws.

    Exactly one arrival law is set (``poisson_per_second`` or ``every_seconds``) and at most one
    duration law (none set means ``until_resolved``). ``magnitude_low == magnitude_high`` is a fixed
    magnitude: an error ratio for error kinds, a latency multiplier otherwise.
    """

    id: str
    kind: str
    service: str
    sources: tuple[str, ...]
    cause: str | None
    poisson_per_second: float | None
    every_seconds: float | None
    jitter_seconds: float
    offset_seconds: float
    duration_fixed_seconds: float | None
    duration_lognormal: LatencyModel | None
    duration_mttr_seconds: float | None
    magnitude_low: float
    magnitude_high: float

    @classmethod
    def from_model(cls, process: IncidentProcess, sources: tuple[str, ...]) -> ProcessPlan:
        law = process.duration
        lognormal = None
        if law.median_seconds is not None and law.p95_seconds is not None:
            lognormal = LatencyModel.from_percentiles(law.median_seconds, law.p95_seconds)
        magnitude = process.magnitude
        if isinstance(magnitude, MagnitudeRange):
            low, high = magnitude.low, magnitude.high
        else:
            low = high = 1.0 if magnitude is None else magnitude
        return cls(
            id=process.id,
            kind=process.kind,
            service=process.service,
            sources=sources,
            cause=process.cause,
            poisson_per_second=process.arrivals_per_second,
            every_seconds=process.every_seconds,
            jitter_seconds=process.jitter_seconds,
            offset_seconds=process.offset_seconds,
            duration_fixed_seconds=law.fixed_seconds,
            duration_lognormal=lognormal,
            duration_mttr_seconds=law.mttr_seconds,
            magnitude_low=low,
            magnitude_high=high,
        )

    @property
    def until_resolved(self) -> bool:
        return (
            self.duration_fixed_seconds is None
            and self.duration_lognormal is None
            and self.duration_mttr_seconds is None
        )

    def _starts(self, window_seconds: float, rng: np.random.Generator) -> FloatArray:
        if self.every_seconds is not None:
            count = max(0, math.ceil((window_seconds - self.offset_seconds) / self.every_seconds - 1e-9))
            starts = self.offset_seconds + self.every_seconds * np.arange(count, dtype=np.float64)
            if self.jitter_seconds > 0:
                starts = starts + rng.uniform(0.0, self.jitter_seconds, count)
            return np.sort(starts[starts < window_seconds])
        assert self.poisson_per_second is not None
        count = int(rng.poisson(self.poisson_per_second * window_seconds))
        return np.sort(rng.uniform(0.0, window_seconds, count))

    def _durations(self, count: int, rng: np.random.Generator) -> FloatArray | None:
        if self.duration_fixed_seconds is not None:
            return np.full(count, self.duration_fixed_seconds)
        if self.duration_lognormal is not None:
            shape = self.duration_lognormal
            return np.asarray(shape.median_seconds * np.exp(shape.sigma * rng.standard_normal(count)))
        if self.duration_mttr_seconds is not None:
            return np.asarray(rng.exponential(self.duration_mttr_seconds, count))
        return None

    def sample(self, window_seconds: float, rng: np.random.Generator) -> tuple[IncidentPlan, ...]:
        """One window's incidents from this process, in start order."""
        starts = self._starts(window_seconds, rng)
        durations = self._durations(len(starts), rng)
        if self.magnitude_high > self.magnitude_low:
            magnitudes = rng.uniform(self.magnitude_low, self.magnitude_high, len(starts))
        else:
            magnitudes = np.full(len(starts), self.magnitude_low)
        error_kind = self.kind in ERROR_KINDS
        out = []
        for k, (start, magnitude) in enumerate(zip(starts.tolist(), magnitudes.tolist(), strict=True)):
            end = window_seconds if durations is None else min(start + float(durations[k]), window_seconds)
            out.append(
                IncidentPlan(
                    id=f"{self.id}#{k + 1}",
                    kind=self.kind,
                    service=self.service,
                    sources=self.sources,
                    start_seconds=start,
                    planned_end_seconds=end,
                    until_resolved=durations is None,
                    error_ratio=magnitude if error_kind else 0.0,
                    latency_multiplier=1.0 if error_kind else magnitude,
                    cause=self.cause,
                )
            )
        return tuple(out)


def realise(plan: Plan, rng: np.random.Generator) -> Plan:
    """``plan`` with one draw of every incident process added to its fixed incidents (and no processes)."""
    sampled = tuple(i for p in plan.incident_processes for i in p.sample(plan.window_seconds, rng))
    return replace(plan, incidents=plan.incidents + sampled, incident_processes=())


def replay_generator(seed: int) -> np.random.Generator:
    """The generator a single replay (``sim``) draws its incident processes from: independent of the
    engine's own generator, which is seeded with ``seed`` itself."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
