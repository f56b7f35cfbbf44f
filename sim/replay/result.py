"""One scenario run end to end, and its ``summary.json``: the stable, documented output of the simulator.

The summary holds no wall-clock time, path or host detail, and its floats are rounded to nine
digits, so the same scenario and seed give a byte-identical file on any machine. Its schema is
described in ``results/README.md``; ``schema`` names the version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.replay.engine import Run, simulate
from sim.replay.expectations import ExpectationResult, check_all
from sim.replay.outcome import AlertFire, BudgetTrack, alert_fires, budget_track, sla_outcomes
from sim.replay.traffic import Recorded
from sim.scenarios.incident_process import realise, replay_generator
from sim.scenarios.plan import Plan
from slo.budgets.budget import BudgetStatus
from slo.foundation.json_numbers import json_number
from slo.sla import CommitmentOutcome

SCHEMA = "slo-harness/sim-summary/1"


@dataclass(frozen=True)
class Saving:
    """Budget the automation saved on one SLO: spent without it minus spent with it."""

    slo_id: str
    consumed_with: float
    consumed_without: float

    @property
    def saved(self) -> float:
        return self.consumed_without - self.consumed_with


@dataclass(frozen=True)
class Result:
    run: Run
    tracks: dict[str, BudgetTrack]
    fires: list[AlertFire]
    slas: list[CommitmentOutcome]
    expectations: list[ExpectationResult]
    savings: list[Saving]

    @property
    def passed(self) -> bool:
        return all(e.passed for e in self.expectations)

    @property
    def failures(self) -> list[ExpectationResult]:
        return [e for e in self.expectations if not e.passed]


def _tracks(run: Run) -> dict[str, BudgetTrack]:
    return {o.slo_id: budget_track(run, o) for o in run.plan.objectives}


def assess(plan: Plan, recorded: Recorded | None = None) -> Result:
    """Run ``plan`` with a generator seeded from its seed (and, if asked, once more without automation).

    ``recorded`` counts per stream stand in for the drawn traffic (a backtest). Incident processes are
    drawn first, from a generator of their own (:func:`replay_generator`).
    """
    if plan.incident_processes:
        plan = realise(plan, replay_generator(plan.seed))
    run = simulate(plan, np.random.default_rng(plan.seed), simpy.Environment(), recorded)
    tracks = _tracks(run)
    fires = alert_fires(run, tracks)
    slas = sla_outcomes(run)
    savings: list[Saving] = []
    if plan.compare_without_automation:
        # The same seed: baseline noise is identical, so the difference is the incident alone.
        other = simulate(plan.without_automation(), np.random.default_rng(plan.seed), simpy.Environment())
        other_tracks = _tracks(other)
        savings = [
            Saving(
                slo_id,
                1.0 - float(tracks[slo_id].remaining[-1]),
                1.0 - float(other_tracks[slo_id].remaining[-1]),
            )
            for slo_id in tracks
        ]
    return Result(run, tracks, fires, slas, check_all(run, fires, tracks, slas), savings)


def _fire(fire: AlertFire) -> dict[str, Any]:
    return {
        "slo": fire.slo_id,
        "policy": fire.policy,
        "rule": fire.rule,
        "severity": fire.severity,
        "action": fire.action,
        "factor": json_number(fire.factor),
        "fired_at_seconds": json_number(fire.fired_seconds),
        "resolved_at_seconds": json_number(fire.resolved_seconds),
        "incident": fire.incident,
        "detection_seconds": json_number(fire.detection_seconds),
        "reset_seconds": json_number(fire.reset_seconds),
        "budget_consumed_at_fire": json_number(fire.budget_consumed_at_fire),
    }


def sla_json(outcome: CommitmentOutcome) -> dict[str, Any]:
    """One assessed commitment as the reports write it: measured value, rung reached, consequences."""
    return {
        "sla": outcome.sla_id,
        "commitment": outcome.commitment_id,
        "measured": json_number(outcome.measured),
        "met": outcome.met,
        "step": outcome.step,
        "consequences": [
            {
                "action": c.action,
                "description": c.description,
                "amount": json_number(c.amount),
                "unit": c.unit,
                "duration_seconds": json_number(c.duration_seconds),
            }
            for c in outcome.consequences
        ],
    }


def summary(result: Result) -> dict[str, Any]:
    """The ``summary.json`` document (see ``results/README.md``)."""
    run, plan = result.run, result.run.plan
    slos = []
    for objective in plan.objectives:
        track = result.tracks[objective.slo_id]
        stream = run.traffic.streams[objective.slo_id]
        total, bad = float(stream.total.sum()), float(stream.bad.sum())
        slos.append(
            {
                "id": objective.slo_id,
                "name": objective.name,
                "source": objective.source,
                "target": json_number(objective.target),
                "basis": objective.basis,
                "threshold_seconds": json_number(objective.threshold_seconds),
                "slo_window_seconds": json_number(objective.slo_window_seconds),
                "sli": {
                    "good": json_number(total - bad),
                    "total": json_number(total),
                    "ratio": json_number(1.0 - bad / total) if total else None,
                },
                "budget": {
                    "allowed": json_number(track.allowed),
                    "consumed": json_number(1.0 - float(track.remaining[-1])),
                    "remaining": json_number(float(track.remaining[-1])),
                    "status": track.statuses[-1].value,
                    "exhausted_at_seconds": json_number(track.exhausted_at()),
                    "status_reached_at_seconds": {
                        status.value: json_number(track.first_reached(status))
                        for status in (BudgetStatus.WARNING, BudgetStatus.CRITICAL, BudgetStatus.DEPLETED)
                    },
                },
                "status_transitions": [
                    {"at_seconds": json_number(t), "from": a.value, "to": b.value}
                    for t, a, b in track.transitions()
                ],
            }
        )
    return {
        "schema": SCHEMA,
        "scenario": plan.name,
        "description": plan.description,
        "seed": plan.seed,
        "catalog": plan.catalog_name,
        "window_seconds": json_number(plan.window_seconds),
        "step_seconds": json_number(plan.step_seconds),
        "evaluation_interval_seconds": json_number(plan.evaluation_interval_seconds),
        "incidents": [
            {
                "id": r.plan.id,
                "kind": r.plan.kind,
                "service": r.plan.service,
                "sources": list(r.plan.sources),
                "cause": r.plan.cause,
                "start_seconds": json_number(r.plan.start_seconds),
                "planned_end_seconds": None
                if r.plan.until_resolved
                else json_number(r.plan.planned_end_seconds),
                "end_seconds": json_number(r.end_seconds),
                "ended_by": r.ended_by,
            }
            for r in run.incidents
        ],
        "slos": slos,
        "alerts": [_fire(f) for f in result.fires],
        "actions": [
            {
                "action": a.action,
                "alert": a.alert,
                "triggered_at_seconds": json_number(a.triggered_seconds),
                "completed_at_seconds": json_number(a.completed_seconds),
                "incidents": list(a.incidents),
            }
            for a in run.actions
        ],
        "responses": [
            {
                "alert": r.alert,
                "paged_at_seconds": json_number(r.paged_seconds),
                "acknowledged_at_seconds": json_number(r.acknowledged_seconds),
                "mitigated_at_seconds": json_number(r.mitigated_seconds),
                "incidents": list(r.incidents),
            }
            for r in run.responses
        ],
        "automation_savings": [
            {
                "slo": s.slo_id,
                "consumed_with_automation": json_number(s.consumed_with),
                "consumed_without_automation": json_number(s.consumed_without),
                "saved": json_number(s.saved),
            }
            for s in result.savings
        ],
        "sla": [sla_json(o) for o in result.slas],
        "expectations": [
            {"expectation": e.expectation, "passed": e.passed, "observed": e.observed}
            for e in result.expectations
        ],
        "passed": result.passed,
    }
