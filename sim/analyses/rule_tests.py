"""A simulation's alert timeline as a ``promtool test rules`` file: its series, the rules, the checks.

Each SLO in play becomes two counters, ``slo_harness_probe_total{slo, result}`` (success and
failure, as the scheduled prober exports them), sampled every ``step``, and the rule group
``slo-harness rules`` writes for it (probe source, ``slo="…"`` selector). At every evaluation where
the simulator says an alert starts or stops firing there are two checks (that evaluation and the one
before), and for every alert one more where it came closest to firing without firing.

promtool evaluates every rule at every interval from the start of a test, so a 28-day series at 30 s
takes minutes; each check only needs its alert's longest window and ``for:`` of history, so the
checks are grouped into segments, each a test of its own whose counters start where it starts.
Prometheus evaluates at the step, so the simulator's evaluator is run again at the step on the same
counts: at the scenario's own evaluation interval that is its own timeline, exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.replay.engine import AlertHistory, Run
from slo.budgets.alert_policy import BurnRateRule
from slo.budgets.burn_rate import RELATIVE_TOLERANCE, RollingSeries, RuleEvaluation, evaluate_rule
from slo.foundation.durations import format_duration
from slo.prometheus.metric_sources import PROBE_COUNTER, probe_queries
from slo.prometheus.prometheus_rules import PolicyRules, SLORules, alert_name, rule_group, threshold

# Steps tried, finest first; a step must divide every window and ``for:`` of the scenario.
CANDIDATE_STEPS = (30.0, 60.0, 300.0, 600.0, 900.0, 1800.0, 3600.0)
# Evaluations per segment above which promtool gets slow (it re-reads every window each time).
MAX_SEGMENT_EVALUATIONS = 1500


@dataclass(frozen=True)
class AlertTimeline(AlertHistory):
    """An alert's history as the simulator evaluated it, plus its evaluation on the same counts at the
    step that promtool's unit tests use."""

    at_step: RuleEvaluation


@dataclass(frozen=True)
class Check:
    """promtool should find the alert firing (or not) at ``at_seconds`` of the scenario."""

    alert: AlertTimeline
    at_seconds: float
    firing: bool
    why: str
    test: str = ""
    eval_seconds: float = 0.0
    prometheus_firing: bool | None = None

    @property
    def tie(self) -> bool:
        """Whether a window's burn rate equals the factor here (to float noise): an exact tie in the
        counts, which Prometheus decides by the last bit of its rate division."""
        ev = self.alert.at_step
        index = round(self.at_seconds / ev.times_seconds[0]) - 1
        return any(abs(b[index] / ev.rule.factor - 1.0) <= RELATIVE_TOLERANCE for b in ev.burn_rates)


def prometheus_condition(
    rule: BurnRateRule, target: float, bad: np.ndarray, total: np.ndarray, index: int, step: float
) -> bool:
    """The rule's condition at sample ``index`` in Prometheus' own float arithmetic on the counters as
    written: per window ``rate = increase × (1 / range)`` (Prometheus 2 scales the increase by one
    factor, extrapolation / sampled interval / range; the samples span the range exactly, so the
    extrapolation is 1), the total the sum of the success and failure rates, their quotient compared
    with the threshold literal. On an exact tie this is what decides, to the last bit."""
    limit = float(threshold(rule, target))
    good = [round(float(v), 6) for v in total - bad]
    failed = [round(float(v), 6) for v in bad]
    for w in rule.windows:
        # Before the first sample the counters were 0, so Prometheus does not extrapolate back there.
        back = max(0, index - round(w / step))
        factor = 1.0 / w
        rate_bad = (failed[index] - failed[back]) * factor
        rate_all = (good[index] - good[back]) * factor + rate_bad
        ratio = rate_bad / rate_all if rate_all else math.nan
        if not (ratio > limit if rule.comparison == "gt" else ratio >= limit):
            return False
    return True


@dataclass(frozen=True)
class RuleTest:
    """The rules and test documents (as dicts for YAML) and the checks they hold, by segment name."""

    step_seconds: float
    rules: dict[str, Any]
    tests: dict[str, Any]
    checks: dict[str, list[Check]]
    timelines: tuple[AlertTimeline, ...]


def _divides(step: float, seconds: float) -> bool:
    return abs(seconds / step - round(seconds / step)) < 1e-9


def step_problem(run: Run, step_seconds: float) -> str | None:
    """Why ``step_seconds`` cannot sample this run exactly, or None."""
    plan = run.plan
    if not _divides(step_seconds, plan.step_seconds) and not _divides(plan.step_seconds, step_seconds):
        return f"step {format_duration(step_seconds)} does not fit the simulation step"
    if not (_divides(step_seconds, plan.evaluation_interval_seconds) or _divides(
        plan.evaluation_interval_seconds, step_seconds
    )) or step_seconds < plan.evaluation_interval_seconds:
        return (
            f"step {format_duration(step_seconds)} must be a multiple of the evaluation interval "
            f"{format_duration(plan.evaluation_interval_seconds)}"
        )
    for alert in plan.alerts:
        for seconds in (*alert.rule.windows, alert.rule.for_seconds):
            if not _divides(step_seconds, seconds):
                return (
                    f"step {format_duration(step_seconds)} does not divide {format_duration(seconds)} "
                    f"of rule {alert.rule.name}"
                )
    return None


def choose_step(run: Run) -> float:
    """The finest candidate step that fits the run and keeps every segment under the evaluation cap."""
    fitting = [s for s in CANDIDATE_STEPS if step_problem(run, s) is None]
    for step in fitting:
        if all(_lookback(a.rule, step) / step <= MAX_SEGMENT_EVALUATIONS for a in run.plan.alerts):
            return step
    if not fitting:
        raise ValueError("no step fits every window of the scenario's rules; pass --step")
    return fitting[-1]


def timelines(run: Run, step_seconds: float) -> tuple[AlertTimeline, ...]:
    """Every alert's evaluation at the scenario's interval and, on the same counts, at the step."""
    plan = run.plan
    at_step: dict[str, RollingSeries] = {}
    out = []
    for history in run.alerts:
        slo_id = history.slo_id
        if slo_id not in at_step:
            stream = run.traffic.streams[slo_id]
            at_step[slo_id] = RollingSeries.from_counts(
                stream.good,
                stream.total,
                step_seconds=plan.step_seconds,
                evaluation_interval_seconds=step_seconds,
            )
        target = plan.objective(slo_id).target
        coarse = evaluate_rule(at_step[slo_id], target, history.evaluation.rule)
        out.append(AlertTimeline(slo_id, history.policy, history.evaluation, coarse))
    return tuple(out)


def _checks(timeline: AlertTimeline, step: float) -> Iterator[Check]:
    ev = timeline.at_step
    spans = ev.firing_intervals()
    for fired, resolved in spans:
        yield Check(timeline, fired, True, "fires")
        if fired - step > 0:
            yield Check(timeline, fired - step, False, "before it fires")
        if resolved is not None:
            yield Check(timeline, resolved, False, "resolves")
            yield Check(timeline, resolved - step, True, "before it resolves")
    if spans:
        return
    # It never fires: check where it came closest, the most telling of the evaluations it stays silent.
    with np.errstate(invalid="ignore"):
        closeness = np.fmin.reduce([b / ev.rule.factor for b in ev.burn_rates])
    closeness = np.where(np.isnan(closeness), -np.inf, closeness)
    if closeness.size and np.isfinite(closeness.max()):
        at = float(ev.times_seconds[int(np.argmax(closeness))])
        yield Check(timeline, at, False, f"closest miss ({float(closeness.max()):.3g} of the factor)")


def _lookback(rule: BurnRateRule, step: float) -> float:
    """History a check of ``rule`` needs: its long window plus ``for:``, and one step for the edge."""
    return rule.long_window_seconds + rule.for_seconds + step


def _start(check: Check, step: float) -> float:
    """The first counter sample a check needs, on the step grid."""
    earliest = check.at_seconds - _lookback(check.alert.evaluation.rule, step)
    return max(0.0, math.floor(earliest / step) * step)


def _segments(checks: Sequence[Check], step: float) -> list[tuple[float, float]]:
    """[start, end] spans covering each check's history, merged where they overlap."""
    spans: list[tuple[float, float]] = []
    needs = sorted(
        (_start(c, step), c.at_seconds)
        for c in checks
    )
    for start, end in needs:
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _number(value: float) -> str:
    """Six decimals at most, never an exponent (promtool's series notation reads ``x`` and ``e`` itself)."""
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def _values(counter: np.ndarray) -> str:
    """Counter samples in promtool's expanding notation: ``a+bxn`` for each run of equal increments."""
    values = [round(float(v), 6) for v in counter]
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i + 1
        if j < len(values):
            inc = round(values[j] - values[i], 6)
            while j + 1 < len(values) and round(values[j + 1] - values[j], 6) == inc:
                j += 1
            if j - i >= 2:
                parts.append(f"{_number(values[i])}+{_number(inc)}x{j - i}")
                i = j + 1
                continue
        parts.append(_number(values[i]))
        i += 1
    return " ".join(parts)


def _firing(timeline: AlertTimeline, at_seconds: float, step: float) -> bool:
    """The simulator's state of an alert at an evaluation on the step grid (the first is at one step)."""
    return bool(timeline.at_step.firing[round(at_seconds / step) - 1])


def _alert_labels(group: dict[str, Any], timeline: AlertTimeline) -> dict[str, Any]:
    rule: dict[str, Any]
    for rule in group["rules"]:
        labels = rule.get("labels", {})
        if "alert" in rule and labels.get("policy") == timeline.policy and (
            labels.get("rule") == timeline.evaluation.rule.name
        ):
            return rule
    raise KeyError(timeline.name)


def rule_test(run: Run, step_seconds: float, services: dict[str, tuple[str, str]]) -> RuleTest:
    """The promtool files for ``run`` at ``step_seconds``; ``services`` maps SLO id to (service, tier)."""
    problem = step_problem(run, step_seconds)
    if problem is not None:
        raise ValueError(problem)
    plan = run.plan
    lines = timelines(run, step_seconds)
    groups: dict[str, dict[str, Any]] = {}
    for objective in plan.objectives:
        alerts = [t for t in lines if t.slo_id == objective.slo_id]
        if not alerts:
            continue
        service, tier = services[objective.slo_id]
        errors, total = probe_queries(f'slo="{objective.slo_id}"')
        spec = SLORules(
            objective.slo_id, service, tier, objective.target, objective.slo_window_seconds, errors, total
        )
        policies: dict[str, list[Any]] = {}
        for t in alerts:
            policies.setdefault(t.policy, []).append(t.evaluation.rule)
        resolved = [PolicyRules(name, tuple(rules)) for name, rules in policies.items()]
        groups[objective.slo_id] = rule_group(
            spec, resolved, evaluation_interval_seconds=step_seconds, meta=False
        )
    tests: list[dict[str, Any]] = []
    checks: dict[str, list[Check]] = {}
    for slo_id, group in groups.items():
        slo_checks = [c for t in lines if t.slo_id == slo_id for c in _checks(t, step_seconds)]
        if not slo_checks:
            continue
        stream = run.traffic.streams[slo_id]
        series = RollingSeries.from_counts(
            stream.good,
            stream.total,
            step_seconds=plan.step_seconds,
            evaluation_interval_seconds=step_seconds,
        )
        cum_bad, cum_total = (np.concatenate([[0.0], c]) for c in series.cumulative())
        for n, (start, end) in enumerate(_segments(slo_checks, step_seconds)):
            name = f"{slo_id}#{n}"
            first, last = round(start / step_seconds), round(end / step_seconds)
            bad, everything = cum_bad[first : last + 1], cum_total[first : last + 1]
            inside = [
                replace(
                    c,
                    test=name,
                    eval_seconds=c.at_seconds - start,
                    prometheus_firing=prometheus_condition(
                        c.alert.evaluation.rule,
                        objective.target,
                        bad,
                        everything,
                        round((c.at_seconds - start) / step_seconds),
                        step_seconds,
                    )
                    if c.tie and c.alert.evaluation.rule.for_seconds == 0
                    else None,
                )
                for c in slo_checks
                if start <= _start(c, step_seconds) and c.at_seconds <= end
            ]
            checks[name] = inside
            # promtool compares every alert of a name at once, so a case lists all the simulator
            # has firing under that name then (rules of two policies may share a name).
            cases = []
            same_slo = [t for t in lines if t.slo_id == slo_id]
            for name_, at in sorted({(alert_name(c.alert.evaluation.rule), c.at_seconds) for c in inside}):
                firing = [
                    _alert_labels(group, t)
                    for t in same_slo
                    if alert_name(t.evaluation.rule) == name_ and _firing(t, at, step_seconds)
                ]
                expected = [{"exp_labels": r["labels"], "exp_annotations": r["annotations"]} for r in firing]
                eval_time = format_duration(at - start)
                cases.append({"eval_time": eval_time, "alertname": name_, "exp_alerts": expected})
            tests.append(
                {
                    "name": name,
                    "interval": format_duration(step_seconds),
                    "input_series": [
                        {
                            "series": f'{PROBE_COUNTER}{{slo="{slo_id}",result="success"}}',
                            "values": _values(everything - bad),
                        },
                        {
                            "series": f'{PROBE_COUNTER}{{slo="{slo_id}",result="failure"}}',
                            "values": _values(bad),
                        },
                    ],
                    "alert_rule_test": cases,
                }
            )
    document = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": format_duration(step_seconds),
        "tests": tests,
    }
    return RuleTest(step_seconds, {"groups": list(groups.values())}, document, checks, lines)
