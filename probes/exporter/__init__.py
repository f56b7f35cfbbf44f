"""The blackbox_exporter-compatible HTTP server and what it keeps: its own metrics, recent probes, and
a guard on client connections.

``build_app`` returns the aiohttp application with the ``Exporter`` under ``EXPORTER``; ``server``
holds the handlers, ``metrics`` the exporter's own series, ``history`` the probes ``/history`` and
``/logs`` show, ``connections`` the cap on client connections. ``probes.serve`` runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from probes.exporter.server import EXPORTER, Exporter, build_app, module_yaml, scrape_timeout

__all__ = ["EXPORTER", "Exporter", "build_app", "module_yaml", "scrape_timeout"]

__getattr__, __dir__ = lazy_api(
    __name__, {"server": ("EXPORTER", "Exporter", "build_app", "module_yaml", "scrape_timeout")}
)
