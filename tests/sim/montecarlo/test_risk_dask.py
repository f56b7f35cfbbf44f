"""Replications on a Dask cluster (a LocalCluster of two worker processes on 127.0.0.1) give exactly
the local run's results: every replication's seed comes from the root seed, not from the worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dask.distributed import LocalCluster

from sim import parse_scenario
from sim.montecarlo.risk import run_dask, run_local

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCENARIO = """\
name: dask-check
window: 7d
services:
  node:
    blocks: {interval: 6s, error_ratio: 0.01%}
slos: {SLO-NODE-002: node.blocks}
policies: [source-document]
incident_processes:
  - {id: outage, kind: outage, service: node, rate: 2/7d, duration: {median: 20m, p95: 2h}}
  - {id: crash, kind: outage, service: node, rate: 1/7d, duration: until_resolved}
responders:
  on_call: {acknowledge: {median: 5m, p95: 20m}, mitigate: {median: 30m, p95: 2h}}
slas:
  SLA-VALIDATOR: {availability: node.blocks}
"""


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield str(cluster.scheduler_address)


def test_dask_run_is_identical_to_the_local_run(scheduler: str) -> None:
    plan = parse_scenario(SCENARIO, "dask-check.yaml")
    assert scheduler.startswith("tcp://127.0.0.1:")
    done: list[int] = []
    remote = run_dask(plan, seed=77, runs=100, scheduler=scheduler, advance=done.append)
    local = run_local(plan, seed=77, runs=100, jobs=1)
    assert sum(done) == 100
    assert remote == local
    assert len({r.fires for r in local}) > 10  # the replications really differ from each other
