"""Event counts per simulation step, drawn with NumPy: never one object (or SimPy event) per request.

Each source draws its events per step once (Poisson around its rate and daily swing). Each stream
(an SLO in play, or an SLA ratio) counts bad events among them in two independent layers:

* the healthy baseline, ``Binomial(total, p0)``, drawn once;
* the incidents' extra failures among the remaining good events, ``Binomial(good, q)``, where ``q``
  is what the active incidents add. When a responder ends an incident early only this layer is
  redrawn, and only from the step where it ended.

So a run with automation and the same run without it share their baseline noise exactly: the
difference in spent budget is the incident alone. Time-based streams (uptime) count bad seconds,
``step × p``, with no noise, which makes an outage of length d spend exactly ``d / B``. A source with
``noise`` off gets its expected values instead of draws: ``rate × step`` events, ``events × P(bad)``
bad (fractional, never rounded, so an error ratio exactly at a threshold stays exactly at it). Risk
runs use this for every source (:meth:`~sim.scenarios.plan.Plan.without_noise`): per-request noise adds
nothing to what random incidents and responders do, only the cost of drawing it.

An incident covering part of a step fails events with probability ``ratio × covered share``;
latency shifts apply to the steps they cover at least half of.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.scenarios.plan import IncidentPlan, Plan, SourcePlan

FloatArray = NDArray[np.float64]
DAY_SECONDS = 86400.0


@dataclass
class Stream:
    """Good and total counts per step for one measured indicator.

    ``threshold_seconds`` makes it a latency indicator (good = succeeded and fast enough);
    ``basis`` "time" counts seconds instead of events.
    """

    key: str
    source: str
    threshold_seconds: float | None
    basis: str
    total: FloatArray
    bad: FloatArray
    baseline_bad: FloatArray
    rng: np.random.Generator

    @property
    def good(self) -> FloatArray:
        return self.total - self.bad


@dataclass(frozen=True)
class StreamSpec:
    key: str
    source: str
    threshold_seconds: float | None
    basis: str


Recorded = Mapping[str, tuple[FloatArray, FloatArray]]


class Traffic:
    """Every source's events and every stream's bad counts over the window, for the current incident plan.

    With ``recorded`` (stream key → good and total per step, e.g. a backtest's history) the streams
    hold those counts as they are: nothing is drawn, and incidents only mark time.
    """

    def __init__(
        self,
        plan: Plan,
        specs: tuple[StreamSpec, ...],
        rng: np.random.Generator,
        recorded: Recorded | None = None,
    ) -> None:
        self.plan = plan
        step = plan.step_seconds
        n = plan.steps
        starts = step * np.arange(n, dtype=np.float64)
        self.step_lengths: FloatArray = np.minimum(starts + step, plan.window_seconds) - starts
        self.ends: dict[str, float] = {i.id: i.planned_end_seconds for i in plan.incidents}
        self.recorded = recorded is not None
        if recorded is not None:
            self._record(specs, recorded, rng)
            return
        source_rngs = rng.spawn(len(plan.sources))
        stream_rngs = rng.spawn(2 * len(specs))
        self.events: dict[str, FloatArray] = {
            s.key: self._draw_events(s, starts, r) for s, r in zip(plan.sources, source_rngs, strict=True)
        }
        self._effects: dict[str, tuple[FloatArray, FloatArray]] = {
            s.key: self._incident_effects(s.key) for s in plan.sources
        }
        self.streams: dict[str, Stream] = {}
        for i, spec in enumerate(specs):
            self.streams[spec.key] = self._baseline(spec, stream_rngs[2 * i], stream_rngs[2 * i + 1])
            self._draw_incidents(self.streams[spec.key], 0)

    def _record(self, specs: tuple[StreamSpec, ...], recorded: Recorded, rng: np.random.Generator) -> None:
        n = len(self.step_lengths)
        self.events = {}
        self._effects = {s.key: (np.zeros(n), np.ones(n)) for s in self.plan.sources}
        self.streams = {}
        for spec in specs:
            good, total = (np.asarray(a, dtype=np.float64) for a in recorded[spec.key])
            if good.shape != (n,) or total.shape != (n,):
                shapes = f"{good.shape} and {total.shape}"
                raise ValueError(f"{spec.key}: recorded counts need {n} steps, got {shapes}")
            bad = total - good
            self.events.setdefault(spec.source, total)
            self.streams[spec.key] = Stream(
                spec.key, spec.source, spec.threshold_seconds, spec.basis, total, bad, bad, rng
            )

    def _mean_events(self, source: SourcePlan, starts: FloatArray) -> FloatArray:
        """Expected events per step: the source's rate with its daily swing."""
        mean = source.events_per_second * self.step_lengths
        if source.diurnal_amplitude > 0:
            middle = starts + self.step_lengths / 2
            phase = 2 * math.pi * (middle - source.diurnal_peak_seconds) / DAY_SECONDS
            mean = mean * (1.0 + source.diurnal_amplitude * np.cos(phase))
        return np.asarray(mean, dtype=np.float64)

    def _draw_events(self, source: SourcePlan, starts: FloatArray, rng: np.random.Generator) -> FloatArray:
        mean = self._mean_events(source, starts)
        return mean if not source.noise else rng.poisson(mean).astype(np.float64)

    def _affecting(self, source_key: str) -> list[IncidentPlan]:
        return [i for i in self.plan.incidents if source_key in i.sources]

    def _incident_effects(self, source_key: str) -> tuple[FloatArray, FloatArray]:
        """Per step: probability the incidents fail an event, and the latency multiplier."""
        n = len(self.step_lengths)
        step = self.plan.step_seconds
        survive = np.ones(n)
        multiplier = np.ones(n)
        for incident in self._affecting(source_key):
            begin, end = incident.start_seconds, self.ends[incident.id]
            if end <= begin:
                continue
            first, last = int(begin // step), min(n, math.ceil(end / step - 1e-9))
            idx = np.arange(first, last)
            covered = np.minimum(end, (idx + 1) * step) - np.maximum(begin, idx * step)
            share = np.clip(covered / self.step_lengths[first:last], 0.0, 1.0)
            if incident.error_ratio > 0:
                survive[first:last] *= 1.0 - incident.error_ratio * share
            if incident.latency_multiplier != 1.0:
                multiplier[first:last][share >= 0.5] *= incident.latency_multiplier
        return 1.0 - survive, multiplier

    def _bad_probability(self, spec: StreamSpec, error: FloatArray, multiplier: FloatArray) -> FloatArray:
        source = self.plan.source(spec.source)
        keep = (1.0 - source.error_ratio) * (1.0 - error)
        if spec.threshold_seconds is not None:
            values, inverse = np.unique(multiplier, return_inverse=True)
            slow = np.array([source.slow_probability(spec.threshold_seconds, float(m)) for m in values])
            keep = keep * (1.0 - slow[inverse])
        return np.asarray(1.0 - keep, dtype=np.float64)

    def _baseline(
        self, spec: StreamSpec, base_rng: np.random.Generator, incident_rng: np.random.Generator
    ) -> Stream:
        p0 = float(self._bad_probability(spec, np.zeros(1), np.ones(1))[0])
        if spec.basis == "time":
            total = self.step_lengths.copy()
            baseline = total * p0
        elif not self.plan.source(spec.source).noise:
            total = self.events[spec.source]
            baseline = total * p0
        else:
            total = self.events[spec.source]
            baseline = base_rng.binomial(total.astype(np.int64), p0).astype(np.float64)
        return Stream(
            spec.key,
            spec.source,
            spec.threshold_seconds,
            spec.basis,
            total,
            baseline.copy(),
            baseline,
            incident_rng,
        )

    def _draw_incidents(self, stream: Stream, first_step: int) -> None:
        """Redraw the incident layer of ``stream`` from ``first_step`` on, for the current incident ends."""
        spec = StreamSpec(stream.key, stream.source, stream.threshold_seconds, stream.basis)
        error, multiplier = self._effects[stream.source]
        p = self._bad_probability(spec, error[first_step:], multiplier[first_step:])
        total = stream.total[first_step:]
        if stream.basis == "time" or not self.plan.source(stream.source).noise:
            stream.bad[first_step:] = total * p
            return
        p0 = float(self._bad_probability(spec, np.zeros(1), np.ones(1))[0])
        base = stream.baseline_bad[first_step:]
        extra = np.zeros_like(base)
        q = np.clip((p - p0) / (1.0 - p0), 0.0, 1.0)
        hit = np.flatnonzero(q > 0)
        if hit.size:
            good = (total[hit] - base[hit]).astype(np.int64)
            extra[hit] = stream.rng.binomial(good, q[hit])
        stream.bad[first_step:] = base + extra

    def end_incident(self, incident_id: str, at_seconds: float) -> None:
        """An incident ends at ``at_seconds`` instead of its planned end: redraw what follows."""
        if at_seconds >= self.ends[incident_id] or self.recorded:
            return
        self.ends[incident_id] = at_seconds
        first_step = int(at_seconds // self.plan.step_seconds)
        incident = next(i for i in self.plan.incidents if i.id == incident_id)
        for source in incident.sources:
            self._effects[source] = self._incident_effects(source)
            for stream in self.streams.values():
                if stream.source == source:
                    self._draw_incidents(stream, first_step)

    def latency_quantile(self, source_key: str, quantile: float, excluded: tuple[str, ...] = ()) -> float:
        """The window's latency quantile of a source: the exact quantile of its lognormal mixture.

        Each step's events follow the source's classes (minus ``excluded``) scaled by that step's
        multiplier, weighted by the step's event count; bisection on the mixture's CDF finds it.
        """
        source = self.plan.source(source_key)
        kept = [c for c in source.classes if c.name not in excluded]
        _, multiplier = self._effects[source_key]
        values, inverse = np.unique(multiplier, return_inverse=True)
        weights = np.bincount(inverse, weights=self.events[source_key], minlength=len(values))
        if weights.sum() <= 0:
            weights = np.bincount(inverse, minlength=len(values)).astype(np.float64)
        share = sum(c.share for c in kept)
        parts: list[tuple[float, float, float]] = [
            (w * c.share / share, math.log(c.latency.median_seconds * m), c.latency.sigma)
            for m, w in zip(values.tolist(), weights.tolist(), strict=True)
            for c in kept
            if w > 0
        ]
        norm = sum(w for w, _, _ in parts)

        def cdf(log_x: float) -> float:
            return sum(w * 0.5 * math.erfc(-(log_x - mu) / (s * math.sqrt(2.0))) for w, mu, s in parts) / norm

        lo = min(mu - 10 * s for _, mu, s in parts)
        hi = max(mu + 10 * s for _, mu, s in parts)
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cdf(mid) < quantile else (lo, mid)
        return float(math.exp((lo + hi) / 2))
