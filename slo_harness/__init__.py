"""The ``slo-harness`` command line: thin commands over ``slo``, ``probes``, ``sim`` and ``testbed``.

``slo_harness.cli`` is the Typer application (``main`` is the console script); ``slo_harness.commands``
holds one module per area of commands; ``slo_harness.shared`` what several commands share (terminal
output, options, worker processes); ``slo_harness.monitoring`` the live Prometheus / Alertmanager
stack and the Grafana dashboards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from slo_harness.cli import app, main

__all__ = ["app", "main"]

__getattr__, __dir__ = lazy_api(__name__, {"cli": ("app", "main")})
