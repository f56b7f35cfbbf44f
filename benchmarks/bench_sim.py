"""Simulator benchmark: 28 days at 50 transactions/s (~121 M events), 30 s evaluation, 3 SLOs, 6 rules.

Run ``python benchmarks/bench_sim.py``. It prints the wall time of one full run (load, simulate,
budgets, alerts, SLA, expectations), the time to write its result files, and the memory it needed:
the peak of traced allocations during the run and the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sim import Result, assess, parse_scenario, write_results

SCENARIO = """\
name: bench-28d-50tps
description: 28 days of node transactions at 50 per second with an outage and a latency regression.
seed: 50
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
incidents:
  - {id: outage, kind: outage, service: node, start: 6d, duration: 25m}
  - {id: slow-blocks, kind: latency_shift, magnitude: 2.5, service: node, start: 15d, duration: 6h}
"""


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _run() -> tuple[Result, float]:
    started = time.perf_counter()
    result = assess(parse_scenario(SCENARIO, "bench-28d-50tps.yaml"))
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    args = parser.parse_args()

    _run()  # warm-up: imports, the catalogue, NumPy's first allocations
    timings = []
    for _ in range(args.repeat):
        result, seconds = _run()
        timings.append(seconds)
    events = sum(float(result.run.traffic.events[s.key].sum()) for s in result.run.plan.sources)

    tracemalloc.start()
    _run()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_run = _peak_rss_mib()

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        write_results(result, Path(out))
        write_seconds = time.perf_counter() - started
    rss_all = _peak_rss_mib()

    plan = result.run.plan
    print(
        f"scenario        : {plan.name}: {plan.window_seconds / 86400:g} days, {events / 1e6:.1f} M events, "
        f"{len(plan.objectives)} SLOs x {len(plan.alerts) // len(plan.objectives)} rules, evaluation every "
        f"{plan.evaluation_interval_seconds:g} s"
    )
    print(
        f"run, best of {args.repeat} : {min(timings):.3f} s   (all: {', '.join(f'{t:.3f}' for t in timings)})"
    )
    print(f"write results   : {write_seconds:.3f} s   (every result file)")
    print(f"peak traced mem : {traced_peak / 2**20:.1f} MiB during one run")
    print(
        f"peak RSS        : {rss_run:.1f} MiB after the runs, {rss_all:.1f} MiB after writing (whole process)"
    )
    print(f"expectations    : {'pass' if result.passed else 'FAIL'}, {len(result.fires)} alert fires")
    return 0


if __name__ == "__main__":
    sys.exit(main())
