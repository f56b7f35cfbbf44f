"""The scenario file format: traffic per service, incidents, responders, policies and expected outcomes.

These frozen pydantic models are the edge: they validate one YAML file and turn its percents and
durations into ratios and seconds once. Everything that needs the catalogue (does this SLO exist, is
that policy known) is checked by :mod:`sim.scenarios.scenario_file`, which knows the line of every field.

A minimal scenario::

    name: api-outage
    services:
      api:
        requests: {rate: 20, error_ratio: 0.02%}
    slos: {SLO-API-001: api.requests}
    policies: [source-document]
    incidents:
      - {id: outage, kind: outage, service: api, start: 3d, duration: 20m}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slo.budgets.alert_policy import Comparison
from slo.budgets.budget import BudgetStatus
from slo.catalogs.catalog import AlertRuleSpec
from slo.catalogs.quantities import Seconds, Share, to_seconds

IncidentKind = Literal[
    "outage",
    "error_ratio",
    "latency_shift",
    "block_stall",
    "missed_consensus",
    "deploy_failures",
    "provisioning_slowdown",
    "challenge_timeouts",
    "custom",
]

# Kinds that make events fail with probability ``magnitude`` (outage and block stall: every event).
ERROR_KINDS = frozenset(
    {
        "outage",
        "error_ratio",
        "block_stall",
        "missed_consensus",
        "deploy_failures",
        "challenge_timeouts",
        "custom",
    }
)
# Kinds that multiply every latency by ``magnitude``.
LATENCY_KINDS = frozenset({"latency_shift", "provisioning_slowdown"})
# The source an incident of a domain kind hits when it names none; None means every source of the service.
DEFAULT_SOURCE: dict[str, str | None] = {
    "outage": None,
    "error_ratio": None,
    "latency_shift": None,
    "block_stall": "blocks",
    "missed_consensus": "blocks",
    "deploy_failures": "deployments",
    "provisioning_slowdown": "deployments",
    "challenge_timeouts": "challenges",
    "custom": None,
}
UNTIL_RESOLVED = "until_resolved"


def _signed_share(value: object) -> object:
    """``-24%`` → -0.24; a bare number is already a ratio (remaining budget may be negative)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip().removesuffix("%")) / 100.0
        except ValueError:
            raise ValueError(f"expected a percentage like -24% or a ratio, got {value!r}") from None
    return value


SignedShare = Annotated[float, BeforeValidator(_signed_share)]
SourceKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")]


MAX_EVENTS_PER_SECOND = 1e9
"""The largest event rate a source may have (NumPy's Poisson draw fails far above it)."""
MAX_SIMULATION_BYTES = 2 * 1024**3
"""Memory a run may need for its step grid; ``window / step`` steps cost about ``BYTES_PER_STEP`` each."""
BYTES_PER_STEP = 512  # ~64 float64 arrays over the step grid: events, effects, streams, rolling sums


class _Frozen(BaseModel):
    # No infinities or NaN anywhere: .inf would become an infinite rate, loop or allocation.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)


class Latency(_Frozen):
    """A lognormal latency distribution given by its median and 95th percentile."""

    median_seconds: Seconds = Field(alias="median", gt=0)
    p95_seconds: Seconds = Field(alias="p95", gt=0)

    @model_validator(mode="after")
    def _p95_above_median(self) -> Latency:
        if self.p95_seconds <= self.median_seconds:
            raise ValueError("p95 must be larger than median")
        return self


class TrafficClass(_Frozen):
    """A share of a source's events with its own latency (GPU deployments provision slower)."""

    share: Share = Field(gt=0, lt=1)
    latency: Latency


class Diurnal(_Frozen):
    """Daily rate swing: ``rate × (1 + amplitude × cos(2π (t − peak) / 1 d))``."""

    amplitude: float = Field(ge=0, lt=1)
    peak_seconds: Seconds = Field(default=14 * 3600.0, alias="peak")


class Source(_Frozen):
    """One stream of events of a service: requests, blocks, deployments, challenges, health checks.

    The rate is given once: ``rate`` (events per second), ``per_hour``, or ``interval`` (one event
    every interval). ``error_ratio`` is the healthy baseline; ``latency`` is needed by latency SLOs.
    ``noise: false`` makes its counts exact expected values instead of random draws (the scenario's
    ``noise`` applies when unset).
    """

    rate: float | None = Field(default=None, gt=0, le=MAX_EVENTS_PER_SECOND)
    per_hour: float | None = Field(default=None, gt=0, le=MAX_EVENTS_PER_SECOND * 3600)
    interval_seconds: Seconds | None = Field(
        default=None, alias="interval", gt=0, ge=1 / MAX_EVENTS_PER_SECOND
    )
    diurnal: Diurnal | None = None
    error_ratio: Share = 0.0
    latency: Latency | None = None
    classes: dict[str, TrafficClass] = Field(default_factory=dict)
    noise: bool | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> Source:
        given = [v for v in (self.rate, self.per_hour, self.interval_seconds) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of rate, per_hour or interval")
        if self.error_ratio >= 1:
            raise ValueError("error_ratio must be below 100%")
        if self.classes and self.latency is None:
            raise ValueError("classes need a latency for the remaining events")
        if sum(c.share for c in self.classes.values()) >= 1:
            raise ValueError("class shares must add up to less than 100%")
        return self

    @property
    def events_per_second(self) -> float:
        if self.rate is not None:
            return self.rate
        if self.per_hour is not None:
            return self.per_hour / 3600.0
        assert self.interval_seconds is not None
        return 1.0 / self.interval_seconds


class Incident(_Frozen):
    """Something going wrong from ``start`` for ``duration`` (or until a responder resolves it).

    ``magnitude`` is an error ratio for error kinds (outage and block_stall default to 100 %) and a
    latency multiplier for latency_shift and provisioning_slowdown.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    kind: IncidentKind
    service: str
    source: str | None = None
    start_seconds: Seconds = Field(alias="start")
    duration_seconds: float | None = Field(alias="duration")
    magnitude: SignedShare | None = Field(default=None, gt=0)
    cause: str | None = None

    @field_validator("duration_seconds", mode="before")
    @classmethod
    def _until_resolved(cls, value: object) -> float | None:
        """``until_resolved`` (None) waits for a responder; anything else is a positive duration."""
        if value == UNTIL_RESOLVED:
            return None
        if (isinstance(value, int | float) and value < 0) or (
            isinstance(value, str) and value.strip().startswith("-")
        ):
            raise ValueError(f"duration must not be negative, got {value!r}")
        seconds = to_seconds(value)
        if seconds <= 0:
            raise ValueError(f"duration must be longer than zero or {UNTIL_RESOLVED}")
        return seconds

    @model_validator(mode="after")
    def _magnitude_for_kind(self) -> Incident:
        if self.kind in ERROR_KINDS and self.magnitude is not None and self.magnitude > 1:
            raise ValueError(f"magnitude of a {self.kind} incident is an error ratio in (0, 1]")
        if self.magnitude is None and self.kind not in ("outage", "block_stall"):
            what = "latency multiplier" if self.kind in LATENCY_KINDS else "error ratio"
            raise ValueError(f"a {self.kind} incident needs a magnitude ({what})")
        if self.kind == "custom" and self.source is None:
            raise ValueError("a custom incident names its source")
        return self

    @property
    def error_ratio(self) -> float:
        """Probability an event fails during the incident (0 for latency kinds)."""
        if self.kind not in ERROR_KINDS:
            return 0.0
        return 1.0 if self.magnitude is None else self.magnitude

    @property
    def latency_multiplier(self) -> float:
        return self.magnitude if self.kind in LATENCY_KINDS and self.magnitude is not None else 1.0


def _rate(value: object) -> object:
    """``2/28d`` → events per second; ``0/28d`` is a process that never fires."""
    if isinstance(value, str) and "/" in value:
        count, _, per = value.partition("/")
        try:
            number = float(count)
        except ValueError:
            raise ValueError(f"expected a rate like 2/28d, got {value!r}") from None
        seconds = to_seconds(per)
        if number < 0 or seconds <= 0:
            raise ValueError(f"expected a rate like 2/28d, got {value!r}")
        return number / seconds
    raise ValueError(f"expected a rate like 2/28d (count per duration), got {value!r}")


class DurationLaw(_Frozen):
    """How long a random incident lasts: fixed, lognormal (``median``, ``p95``), exponential (``mttr``),
    or ``until_resolved`` (a responder ends it)."""

    fixed_seconds: Seconds | None = Field(default=None, alias="fixed", gt=0)
    median_seconds: Seconds | None = Field(default=None, alias="median", gt=0)
    p95_seconds: Seconds | None = Field(default=None, alias="p95", gt=0)
    mttr_seconds: Seconds | None = Field(default=None, alias="mttr", gt=0)
    until_resolved: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if value == UNTIL_RESOLVED:
            return {"until_resolved": True}
        return {"fixed": value} if isinstance(value, str | int | float) else value

    @model_validator(mode="after")
    def _one_law(self) -> DurationLaw:
        laws = [
            self.fixed_seconds is not None,
            self.median_seconds is not None or self.p95_seconds is not None,
            self.mttr_seconds is not None,
            self.until_resolved,
        ]
        if sum(laws) != 1:
            raise ValueError(f"give one of: a fixed duration, median and p95, mttr, or {UNTIL_RESOLVED}")
        if (self.median_seconds is None) != (self.p95_seconds is None):
            raise ValueError("a lognormal duration needs both median and p95")
        if (
            self.median_seconds is not None
            and self.p95_seconds is not None
            and self.p95_seconds <= self.median_seconds
        ):
            raise ValueError("p95 must be larger than median")
        return self


class MagnitudeRange(_Frozen):
    """A magnitude drawn uniformly between ``min`` and ``max`` for each incident."""

    low: SignedShare = Field(alias="min", gt=0)
    high: SignedShare = Field(alias="max", gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> MagnitudeRange:
        if self.high < self.low:
            raise ValueError("max must be at least min")
        return self


class IncidentProcess(_Frozen):
    """Incidents of one kind that arrive at random (or periodically), for risk runs and long replays.

    Arrivals: Poisson at ``rate`` (``2/28d``) or ``1 / mtbf``, or every ``every`` from ``offset``, each
    start delayed by up to ``jitter`` (uniform). ``duration`` is a :class:`DurationLaw`; ``magnitude``
    a number (as for an incident) or ``{min, max}``. Incident ids are ``<id>#1``, ``<id>#2``, … in
    start order.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    kind: IncidentKind
    service: str
    source: str | None = None
    rate_per_second: float | None = Field(default=None, alias="rate")
    mtbf_seconds: Seconds | None = Field(default=None, alias="mtbf", gt=0)
    every_seconds: Seconds | None = Field(default=None, alias="every", gt=0)
    jitter_seconds: Seconds = Field(default=0.0, alias="jitter", ge=0)
    offset_seconds: Seconds = Field(default=0.0, alias="offset", ge=0)
    duration: DurationLaw
    magnitude: MagnitudeRange | SignedShare | None = None
    cause: str | None = None

    @field_validator("rate_per_second", mode="before")
    @classmethod
    def _parse_rate(cls, value: object) -> object:
        return _rate(value)

    @model_validator(mode="after")
    def _arrival_and_magnitude(self) -> IncidentProcess:
        given = [v for v in (self.rate_per_second, self.mtbf_seconds, self.every_seconds) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one arrival law: rate, mtbf or every")
        if self.every_seconds is None and (self.jitter_seconds or self.offset_seconds):
            raise ValueError("jitter and offset go with every")
        bounds = (
            (self.magnitude.low, self.magnitude.high)
            if isinstance(self.magnitude, MagnitudeRange)
            else (self.magnitude,)
        )
        if self.kind in ERROR_KINDS and any(b is not None and b > 1 for b in bounds):
            raise ValueError(f"magnitude of a {self.kind} incident is an error ratio in (0, 1]")
        if isinstance(self.magnitude, float) and self.magnitude <= 0:
            raise ValueError("magnitude must be positive")
        if self.magnitude is None and self.kind not in ("outage", "block_stall"):
            what = "latency multiplier" if self.kind in LATENCY_KINDS else "error ratio"
            raise ValueError(f"a {self.kind} process needs a magnitude ({what})")
        if self.kind == "custom" and self.source is None:
            raise ValueError("a custom incident process names its source")
        return self

    @property
    def arrivals_per_second(self) -> float | None:
        """The Poisson rate, or None for a periodic process."""
        if self.mtbf_seconds is not None:
            return 1.0 / self.mtbf_seconds
        return self.rate_per_second


class Delay(_Frozen):
    """A responder's delay: fixed (``fixed``) or lognormal (``median`` and ``p95``)."""

    fixed_seconds: Seconds | None = Field(default=None, alias="fixed")
    median_seconds: Seconds | None = Field(default=None, alias="median", gt=0)
    p95_seconds: Seconds | None = Field(default=None, alias="p95", gt=0)

    @model_validator(mode="before")
    @classmethod
    def _bare_duration(cls, value: object) -> object:
        return {"fixed": value} if isinstance(value, str | int | float) else value

    @model_validator(mode="after")
    def _fixed_or_lognormal(self) -> Delay:
        lognormal = (self.median_seconds, self.p95_seconds)
        if self.fixed_seconds is None and None in lognormal:
            raise ValueError("give a fixed delay or both median and p95")
        if self.fixed_seconds is not None and any(v is not None for v in lognormal):
            raise ValueError("give a fixed delay or median and p95, not both")
        if (
            self.median_seconds is not None
            and self.p95_seconds is not None
            and (self.p95_seconds <= self.median_seconds)
        ):
            raise ValueError("p95 must be larger than median")
        return self


class OnCall(_Frozen):
    """A page wakes the on-call engineer, who acknowledges and mitigates, ending until_resolved incidents."""

    acknowledge: Delay
    mitigate: Delay


class Automation(_Frozen):
    """An alert whose action is ``trigger`` rolls back: it ends incidents of the ``resolves`` causes."""

    trigger: str = "automatic_rollback"
    rollback: Delay
    resolves: tuple[str, ...] = ("bad_deploy",)


class Responders(_Frozen):
    on_call: OnCall | None = None
    automation: Automation | None = None


class InlinePolicy(_Frozen):
    """A policy written in the scenario instead of named from the catalogue."""

    name: str
    comparison: Comparison = "gt"
    rules: tuple[AlertRuleSpec, ...] = Field(min_length=1)


ANY = "*"


class AlertExpectation(_Frozen):
    """A rule fires (or stays silent); ``within`` bounds the fire time after ``incident`` starts.

    ``*`` for slo, policy or rule matches any: ``{slo: "*", policy: "*", rule: "*", fires: false}``
    says nothing fires at all.
    """

    slo: str
    policy: str | None = None
    rule: str
    fires: bool = True
    incident: str | None = None
    within: tuple[Seconds, Seconds] | None = None

    @model_validator(mode="after")
    def _range(self) -> AlertExpectation:
        if self.within is not None and self.within[0] > self.within[1]:
            raise ValueError("within must be [earliest, latest]")
        if self.within is not None and self.incident is None:
            raise ValueError("within needs the incident it is relative to")
        return self


class BudgetExpectation(_Frozen):
    """Budget status and/or remaining share at window end; remaining may be negative (overspent)."""

    slo: str
    status: BudgetStatus | None = None
    remaining: SignedShare | None = None
    tolerance: SignedShare = Field(default=0.02, ge=0)


class SLAExpectation(_Frozen):
    """An SLA commitment's outcome: met or not, the ladder step, the consequence amount."""

    sla: str
    commitment: str
    met: bool | None = None
    step: str | None = None
    amount: float | None = None
    tolerance: float = Field(default=0.0, ge=0)


class ActionExpectation(_Frozen):
    """How many automated actions of a kind ran (``rollback``)."""

    action: str
    count: int = Field(ge=0)


class Expectations(_Frozen):
    alerts: tuple[AlertExpectation, ...] = ()
    budgets: tuple[BudgetExpectation, ...] = ()
    slas: tuple[SLAExpectation, ...] = ()
    actions: tuple[ActionExpectation, ...] = ()


class Scenario(_Frozen):
    """A whole scenario file; see the module docstring for an example."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    seed: int = Field(default=0, ge=0)
    window_seconds: Seconds = Field(default=28 * 86400.0, alias="window", gt=0)
    step_seconds: Seconds = Field(default=10.0, alias="step", gt=0, validate_default=True)
    evaluation_interval_seconds: Seconds = Field(default=30.0, alias="evaluation_interval", gt=0)
    # A catalogue file's path, or inline entries added to the packaged one (sim.scenarios.inline_catalog).
    catalog: str | dict[str, Any] | None = None
    noise: bool = True
    services: dict[str, dict[str, Source]] = Field(min_length=1)
    slos: dict[str, SourceKey] = Field(min_length=1)
    policies: tuple[str | InlinePolicy, ...] = ()
    incidents: tuple[Incident, ...] = ()
    incident_processes: tuple[IncidentProcess, ...] = ()
    responders: Responders = Responders()
    slas: dict[str, dict[str, SourceKey]] = Field(default_factory=dict)
    compare_without_automation: bool = False
    expect: Expectations = Expectations()

    @field_validator("step_seconds")
    @classmethod
    def _grid_fits_in_memory(cls, step: float, info: ValidationInfo) -> float:
        """Checked before anything is allocated: 28 days at 1 ms would be 2.4 billion steps."""
        window = info.data.get("window_seconds")
        if window is not None and window / step * BYTES_PER_STEP > MAX_SIMULATION_BYTES:
            need = window / step * BYTES_PER_STEP / 1024**3
            raise ValueError(
                f"window / step = {window / step:.3g} steps would need about {need:.3g} GiB, over the"
                f" {MAX_SIMULATION_BYTES // 1024**3} GiB limit (use a longer step or a shorter window)"
            )
        return step

    @model_validator(mode="after")
    def _grid(self) -> Scenario:
        ratio = self.evaluation_interval_seconds / self.step_seconds
        if ratio < 1 or abs(ratio - round(ratio)) > 1e-9:
            # Evaluations then fall on step edges, so an evaluation never reads a step it splits.
            raise ValueError("evaluation_interval must be a whole multiple of step")
        windows = self.window_seconds / self.evaluation_interval_seconds
        if windows < 1 or abs(windows - round(windows)) > 1e-9:
            raise ValueError("window must be a whole multiple of evaluation_interval")
        ids = [i.id for i in self.incidents]
        if len(set(ids)) != len(ids):
            raise ValueError("incident ids must be unique")
        process_ids = [p.id for p in self.incident_processes]
        if len(set(process_ids)) != len(process_ids):
            raise ValueError("incident process ids must be unique")
        if self.compare_without_automation and self.responders.automation is None:
            raise ValueError("compare_without_automation needs responders.automation")
        return self
