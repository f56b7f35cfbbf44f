"""The monitoring the commands stand up and write: the live loop on loopback (``stack``: the exporter,
real Prometheus with the generated rules, real Alertmanager) and Grafana dashboards per service
(``dashboards``). YAML and the Grafana SDK load only when one of these is used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from slo_harness.monitoring.dashboards import ServiceDashboard, expressions, service_dashboards
    from slo_harness.monitoring.stack import Stack, StackSettings, missing_binaries, write_stack_files

__all__ = [
    "ServiceDashboard",
    "Stack",
    "StackSettings",
    "expressions",
    "missing_binaries",
    "service_dashboards",
    "write_stack_files",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "dashboards": ("ServiceDashboard", "expressions", "service_dashboards"),
        "stack": ("Stack", "StackSettings", "missing_binaries", "write_stack_files"),
    },
)
