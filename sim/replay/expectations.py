"""Checking a scenario's expected outcomes against what the run did, each with the value observed.

A failed expectation says what was expected and what happened, so a regression in alert policy or
budget math reads as one line: ``node-outage-25m: SLO-NODE-001 budget remaining -24% ± 0.5%:
observed -31.2%``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.replay.engine import Run
from sim.replay.outcome import AlertFire, BudgetTrack
from sim.scenarios.scenario import ANY, ActionExpectation, AlertExpectation, BudgetExpectation, SLAExpectation
from slo.foundation.durations import format_duration
from slo.sla import CommitmentOutcome


@dataclass(frozen=True)
class ExpectationResult:
    expectation: str
    passed: bool
    observed: str


def _window(seconds: tuple[float, float]) -> str:
    return f"{format_duration(seconds[0])}..{format_duration(seconds[1])}"


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.4g}%"


def check_alert(run: Run, fires: list[AlertFire], expected: AlertExpectation) -> ExpectationResult:
    policy = expected.policy or run.plan.alerts[0].policy
    wanted = (expected.slo, policy, expected.rule)
    matching = [
        f
        for f in fires
        if all(w in (ANY, v) for w, v in zip(wanted, (f.slo_id, f.policy, f.rule), strict=True))
    ]
    what = f"{expected.slo} {policy}/{expected.rule} {'fires' if expected.fires else 'stays silent'}"
    start = 0.0
    if expected.incident is not None:
        start = next(r.plan.start_seconds for r in run.incidents if r.plan.id == expected.incident)
    if expected.within is not None:
        lo, hi = start + expected.within[0], start + expected.within[1]
        what += f" {_window(expected.within)} after {expected.incident} starts"
        in_range = [f for f in matching if lo - 1e-9 <= f.fired_seconds <= hi + 1e-9]
    else:
        in_range = matching
    if matching:
        # The first fire at or after the incident start says most; earlier ones are noise before it.
        after = [f for f in matching if f.fired_seconds >= start] or matching
        first = min(after, key=lambda f: f.fired_seconds)
        delta = first.fired_seconds - start
        observed = f"fired {len(matching)}x, first at {format_duration(abs(delta))}"
        if expected.incident:
            observed += f" {'after' if delta >= 0 else 'before'} {expected.incident} starts"
    else:
        observed = "never fired"
    return ExpectationResult(what, bool(in_range) == expected.fires, observed)


def check_budget(track: BudgetTrack, expected: BudgetExpectation) -> ExpectationResult:
    remaining = float(track.remaining[-1]) if len(track.remaining) else 1.0
    status = track.statuses[-1] if track.statuses else None
    parts, passed = [], True
    if expected.status is not None:
        parts.append(f"status {expected.status.value}")
        passed &= status == expected.status
    if expected.remaining is not None:
        parts.append(f"remaining {_percent(expected.remaining)} ± {_percent(expected.tolerance)}")
        passed &= abs(remaining - expected.remaining) <= expected.tolerance + 1e-12
    observed = f"status {status.value if status else '-'}, remaining {_percent(remaining)}"
    return ExpectationResult(f"{expected.slo} budget {', '.join(parts)} at window end", passed, observed)


def check_sla(outcomes: list[CommitmentOutcome], expected: SLAExpectation) -> ExpectationResult:
    outcome = next(o for o in outcomes if (o.sla_id, o.commitment_id) == (expected.sla, expected.commitment))
    parts, passed = [], True
    if expected.met is not None:
        parts.append("met" if expected.met else "breached")
        passed &= outcome.met == expected.met
    if expected.step is not None:
        parts.append(f"step {expected.step}")
        passed &= outcome.step == expected.step
    amounts = [c.amount for c in outcome.consequences if c.amount is not None]
    if expected.amount is not None:
        parts.append(f"amount {expected.amount:g} ± {expected.tolerance:g}")
        passed &= bool(amounts) and abs(amounts[0] - expected.amount) <= expected.tolerance + 1e-9
    observed = (
        f"measured {outcome.measured:.6g}, {'met' if outcome.met else 'breached'}, step {outcome.step or '-'}"
    )
    if amounts:
        observed += f", amount {amounts[0]:g}"
    return ExpectationResult(f"{expected.sla}/{expected.commitment} {', '.join(parts)}", passed, observed)


def check_action(run: Run, expected: ActionExpectation) -> ExpectationResult:
    count = sum(1 for a in run.actions if a.action == expected.action)
    return ExpectationResult(
        f"{expected.count} {expected.action} action(s)", count == expected.count, f"{count}"
    )


def check_all(
    run: Run, fires: list[AlertFire], tracks: dict[str, BudgetTrack], outcomes: list[CommitmentOutcome]
) -> list[ExpectationResult]:
    expect = run.plan.expectations
    return (
        [check_alert(run, fires, e) for e in expect.alerts]
        + [check_budget(tracks[e.slo], e) for e in expect.budgets]
        + [check_sla(outcomes, e) for e in expect.slas]
        + [check_action(run, e) for e in expect.actions]
    )
