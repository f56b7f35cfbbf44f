"""An SLO in Prometheus: its recording and burn-rate alert rules, and where its events are counted.

``prometheus_rules`` writes one rule group per SLO, named as Sloth names them; ``metric_sources``
says which series count an SLI's bad and total events (the prober's counters, CometBFT's metrics, or
the catalogue's own queries) and builds the rules from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from slo.prometheus.metric_sources import (
        METRIC_SOURCES,
        MetricSource,
        NoQueryError,
        queries_for,
        slo_rules,
    )
    from slo.prometheus.prometheus_rules import PolicyRules, SLORules, alert_name, recording_name, rule_group

__all__ = [
    "METRIC_SOURCES",
    "MetricSource",
    "NoQueryError",
    "PolicyRules",
    "SLORules",
    "alert_name",
    "queries_for",
    "recording_name",
    "rule_group",
    "slo_rules",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "metric_sources": ("METRIC_SOURCES", "MetricSource", "NoQueryError", "queries_for", "slo_rules"),
        "prometheus_rules": ("PolicyRules", "SLORules", "alert_name", "recording_name", "rule_group"),
    },
)
