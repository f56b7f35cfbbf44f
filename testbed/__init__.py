"""A faithful fake VirtEngine node for probes and load tests: CometBFT RPC, Cosmos REST, gRPC,
Prometheus metrics, provider and benchmark daemons, with failures injected on demand.

No real chain runs on a test machine, so the testbed reproduces the wire formats of a real node
(cometbft v0.38, cosmos-sdk v0.50+) closely enough that the same probes and load tests work against
both. It imports nothing of this project except the generated ``chainpb`` messages and ``cosmostx``,
with which it verifies signatures and derives its funded dev accounts (``tb.accounts``).

Example::

    async with run_testbed(TestbedConfig(block_time_seconds=1.0, max_txs_per_block=100)) as tb:
        tb.rpc_url, tb.rest_url, tb.grpc_target, tb.metrics_url
        tb.faults.add(Fault(surface=Surface.RPC, kind=FaultKind.LATENCY, latency_seconds=2.0))

The fault model (surfaces, kinds, fields, timing) is described in ``testbed.faults``.
"""

from __future__ import annotations

from testbed.chain.model import ChainModel
from testbed.chain.transactions import parse_tx
from testbed.clock import Clock, ManualClock, SystemClock
from testbed.config import BenchmarkConfig, GenesisAccount, ProviderConfig, TestbedConfig, load_config
from testbed.faults import Fault, FaultBoard, FaultKind, Surface
from testbed.runner import Testbed, run_testbed

__all__ = [
    "BenchmarkConfig",
    "ChainModel",
    "Clock",
    "Fault",
    "FaultBoard",
    "FaultKind",
    "GenesisAccount",
    "ManualClock",
    "ProviderConfig",
    "Surface",
    "SystemClock",
    "Testbed",
    "TestbedConfig",
    "load_config",
    "parse_tx",
    "run_testbed",
]
