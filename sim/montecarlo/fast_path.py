"""One risk replication: draw the incidents, run the engine on expected traffic, keep the outcome.

Two ways to run a replication, with the same result:

* :func:`replicate_engine`, the SimPy engine as ``sim`` runs it, on the plan with every source's
  ``noise`` off (:meth:`~sim.scenarios.plan.Plan.without_noise`: dense expected counts; 0.3 s for 28 days);
* :func:`replicate_fast`, the same engine class (the same incident, responder and evaluator
  processes, the same generator draws in the same order) whose traffic is
  :class:`~sim.montecarlo.expected_traffic.SparseTraffic`: rules are evaluated only where an incident can move
  them, budgets and SLA ratios are read from shared cumulative sums plus the incidents' steps
  (a few milliseconds).

The fast path needs every rule's factor above the baseline burn rate of its SLO (so it cannot fire
away from incidents) and no P95 SLA commitment; :func:`fast_path_problem` says when it does not
apply, and the caller then uses the engine. A test holds the two to the same fire and resolve
times, budgets and SLA values per replication.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np
import simpy
from numpy.typing import NDArray

from sim.montecarlo.expected_traffic import SparseTraffic, TrafficModel
from sim.montecarlo.sparse_rules import firing_transitions
from sim.replay.engine import AlertHistory, ProcessGenerator, _Engine, simulate, stream_specs
from sim.replay.outcome import budget_track
from sim.replay.traffic import FloatArray, StreamSpec, Traffic
from sim.scenarios.incident_process import realise
from sim.scenarios.plan import ObjectivePlan, Plan, SLABinding
from slo.budgets.alert_policy import BurnRateRule
from slo.budgets.budget import consumed_fraction, event_budget, time_budget_seconds
from slo.budgets.burn_rate import RollingSeries, burn_rate


@dataclass(frozen=True)
class Replication:
    """What one simulated window did, as plain values (the input of :mod:`sim.montecarlo.risk`).

    ``fires`` holds (alert index in ``plan.alerts``, fired, resolved or None); ``remaining`` and
    ``exhausted_seconds`` follow ``plan.objectives`` (first evaluation with no budget left, or None);
    ``sla_measured`` follows ``plan.sla_bindings``.
    """

    incidents: int
    fires: tuple[tuple[int, float, float | None], ...]
    remaining: tuple[float, ...]
    exhausted_seconds: tuple[float | None, ...]
    sla_measured: tuple[float, ...]
    rollbacks: int
    pages_answered: int


def traffic_model(plan: Plan) -> TrafficModel:
    """The incident-free traffic every replication of ``plan`` shares (build once, reuse)."""
    return TrafficModel(plan, stream_specs(plan))


def fast_path_problem(plan: Plan, model: TrafficModel) -> str | None:
    """Why the fast path cannot run ``plan`` exactly, or None when it can."""
    if any(b.commitment.statistic == "p95" for b in plan.sla_bindings):
        return "a P95 SLA commitment needs the latency mixture of the whole window"
    for alert in plan.alerts:
        objective = plan.objective(alert.slo_id)
        baseline = float(burn_rate(model.streams[alert.slo_id].base_probability, objective.target))
        if baseline >= alert.rule.factor * (1.0 - 1e-6):
            return (
                f"{alert.name}: the baseline burns at "
                f"{baseline:.3g}x, so the rule fires away from incidents too"
            )
    return None


_HORIZON_SECONDS = 6 * 3600.0


class _FastEngine(_Engine):
    def __init__(
        self, plan: Plan, rng: np.random.Generator, env: simpy.Environment, model: TrafficModel
    ) -> None:
        self.sparse = SparseTraffic(model, plan)

        def traffic(_plan: Plan, _specs: tuple[StreamSpec, ...], _rng: np.random.Generator) -> Traffic:
            return self.sparse

        super().__init__(plan, rng, env, traffic=traffic)
        self.horizon = 0.0
        self.since = 0.0
        self._seen = -1
        self._log: list[tuple[float, list[tuple[float, int, bool]]]] = []
        self._evaluated: tuple[int, list[tuple[float, int, bool]]] | None = None
        # The alerts by source (and basis): the SLOs of one source are evaluated together.
        groups: dict[tuple[str, str], list[ObjectivePlan]] = {}
        for objective in plan.objectives:
            if any(a.slo_id == objective.slo_id for a in plan.alerts):
                groups.setdefault((objective.source, objective.basis), []).append(objective)
        self._groups: list[tuple[list[ObjectivePlan], list[BurnRateRule], NDArray[np.int64]]] = []
        for objectives in groups.values():
            rules = list(
                dict.fromkeys(a.rule for a in plan.alerts if a.slo_id in {o.slo_id for o in objectives})
            )
            alerts = np.full((len(objectives), len(rules)), -1, dtype=np.int64)
            for index, alert in enumerate(plan.alerts):
                for s, objective in enumerate(objectives):
                    if alert.slo_id == objective.slo_id:
                        alerts[s, rules.index(alert.rule)] = index
            self._groups.append((objectives, rules, alerts))

    # The evaluator acts on the first alert fire after now, so rules are evaluated from now (less a
    # ``for:`` to know how long a condition has held) up to a horizon. An incident waiting for a
    # responder is then not evaluated to the window's end each time. The evaluator is woken at the
    # horizon (a transition of no alert, index -1) and evaluates the next stretch from there: a
    # long wait costs the stretches it lasts, not a re-evaluation of everything since it began.
    # Waking there acts on nothing and no other process waits on the evaluator, so no event moves.

    def _extend(self, horizon: float, since: float | None = None) -> None:
        self.since = self.env.now if since is None else since
        self.horizon = min(self.plan.window_seconds, horizon)
        self.revision += 1
        self._seen = self.revision

    def transitions(self) -> list[tuple[float, int, bool]]:
        now = self.env.now
        if self.revision != self._seen:  # the traffic changed: start again from a short horizon
            waiting = [
                i.start_seconds for i in self.plan.incidents if i.until_resolved and i.id not in self.ended
            ]
            # With no incident waiting for a responder every span is short: evaluate them all.
            self._extend(max(now, min(waiting)) + _HORIZON_SECONDS if waiting else self.plan.window_seconds)
        if self.horizon <= now < self.plan.window_seconds:  # woken at the horizon: the next stretch
            self._extend(now + _HORIZON_SECONDS)
        # Before ``now`` the evaluation is partial (it starts there), and nothing is pending.
        evaluated = self._evaluate()
        out = evaluated[bisect.bisect_left(evaluated, (now,)) :]
        self._log.append((now, out))
        # The evaluator acts on fires only: it needs no wake-up for a resolve.
        fires = [t for t in out if t[2]]
        if self.horizon < self.plan.window_seconds:
            bisect.insort(fires, (self.horizon, -1, False))
        return fires

    def window_end(self) -> ProcessGenerator:
        yield from super().window_end()
        if self.horizon >= self.plan.window_seconds and self.revision == self._seen:
            return  # the last evaluation reached the end, and nothing changed since
        since = self._log[-1][0] if self._log else 0.0
        self._extend(self.plan.window_seconds, since=since)
        self._log.append((since, [t for t in self._evaluate() if t[0] >= since]))

    def _evaluate(self) -> list[tuple[float, int, bool]]:
        """Every alert transition in ``[since, horizon]`` for the current traffic, in time order
        (computed once per revision): the rules of all SLOs of one source in one pass
        (:func:`~sim.montecarlo.sparse_rules.firing_transitions`)."""
        if self._evaluated is not None and self._evaluated[0] == self.revision:
            return self._evaluated[1]
        plan = self.plan
        out: list[tuple[float, int, bool]] = []
        for objectives, rules, table in self._groups:
            streams = [self.sparse.stream(o.slo_id) for o in objectives]
            # A window's error ratio is an average of the steps' P(bad): below the factor at the
            # worst step, a rule cannot fire anywhere, and is evaluated nowhere.
            worst = np.array(
                [
                    float(burn_rate(s.model.base_probability + float(s.delta.max(initial=0.0)), o.target))
                    for s, o in zip(streams, objectives, strict=True)
                ]
            )
            factors = np.array([r.factor for r in rules])
            alerts = np.where(worst[:, None] >= factors[None, :] * (1.0 - 1e-6), table, -1)
            needed = [k for k in range(len(rules)) if (alerts[:, k] >= 0).any()]
            if not needed:
                continue
            timed = [
                (
                    rules[k],
                    self.sparse.evaluation_times(objectives[0].source, rules[k], self.since, self.horizon),
                )
                for k in needed
            ]
            out.extend(
                firing_transitions(streams, [o.target for o in objectives], plan, timed, alerts[:, needed])
            )
        out.sort()
        self._evaluated = (self.revision, out)
        return out

    def evaluate(self) -> tuple[dict[str, RollingSeries], tuple[AlertHistory, ...]]:
        return {}, ()  # no dense series: the alerts are :meth:`fires`, stitched from the evaluations

    def fires(self) -> tuple[tuple[int, float, float | None], ...]:
        """Every firing span, stitched from the evaluations the run made: each one is final from the
        moment it was made (nothing changes the past) until the next."""
        events: list[tuple[float, int, bool]] = []
        for k, (start, out) in enumerate(self._log):
            stop = self._log[k + 1][0] if k + 1 < len(self._log) else math.inf
            events.extend(t for t in out if start <= t[0] < stop)
        opened: dict[int, float] = {}
        spans: list[tuple[int, float, float | None]] = []
        for time, index, fired in sorted(events):
            if fired:
                opened[index] = time
            else:
                spans.append((index, opened.pop(index), time))
        spans.extend((index, time, None) for index, time in opened.items())
        return tuple(sorted(spans, key=lambda s: (s[0], s[1])))

    def measure(self, binding: SLABinding) -> float:
        key = f"{binding.sla_id}/{binding.commitment.id}"
        total = self.sparse.model.streams[key].total_sum
        return 1.0 if total == 0 else 1.0 - self.sparse.bad_total(key) / total

    def budget(self, index: int) -> tuple[float, float | None]:
        """An SLO's remaining budget at window end and the first evaluation with none left."""
        plan = self.plan
        objective = plan.objectives[index]
        stream = self.sparse.stream(objective.slo_id)
        if objective.basis == "time":
            allowed = time_budget_seconds(objective.target, plan.window_seconds)
        else:
            allowed = event_budget(objective.target, float(stream.model.cum_total[-1]))
        ratio = plan.evaluation_interval_seconds / plan.step_seconds
        count = int(np.floor(self.sparse.model.steps / ratio + 1e-9))

        def remaining(j: NDArray[np.int64]) -> FloatArray:
            bad = stream.cumulative_bad(
                np.asarray(j * plan.evaluation_interval_seconds / plan.step_seconds, dtype=np.float64)
            )
            return 1.0 - consumed_fraction(bad, allowed)

        end = float(remaining(np.array([count]))[0])
        if end > 0:
            return end, None
        # Cumulative bad never falls: narrow [lo, hi] (nothing left at hi) to the first evaluation
        # with nothing left, looking at a thousand evaluations at a time.
        lo, hi = 1, count
        while lo < hi:
            probe = np.append(np.arange(lo, hi, max(1, -(-(hi - lo) // 1024)), dtype=np.int64), hi)
            first = int(np.argmax(remaining(probe) <= 0))
            lo, hi = (int(probe[first - 1]) + 1 if first else lo), int(probe[first])
        return end, lo * plan.evaluation_interval_seconds


def _fires(histories: tuple[AlertHistory, ...]) -> tuple[tuple[int, float, float | None], ...]:
    out: list[tuple[int, float, float | None]] = []
    for index, history in enumerate(histories):
        out.extend((index, fired, resolved) for fired, resolved in history.evaluation.firing_intervals())
    return tuple(out)


def replicate_fast(plan: Plan, rng: np.random.Generator, model: TrafficModel) -> Replication:
    """Run a realised plan (no incident processes left) on sparse traffic."""
    engine = _FastEngine(plan, rng, simpy.Environment(), model)
    run = engine.run()
    budgets = [engine.budget(i) for i in range(len(plan.objectives))]
    return Replication(
        incidents=len(plan.incidents),
        fires=engine.fires(),
        remaining=tuple(b[0] for b in budgets),
        exhausted_seconds=tuple(b[1] for b in budgets),
        sla_measured=tuple(m for _, m in run.sla_measurements),
        rollbacks=len(run.actions),
        pages_answered=len(run.responses),
    )


def replicate_engine(plan: Plan, rng: np.random.Generator) -> Replication:
    """Run a realised plan through the SimPy engine on dense expected traffic (the reference)."""
    run = simulate(plan.without_noise(), rng, simpy.Environment())
    remaining: list[float] = []
    exhausted: list[float | None] = []
    for objective in plan.objectives:
        track = budget_track(run, objective)
        remaining.append(float(track.remaining[-1]))
        gone = np.flatnonzero(track.remaining <= 0)
        exhausted.append(float(track.times_seconds[gone[0]]) if gone.size else None)
    return Replication(
        incidents=len(plan.incidents),
        fires=_fires(run.alerts),
        remaining=tuple(remaining),
        exhausted_seconds=tuple(exhausted),
        sla_measured=tuple(m for _, m in run.sla_measurements),
        rollbacks=len(run.actions),
        pages_answered=len(run.responses),
    )


def replicate(plan: Plan, seed: np.random.SeedSequence, model: TrafficModel | None) -> Replication:
    """One replication of a plan with incident processes: ``seed`` draws the incidents, then runs it.

    ``model`` selects the fast path (None: the SimPy engine on dense traffic).
    """
    # Children derived without spawn(), which would change ``seed``: what-if columns reuse the seeds.
    incidents_seed, engine_seed = (
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, k)) for k in (0, 1)
    )
    realised = realise(plan, np.random.default_rng(incidents_seed))
    rng = np.random.default_rng(engine_seed)
    if model is None:
        return replicate_engine(realised, rng)
    return replicate_fast(realised, rng, model)
