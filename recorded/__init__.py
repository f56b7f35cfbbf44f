"""Recorded good/total history of SLOs, read from where it was recorded: the exporter's results file or
a Prometheus server, as event counts per fixed step that :class:`slo.budgets.burn_rate.RollingSeries` reads.

``slo-harness gate`` asks these sources for the budget now; ``slo-harness report`` and
``slo-harness backtest`` for a period's history. Every number is then computed by :mod:`slo`, as for
the simulator and the ``/slo`` view.
"""

from __future__ import annotations

from recorded.periods import format_time, month_period, parse_time, previous_period
from recorded.prometheus import PrometheusSource, SourceError, default_queries, queries_for

# The readers of counts (recorded.series), the report's figures (recorded.period) and its page
# (recorded.period_page) pull in the prober's store, the simulator and matplotlib: import them where used.
__all__ = [
    "PrometheusSource",
    "SourceError",
    "default_queries",
    "format_time",
    "month_period",
    "parse_time",
    "previous_period",
    "queries_for",
]
