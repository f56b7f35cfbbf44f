"""What the load harness costs and how far one Locust worker process goes against the testbed.

1. Signing alone: CPU seconds per 1,000 signed ``MsgSend`` txs (``cosmostx`` in this process).
2. CPU seconds the harness spends per 1,000 txs, sign + send + track: one Locust process (pinned
   to CPU 0) runs the same duration at a high and at a low constant rate; the difference of its CPU
   time over the difference of txs sent removes start-up and idle cost.
3. The highest TPS one worker process sustains: a step ramp in one Locust process; a step is
   sustained when the sends kept the offered rate and the chain included it (both within 5 %).

The testbed runs in its own process pinned to CPU 1 with 1 s blocks, no inclusion ceiling and
signature verification on. Target: at least 1,000 signed TPS from one worker process.
Run: ``python benchmarks/bench_load.py [--accounts 40] [--steps 250,500,750,1000,1250,1500]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_testbed import testbed_process

import loadtest
from cosmostx import Fee
from loadtest.accounts import Sender, TxTemplate, derived_accounts

TARGET_TPS = 1000


def _pin_cpu0() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})


def _locust(rpc_url: str, args: list[str], accounts: int) -> tuple[dict[str, Any], float]:
    """Run one Locust process; its summary and the CPU seconds it used."""
    with tempfile.TemporaryDirectory() as out:
        locustfile = Path(loadtest.__file__).with_name("locustfile.py")
        command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "--only-summary"]
        command += ["--skip-log-setup", "--host", rpc_url, f"--accounts={accounts}", "--query-rps=0"]
        command += ["--confirm-timeout=15s", f"--results-dir={out}", *args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=False, preexec_fn=_pin_cpu0, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        summary: dict[str, Any] = json.loads((Path(out) / "summary.json").read_text())
        return summary, cpu


def _sign_cost(count: int = 2000) -> float:
    """CPU seconds to sign 1,000 txs."""
    [account] = derived_accounts(1)
    sender = Sender(account, 0, 0)
    template = TxTemplate("virtengine-testnet-1", "uakt", Fee(5000, "uakt", 200_000))
    started = time.process_time()
    for i in range(count):
        sender.sign_next(template, memo=f"bench {i}")
        sender.advance()
    return (time.process_time() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=40)
    parser.add_argument("--steps", default="250,500,750,1000,1250,1500")
    parser.add_argument("--step-seconds", type=float, default=10.0)
    parser.add_argument("--cpu-rate", type=float, default=400.0, help="High rate of the CPU measurement")
    parser.add_argument("--cpu-seconds", type=float, default=15.0)
    args = parser.parse_args()

    print(f"signing alone: {_sign_cost():.3f} CPU s per 1,000 txs")
    server_cpu = 1 if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1 else None
    with testbed_process(server_cpu, args.accounts) as rpc_url:
        duration = f"--duration={args.cpu_seconds:g}s"
        high, cpu_high = _locust(rpc_url, [f"--tps={args.cpu_rate:g}", duration], args.accounts)
        low, cpu_low = _locust(rpc_url, ["--tps=5", duration], args.accounts)
        per_1000 = (cpu_high - cpu_low) / max(high["sent"] - low["sent"], 1) * 1000
        print(
            f"harness CPU, sign + send + track: {per_1000:.3f} CPU s per 1,000 txs "
            f"({high['sent']} txs in {cpu_high:.1f} CPU s vs {low['sent']} in {cpu_low:.1f})"
        )
        steps = ["--shape=steps", f"--steps={args.steps}", f"--step-duration={args.step_seconds:g}s"]
        ramp, _ = _locust(rpc_url, steps, args.accounts)
    best = 0.0
    print("offered  sent/s  lag p95 s  achieved  confirm p95 s  sustained")
    for step in ramp["steps"]:
        sustained = step["send_held"] and step["achieved_held"]
        if sustained:
            best = max(best, step["offered_tps"])
        lag = step["send_lag_seconds"]["p95"] or math.nan
        p95 = step["confirmation_seconds"]["p95"] or math.nan
        print(
            f"{step['offered_tps']:7g}  {step['send_tps']:6.0f}  {lag:9.3f}"
            f"  {step['achieved_tps'] or 0:8.0f}  {p95:13.2f}  {sustained}"
        )
    verdict = "meets" if best >= TARGET_TPS else "misses"
    print(f"highest sustained: {best:g} tx/s from one worker ({verdict} the {TARGET_TPS} tx/s target)")


if __name__ == "__main__":
    main()
