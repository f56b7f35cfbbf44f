"""Asyncio probers and a blackbox_exporter-compatible exporter for a Cosmos SDK / CometBFT node.

``load_config`` reads a blackbox.yml-style module file; ``run_probe`` runs one module against one
target within a deadline and returns a ``ProbeResult``; ``render_result`` turns it into the text
Prometheus scrapes; ``build_app`` is the aiohttp exporter serving ``/probe`` and friends.
With ``targets:`` in the config, ``enable_scheduled_probing`` probes on a schedule, keeps results in a
``ResultStore`` and serves the SLO view (``SloView``) computed by the ``slo`` package.

Layout (imports point down this list, never up):

- ``probes.config`` (with ``chain_config``, ``json_assert``, ``go_regexp``): the module file;
  ``probes.target`` and ``probes.security``: what a target names and whether it may be probed;
  ``probes.result``, ``probes.probe_log`` and ``probes.context``: what one probe gets and gives back.
- ``probes.probers``: one module per prober (http, tcp, grpc, chain, tx) and their helpers, and
  ``dispatch``, which imports a prober's module the first time a probe of its kind runs.
- ``probes.exporter``: the HTTP server, its own metrics, probe history and client connection guard.
- ``probes.schedule``: scheduled probing, the results store and the SLO view.
- ``probes.serve``: the exporter process (one event loop, or workers sharing the port).

Names load on first use (``slo.foundation.lazy_api``), so ``import probes`` costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from probes.config import Module, ProberConfig, load_config
    from probes.context import ProbeContext
    from probes.exporter.server import Exporter, build_app
    from probes.probers.dispatch import prober_for, run_probe
    from probes.result import FailureReason, ProbeFailure, ProbeResult, Sample, render_result
    from probes.schedule.scheduled import enable_scheduled_probing
    from probes.schedule.scheduler import Scheduler
    from probes.schedule.slo_view import SloView
    from probes.schedule.store import ResultStore

__all__ = [
    "Exporter",
    "FailureReason",
    "Module",
    "ProbeContext",
    "ProbeFailure",
    "ProbeResult",
    "ProberConfig",
    "ResultStore",
    "Sample",
    "Scheduler",
    "SloView",
    "build_app",
    "enable_scheduled_probing",
    "load_config",
    "prober_for",
    "render_result",
    "run_probe",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "config": ("Module", "ProberConfig", "load_config"),
        "context": ("ProbeContext",),
        "exporter.server": ("Exporter", "build_app"),
        "probers.dispatch": ("prober_for", "run_probe"),
        "result": ("FailureReason", "ProbeFailure", "ProbeResult", "Sample", "render_result"),
        "schedule.scheduled": ("enable_scheduled_probing",),
        "schedule.scheduler": ("Scheduler",),
        "schedule.slo_view": ("SloView",),
        "schedule.store": ("ResultStore",),
    },
)
