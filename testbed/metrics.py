"""The Prometheus series of the testbed, read from the model at scrape time.

Names and types follow CometBFT (``consensus/metrics.gen.go``, namespace ``cometbft``, label
``chain_id`` on every series) and the Akash provider. CometBFT's go-kit counters carry no ``_total``
suffix, so they are counter families with exactly those names, in the exposition too.
``cometbft_consensus_total_txs`` and the mempool counters count since the process started, as on a
real node. Each testbed has its own ``CollectorRegistry``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from testbed.chain.model import ChainModel
from testbed.daemons.provider import ProviderDaemon

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class IntervalHistogram:
    """Cumulative block-interval observations, fed one block at a time."""

    counts: list[int] = field(default_factory=lambda: [0] * len(DEFAULT_BUCKETS))
    total: float = 0.0
    count: int = 0
    height: int = 1

    def observe(self, seconds: float) -> None:
        for i, bound in enumerate(DEFAULT_BUCKETS):
            if seconds <= bound:
                self.counts[i] += 1
        self.total += seconds
        self.count += 1


def _family(name: str, help_text: str, kind: str, labels: dict[str, str], value: float) -> Metric:
    family = Metric(name, help_text, kind)
    family.add_sample(name, labels, value)
    return family


class TestbedCollector(Collector):
    """Yields the ``cometbft_*`` and ``provider_*`` families from the current model state."""

    __test__ = False  # not a pytest test class

    def __init__(self, chain: ChainModel, provider: ProviderDaemon) -> None:
        self.chain = chain
        self.provider = provider
        self._intervals = IntervalHistogram()

    def _catch_up_intervals(self) -> None:
        hist = self._intervals
        hist.height = max(hist.height, self.chain.base_height)  # pruned blocks were never observed
        while hist.height < self.chain.height:
            hist.height += 1
            current, previous = self.chain.block(hist.height), self.chain.block(hist.height - 1)
            hist.observe((current.time_ns - previous.time_ns) / 1e9)

    def collect(self) -> Iterator[Metric]:
        chain = self.chain
        labels = {"chain_id": chain.config.chain_id}
        gauges = {
            "cometbft_consensus_height": ("Height of the chain.", chain.height),
            "cometbft_consensus_latest_block_height": ("The latest block height.", chain.height),
            "cometbft_consensus_num_txs": ("Number of transactions.", len(chain.latest.txs)),
            "cometbft_consensus_total_txs": ("Total number of transactions.", chain.stats.total_txs),
            "cometbft_consensus_rounds": ("Number of rounds.", 0),
            "cometbft_consensus_validators": ("Number of validators.", 1),
            "cometbft_consensus_missing_validators": ("Number of validators who did not sign.", 0),
            "cometbft_mempool_size": (
                "Number of uncommitted transactions in the mempool.",
                len(chain.mempool),
            ),
            "cometbft_mempool_size_bytes": ("Total size of the mempool in bytes.", chain.mempool.size_bytes),
            "cometbft_p2p_peers": ("Number of peers.", chain.peer_count()),
            "cometbft_blocksync_syncing": (
                "Whether or not a node is block syncing.",
                int(chain.catching_up()),
            ),
        }
        for name, (help_text, value) in gauges.items():
            yield _family(name, help_text, "gauge", labels, value)
        counters = {
            "cometbft_mempool_failed_txs": ("Number of failed transactions.", chain.stats.failed_txs),
            "cometbft_mempool_rejected_txs": ("Number of rejected transactions.", chain.stats.rejected_txs),
            "cometbft_mempool_evicted_txs": ("Number of evicted transactions.", chain.stats.evicted_txs),
            "cometbft_mempool_recheck_times": ("Number of times transactions are rechecked.", chain.height),
        }
        for name, (help_text, value) in counters.items():
            yield _family(name, help_text, "counter", labels, value)
        yield self._block_interval(labels)
        yield from self._provider()

    def _block_interval(self, labels: dict[str, str]) -> Metric:
        self._catch_up_intervals()
        hist = self._intervals
        name = "cometbft_consensus_block_interval_seconds"
        family = Metric(name, "Time between this and the last block.", "histogram")
        for bound, count in zip(DEFAULT_BUCKETS, hist.counts, strict=True):
            family.add_sample(f"{name}_bucket", {**labels, "le": repr(bound)}, count)
        family.add_sample(f"{name}_bucket", {**labels, "le": "+Inf"}, hist.count)
        family.add_sample(f"{name}_sum", labels, hist.total)
        family.add_sample(f"{name}_count", labels, hist.count)
        return family

    def _provider(self) -> Iterator[Metric]:
        stats = self.provider.stats
        bid = Metric("provider_bid", "Bids placed by the provider.", "counter")
        bid.add_sample("provider_bid", {"action": "create", "result": "success"}, stats.bids)
        yield bid
        should_bid = Metric("provider_should_bid", "Bid decisions.", "counter")
        should_bid.add_sample("provider_should_bid", {"result": "accept"}, stats.bids)
        yield should_bid
        complete = Metric("provider_order_complete", "Orders completed.", "counter")
        complete.add_sample("provider_order_complete", {"result": "lease-won"}, stats.manifests)
        yield complete
        yield _family(
            "provider_manifest_deployments",
            "Deployments with a manifest.",
            "gauge",
            {},
            len(stats.deployments),
        )


def new_registry(chain: ChainModel, provider: ProviderDaemon) -> CollectorRegistry:
    """A fresh registry holding only this testbed's collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TestbedCollector(chain, provider))
    return registry


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    """A sample value as Go's ``strconv.FormatFloat(v, 'g', -1, 64)`` writes common values."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


def exposition(registry: CollectorRegistry) -> bytes:
    """The text exposition (format 0.0.4) of a registry, with family names exactly as collected.

    ``prometheus_client.generate_latest`` would name a counter family ``…_total`` in its TYPE line,
    which CometBFT does not, so the families are written here.
    """
    lines: list[str] = []
    for family in registry.collect():
        lines.append(f"# HELP {family.name} {family.documentation}")
        lines.append(f"# TYPE {family.name} {family.type}")
        lines.extend(
            f"{sample.name}{_labels(sample.labels)} {_number(sample.value)}" for sample in family.samples
        )
    return ("\n".join(lines) + "\n").encode()
