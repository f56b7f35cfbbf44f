"""Risk: many replications of one scenario, each with its own draw of random incidents.

``expected_traffic`` holds noise-free traffic sparsely; ``fast_path`` runs one replication on it (or
on the engine when the fast path does not apply); ``risk`` runs the replications locally or on Dask
and estimates probabilities and means; ``risk_output`` writes the summary, CSVs and plots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from sim.montecarlo.risk import outcomes, run_dask, run_local, summarise
    from sim.montecarlo.risk_output import summary_document, write_risk_results

__all__ = [
    "outcomes",
    "run_dask",
    "run_local",
    "summarise",
    "summary_document",
    "write_risk_results",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "risk": ("outcomes", "run_dask", "run_local", "summarise"),
        "risk_output": ("summary_document", "write_risk_results"),
    },
)
