"""Where an SLI's events come from in Prometheus: the prober's counters, CometBFT's metrics, a template.

Each source turns an SLO into two PromQL rates with ``$window`` where the range goes: bad events per
second and all events per second, which :mod:`slo.prometheus.prometheus_rules` divides. A latency objective's
bad events are those slower than its threshold: the histogram's count minus its bucket at the
threshold (the prober's buckets contain every catalogue threshold, so the ratio is exact).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from slo.prometheus.prometheus_rules import SLORules

if TYPE_CHECKING:  # the catalogue models load pydantic; the CLI names MetricSource before it needs them
    from slo.catalogs.catalog import SLI, SLO, Catalog

PROBE_COUNTER = "slo_harness_probe_total"
PROBE_LATENCY = "slo_harness_sli_latency_seconds"
BLOCK_INTERVAL = "cometbft_consensus_block_interval_seconds"
FAILURE = 'result="failure"'
MetricSource = Literal["probe", "cometbft", "catalog"]
METRIC_SOURCES: tuple[MetricSource, ...] = ("probe", "cometbft", "catalog")


class NoQueryError(ValueError):
    """The chosen source has nothing that measures this SLI."""


def _matchers(*parts: str) -> str:
    inner = ",".join(p.strip().strip(",") for p in parts if p.strip().strip(","))
    return f"{{{inner}}}" if inner else ""


def _le(threshold_seconds: float) -> str:
    """A bucket matcher for the threshold as the Python client ("7.0") and the Go client ("7") write it."""
    value = float(threshold_seconds)
    go = f"{value:g}" if value != int(value) else str(int(value))
    python = repr(value)
    if go == python:
        return f'le="{python}"'
    escaped = python.replace(".", "\\\\.")  # a regex dot, escaped once more for the PromQL string
    return f'le=~"{go}|{escaped}"'


def histogram_queries(metric: str, threshold_seconds: float, selector: str = "") -> tuple[str, str]:
    """Slower than the threshold / all observations of a histogram."""
    count = f"sum(rate({metric}_count{_matchers(selector)}[$window]))"
    fast = f"sum(rate({metric}_bucket{_matchers(_le(threshold_seconds), selector)}[$window]))"
    return f"{count} - {fast}", count


def probe_queries(selector: str = "", threshold_seconds: float | None = None) -> tuple[str, str]:
    """Failed / all scheduled probes (``slo_harness_probe_total``), or for a latency objective the
    probes' latency histogram; ``selector`` narrows them, e.g. ``module="rpc_status"``."""
    if threshold_seconds is not None:
        return histogram_queries(PROBE_LATENCY, threshold_seconds, selector)
    return (
        f"sum(rate({PROBE_COUNTER}{_matchers(FAILURE, selector)}[$window]))",
        f"sum(rate({PROBE_COUNTER}{_matchers(selector)}[$window]))",
    )


# CometBFT's own metrics for the node SLIs they measure directly.
_TX_FAILED = "sum(rate(cometbft_mempool_failed_txs[$window]))"
_TX_ALL = f"{_TX_FAILED} + sum(rate(cometbft_consensus_total_txs[$window]))"
_COMETBFT: dict[str, tuple[str, str]] = {
    # Signed blocks / expected blocks: a missed block is one the validator did not sign.
    "SLI-NODE-002": (
        "sum(rate(cometbft_consensus_validator_missed_blocks[$window]))",
        "max(rate(cometbft_consensus_height[$window]))",
    ),
    # Transactions the mempool refused (CheckTx failed) among all it was offered.
    "SLI-NODE-003": (_TX_FAILED, _TX_ALL),
    "SLI-NODE-007": (_TX_FAILED, _TX_ALL),
}


def cometbft_queries(sli: SLI, slo: SLO) -> tuple[str, str]:
    """Queries on the node's ``cometbft_*`` metrics; block production latency reads the interval histogram."""
    from slo.catalogs.catalog import LatencyObjective  # noqa: PLC0415 (pydantic only when queried)

    if sli.id == "SLI-NODE-004" and isinstance(slo.objective, LatencyObjective):
        return histogram_queries(BLOCK_INTERVAL, slo.objective.threshold_seconds)
    if sli.id in _COMETBFT:
        return _COMETBFT[sli.id]
    raise NoQueryError(f"{slo.id}: no cometbft metric measures {sli.id} ({sli.name})")


def queries_for(slo: SLO, sli: SLI, source: MetricSource, selector: str = "") -> tuple[str, str]:
    """Bad and total event rates of ``slo`` from ``source``; :class:`NoQueryError` if it has none."""
    from slo.catalogs.catalog import LatencyObjective  # noqa: PLC0415 (pydantic only when queried)

    if source == "catalog":
        if sli.queries is None:
            raise NoQueryError(f"{slo.id}: {sli.id} has no queries in the catalogue")
        return sli.queries.errors, sli.queries.total
    if source == "cometbft":
        return cometbft_queries(sli, slo)
    threshold = slo.objective.threshold_seconds if isinstance(slo.objective, LatencyObjective) else None
    return probe_queries(selector, threshold)


def slo_rules(
    catalog: Catalog,
    slo: SLO,
    source: MetricSource = "probe",
    selector: str = "",
    queries: tuple[str, str] | None = None,
) -> SLORules:
    """The rule inputs of a catalogue SLO; ``queries`` (bad, total) overrides the source's.

    ValueError if the SLO has no budget over a time window; :class:`NoQueryError` if the source cannot
    measure it.
    """
    if not has_budget(slo) or slo.target is None or slo.window_seconds is None:
        raise ValueError(f"{slo.id} has no error budget over a time window, so no burn rate")
    sli = catalog.sli(slo.sli)
    errors, total = queries if queries is not None else queries_for(slo, sli, source, selector)
    return SLORules(slo.id, sli.service, slo.tier, slo.target, slo.window_seconds, errors, total)


def has_budget(slo: SLO) -> bool:
    """A burn rate needs a target below 1 over a time window."""
    return slo.target is not None and slo.window_seconds is not None and slo.target < 1
