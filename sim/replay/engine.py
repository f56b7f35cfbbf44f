"""The SimPy engine: incidents, the alert evaluator, responders and SLA measurement over one window.

SimPy drives what happens at discrete times; NumPy (:mod:`sim.replay.traffic`) supplies the events. The
evaluator is a process that evaluates the rules at every evaluation interval, but does not wake
80,640 times for a 28-day window: an evaluation at ``t`` reads only events up to ``t``, and a
responder can change traffic only after the moment it acts, so the evaluator evaluates the whole
window at once with :func:`slo.budgets.burn_rate.evaluate_rule`, sleeps until the first evaluation whose
result changes an alert, and evaluates again whenever an incident ends early. The alerts it acts
on are therefore exactly those an evaluator ticking every interval would have raised.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import simpy

from sim.replay.traffic import Recorded, StreamSpec, Traffic
from sim.scenarios.plan import IncidentPlan, Plan, SLABinding
from slo.budgets.burn_rate import RollingSeries, RuleEvaluation, evaluate_rule

ProcessGenerator = Generator[simpy.Event, Any, None]


@dataclass(frozen=True)
class IncidentRecord:
    """When an incident really ended and what ended it: duration, rollback, on_call, or open (None)."""

    plan: IncidentPlan
    end_seconds: float
    ended_by: str | None


@dataclass(frozen=True)
class ActionRecord:
    """An automated action (a rollback) started by an alert."""

    action: str
    alert: str
    triggered_seconds: float
    completed_seconds: float
    incidents: tuple[str, ...]


@dataclass(frozen=True)
class ResponseRecord:
    """A page answered by the on-call engineer.

    ``mitigated_seconds`` is None when nothing was left to mitigate (a rollback got there first) or the
    window ended before the engineer did.
    """

    alert: str
    paged_seconds: float
    acknowledged_seconds: float | None
    mitigated_seconds: float | None
    incidents: tuple[str, ...]


@dataclass(frozen=True)
class AlertHistory:
    """One rule on one SLO: its evaluation over the whole window."""

    slo_id: str
    policy: str
    evaluation: RuleEvaluation

    @property
    def name(self) -> str:
        return f"{self.slo_id}/{self.policy}/{self.evaluation.rule.name}"


@dataclass(frozen=True)
class Run:
    """Everything a run produced, as plain values for :mod:`sim.replay.outcome`."""

    plan: Plan
    traffic: Traffic
    series: dict[str, RollingSeries]
    alerts: tuple[AlertHistory, ...]
    incidents: tuple[IncidentRecord, ...]
    actions: tuple[ActionRecord, ...]
    responses: tuple[ResponseRecord, ...]
    sla_measurements: tuple[tuple[SLABinding, float], ...]


def stream_specs(plan: Plan) -> tuple[StreamSpec, ...]:
    """The streams a plan measures: every SLO in play, and every SLA ratio commitment."""
    specs = [StreamSpec(o.slo_id, o.source, o.threshold_seconds, o.basis) for o in plan.objectives]
    specs += [
        StreamSpec(f"{b.sla_id}/{b.commitment.id}", b.source, None, "events")
        for b in plan.sla_bindings
        if b.commitment.statistic == "ratio"
    ]
    return tuple(specs)


TrafficFactory = Callable[[Plan, tuple[StreamSpec, ...], np.random.Generator], Traffic]


class _Engine:
    def __init__(
        self,
        plan: Plan,
        rng: np.random.Generator,
        env: simpy.Environment,
        traffic: TrafficFactory = Traffic,
    ) -> None:
        self.plan = plan
        self.env = env
        traffic_rng, self.responder_rng = rng.spawn(2)
        self.traffic = traffic(plan, stream_specs(plan), traffic_rng)
        self.resolve = {i.id: env.event() for i in plan.incidents}
        self.ended: dict[str, tuple[float, str]] = {}
        self.started: set[str] = set()
        self.changed = env.event()
        self.revision = 0
        self._cache: tuple[int, dict[str, RollingSeries], tuple[AlertHistory, ...]] | None = None
        self._transitions: tuple[int, list[tuple[float, int, bool]]] | None = None
        self.handled: set[str] = set()
        self.actions: list[ActionRecord] = []
        self.responses: list[ResponseRecord] = []
        self.measurements: list[tuple[SLABinding, float]] = []

    # -- alert evaluation -------------------------------------------------------------------------

    def series(self) -> dict[str, RollingSeries]:
        """Each SLO's good/total series for the current traffic."""
        return {
            o.slo_id: RollingSeries.from_counts(
                self.traffic.streams[o.slo_id].good,
                self.traffic.streams[o.slo_id].total,
                step_seconds=self.plan.step_seconds,
                evaluation_interval_seconds=self.plan.evaluation_interval_seconds,
            )
            for o in self.plan.objectives
        }

    def evaluate(self) -> tuple[dict[str, RollingSeries], tuple[AlertHistory, ...]]:
        """Series and rule evaluations for the current traffic, recomputed only after it changed."""
        if self._cache is None or self._cache[0] != self.revision:
            series = self.series()
            histories = tuple(
                AlertHistory(
                    a.slo_id,
                    a.policy,
                    evaluate_rule(series[a.slo_id], self.plan.objective(a.slo_id).target, a.rule),
                )
                for a in self.plan.alerts
            )
            self._cache = (self.revision, series, histories)
        return self._cache[1], self._cache[2]

    def transitions(self) -> list[tuple[float, int, bool]]:
        """(time, alert index, fired?) for every alert state change, in time order (cached per revision)."""
        if self._transitions is None or self._transitions[0] != self.revision:
            out: list[tuple[float, int, bool]] = []
            for index, history in enumerate(self.evaluate()[1]):
                for fired, resolved in history.evaluation.firing_intervals():
                    out.append((fired, index, True))
                    if resolved is not None:
                        out.append((resolved, index, False))
            self._transitions = (self.revision, sorted(out))
        return self._transitions[1]

    def evaluator(self) -> ProcessGenerator:
        done_until = 0.0
        while True:
            transitions = self.transitions()
            first = bisect.bisect_right(transitions, (done_until, len(self.plan.alerts), True))
            changed = self.changed
            if first == len(transitions):
                yield changed
                continue
            at = transitions[first][0]
            yield self.env.any_of([self.env.timeout(at - self.env.now), changed])
            if changed.triggered:
                continue
            done_until = at
            for when, index, fired in transitions[first:]:
                if when != at:
                    break
                if fired:
                    self.on_fire(index)

    # -- incidents ---------------------------------------------------------------------------------

    def incident(self, incident: IncidentPlan) -> ProcessGenerator:
        yield self.env.timeout(incident.start_seconds)
        self.started.add(incident.id)
        resolve = self.resolve[incident.id]
        waits = [resolve]
        if not incident.until_resolved:
            waits.append(self.env.timeout(incident.planned_end_seconds - incident.start_seconds))
        yield self.env.any_of(waits)
        if resolve.triggered:
            self.ended[incident.id] = (self.env.now, str(resolve.value))
            self.traffic.end_incident(incident.id, self.env.now)
            self.revision += 1
            changed, self.changed = self.changed, self.env.event()
            changed.succeed()
        else:
            self.ended[incident.id] = (self.env.now, "duration")

    def active(self, source: str) -> list[IncidentPlan]:
        return [
            i
            for i in self.plan.incidents
            if i.id in self.started and i.id not in self.ended and source in i.sources
        ]

    # -- responders --------------------------------------------------------------------------------

    def on_fire(self, index: int) -> None:
        alert = self.plan.alerts[index]
        name = alert.name
        source = self.plan.objective(alert.slo_id).source
        automation, on_call = self.plan.automation, self.plan.on_call
        if automation is not None and alert.rule.action == automation.trigger:
            targets = [i for i in self.active(source) if i.cause in automation.resolves]
            targets = [i for i in targets if f"rollback:{i.id}" not in self.handled]
            if targets:
                self.handled.update(f"rollback:{i.id}" for i in targets)
                self.env.process(self.rollback(name, tuple(i.id for i in targets)))
        if on_call is not None and alert.rule.severity == "page":
            targets = [
                i for i in self.active(source) if i.until_resolved and f"page:{i.id}" not in self.handled
            ]
            if targets:
                self.handled.update(f"page:{i.id}" for i in targets)
                self.env.process(self.respond(name, tuple(i.id for i in targets)))

    def _end(self, incident_ids: tuple[str, ...], by: str) -> None:
        for incident_id in incident_ids:
            if incident_id not in self.ended and not self.resolve[incident_id].triggered:
                self.resolve[incident_id].succeed(by)

    def rollback(self, alert: str, incident_ids: tuple[str, ...]) -> ProcessGenerator:
        assert self.plan.automation is not None
        triggered = self.env.now
        yield self.env.timeout(self.plan.automation.rollback.sample(self.responder_rng))
        self._end(incident_ids, "rollback")
        self.actions.append(ActionRecord("rollback", alert, triggered, self.env.now, incident_ids))

    def respond(self, alert: str, incident_ids: tuple[str, ...]) -> ProcessGenerator:
        assert self.plan.on_call is not None
        index = len(self.responses)
        self.responses.append(ResponseRecord(alert, self.env.now, None, None, incident_ids))
        acknowledge = self.plan.on_call.acknowledge.sample(self.responder_rng)
        mitigate = self.plan.on_call.mitigate.sample(self.responder_rng)
        yield self.env.timeout(acknowledge)
        self.responses[index] = replace(self.responses[index], acknowledged_seconds=self.env.now)
        yield self.env.timeout(mitigate)
        if any(i not in self.ended for i in incident_ids):
            self._end(incident_ids, "on_call")
            self.responses[index] = replace(self.responses[index], mitigated_seconds=self.env.now)

    # -- the run -----------------------------------------------------------------------------------

    def window_end(self) -> ProcessGenerator:
        """At the end of the window, measure every bound SLA commitment: a good ratio or a latency P95."""
        yield self.env.timeout(self.plan.window_seconds)
        for binding in self.plan.sla_bindings:
            self.measurements.append((binding, self.measure(binding)))

    def measure(self, binding: SLABinding) -> float:
        """One SLA commitment's value over the window: a good ratio or a latency P95."""
        commitment = binding.commitment
        if commitment.statistic == "p95":
            return self.traffic.latency_quantile(binding.source, 0.95, commitment.excluded_classes)
        stream = self.traffic.streams[f"{binding.sla_id}/{commitment.id}"]
        total = float(stream.total.sum())
        return 1.0 if total == 0 else 1.0 - float(stream.bad.sum()) / total

    def run(self) -> Run:
        for incident in self.plan.incidents:
            self.env.process(self.incident(incident))
        self.env.process(self.evaluator())
        self.env.run(until=self.env.process(self.window_end()))
        series, histories = self.evaluate()
        records = []
        for incident in self.plan.incidents:
            if incident.id in self.ended:
                end, by = self.ended[incident.id]
                records.append(IncidentRecord(incident, end, by))
            elif incident.until_resolved:
                records.append(IncidentRecord(incident, self.plan.window_seconds, None))
            else:
                records.append(IncidentRecord(incident, incident.planned_end_seconds, "duration"))
        return Run(
            self.plan,
            self.traffic,
            series,
            histories,
            tuple(records),
            tuple(self.actions),
            tuple(self.responses),
            tuple(self.measurements),
        )


def simulate(
    plan: Plan,
    rng: np.random.Generator,
    env: simpy.Environment | None = None,
    recorded: Recorded | None = None,
) -> Run:
    """Replay ``plan`` over its window; the same generator state gives the same run, to the bit.

    ``recorded`` replaces the drawn traffic with given counts per stream (see :mod:`sim.analyses.backtest`);
    otherwise :class:`~sim.replay.traffic.Traffic` draws them (risk runs pass ``plan.without_noise()`` for
    expected counts).
    """
    traffic = partial(Traffic, recorded=recorded)
    return _Engine(plan, rng, simpy.Environment() if env is None else env, traffic).run()
