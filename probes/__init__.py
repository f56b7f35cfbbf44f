"""Asyncio probers and a blackbox_exporter-compatible exporter for a Cosmos SDK / CometBFT node.

``load_config`` reads a blackbox.yml-style module file; ``run_probe`` runs one module against one
target within a deadline and returns a ``ProbeResult``; ``render_result`` turns it into the text
Prometheus scrapes; ``build_app`` is the aiohttp exporter serving ``/probe`` and friends.
With ``targets:`` in the config, ``enable_scheduled_probing`` probes on a schedule, keeps results in a
``ResultStore`` and serves the SLO view (``SloView``) computed by the ``slo`` package.
"""

from __future__ import annotations

from probes.config import Module, ProberConfig, load_config
from probes.context import ProbeContext
from probes.dispatch import probers, run_probe
from probes.exporter import Exporter, build_app
from probes.result import FailureReason, ProbeFailure, ProbeResult, Sample, render_result
from probes.scheduled import enable_scheduled_probing
from probes.scheduler import Scheduler
from probes.slo_view import SloView
from probes.store import ResultStore

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
    "probers",
    "render_result",
    "run_probe",
]
