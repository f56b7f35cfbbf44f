"""The exporter's own ``/metrics``: build info, config reloads, unknown modules, probes and refusals.

Names follow blackbox_exporter where the meaning is the same (``blackbox_module_unknown_total``, the
config reload gauges), so its dashboards and alerts keep working; what BBE lacks (#550: probes by
module and result; refused targets) is under ``slo_harness_exporter_``. Labels are bounded: modules
come from the config file (unknown ones are only counted), reasons from the fixed enum.
"""

from __future__ import annotations

import platform

from prometheus_client import CollectorRegistry, Counter, Gauge, Info

from probes.result import ProbeResult

__all__ = ["ExporterMetrics"]

VERSION = "0.1.0"


class ExporterMetrics:
    """Collectors registered on the registry the caller passes (never the global default one)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        build = Info("slo_harness_exporter_build", "Version of the slo-harness exporter", registry=registry)
        build.info({"version": VERSION, "pythonversion": platform.python_version()})
        self.reload_ok = Gauge(
            "blackbox_exporter_config_last_reload_successful",
            "Blackbox exporter config loaded successfully.",
            registry=registry,
        )
        self.reload_time = Gauge(
            "blackbox_exporter_config_last_reload_success_timestamp_seconds",
            "Timestamp of the last successful configuration reload.",
            registry=registry,
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
