"""The load test's own command-line options, as Locust parses them, and the run settings they make.

``locust -f loadtest/locustfile.py`` takes these beside Locust's own options (``--host`` is the
target); ``slo-harness load`` passes them through. A Locust master forwards them to its workers, so
every process builds the same ``LoadSettings``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from loadtest.accounts import DEFAULT_DENOM, DEFAULT_PREFIX
from loadtest.plan import APIS, DEFAULT_STEPS, SHAPES, Api, LoadPlan, parse_steps
from slo.foundation.durations import positive_duration

DEFAULT_ACCOUNTS = 10


@dataclass(frozen=True)
class LoadSettings:
    """Everything a process of a run needs besides Locust's own settings."""

    plan: LoadPlan
    accounts: int
    mnemonic_file: Path | None
    prefix: str
    denom: str
    fee: int
    gas: int
    query_rps: float
    query_users: int
    poll_seconds: float
    request_timeout_seconds: float
    results_dir: Path | None


def add_arguments(parser: Any) -> None:
    """Register the options on Locust's parser (``events.init_command_line_parser``)."""
    group = parser.add_argument_group("slo-harness load", "Signed MsgSend load with confirmation tracking")
    group.add_argument("--api", choices=APIS, default="rpc", help="Broadcast over CometBFT RPC, REST or gRPC")
    group.add_argument("--tps", type=float, default=50.0, help="Offered tx/s (shape constant)")
    group.add_argument("--duration", default="60s", help="Send phase of a constant run, e.g. 60s, 2m")
    group.add_argument("--shape", choices=SHAPES, default="constant", help="constant or steps")
    group.add_argument("--steps", default=",".join(f"{s:g}" for s in DEFAULT_STEPS), help="Step rates, tx/s")
    group.add_argument("--step-duration", default="30s", help="Length of each step")
    group.add_argument("--confirm-timeout", default="60s", help="A tx not in a block by then is a failure")
    group.add_argument(
        "--accounts", type=int, default=DEFAULT_ACCOUNTS, help="Sender accounts (one per user)"
    )
    group.add_argument("--mnemonic-file", default="", help="Sender mnemonics (one a line, or a JSON list)")
    group.add_argument("--prefix", default=DEFAULT_PREFIX, help="Bech32 address prefix")
    group.add_argument("--denom", default=DEFAULT_DENOM, help="Fee and transfer denom")
    group.add_argument("--fee", type=int, default=5000, help="Fee per tx, in --denom")
    group.add_argument("--gas", type=int, default=200_000, help="Gas limit per tx")
    group.add_argument("--query-rps", type=float, default=5.0, help="Queries per second (0: none)")
    group.add_argument("--query-users", type=int, default=1, help="Users sending the queries")
    group.add_argument("--poll-interval", default="200ms", help="Block watcher poll interval")
    group.add_argument("--request-timeout", default="10s", help="Timeout of every request")
    group.add_argument("--results-dir", default="", help="Write raw samples, summary.json and plots here")


def settings_from(options: argparse.Namespace | Any) -> LoadSettings:
    """Validate the parsed options; raises ValueError with ``--option: reason``."""

    def seconds(name: str, value: str) -> float:
        return positive_duration(value, f"--{name}")

    api = cast(Api, options.api)
    timeout = seconds("confirm-timeout", options.confirm_timeout)
    if options.shape == "steps":
        try:
            rates = parse_steps(options.steps)
        except ValueError as exc:
            raise ValueError(f"--steps: {exc}") from None
        plan = LoadPlan.stepped(api, rates, seconds("step-duration", options.step_duration), timeout)
    else:
        if not options.tps > 0:
            raise ValueError("--tps: must be a positive rate")
        plan = LoadPlan.constant(api, float(options.tps), seconds("duration", options.duration), timeout)
    if options.accounts < 1:
        raise ValueError("--accounts: at least one sender account is needed")
    if options.query_rps < 0 or options.query_users < 0:
        raise ValueError("--query-rps / --query-users: must not be negative")
    return LoadSettings(
        plan=plan,
        accounts=int(options.accounts),
        mnemonic_file=Path(options.mnemonic_file) if options.mnemonic_file else None,
        prefix=options.prefix,
        denom=options.denom,
        fee=int(options.fee),
        gas=int(options.gas),
        query_rps=float(options.query_rps),
        query_users=int(options.query_users) if options.query_rps > 0 else 0,
        poll_seconds=seconds("poll-interval", options.poll_interval),
        request_timeout_seconds=seconds("request-timeout", options.request_timeout),
        results_dir=Path(options.results_dir) if options.results_dir else None,
    )
