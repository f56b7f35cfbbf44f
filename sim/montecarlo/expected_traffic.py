"""Sparse noise-free traffic for the risk fast path: cumulative sums once, incidents' steps per run.

Monte Carlo over incidents asks what random incidents and responders do to budgets, alerts and SLAs;
per-request noise around a 50 req/s baseline adds nothing to that answer but the cost of drawing it.
So risk replications run on expected counts: the SimPy engine's reference run is
:class:`~sim.traffic.Traffic` on :meth:`~sim.plan.Plan.without_noise` (every step sees its expected
events, and bad = events × P(bad)), and the fast path holds the same numbers sparsely:

* :class:`TrafficModel` computes the cumulative sums of the incident-free, noise-free traffic once
  per scenario;
* :class:`SparseTraffic` stores only the steps a replication's incidents touch, so a window sum
  anywhere is one lookup in each. :class:`SparseSeries` evaluates the rules only where an incident
  can change them: from the last evaluation before it starts until its shortest window has left it.
  Everywhere else the error ratio is the baseline's, below every rule's factor
  (:func:`~sim.fast_path.fast_path_problem` checks), so no rule fires there.

Time-based streams are noise-free in :class:`~sim.traffic.Traffic` either way; the sparse form counts
them exactly as it does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.replay.traffic import FloatArray, StreamSpec, Traffic
from sim.scenarios.plan import IncidentPlan, Plan
from slo.alert_policy import BurnRateRule
from slo.burn_rate import RollingSeries

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
        cum_total = self.model.cum_total
        total = np.interp(positions, self.positions, cum_total)
        base = np.interp(positions, self.positions, self.model.cum_base_bad)
        if self.starts.size == 0:
            return base, total
        k = np.searchsorted(self.starts, positions, side="right") - 1
        kk = np.maximum(k, 0)
        seen = np.minimum(total, cum_total[self.stops[kk]]) - cum_total[self.starts[kk]]
        extra = np.where(k >= 0, self.prefix[kk] + self.delta[kk] * seen, 0.0)
        return base + extra, total

    @property
    def extra_total(self) -> float:
        return float(self.prefix[-1])


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


class SparseSeries(RollingSeries):
    """A :class:`~slo.burn_rate.RollingSeries` evaluated only at ``times_seconds``, over sparse traffic."""

    def __init__(self, stream: SparseStream, plan: Plan, times_seconds: FloatArray) -> None:
        empty = np.zeros(1)
        super().__init__(plan.step_seconds, plan.evaluation_interval_seconds, empty, empty, times_seconds)
        self.stream = stream
        self._ends: tuple[FloatArray, FloatArray] | None = None

    def window_sums(self, window_seconds: float) -> tuple[FloatArray, FloatArray]:
        if window_seconds <= 0:
            raise ValueError(f"window must be positive, got {window_seconds!r}")
        if self._ends is None:  # every window of every rule ends at the same times
            self._ends = self.stream.bad_and_total(self.times_seconds / self.step_seconds)
        bad_end, total_end = self._ends
        bad_start, total_start = self.stream.bad_and_total(
            (self.times_seconds - window_seconds) / self.step_seconds
        )
        return bad_end - bad_start, total_end - total_start


class SparseTraffic(Traffic):
    """One replication's traffic: the shared :class:`TrafficModel` plus its incidents' touched steps.

    It keeps the incidents' current ends, as :class:`~sim.traffic.Traffic` does, so a responder that
    ends an incident early changes what :meth:`stream` returns from then on.
    """

    def __init__(self, model: TrafficModel, plan: Plan) -> None:  # no dense arrays: super() not called
        self.plan = plan
        self.model = model
        self.step_lengths = model.dense.step_lengths
        self.ends = {i.id: i.planned_end_seconds for i in plan.incidents}
        self._sparse: dict[str, SparseStream] = {}

    def end_incident(self, incident_id: str, at_seconds: float) -> None:
        if at_seconds < self.ends[incident_id]:
            self.ends[incident_id] = at_seconds
            self._sparse.clear()

    def incidents_on(self, source_key: str) -> list[IncidentPlan]:
        return [
            i for i in self.plan.incidents if source_key in i.sources and self.ends[i.id] > i.start_seconds
        ]

    def _profile(self, source_key: str) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """Step intervals over which the incidents on a source act alike, with P(an incident fails an
        event) and the latency factor in each.

        An incident's first and last steps (partly covered) are intervals of their own, so every
        interval holds one value; it is computed with :meth:`Traffic._incident_effects`' arithmetic,
        incidents combined in the same order.
        """
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
        self, source_key: str, rule: BurnRateRule, since_seconds: float, horizon_seconds: float
    ) -> FloatArray:
        """The evaluation times at which ``rule`` must be evaluated to fire and resolve exactly.

        Needed: where its shortest window can see an incident (from the last evaluation at or
        before the start to the first with that window clean again) *and* its longest window (plus
        ``for:``) can see the step where an incident starts or ends. Between needed times the
        condition is constant: the baseline's (false) outside incidents, and inside one a constant
        error ratio held longer than ``for:``; so a dropped stretch never changes firing. Only times
        in ``[since, horizon]`` are returned.
        """
        interval = self.plan.evaluation_interval_seconds
        step = self.plan.step_seconds
        window = len(self.step_lengths) * step
        count = math.floor(min(window, horizon_seconds) / interval + 1e-9)
        lowest = max(1, math.ceil(since_seconds / interval - 1e-9))
        shortest, longest = min(rule.windows), max(rule.windows) + rule.for_seconds
        reach: list[tuple[int, int]] = []
        edges: list[tuple[int, int]] = []
        for incident in self.incidents_on(source_key):
            end = self.ends[incident.id]
            clean = math.ceil(end / step - 1e-9) * step
            first = max(1, math.floor(incident.start_seconds / interval + 1e-9))
            reach.append((first, math.ceil((clean + shortest) / interval - 1e-9)))
            for change in (incident.start_seconds, end):
                if change < window:
                    lo = math.floor(change / step + 1e-9) * step
                    hi = math.ceil(change / step - 1e-9) * step + longest
                    edges.append(
                        (max(1, math.floor(lo / interval + 1e-9)), math.ceil(hi / interval - 1e-9) + 1)
                    )
        spans = _intersect(_union(reach), _union(edges))
        parts = [
            np.arange(max(a, lowest), min(b, count) + 1, dtype=np.float64)
            for a, b in spans
            if min(b, count) >= max(a, lowest)
        ]
        return interval * np.concatenate(parts) if parts else np.zeros(0)

    def bad_total(self, key: str) -> float:
        """Bad events (or seconds) of a stream over the whole window."""
        sparse = self.stream(key)
        return sparse.model.base_bad_sum + sparse.extra_total
