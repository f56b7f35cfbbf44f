"""The locustfile: ``locust -f loadtest/locustfile.py --host URL [--api rpc|rest|grpc] [--tps 50] …``.

The same users, shape and listener that ``slo-harness load`` runs, for people who already use
Locust (headless, web UI, or ``--master`` / ``--worker``). The load shape holds the senders and
query users for the send phase and ends the run once every process has settled (or the last tx's
confirmation timeout has passed). The master (or the single local process) gathers every process's
raw records and, on quitting, writes ``summary.json``, the raw samples and the plots to
``--results-dir`` and sets the exit code to 1 when an SLO it measured is missed.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
from grpc.experimental import gevent as grpc_gevent
from locust import FastHttpUser, LoadTestShape, User, constant_throughput, events
from locust.runners import MasterRunner, WorkerRunner

from loadtest.accounts import AccountKey, accounts_from_file, derived_accounts, worker_accounts
from loadtest.node_api import node_api
from loadtest.options import LoadSettings, add_arguments, settings_from
from loadtest.output import Collector, write_run
from loadtest.process import LEAD_SECONDS, ProcessRun
from loadtest.users import (
    GrpcQueries,
    GrpcSender,
    RestQueries,
    RestSender,
    RpcQueries,
    RpcSender,
    attach_run,
    run_of,
)
from slo.catalogs.catalog_file import load_catalog

log = logging.getLogger("loadtest")
# A settled run still waits this long past its plan, so the last stats report reaches the master.
END_GRACE_SECONDS = 5.0


class RpcTxSender(RpcSender):
    pass


class RestTxSender(RestSender):
    pass


class GrpcTxSender(GrpcSender):
    pass


class RpcQueryUser(RpcQueries):
    pass


class RestQueryUser(RestQueries):
    pass


class GrpcQueryUser(GrpcQueries):
    pass


_CLASSES: dict[str, tuple[type[User], type[User]]] = {
    "rpc": (RpcTxSender, RpcQueryUser),
    "rest": (RestTxSender, RestQueryUser),
    "grpc": (GrpcTxSender, GrpcQueryUser),
}
_STATE: dict[str, Any] = {}


def _settings(environment: Any) -> LoadSettings:
    try:
        return settings_from(environment.parsed_options)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


def _accounts(settings: LoadSettings) -> list[AccountKey]:
    """The run's accounts, derived once per process. A BIP-39 seed costs ~0.1 s of PBKDF2, so they are
    derived in a thread: the gevent loop keeps a worker's heartbeats going meanwhile."""
    key = (settings.mnemonic_file, settings.accounts, settings.prefix)
    if _STATE.get("accounts_key") != key:
        _STATE["accounts"] = gevent.get_hub().threadpool.apply(_read_accounts, (settings,))
        _STATE["accounts_key"] = key
    accounts: list[AccountKey] = _STATE["accounts"]
    return accounts


def _read_accounts(settings: LoadSettings) -> list[AccountKey]:
    if settings.mnemonic_file is not None:
        try:
            return accounts_from_file(settings.mnemonic_file, settings.prefix)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)
    return derived_accounts(settings.accounts, settings.prefix)


def _options(parser: Any) -> None:
    add_arguments(parser)


def _init(environment: Any, **_: Any) -> None:
    if environment.parsed_options is None:
        return
    settings = _settings(environment)
    # Before any channel, as gRPC requires under gevent; in every process, since a worker learns the
    # run's --api only from the master.
    grpc_gevent.init_gevent()
    senders, queriers = _CLASSES[settings.plan.api]
    accounts = len(_accounts(settings)) if settings.mnemonic_file is not None else settings.accounts
    senders.fixed_count = accounts
    timeout = settings.request_timeout_seconds
    for user_class in (senders, queriers):
        if issubclass(user_class, FastHttpUser):
            user_class.network_timeout = user_class.connection_timeout = timeout
        else:
            user_class.timeout = timeout  # type: ignore[attr-defined]  # the gRPC users' own deadline
    queriers.fixed_count = settings.query_users
    if settings.query_users:
        queriers.wait_time = constant_throughput(settings.query_rps / settings.query_users)
    if not isinstance(environment.runner, WorkerRunner):
        _STATE["collector"] = Collector()
        _STATE["settings"] = settings
    if isinstance(environment.runner, MasterRunner):

        def on_worker_report(client_id: str, data: dict[str, Any]) -> None:
            payload = data.get("slo_harness_load")
            if payload is not None:
                _STATE["collector"].add(client_id, payload)

        environment.events.worker_report.add_listener(on_worker_report)
    if isinstance(environment.runner, WorkerRunner):

        def on_report(client_id: str, data: dict[str, Any]) -> None:
            run = run_of(environment)
            if run is not None:
                data["slo_harness_load"] = run.report()

        environment.events.report_to_master.add_listener(on_report)


def _test_start(environment: Any, **_: Any) -> None:
    if isinstance(environment.runner, MasterRunner):
        return
    settings = settings_from(environment.parsed_options)  # a worker has the master's options by now
    accounts = _accounts(settings)
    if isinstance(environment.runner, WorkerRunner):
        workers = max(int(environment.parsed_options.expect_workers or 1), 1)
        mine = worker_accounts(accounts, environment.runner.worker_index, workers)
    else:
        mine = accounts
    node = node_api(settings.plan.api, environment.host, settings.request_timeout_seconds)
    share = len(mine) / len(accounts)
    attach_run(environment, ProcessRun(settings, environment, node, mine, share, accounts[0].address))


def _test_stop(environment: Any, **_: Any) -> None:
    """The run is over (shape done, Ctrl-C, or the UI's stop): write the results once, here rather than
    at quitting, so Locust's own CSV writer is still alive while this takes its time."""
    run = run_of(environment)
    if run is not None:
        run.stop()
    if isinstance(environment.runner, WorkerRunner) or "collector" not in _STATE or _STATE.get("written"):
        return
    collector: Collector = _STATE["collector"]
    settings: LoadSettings = _STATE["settings"]
    if run is not None:
        collector.add("local", run.report())
    if collector.start is None:
        return  # no process ever started sending: nothing to summarise
    _STATE["written"] = True
    directory = settings.results_dir or Path("results/load") / time.strftime("%Y%m%d-%H%M%S")
    summary = write_run(directory, settings.plan, collector.records(), load_catalog())
    log.info("load results in %s: %s", directory, "passed" if summary["passed"] else "an SLO was missed")
    _STATE["passed"] = summary["passed"]


def _quitting(environment: Any, **_: Any) -> None:
    # The verdict decides the exit code, not Locust's "any request failed" rule: a run past the knee
    # is meant to see rejections.
    if "passed" in _STATE:
        environment.process_exit_code = 0 if _STATE["passed"] and not environment.runner.exceptions else 1


def _listen(hook: Any, listener: Callable[..., None]) -> None:
    hook.add_listener(listener)  # Locust's EventHook.add_listener carries no annotations


_listen(events.init_command_line_parser, _options)
_listen(events.init, _init)
_listen(events.test_start, _test_start)
_listen(events.test_stop, _test_stop)
_listen(events.quitting, _quitting)


class PlanShape(LoadTestShape):
    """All senders and query users at once for the plan; stop when every process has settled."""

    def tick(self) -> tuple[int, float, list[type[User]]] | None:
        settings: LoadSettings | None = _STATE.get("settings")
        if settings is None or self.runner is None:
            return None
        plan = settings.plan
        elapsed = time.perf_counter() - self.start_time
        if elapsed > plan.max_seconds + LEAD_SECONDS + END_GRACE_SECONDS:
            return None
        if elapsed > plan.send_seconds + LEAD_SECONDS and self._settled():
            return None
        senders, queriers = _CLASSES[plan.api]
        classes = [senders, queriers] if settings.query_users else [senders]
        users = sum(int(c.fixed_count) for c in classes)
        return users, float(users), classes

    def _settled(self) -> bool:
        runner = self.runner
        if isinstance(runner, MasterRunner):
            return bool(_STATE["collector"].settled(runner.clients.keys()))
        run = run_of(runner.environment) if runner is not None else None
        return run is not None and run.settled
