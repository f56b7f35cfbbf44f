"""A scenario resolved against its catalogue, as plain frozen values the engine runs on.

The scenario file speaks in SLO ids, policy names and duration strings; the engine wants targets,
seconds, :class:`~slo.budgets.alert_policy.BurnRateRule` objects and latency distributions it can evaluate.
:mod:`sim.scenarios.scenario_file` builds a :class:`Plan` once, after every cross-reference has been checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from sim.scenarios.scenario import Expectations
from slo.budgets.alert_policy import BurnRateRule
from slo.budgets.budget import StatusThreshold
from slo.catalogs.catalog import SLO, Commitment, LatencyObjective

# The standard normal quantile of 0.95: a lognormal's p95 is median × exp(1.645 σ).
Z95 = 1.6448536269514722


def normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


@dataclass(frozen=True)
class LatencyModel:
    """Lognormal latency: ``log L ~ Normal(log median, sigma)``."""

    median_seconds: float
    sigma: float

    @classmethod
    def from_percentiles(cls, median_seconds: float, p95_seconds: float) -> LatencyModel:
        return cls(median_seconds, math.log(p95_seconds / median_seconds) / Z95)

    def exceed_probability(self, threshold_seconds: float, multiplier: float = 1.0) -> float:
        """P(latency × multiplier > threshold): the share of events a latency SLO counts as bad."""
        z = math.log(threshold_seconds / (self.median_seconds * multiplier)) / self.sigma
        return 1.0 - normal_cdf(z)


@dataclass(frozen=True)
class LatencyClass:
    """A share of a source's events with one latency distribution (``default`` holds the rest)."""

    name: str
    share: float
    latency: LatencyModel


@dataclass(frozen=True)
class SourcePlan:
    """One event stream: its rate, daily swing, baseline error ratio and latency classes.

    ``noise`` False: counts are their expected values (not rounded), so a closed form holds exactly.
    """

    key: str
    service: str
    events_per_second: float
    diurnal_amplitude: float
    diurnal_peak_seconds: float
    error_ratio: float
    classes: tuple[LatencyClass, ...]
    noise: bool = True

    def slow_probability(self, threshold_seconds: float, multiplier: float) -> float:
        """Share of events slower than the threshold when every latency is scaled by ``multiplier``."""
        return sum(
            c.share * c.latency.exceed_probability(threshold_seconds, multiplier) for c in self.classes
        )


@dataclass(frozen=True)
class ObjectivePlan:
    """An SLO in play: its budget inputs and the source whose events it counts.

    ``threshold_seconds`` is set for latency objectives (good = succeeded and at most that slow).
    ``basis`` "time" counts bad seconds (uptime), "events" bad events.
    """

    slo_id: str
    name: str
    target: float
    slo_window_seconds: float
    basis: str
    threshold_seconds: float | None
    source: str

    @classmethod
    def from_slo(cls, slo: SLO, source: str, basis: str | None = None) -> ObjectivePlan:
        """A catalogue SLO with an error budget, measured on ``source`` (basis: the SLO's unless given)."""
        assert slo.target is not None and slo.window_seconds is not None
        objective = slo.objective
        return cls(
            slo_id=slo.id,
            name=slo.name,
            target=slo.target,
            slo_window_seconds=slo.window_seconds,
            basis=basis or slo.budget_basis or "events",
            threshold_seconds=(
                objective.threshold_seconds if isinstance(objective, LatencyObjective) else None
            ),
            source=source,
        )


@dataclass(frozen=True)
class IncidentPlan:
    """An incident with its planned end; ``until_resolved`` ones are planned to the window's end."""

    id: str
    kind: str
    service: str
    sources: tuple[str, ...]
    start_seconds: float
    planned_end_seconds: float
    until_resolved: bool
    error_ratio: float
    latency_multiplier: float
    cause: str | None


@dataclass(frozen=True)
class AlertPlan:
    """One rule of one policy, evaluated on one SLO."""

    slo_id: str
    policy: str
    rule: BurnRateRule

    @property
    def name(self) -> str:
        """``SLO/policy/rule``, as alerts are named in reports and responder actions."""
        return f"{self.slo_id}/{self.policy}/{self.rule.name}"


@dataclass(frozen=True)
class DelayPlan:
    """A fixed delay, or a lognormal one sampled from the engine's generator."""

    fixed_seconds: float | None
    median_seconds: float = 0.0
    sigma: float = 0.0

    def sample(self, rng: np.random.Generator) -> float:
        if self.fixed_seconds is not None:
            return self.fixed_seconds
        return float(self.median_seconds * math.exp(self.sigma * rng.standard_normal()))


@dataclass(frozen=True)
class OnCallPlan:
    acknowledge: DelayPlan
    mitigate: DelayPlan


@dataclass(frozen=True)
class AutomationPlan:
    trigger: str
    rollback: DelayPlan
    resolves: tuple[str, ...]


@dataclass(frozen=True)
class SLABinding:
    """An SLA commitment measured on a source at window end."""

    sla_id: str
    commitment: Commitment
    source: str


class IncidentProcessPlan(Protocol):
    """A random incident process as a plan holds it (:class:`~sim.scenarios.incident_process.ProcessPlan`,
    which needs this module's types, so the plan names only what it asks of one)."""

    def sample(self, window_seconds: float, rng: np.random.Generator) -> tuple[IncidentPlan, ...]:
        """One window's incidents from this process, in start order."""
        ...


@dataclass(frozen=True)
class Plan:
    """Everything one run needs, resolved and checked."""

    name: str
    description: str
    file: str
    seed: int
    window_seconds: float
    step_seconds: float
    evaluation_interval_seconds: float
    catalog_name: str
    sources: tuple[SourcePlan, ...]
    objectives: tuple[ObjectivePlan, ...]
    incidents: tuple[IncidentPlan, ...]
    alerts: tuple[AlertPlan, ...]
    on_call: OnCallPlan | None
    automation: AutomationPlan | None
    sla_bindings: tuple[SLABinding, ...]
    status_thresholds: tuple[StatusThreshold, ...]
    expectations: Expectations
    compare_without_automation: bool
    # One line each, file:line: field: what the user may not have meant (the run goes ahead).
    warnings: tuple[str, ...] = ()
    # Random incidents (sim.scenarios.incident_process): drawn into ``incidents`` by realise() before a run.
    incident_processes: tuple[IncidentProcessPlan, ...] = ()

    def source(self, key: str) -> SourcePlan:
        return next(s for s in self.sources if s.key == key)

    def objective(self, slo_id: str) -> ObjectivePlan:
        return next(o for o in self.objectives if o.slo_id == slo_id)

    def without_automation(self) -> Plan:
        """The same scenario with no automated responder: the counterfactual for "budget saved"."""
        return replace(self, automation=None, compare_without_automation=False)

    def without_noise(self) -> Plan:
        """The same scenario with every source's counts at their expected values (``noise`` off)."""
        return replace(self, sources=tuple(replace(s, noise=False) for s in self.sources))

    @property
    def steps(self) -> int:
        return math.ceil(self.window_seconds / self.step_seconds - 1e-9)
