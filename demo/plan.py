"""What the demo does and when: the live phase's timeline (probes, load, the scripted incident) and
the scenarios it replays, for the default run (under 3 minutes) and ``--quick`` (under 60 s)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT", "QUICK", "QUICK_SCENARIOS", "DemoPlan", "IncidentStep"]

# The library's scenarios that --quick replays: an outage, a rollback, a slow burn, an SLA credit.
QUICK_SCENARIOS = ("node-outage-25m", "bad-deploy-rollback", "slow-burn-10d", "api-credit-10pct")


@dataclass(frozen=True)
class IncidentStep:
    """One fault of the scripted incident, installed through the testbed's fault API at ``at_seconds``
    after the live phase starts, for ``duration_seconds``."""

    name: str
    at_seconds: float
    duration_seconds: float
    fault: dict[str, Any]

    @property
    def end_seconds(self) -> float:
        return self.at_seconds + self.duration_seconds

    def body(self) -> dict[str, Any]:
        """The ``POST /faults`` body: the fault, expiring by itself."""
        return {**self.fault, "duration_seconds": self.duration_seconds}


@dataclass(frozen=True)
class DemoPlan:
    """Timings of one demo run, in seconds from the start of the live phase."""

    name: str
    live_seconds: float
    probe_interval_seconds: float
    block_time_seconds: float
    max_tps: float
    load_tps: float
    load_seconds: float
    incident: tuple[IncidentStep, ...]
    scenarios: tuple[str, ...] | None  # None: every scenario of the library
    sim_jobs: int


def _incident(stall_at: float, stall: float, burst_at: float, burst: float) -> tuple[IncidentStep, ...]:
    return (
        IncidentStep("block stall", stall_at, stall, {"kind": "block_stall", "surface": "chain"}),
        IncidentStep(
            "REST 5xx burst",
            burst_at,
            burst,
            {"kind": "error", "surface": "rest", "http_status": 503, "body": "html"},
        ),
    )


DEFAULT = DemoPlan(
    name="default",
    live_seconds=100.0,
    probe_interval_seconds=1.0,
    block_time_seconds=1.0,
    max_tps=100.0,
    load_tps=50.0,
    load_seconds=80.0,
    incident=_incident(stall_at=25.0, stall=20.0, burst_at=55.0, burst=20.0),
    scenarios=None,
    sim_jobs=2,
)
QUICK = DemoPlan(
    name="quick",
    live_seconds=34.0,
    probe_interval_seconds=1.0,
    block_time_seconds=1.0,
    max_tps=100.0,
    load_tps=50.0,
    load_seconds=24.0,
    incident=_incident(stall_at=8.0, stall=8.0, burst_at=19.0, burst=7.0),
    scenarios=QUICK_SCENARIOS,
    sim_jobs=1,
)
