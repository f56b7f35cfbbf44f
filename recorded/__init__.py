"""Recorded good/total history of SLOs, read from where it was recorded: the exporter's results file or
a Prometheus server, as event counts per fixed step that :class:`slo.burn_rate.RollingSeries` reads.

``slo-harness gate`` asks these sources for the budget now; ``slo-harness report`` for a period's
history. Every number is then computed by :mod:`slo`, as for the simulator and the ``/slo`` view.
"""

from __future__ import annotations

from recorded.prometheus import PrometheusSource, SourceError, default_queries
from recorded.series import RecordedSeries, from_prometheus, from_store

__all__ = [
    "PrometheusSource",
    "RecordedSeries",
    "SourceError",
    "default_queries",
    "from_prometheus",
    "from_store",
]
