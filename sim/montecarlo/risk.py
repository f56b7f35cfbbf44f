"""Monte Carlo risk: many independent replications of a scenario's random incidents, summarised.

Replication ``i`` draws everything from ``numpy.random.SeedSequence(seed).spawn(runs)[i]``, so the
outcome of a run does not depend on how replications are split into chunks or spread over local
processes or Dask workers. A chunk runs on the fast path (:mod:`sim.montecarlo.fast_path`) unless the scenario
needs the engine. :func:`summarise` turns the replications into probabilities (with a Monte Carlo
standard error and a 95 % Wilson interval) and means (standard error, normal 95 % interval) using
:mod:`slo`'s budget status and SLA ladder rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.montecarlo.fast_path import Replication, fast_path_problem, replicate, traffic_model
from sim.scenarios.plan import Plan
from slo.budgets.budget import BudgetStatus, budget_status
from slo.foundation.json_numbers import json_number
from slo.sla import CommitmentOutcome, evaluate_commitment

Z95 = 1.959963984540054
FloatArray = NDArray[np.float64]
MONTH_SECONDS = 30 * 86400.0


def path_for(plan: Plan) -> tuple[str, str | None]:
    """``("fast", None)`` or ``("engine", why the fast path does not apply)``."""
    problem = fast_path_problem(plan, traffic_model(plan))
    return ("fast", None) if problem is None else ("engine", problem)


def run_chunk(plan: Plan, seed: int, runs: int, start: int, stop: int) -> list[Replication]:
    """Replications ``start`` … ``stop - 1`` of ``runs`` (a unit of work for a process or Dask worker)."""
    if not 0 <= start <= stop <= runs:
        raise ValueError(f"replications {start}…{stop - 1} are not among {runs}")
    # SeedSequence(seed).spawn(runs)[i] is SeedSequence(seed, spawn_key=(i,)): built for this chunk
    # only (spawning all of them costs 90 ms per chunk for 10,000 runs).
    seeds = [np.random.SeedSequence(seed, spawn_key=(i,)) for i in range(start, stop)]
    model = traffic_model(plan)
    use = model if fast_path_problem(plan, model) is None else None
    return [replicate(plan, s, use) for s in seeds]


def chunks(runs: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous index ranges: enough of them to keep every worker busy and show progress."""
    size = max(min(runs, 100), min(500, math.ceil(runs / max(1, 8 * workers))))
    return [(a, min(runs, a + size)) for a in range(0, runs, size)]


def run_local(
    plan: Plan, seed: int, runs: int, jobs: int, advance: Callable[[int], None] | None = None
) -> list[Replication]:
    """All replications in ``jobs`` local processes (in this one when ``jobs`` is 1)."""
    ranges = chunks(runs, jobs)
    results: dict[int, list[Replication]] = {}
    if jobs == 1:
        for a, b in ranges:
            results[a] = run_chunk(plan, seed, runs, a, b)
            if advance is not None:
                advance(b - a)
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: PLC0415

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run_chunk, plan, seed, runs, a, b): a for a, b in ranges}
            for future in as_completed(futures):
                a = futures[future]
                results[a] = future.result()
                if advance is not None:
                    advance(len(results[a]))
    return [r for a, _ in ranges for r in results[a]]


def run_dask(
    plan: Plan,
    seed: int,
    runs: int,
    scheduler: str,
    advance: Callable[[int], None] | None = None,
    timeout_seconds: float = 30.0,
) -> list[Replication]:
    """All replications on the Dask cluster whose scheduler listens at ``scheduler``."""
    from dask.distributed import Client, as_completed  # noqa: PLC0415

    with Client(scheduler, timeout=timeout_seconds) as client:  # type: ignore[no-untyped-call]
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        ranges = chunks(runs, workers)
        futures = [client.submit(run_chunk, plan, seed, runs, a, b, pure=False) for a, b in ranges]
        index = {f.key: a for f, (a, _) in zip(futures, ranges, strict=True)}
        results: dict[int, list[Replication]] = {}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            results[index[future.key]] = future.result()
            if advance is not None:
                advance(len(results[index[future.key]]))
    return [r for a, _ in ranges for r in results[a]]


# -- statistics -------------------------------------------------------------------------------------


def probability(hits: NDArray[np.bool_]) -> dict[str, Any]:
    """A share of replications with its Monte Carlo standard error and 95 % Wilson interval."""
    n = len(hits)
    p = float(hits.mean()) if n else 0.0
    se = math.sqrt(p * (1 - p) / n) if n else 0.0
    if n:
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
        low, high = max(0.0, centre - half), min(1.0, centre + half)
    else:
        low, high = 0.0, 1.0
    return {"p": json_number(p), "se": json_number(se), "ci95": [json_number(low), json_number(high)]}


def mean(values: FloatArray) -> dict[str, Any]:
    """Mean, standard error, normal 95 % interval and quantiles of per-replication values."""
    n = len(values)
    m = float(values.mean()) if n else math.nan
    se = float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    q = np.quantile(values, [0.05, 0.5, 0.95]).tolist() if n else [math.nan] * 3
    return {
        "mean": json_number(m),
        "se": json_number(se),
        "ci95": [json_number(m - Z95 * se), json_number(m + Z95 * se)],
        "p5": json_number(q[0]),
        "p50": json_number(q[1]),
        "p95": json_number(q[2]),
    }


@dataclass(frozen=True)
class Outcomes:
    """Per-replication values of every reported quantity, as columns (one entry per replication)."""

    plan: Plan
    values: dict[str, FloatArray]
    flags: dict[str, NDArray[np.bool_]]


def _sla_outcomes(plan: Plan, reps: Sequence[Replication]) -> list[list[CommitmentOutcome]]:
    return [
        [
            evaluate_commitment(b.sla_id, b.commitment, m)
            for b, m in zip(plan.sla_bindings, r.sla_measured, strict=True)
        ]
        for r in reps
    ]


def outcomes(plan: Plan, reps: Sequence[Replication]) -> Outcomes:
    """Every quantity the summary and the CSV report, per replication."""
    values: dict[str, FloatArray] = {}
    flags: dict[str, NDArray[np.bool_]] = {}
    values["incidents"] = np.array([r.incidents for r in reps], dtype=np.float64)
    values["rollbacks"] = np.array([r.rollbacks for r in reps], dtype=np.float64)
    for policy in dict.fromkeys(a.policy for a in plan.alerts):
        for severity, label in (("page", "pages"), ("ticket", "tickets")):
            indexes = {
                i for i, a in enumerate(plan.alerts) if a.policy == policy and a.rule.severity == severity
            }
            if indexes:
                values[f"{policy} {label}"] = np.array(
                    [sum(1 for f in r.fires if f[0] in indexes) for r in reps], dtype=np.float64
                )
    thresholds = plan.status_thresholds
    for k, objective in enumerate(plan.objectives):
        remaining = np.array([r.remaining[k] for r in reps], dtype=np.float64)
        values[f"{objective.slo_id} budget remaining"] = remaining
        statuses = [budget_status(float(x), thresholds) for x in remaining]
        for status in BudgetStatus:
            flags[f"{objective.slo_id} {status.value}"] = np.array([s == status for s in statuses])
        gone = [r.exhausted_seconds[k] for r in reps]
        flags[f"{objective.slo_id} exhausted"] = np.array([g is not None for g in gone])
        values[f"{objective.slo_id} time to exhaustion"] = np.array(
            [math.nan if g is None else g for g in gone], dtype=np.float64
        )
    per_rep = _sla_outcomes(plan, reps)
    for j, binding in enumerate(plan.sla_bindings):
        name = f"{binding.sla_id}/{binding.commitment.id}"
        found = [o[j] for o in per_rep]
        values[f"{name} measured"] = np.array([o.measured for o in found], dtype=np.float64)
        flags[f"{name} breached"] = np.array([not o.met for o in found])
        steps = [s.id for s in binding.commitment.ladder]
        reached = np.array([steps.index(o.step) if o.step in steps else -1 for o in found])
        for k, step in enumerate(steps):
            flags[f"{name} {step}"] = reached >= k  # this rung or a worse one
        for unit in sorted(
            {c.unit for o in found for c in o.consequences if c.amount is not None and c.unit}
        ):
            values[f"{name} {unit}"] = np.array(
                [sum(c.amount or 0.0 for c in o.consequences if c.unit == unit) for o in found],
                dtype=np.float64,
            )
    for sla_id in dict.fromkeys(b.sla_id for b in plan.sla_bindings):
        bound = [j for j, b in enumerate(plan.sla_bindings) if b.sla_id == sla_id]
        actions = dict.fromkeys(
            c.action
            for j in bound
            for rung in plan.sla_bindings[j].commitment.ladder
            for c in rung.consequences
        )
        for action in actions:
            flags[f"{sla_id} {action}"] = np.array(
                [any(c.action == action for j in bound for c in o[j].consequences) for o in per_rep]
            )
    return Outcomes(plan, values, flags)


def summarise(result: Outcomes) -> dict[str, Any]:
    """Probabilities and means of one column (one variant of the scenario)."""
    means: dict[str, Any] = {}
    for name, column in result.values.items():
        finite = column[~np.isnan(column)]
        entry = mean(finite)
        if name.endswith((" pages", " tickets")):
            entry["per_30_days"] = json_number(
                float(finite.mean()) * MONTH_SECONDS / result.plan.window_seconds
            )
            entry["p_zero"] = probability(finite == 0)
        means[name] = entry
    return {
        "probabilities": {name: probability(flag) for name, flag in result.flags.items()},
        "means": means,
    }


def paired_difference(base: Outcomes, other: Outcomes) -> dict[str, Any]:
    """``other − base`` per mean, replication by replication (the same seeds): what the change buys."""
    out: dict[str, Any] = {}
    for name, column in other.values.items():
        if name in base.values and not name.endswith("time to exhaustion"):
            out[name] = mean(column - base.values[name])
    for name, flag in other.flags.items():
        if name in base.flags:
            out[f"P({name})"] = mean(flag.astype(np.float64) - base.flags[name].astype(np.float64))
    return out


# -- the CI gate ------------------------------------------------------------------------------------

_GATE = re.compile(r"^\s*(P|E)\((.+)\)\s*(<=|>=|<|>|==)\s*(-?[0-9.]+)\s*(%?)\s*$")


@dataclass(frozen=True)
class Gate:
    """``P(name) > 1%`` or ``E(name) >= 3``: the run fails when the estimate satisfies it."""

    text: str
    kind: str
    name: str
    op: str
    bound: float

    def holds(self, value: float) -> bool:
        return {
            "<": value < self.bound,
            "<=": value <= self.bound,
            ">": value > self.bound,
            ">=": value >= self.bound,
            "==": value == self.bound,
        }[self.op]


def parse_gate(text: str) -> Gate:
    """A ``--fail-if`` expression; ValueError says what is wrong with it."""
    match = _GATE.match(text)
    if match is None:
        raise ValueError(
            f"expected e.g. 'P(SLA-VALIDATOR slash) > 1%' or 'E(source-document pages) > 4', got {text!r}"
        )
    kind, name, op, number, percent = match.groups()
    try:
        bound = float(number)
    except ValueError:
        raise ValueError(f"not a number: {number!r}") from None
    return Gate(text, kind, name.strip(), op, bound / 100.0 if percent else bound)


def gate_value(gate: Gate, summary: dict[str, Any]) -> float:
    """The estimate a gate reads from a column summary; KeyError names the known quantities."""
    table = summary["probabilities"] if gate.kind == "P" else summary["means"]
    if gate.name not in table:
        known = ", ".join(sorted(table)[:12])
        raise KeyError(
            f"no quantity {gate.name!r}; {'probabilities' if gate.kind == 'P' else 'means'}: {known}, …"
        )
    entry = table[gate.name]
    value = entry["p"] if gate.kind == "P" else entry["mean"]
    return math.nan if value is None else float(value)
