"""The one-command tour, ``slo-harness demo``, and the results index, ``slo-harness report``.

The demo starts the testbed on free loopback ports, an exporter probing it on schedule, a signed
50 TPS load (``slo-harness load``), a scripted incident through the testbed's fault API, and the
scenario library in the simulator; then it writes ``index.html`` over all of it (:mod:`demo.index`).
Everything is built in a hidden folder beside the output and renamed into place at the end, so an
interrupted run leaves no partial results.
"""

from __future__ import annotations

from demo.index import find_runs, index_html, write_index
from demo.plan import DEFAULT, QUICK, DemoPlan, IncidentStep

__all__ = ["DEFAULT", "QUICK", "DemoPlan", "IncidentStep", "find_runs", "index_html", "write_index"]
