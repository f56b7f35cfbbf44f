"""The exporter's own ``/metrics``: build info, config reloads, unknown modules, probes and refusals.

Names follow blackbox_exporter where the meaning is the same (``blackbox_module_unknown_total``, the
config reload gauges), so its dashboards and alerts keep working; what BBE lacks (#550: probes by
module and result; refused targets) is under ``slo_harness_exporter_``. Labels are bounded: modules
come from the config file (unknown ones are only counted), reasons from the fixed enum.

Several worker processes share one set of series through prometheus_client's multiprocess mode
(one memory-mapped file per process in a folder of their own, summed when ``/metrics`` is read), as
gunicorn-served Python exporters do; otherwise a scrape would count only the worker it reached.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Info, values
from prometheus_client.multiprocess import MultiProcessCollector

from probes.result import ProbeResult

__all__ = ["ExporterMetrics", "use_shared_values"]

VERSION = "0.1.0"


def use_shared_values(folder: Path) -> None:
    """Make the metrics this process builds from now on write to ``folder`` (multiprocess mode).

    prometheus_client picks its value class from ``PROMETHEUS_MULTIPROC_DIR`` when first imported;
    a forked worker imported it before the folder existed, so it asks the same chooser again.
    """
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


class ExporterMetrics:
    """Collectors registered on the registry the caller passes (never the global default one)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.exposition = registry  # what /metrics renders
        self.build = Info(
            "slo_harness_exporter_build", "Version of the slo-harness exporter", registry=registry
        )
        self.build.info({"version": VERSION, "pythonversion": platform.python_version()})
        # Across workers (which reload together): the oldest state, so one failed reload shows.
        self.reload_ok = Gauge(
            "blackbox_exporter_config_last_reload_successful",
            "Blackbox exporter config loaded successfully.",
            registry=registry,
            multiprocess_mode="min",
        )
        self.reload_time = Gauge(
            "blackbox_exporter_config_last_reload_success_timestamp_seconds",
            "Timestamp of the last successful configuration reload.",
            registry=registry,
            multiprocess_mode="min",
        )
        self.module_unknown = Counter(
            "blackbox_module_unknown", "Count of unknown modules requested by probes", registry=registry
        )
        self.probes = Counter(
            "slo_harness_exporter_probes",
            "Probes run through /probe, by module and result (success or failure).",
            ["module", "result"],
            registry=registry,
        )
        self.failures = Counter(
            "slo_harness_exporter_probe_failures",
            "Failed /probe probes by module and failure reason (the probe_failure_info reasons).",
            ["module", "reason"],
            registry=registry,
        )
        self._probes_by_result: dict[tuple[str, bool], Counter] = {}
        self.refused = Counter(
            "slo_harness_exporter_refused_targets",
            "Probe requests refused by the target policy before anything was sent.",
            ["module"],
            registry=registry,
        )

    def share(self, folder: Path) -> None:
        """Render every worker's series from ``folder`` (see :func:`use_shared_values`); the build
        info, which multiprocess mode cannot hold, is the same in every worker: this one's."""
        exposition = CollectorRegistry()
        MultiProcessCollector(exposition, path=str(folder))  # type: ignore[no-untyped-call]
        exposition.register(self.build)
        self.exposition = exposition

    def config_loaded(self, ok: bool, wall_time: float) -> None:
        self.reload_ok.set(1 if ok else 0)
        if ok:
            self.reload_time.set(wall_time)

    def probed(self, module: str, result: ProbeResult) -> None:
        key = (module, result.success)
        counter = self._probes_by_result.get(key)
        if counter is None:  # labels() takes a lock and builds the key on every call; once is enough
            outcome = "success" if result.success else "failure"
            counter = self._probes_by_result[key] = self.probes.labels(module, outcome)
        counter.inc()
        if result.failure is not None:
            self.failures.labels(module, result.failure.value).inc()
