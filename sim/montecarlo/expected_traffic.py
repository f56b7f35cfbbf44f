"""Sparse noise-free traffic for the risk fast path: cumulative sums once, incidents' steps per run.

Monte Carlo over incidents asks what random incidents and responders do to budgets, alerts and SLAs;
per-request noise around a 50 req/s baseline adds nothing to that answer but the cost of drawing it.
So risk replications run on expected counts: the SimPy engine's reference run is
:class:`~sim.replay.traffic.Traffic` on :meth:`~sim.scenarios.plan.Plan.without_noise` (every step
sees its expected events, and bad = events × P(bad)), and the fast path holds the same numbers
sparsely:

* :class:`TrafficModel` computes the cumulative sums of the incident-free, noise-free traffic once
  per scenario;
* :class:`SparseTraffic` stores only the steps a replication's incidents touch, so a window sum
  anywhere is one lookup in each. Rules are evaluated only where an incident can change them
  (:meth:`SparseTraffic.evaluation_times`): from the last evaluation before it starts until its
  shortest window has left it. Everywhere else the error ratio is the baseline's, below every
  rule's factor (:func:`~sim.montecarlo.fast_path.fast_path_problem` checks), so no rule fires there.
* :func:`sim.montecarlo.sparse_rules.firing_transitions` evaluates every rule of one stream at those times.

Time-based streams are noise-free in :class:`~sim.replay.traffic.Traffic` either way; the sparse form counts
them exactly as it does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.replay.traffic import FloatArray, StreamSpec, Traffic
from sim.scenarios.plan import IncidentPlan, Plan
from slo.budgets.alert_policy import BurnRateRule

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class StreamModel:
    """One stream's incident-free traffic: per-step totals, their cumulative sums, the baseline P(bad)."""

    spec: StreamSpec
    total: FloatArray
    cum_total: FloatArray
    cum_base_bad: FloatArray
    base_probability: float
    total_sum: float
    base_bad_sum: float


class TrafficModel:
    """What every replication of one scenario shares: step grid and each stream's incident-free sums."""

    def __init__(self, plan: Plan, specs: tuple[StreamSpec, ...]) -> None:
        dense = Traffic(plan.without_noise(), specs, np.random.default_rng(0))
        self.plan = plan
        self.dense = dense
        self.steps = len(dense.step_lengths)
        self.positions = np.arange(self.steps + 1, dtype=np.float64)
        self.streams: dict[str, StreamModel] = {}
        zero = np.zeros(1)
        for spec in specs:
            stream = dense.streams[spec.key]
            p0 = float(dense._bad_probability(spec, np.zeros(1), np.ones(1))[0])
            base_bad = stream.total - (stream.total - stream.baseline_bad)
            self.streams[spec.key] = StreamModel(
                spec,
                stream.total,
                np.concatenate([zero, np.cumsum(stream.total)]),
                np.concatenate([zero, np.cumsum(base_bad)]),
                p0,
                float(stream.total.sum()),
                float(stream.baseline_bad.sum()),
            )


@dataclass(frozen=True)
class SparseStream:
    """A stream's incidents as step intervals of constant P(bad): ``[starts[k], stops[k])`` adds
    ``delta[k]`` to the baseline probability; ``prefix[k]`` is the extra bad before interval k."""

    model: StreamModel
    positions: FloatArray
    starts: IntArray
    stops: IntArray
    delta: FloatArray
    prefix: FloatArray

    def cumulative_bad(self, positions: FloatArray) -> FloatArray:
        """Bad events up to fractional step positions, events spread evenly within a step."""
        return self.bad_and_total(positions)[0]

    def bad_and_total(self, positions: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Cumulative bad and total events at fractional step positions (clipped to the window)."""
        bad, total = bad_and_total((self,), positions)
        return bad[0], total

    @property
    def extra_total(self) -> float:
        return float(self.prefix[-1])


def bad_and_total(streams: Sequence[SparseStream], positions: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:meth:`SparseStream.bad_and_total` of several streams at once: bad per stream (one row each)
    and the total they share. The streams measure one source on one basis (the same totals and the
    same incident intervals), as the SLOs of one service do."""
    first = streams[0]
    cum_total = first.model.cum_total
    whole = positions.astype(np.int64)
    if (whole == positions).all():
        # Evaluations on the step grid (the usual case): the interpolation is a plain lookup.
        k = np.searchsorted(first.starts, whole, side="right") - 1
        np.minimum(whole, len(cum_total) - 1, out=whole)
        np.maximum(whole, 0, out=whole)
        total = cum_total[whole]
        base = np.stack([s.model.cum_base_bad[whole] for s in streams])
    else:
        k = np.searchsorted(first.starts, positions, side="right") - 1
        total = np.interp(positions, first.positions, cum_total)
        base = np.stack([np.interp(positions, first.positions, s.model.cum_base_bad) for s in streams])
    if first.starts.size == 0:
        return base, total
    kk = np.maximum(k, 0)
    seen = np.minimum(total, cum_total[first.stops][kk]) - cum_total[first.starts][kk]
    prefix = np.take(np.stack([s.prefix for s in streams]), kk, axis=1)
    delta = np.take(np.stack([s.delta for s in streams]), kk, axis=1)
    return base + np.where(k >= 0, prefix + delta * seen, 0.0), total


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inclusive integer ranges merged into disjoint, sorted ones."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _intersect(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The intersection of two sorted lists of disjoint inclusive ranges."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(left) and j < len(right):
        a, b = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if a <= b:
            out.append((a, b))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


class SparseTraffic(Traffic):
    """One replication's traffic: the shared :class:`TrafficModel` plus its incidents' touched steps.

    It keeps the incidents' current ends, as :class:`~sim.replay.traffic.Traffic` does, so a responder that
    ends an incident early changes what :meth:`stream` returns from then on.
    """

    def __init__(self, model: TrafficModel, plan: Plan) -> None:  # no dense arrays: super() not called
        self.plan = plan
        self.model = model
        self.step_lengths = model.dense.step_lengths
        self.ends = {i.id: i.planned_end_seconds for i in plan.incidents}
        # Everything below follows from the incidents' ends: cleared when one ends early.
        self._sparse: dict[str, SparseStream] = {}
        self._on: dict[str, list[IncidentPlan]] = {}
        self._on_marks: dict[str, list[tuple[int, float, list[tuple[int, float]]]]] = {}
        self._profiles: dict[str, tuple[IntArray, IntArray, FloatArray, FloatArray]] = {}
        self._times: dict[tuple[str, tuple[float, ...], float, float, float], FloatArray] = {}

    def end_incident(self, incident_id: str, at_seconds: float) -> None:
        if at_seconds < self.ends[incident_id]:
            self.ends[incident_id] = at_seconds
            for cache in (self._sparse, self._on, self._on_marks, self._profiles, self._times):
                cache.clear()

    def incidents_on(self, source_key: str) -> list[IncidentPlan]:
        on = self._on.get(source_key)
        if on is None:
            on = [
                i
                for i in self.plan.incidents
                if source_key in i.sources and self.ends[i.id] > i.start_seconds
            ]
            self._on[source_key] = on
        return on

    def _profile(self, source_key: str) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """Step intervals over which the incidents on a source act alike, with P(an incident fails an
        event) and the latency factor in each (computed once for all of the source's streams).

        An incident's first and last steps (partly covered) are intervals of their own, so every
        interval holds one value; it is computed with :meth:`Traffic._incident_effects`' arithmetic,
        incidents combined in the same order.
        """
        cached = self._profiles.get(source_key)
        if cached is None:
            cached = self._profiles[source_key] = self._incident_profile(source_key)
        return cached

    def _incident_profile(self, source_key: str) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        step = self.plan.step_seconds
        n = len(self.step_lengths)
        incidents = []
        points: set[int] = set()
        for incident in self.incidents_on(source_key):
            begin, end = incident.start_seconds, self.ends[incident.id]
            first, last = int(begin // step), min(n, math.ceil(end / step - 1e-9))
            if last <= first:
                continue
            incidents.append((incident, begin, end, first, last))
            points.update((first, min(first + 1, last), max(last - 1, first), last))
        if not incidents:
            empty = np.zeros(0)
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), empty, empty
        edges = np.array(sorted(points), dtype=np.int64)
        starts, stops = edges[:-1], edges[1:]
        survive = np.ones(len(starts))
        multiplier = np.ones(len(starts))
        for incident, begin, end, first, last in incidents:
            inside = (starts >= first) & (starts < last)
            idx = starts[inside]
            covered = np.minimum(end, (idx + 1) * step) - np.maximum(begin, idx * step)
            share = np.clip(covered / self.step_lengths[idx], 0.0, 1.0)
            if incident.error_ratio > 0:
                survive[inside] *= 1.0 - incident.error_ratio * share
            if incident.latency_multiplier != 1.0:
                hit = np.flatnonzero(inside)[share >= 0.5]
                multiplier[hit] *= incident.latency_multiplier
        return starts, stops, 1.0 - survive, multiplier

    def stream(self, key: str) -> SparseStream:
        """The sparse form of stream ``key`` for the incidents' current ends."""
        cached = self._sparse.get(key)
        if cached is None:
            model = self.model.streams[key]
            starts, stops, error, multiplier = self._profile(model.spec.source)
            delta = self._bad_probability(model.spec, error, multiplier) - model.base_probability
            weight = model.cum_total[stops] - model.cum_total[starts]
            prefix = np.concatenate([np.zeros(1), np.cumsum(delta * weight)])
            cached = SparseStream(model, self.model.positions, starts, stops, delta, prefix)
            self._sparse[key] = cached
        return cached

    def evaluation_times(
        self, source_key: str, rule: BurnRateRule, from_seconds: float, horizon_seconds: float
    ) -> FloatArray:
        """The evaluation times at which ``rule`` must be evaluated to fire and resolve exactly from
        ``from_seconds`` up to ``horizon_seconds``.

        Needed: where its shortest window can see an incident (from the last evaluation at or
        before the start to the first with that window clean again) *and* its longest window (plus
        ``for:``) can see the step where an incident starts or ends. Between needed times the
        condition is constant: the baseline's (false) outside incidents, and inside one a constant
        error ratio held longer than ``for:``; so a dropped stretch never changes firing. The
        evaluations from one interval plus ``for:`` before ``from_seconds`` up to it are always
        included, so the state at ``from_seconds`` (and how long it has held) is known even in such a
        stretch. Rules with the same windows and ``for:`` (the same rule on several SLOs of one
        source) share one array.
        """
        key = (source_key, rule.windows, rule.for_seconds, from_seconds, horizon_seconds)
        cached = self._times.get(key)
        if cached is None:
            cached = self._evaluation_times(source_key, rule, from_seconds, horizon_seconds)
            self._times[key] = cached
        return cached

    def _evaluation_times(
        self, source_key: str, rule: BurnRateRule, from_seconds: float, horizon_seconds: float
    ) -> FloatArray:
        interval = self.plan.evaluation_interval_seconds
        step = self.plan.step_seconds
        window = len(self.step_lengths) * step
        shortest, longest = min(rule.windows), max(rule.windows) + rule.for_seconds
        count = math.floor(min(window, horizon_seconds) / interval + 1e-9)
        lowest = max(1, math.ceil((from_seconds - rule.for_seconds - interval) / interval - 1e-9))
        reach: list[tuple[int, int]] = []
        edges: list[tuple[int, int]] = []
        for first, clean, changes in self._marks(source_key):
            span = (first, math.ceil((clean + shortest) / interval - 1e-9))
            if span[1] >= lowest and span[0] <= count:
                reach.append(span)
            for lo, changed in changes:
                span = (lo, math.ceil((changed + longest) / interval - 1e-9) + 1)
                if span[1] >= lowest and span[0] <= count:
                    edges.append(span)
        spans = _union(
            [*_intersect(_union(reach), _union(edges)), (lowest, math.floor(from_seconds / interval + 1e-9))]
        )
        parts = [
            np.arange(max(a, lowest), min(b, count) + 1, dtype=np.float64)
            for a, b in spans
            if min(b, count) >= max(a, lowest)
        ]
        return interval * np.concatenate(parts) if parts else np.zeros(0)

    def _marks(self, source_key: str) -> list[tuple[int, float, list[tuple[int, float]]]]:
        """Per incident on a source, what every rule's evaluation times start from: its first
        evaluation, the end of its last step, and per start or end inside the window the first
        evaluation of that step and the end of that step (computed once for all rules)."""
        marks = self._on_marks.get(source_key)
        if marks is None:
            interval = self.plan.evaluation_interval_seconds
            step = self.plan.step_seconds
            window = len(self.step_lengths) * step
            marks = []
            for incident in self.incidents_on(source_key):
                end = self.ends[incident.id]
                changes = [
                    (
                        max(1, math.floor(math.floor(change / step + 1e-9) * step / interval + 1e-9)),
                        math.ceil(change / step - 1e-9) * step,
                    )
                    for change in (incident.start_seconds, end)
                    if change < window
                ]
                first = max(1, math.floor(incident.start_seconds / interval + 1e-9))
                marks.append((first, math.ceil(end / step - 1e-9) * step, changes))
            self._on_marks[source_key] = marks
        return marks

    def bad_total(self, key: str) -> float:
        """Bad events (or seconds) of a stream over the whole window."""
        sparse = self.stream(key)
        return sparse.model.base_bad_sum + sparse.extra_total
