"""Scheduled probing: the scheduler, the results store (SQLite) and the SLO view computed from it.

``enable_scheduled_probing`` adds both to an exporter whose config has ``targets:``; ``ResultStore``
and ``slo_report`` are what ``slo-harness status``, ``gate`` and ``backtest`` read afterwards.
NumPy and SQLite load only when one of these is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from probes.schedule.scheduled import enable_scheduled_probing
    from probes.schedule.scheduler import Scheduler
    from probes.schedule.slo_view import SloBinding, SloView, bindings, slo_report
    from probes.schedule.store import ProbeRecord, ResultStore, default_store_path

__all__ = [
    "ProbeRecord",
    "ResultStore",
    "Scheduler",
    "SloBinding",
    "SloView",
    "bindings",
    "default_store_path",
    "enable_scheduled_probing",
    "slo_report",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "scheduled": ("enable_scheduled_probing",),
        "scheduler": ("Scheduler",),
        "slo_view": ("SloBinding", "SloView", "bindings", "slo_report"),
        "store": ("ProbeRecord", "ResultStore", "default_store_path"),
    },
)
