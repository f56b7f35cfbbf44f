"""What a replay writes: ``summary.json``, CSVs, the timeline, plots and the HTML report.

``output`` writes a run's folder; ``timeline`` its ``timeline.csv.gz``; ``plots`` the budget and
burn-rate figures (matplotlib on the Agg canvas, no pyplot); ``report`` the HTML page, built with
``html``, the renderer the other reports of the project share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from sim.reports.output import summary_bytes, write_results
    from sim.reports.report import report_html
    from sim.reports.timeline import write_timeline

__all__ = ["report_html", "summary_bytes", "write_results", "write_timeline"]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "output": ("summary_bytes", "write_results"),
        "report": ("report_html",),
        "timeline": ("write_timeline",),
    },
)
