"""Simulator benchmark: 28 days at 50 tx/s (~121 M events), 3 SLOs, 6 rules, at 60 s, 10 s and 1 s steps.

Run ``python benchmarks/bench_sim.py``. Each step size runs in a fresh process (so each peak RSS is its
own), with the evaluation interval equal to the step: the 1 s row evaluates every rule 2.4 M times per
SLO. It prints the wall time of the run (load, simulate, budgets, alerts, SLA, expectations), the time
to write every result file at the default timeline resolution, the CPU time of both (wall time on a
busy machine is mostly waiting), the bytes written, and the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim import assess, parse_scenario, write_results

SCENARIO = """\
name: bench-28d-50tps
description: 28 days of node transactions at 50 per second with an outage and a latency regression.
seed: 50
window: 28d
step: {step}
evaluation_interval: {step}
services:
  node:
    transactions: {{rate: 50, diurnal: {{amplitude: 0.3, peak: 15h}}, error_ratio: 0.02%,
                   latency: {{median: 2.5s, p95: 6s}}}}
slos:
  SLO-NODE-003: node.transactions
  SLO-NODE-004: node.transactions
  SLO-NODE-005: node.transactions
policies: [source-document, sre-workbook]
incidents:
  - {{id: outage, kind: outage, service: node, start: 6d, duration: 25m}}
  - {{id: slow-blocks, kind: latency_shift, magnitude: 2.5, service: node, start: 15d, duration: 6h}}
"""
STEPS = ("60s", "10s", "1s")
RSS_LIMIT_MIB = 1024.0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _one(step: str) -> dict[str, float | str | bool]:
    """One full run at ``step`` in this process, and its measurements."""
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    result = assess(parse_scenario(SCENARIO.format(step=step), "bench-28d-50tps.yaml"))
    run_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        directory = write_results(result, Path(out))
        write_seconds = time.perf_counter() - started
        written = sum(p.stat().st_size for p in directory.iterdir())
    cpu = _cpu_seconds() - cpu_started
    events = sum(float(result.run.traffic.events[s.key].sum()) for s in result.run.plan.sources)
    return {
        "step": step,
        "evaluations": float(len(next(iter(result.tracks.values())).times_seconds)),
        "events": events,
        "run_seconds": run_seconds,
        "write_seconds": write_seconds,
        "cpu_seconds": cpu,
        "written_bytes": float(written),
        "peak_rss_mib": _peak_rss_mib(),
        "passed": result.passed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated step sizes")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process: one step, JSON out
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one)))
        return 0

    print("28 days, 50 tx/s, 3 SLOs x 6 rules, evaluation interval = step; one fresh process per row")
    print(
        f"{'step':>5} {'evaluations/SLO':>16} {'run s':>7} {'write s':>8} {'total s':>8} {'CPU s':>6} "
        f"{'written':>11} {'peak RSS':>10}"
    )
    worst = 0.0
    for step in args.steps.split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--one", step], capture_output=True, text=True, check=True, timeout=900
        )
        row = json.loads(child.stdout.strip().splitlines()[-1])
        total = row["run_seconds"] + row["write_seconds"]
        worst = max(worst, row["peak_rss_mib"])
        print(
            f"{step:>5} {row['evaluations']:>16,.0f} {row['run_seconds']:>7.2f} {row['write_seconds']:>8.2f} "
            f"{total:>8.2f} {row['cpu_seconds']:>6.2f} {row['written_bytes'] / 2**20:>7.2f} MiB "
            f"{row['peak_rss_mib']:>6.0f} MiB"
            f"{'' if row['passed'] else '  (expectations FAILED)'}"
        )
    print(f"largest peak RSS {worst:.0f} MiB: {'within' if worst <= RSS_LIMIT_MIB else 'OVER'} 1 GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
