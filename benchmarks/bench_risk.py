"""Risk benchmark: 10,000 replications of a 28-day scenario with 3 SLOs and 6 rules, on the fast path.

Run ``python benchmarks/bench_risk.py [--runs 10000] [--jobs 2]``. The scenario is the simulator
benchmark's traffic (50 transactions/s with a daily swing, SLO-NODE-003/004/005, the source
document's and the workbook's three rules each) with random incidents instead of fixed ones: outages
twice a month (lognormal, median 20 min, p95 1 h), bad deploys once a month that wait for the
rollback or the on-call engineer, and a latency regression once a month. It prints the wall time
(from the start of ``run_local``, so process start-up and each worker's traffic model count),
replications per second, the CPU seconds per replication of this process and its workers together
(``getrusage``, so a busy machine shows in the wall time but not here), and the time of one SimPy
engine replication for comparison.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np

from sim import parse_scenario
from sim.montecarlo.fast_path import fast_path_problem, replicate, traffic_model
from sim.montecarlo.risk import run_local

SCENARIO = """\
name: bench-risk-28d
window: 28d
step: 10s
evaluation_interval: 30s
services:
  node:
    transactions: {rate: 50, diurnal: {amplitude: 0.3, peak: 15h}, error_ratio: 0.02%,
                   latency: {median: 2.5s, p95: 6s}}
slos:
  SLO-NODE-003: node.transactions
  SLO-NODE-004: node.transactions
  SLO-NODE-005: node.transactions
policies: [source-document, sre-workbook]
incident_processes:
  - {id: outage, kind: outage, service: node, rate: 2/28d, duration: {median: 20m, p95: 1h}}
  - {id: deploy, kind: error_ratio, service: node, rate: 1/28d, duration: until_resolved,
     magnitude: {min: 5%, max: 40%}, cause: bad_deploy}
  - {id: slow, kind: latency_shift, service: node, rate: 1/28d, duration: {median: 1h, p95: 4h},
     magnitude: {min: 1.5, max: 3}}
responders:
  on_call: {acknowledge: {median: 5m, p95: 20m}, mitigate: {median: 30m, p95: 2h}}
  automation: {trigger: automatic_rollback, rollback: 3m, resolves: [bad_deploy]}
"""


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of its children that have exited."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    args = parser.parse_args()
    plan = parse_scenario(SCENARIO, "bench-risk-28d.yaml")
    model = traffic_model(plan)
    problem = fast_path_problem(plan, model)
    if problem is not None:
        print(f"the fast path does not apply: {problem}")
        return 1
    started = time.perf_counter()
    replicate(plan, np.random.SeedSequence(1), None)
    engine_seconds = time.perf_counter() - started

    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    reps = run_local(plan, seed=28, runs=args.runs, jobs=args.jobs)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before  # the workers have exited: their time is in RUSAGE_CHILDREN
    fires = sum(len(r.fires) for r in reps)
    print(
        f"scenario       : {plan.name}: {plan.window_seconds / 86400:g} days, {len(plan.objectives)} SLOs x "
        f"{len(plan.alerts) // len(plan.objectives)} rules, {np.mean([r.incidents for r in reps]):.2f} "
        "incidents per window"
    )
    print(f"replications   : {args.runs} in {seconds:.1f} s with {args.jobs} process(es)")
    rate = args.runs / seconds
    print(f"rate           : {rate:.0f} replications/s ({1000 * seconds / args.runs:.2f} ms each)")
    print(f"CPU            : {cpu:.1f} s in all processes ({1000 * cpu / args.runs:.2f} ms per replication)")
    print(f"engine, 1 run  : {engine_seconds:.3f} s (SimPy engine on dense traffic, for comparison)")
    print(f"alert fires    : {fires / args.runs:.1f} per replication")
    return 0


if __name__ == "__main__":
    sys.exit(main())
