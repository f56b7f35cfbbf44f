"""CLI start-up benchmark: wall time of ``--help``, ``budget``, ``catalog`` and ``check`` as a user runs them.

Run ``python benchmarks/bench_cli.py [--repeat 10]``. Each command runs ``--repeat`` times as a new
process (the installed ``slo-harness`` script next to this interpreter, else ``python -m slo_harness``)
and the best and median wall times are printed against the target of 0.5 s, with the least CPU time
(user + system) of a run, after two floors: the bare interpreter, and Typer with pydantic. The best
run is the figure to compare: on a shared machine the others
include waiting for a CPU, which the CPU time does not. Also prints the heavy
libraries each command loaded, since importing one of them is what makes a command slow.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5
COMMANDS = {
    "--help": ["--help"],
    "budget": ["budget", "--target", "99.9", "--window", "28d", "--burn-rate", "14.4"],
    "catalog": ["catalog"],
    "check": ["check"],
}
HEAVY = ("numpy", "pydantic", "yaml", "aiohttp", "grpc", "matplotlib", "simpy", "locust", "asyncio")
# Runs the CLI in-process and reports which heavy libraries the command loaded.
_PROBE = """
import sys, json, atexit
heavy = {heavy!r}
atexit.register(lambda: print(json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr))
sys.argv = ["slo-harness", *{args!r}]
from slo_harness.cli import main
main()
"""


def _command() -> list[str]:
    script = Path(sys.executable).with_name("slo-harness")
    return [str(script)] if script.exists() else [sys.executable, "-m", "slo_harness"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_once(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=120)
    return time.perf_counter() - started, _children_cpu() - cpu


def _loaded(args: list[str]) -> list[str]:
    code = _PROBE.format(heavy=HEAVY, args=args)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    loaded: list[str] = json.loads(out.stderr.strip().splitlines()[-1])
    return loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs per command; best and median shown")
    args = parser.parse_args()
    base = _command()
    print(f"command: {' '.join(base)}; {args.repeat} runs each; target {TARGET_SECONDS} s")
    print(f"{'command':<10} {'best s':>7} {'median s':>9} {'CPU s':>6}  verdict  heavy libraries loaded")
    # The floor no command can go under: the interpreter, and Typer with the pydantic it converts
    # parameters with (any command but --help loads it).
    for name, code in (("python", "pass"), ("typer", "import typer, typer._adapters")):
        floor = [_time_once([sys.executable, "-c", code]) for _ in range(args.repeat)]
        best_floor = min(w for w, _ in floor)
        median_floor = statistics.median(w for w, _ in floor)
        print(f"{name:<10} {best_floor:>7.3f} {median_floor:>9.3f} {min(c for _, c in floor):>6.3f}  (floor)")
    slow = 0
    for name, cli_args in COMMANDS.items():
        _time_once([*base, *cli_args])  # warm the file cache
        runs = [_time_once([*base, *cli_args]) for _ in range(args.repeat)]
        walls = [wall for wall, _ in runs]
        best, median = min(walls), statistics.median(walls)
        cpu = min(c for _, c in runs)
        verdict = "ok" if best < TARGET_SECONDS else "SLOW"
        slow += verdict == "SLOW"
        heavy = ", ".join(_loaded(cli_args)) or "none"
        print(f"{name:<10} {best:>7.3f} {median:>9.3f} {cpu:>6.3f}  {verdict:<7}  {heavy}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
