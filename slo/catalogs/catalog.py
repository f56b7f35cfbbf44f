"""The SLO catalogue as data: services, SLIs, SLOs, status levels, alert policies, SLAs and claims.

A catalogue file is validated into frozen pydantic models once, at the edge; the math modules take
the plain values these models hand out (ratios, seconds, :class:`~slo.budgets.alert_policy.BurnRateRule`).
Cross-references (an SLO's SLI, an SLI's service, an SLO's tier) are checked after the shapes, so
an unknown id is reported at the field that names it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from slo.budgets.alert_policy import BurnRateRule, Comparison, factor_for_budget_spent
from slo.budgets.budget import BudgetStatus, StatusThreshold
from slo.budgets.release import DEFAULT_MATRIX, Decision, Risk
from slo.catalogs.quantities import Quantity, Ratio, Seconds, Share
from slo.foundation.durations import parse_duration

NAMED_SCOPES = ("per_deployment", "per_provider", "real_time")


def _check_window(value: str) -> str:
    if value in NAMED_SCOPES:
        return value
    try:
        seconds = parse_duration(value)
    except ValueError:
        scopes = ", ".join(NAMED_SCOPES)
        raise ValueError(
            f"window {value!r} does not parse: expected a duration like 28d or one of {scopes}"
        ) from None
    if seconds <= 0:
        raise ValueError(f"window {value!r} must be longer than zero")
    return value


Window = Annotated[str, AfterValidator(_check_window)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Tier(_Frozen):
    id: str
    name: str
    description: str


class Service(_Frozen):
    id: str
    name: str
    description: str = ""


def _has_window(query: str) -> str:
    if "$window" not in query:
        raise ValueError("a query template must contain $window where the range goes")
    return query


QueryTemplate = Annotated[str, AfterValidator(_has_window)]


class SLIQueries(_Frozen):
    """PromQL rates of bad and of all events, with ``$window`` where the range goes."""

    errors: QueryTemplate
    total: QueryTemplate


class SLI(_Frozen):
    """An indicator as the source defines it: what is measured, how and how often.

    ``queries`` optionally says how Prometheus measures it (``slo-harness rules --source catalog``).
    """

    id: str
    service: str
    name: str
    category: Literal["availability", "latency", "quality", "throughput", "capacity"]
    definition: str
    measurement: str
    collection: str
    formula: str | None = None
    exclusions: tuple[str, ...] = ()
    percentiles: tuple[int, ...] = ()
    dimensions: tuple[str, ...] = ()
    timeout: str | None = None
    target_note: str | None = None
    queries: SLIQueries | None = None


class RatioObjective(_Frozen):
    """At least ``target`` of events (or time) are good."""

    kind: Literal["ratio"]
    target: Ratio


class LatencyObjective(_Frozen):
    """The ``percentile`` of events is at or under ``threshold``: the good ratio is percentile / 100."""

    kind: Literal["latency"]
    percentile: float = Field(gt=0, lt=100)
    threshold_seconds: Seconds = Field(alias="threshold")

    @property
    def target(self) -> float:
        return self.percentile / 100.0


class ThroughputObjective(_Frozen):
    kind: Literal["throughput"]
    minimum: float = Field(gt=0)
    unit: str = "tx/s"


class RangeObjective(_Frozen):
    kind: Literal["range"]
    minimum: Ratio
    maximum: Ratio


class MTBFObjective(_Frozen):
    kind: Literal["mtbf"]
    minimum_seconds: Seconds = Field(alias="minimum")


Objective = Annotated[
    RatioObjective | LatencyObjective | ThroughputObjective | RangeObjective | MTBFObjective,
    Field(discriminator="kind"),
]


class SLO(_Frozen):
    """A row of one of the source's SLO tables, with its error budget exactly as declared there."""

    id: str
    name: str
    sli: str
    tier: str
    objective: Objective
    target_text: str
    window: Window
    budget_basis: Literal["time", "events"] | None = None
    declared_budget: str

    @property
    def window_seconds(self) -> float | None:
        return None if self.window in NAMED_SCOPES else parse_duration(self.window)

    @property
    def target(self) -> float | None:
        """Good-event ratio for ratio and latency objectives; None where no budget applies."""
        obj = self.objective
        if isinstance(obj, RatioObjective | LatencyObjective):
            return obj.target
        return None


class StatusLevel(_Frozen):
    """An error-budget status and its actions; it holds when remaining budget is above ``above``."""

    status: BudgetStatus
    declared: str
    above: Share | None = None
    inclusive: bool = False
    actions: tuple[str, ...] = ()


class AlertRuleSpec(_Frozen):
    """A burn-rate rule as written in a catalogue: the factor is given, or derived from a budget share."""

    name: str
    factor: float | None = Field(default=None, gt=0)
    budget_spent: Share | None = None
    long_window_seconds: Seconds = Field(alias="long_window")
    short_window_seconds: Seconds | None = Field(default=None, alias="short_window")
    for_seconds: Seconds = Field(default=0.0, alias="for")
    severity: Literal["page", "ticket"]
    action: str
    notify: str | None = None
    declared: str | None = None

    @model_validator(mode="after")
    def _factor_or_share(self) -> AlertRuleSpec:
        if self.factor is None and self.budget_spent is None:
            raise ValueError("a rule needs a factor or a budget_spent share")
        if self.short_window_seconds is not None and self.short_window_seconds > self.long_window_seconds:
            raise ValueError("short_window must not be longer than long_window")
        return self

    def factor_for(self, slo_window_seconds: float) -> float:
        if self.factor is not None:
            return self.factor
        assert self.budget_spent is not None
        return factor_for_budget_spent(self.budget_spent, slo_window_seconds, self.long_window_seconds)

    def to_rule(self, slo_window_seconds: float, comparison: Comparison = "gt") -> BurnRateRule:
        return BurnRateRule(
            name=self.name,
            factor=self.factor_for(slo_window_seconds),
            long_window_seconds=self.long_window_seconds,
            short_window_seconds=self.short_window_seconds,
            for_seconds=self.for_seconds,
            severity=self.severity,
            action=self.action,
            comparison=comparison,
        )


class AlertPolicy(_Frozen):
    """Burn-rate rules evaluated together. ``comparison``: a rule fires when the burn rate is greater
    than its factor ("gt", the SRE workbook's and Sloth's ``>``) or at least it ("ge", ``>=``)."""

    name: str
    description: str
    source: str
    comparison: Comparison = "gt"
    rules: tuple[AlertRuleSpec, ...] = Field(min_length=1)

    def to_rules(self, slo_window_seconds: float) -> tuple[BurnRateRule, ...]:
        return tuple(rule.to_rule(slo_window_seconds, self.comparison) for rule in self.rules)


ConsequenceAction = Literal[
    "warning",
    "investigation",
    "review",
    "slash",
    "jail",
    "reliability_penalty",
    "suspension",
    "dispute_eligible",
    "flag_review",
    "service_credit",
    "anomaly_flag",
]


class Consequence(_Frozen):
    """What a ladder step costs. Amounts that scale with the shortfall say how (credits, points)."""

    action: ConsequenceAction
    description: str
    percent: float | None = Field(default=None, ge=0, le=100)
    duration_seconds: Seconds | None = Field(default=None, alias="duration")
    max_points: float | None = Field(default=None, gt=0)
    credit_percent_per_step: float | None = Field(default=None, gt=0)
    credit_step: Share | None = None
    max_credit_percent: float | None = Field(default=None, gt=0, le=100)
    rounding: Literal["ceil", "floor"] = "ceil"

    @model_validator(mode="after")
    def _credit_fields_together(self) -> Consequence:
        credit = (self.credit_percent_per_step, self.credit_step, self.max_credit_percent)
        if any(v is not None for v in credit) and any(v is None for v in credit):
            raise ValueError("credit_percent_per_step, credit_step and max_credit_percent go together")
        return self


class LadderStep(_Frozen):
    """One rung: it applies when the measured value lies between its bounds (inclusivity explicit)."""

    id: str
    declared: str
    above: Quantity | None = None
    above_inclusive: bool = True
    below: Quantity | None = None
    below_inclusive: bool = False
    consequences: tuple[Consequence, ...] = Field(min_length=1)

    def contains(self, value: float) -> bool:
        if self.above is not None and (
            value < self.above or (value == self.above and not self.above_inclusive)
        ):
            return False
        return not (
            self.below is not None
            and (value > self.below or (value == self.below and not self.below_inclusive))
        )


class Commitment(_Frozen):
    """A contractual target and its penalty ladder, checked at the end of the SLA period."""

    id: str
    name: str
    sli: str | None = None
    measurement: str
    statistic: Literal["ratio", "p95"] = "ratio"
    target: Quantity
    comparator: Literal[">=", "<"]
    target_text: str
    period: str
    exclusions: tuple[str, ...] = ()
    excluded_classes: tuple[str, ...] = ()
    ladder: tuple[LadderStep, ...] = ()

    def is_met(self, measured: float) -> bool:
        return measured >= self.target if self.comparator == ">=" else measured < self.target


class RateLimit(_Frozen):
    tier: str
    requests_per_second: float = Field(gt=0)
    per: str


class SLA(_Frozen):
    id: str
    name: str
    applies_to: str
    commitments: tuple[Commitment, ...] = Field(min_length=1)
    credits: tuple[str, ...] = ()
    rate_limits: tuple[RateLimit, ...] = ()

    def commitment(self, commitment_id: str) -> Commitment:
        for c in self.commitments:
            if c.id == commitment_id:
                return c
        raise KeyError(f"{self.id} has no commitment {commitment_id!r}")


class Claim(_Frozen):
    """A figure the source states beside its formulas (rationale lines, worked examples), to be checked.

    kinds: ``time_budget`` (``(1 - T) × W``), ``missed_blocks`` (``(1 - T) × W / block_time``),
    ``window_length`` (``W``), ``burn_budget_share`` (``k × long / W`` of a named policy rule).
    """

    id: str
    statement: str
    kind: Literal["time_budget", "missed_blocks", "window_length", "burn_budget_share"]
    declared: str
    target: Ratio | None = None
    window: Window = "28d"
    block_time_seconds: Seconds | None = Field(default=None, alias="block_time")
    policy: str | None = None
    rule: str | None = None

    @model_validator(mode="after")
    def _inputs_for_kind(self) -> Claim:
        need: dict[str, tuple[str, ...]] = {
            "time_budget": ("target",),
            "missed_blocks": ("target", "block_time_seconds"),
            "window_length": (),
            "burn_budget_share": ("policy", "rule"),
        }
        missing = [f for f in need[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} claim needs {', '.join(missing)}")
        return self


class ErrorBudgetPolicy(_Frozen):
    formula: str
    period: Window
    burn_rate_formula: str
    sustainable_burn_rate: float
    warning_burn_rate: float
    critical_burn_rate: float


class ReleasePolicy(_Frozen):
    """Release decisions by budget status and release risk; every status must give every risk a decision."""

    source: str = "derived from the error-budget policy actions (slo.budgets.release)"
    matrix: dict[BudgetStatus, dict[Risk, Decision]] = Field(
        default_factory=lambda: {s: dict(row) for s, row in DEFAULT_MATRIX.items()}
    )

    @model_validator(mode="after")
    def _complete(self) -> ReleasePolicy:
        for status in BudgetStatus:
            row = self.matrix.get(status)
            if row is None:
                raise ValueError(f"matrix has no row for status {status.value!r}")
            missing = [r.value for r in Risk if r not in row]
            if missing:
                raise ValueError(f"matrix row {status.value!r} has no decision for {', '.join(missing)}")
        return self


class Catalog(_Frozen):
    """A whole catalogue; ``slo()``, ``sli()``, ``policy()`` and ``sla()`` look entries up by id."""

    name: str
    source: str
    tiers: tuple[Tier, ...]
    services: tuple[Service, ...]
    slis: tuple[SLI, ...]
    slos: tuple[SLO, ...]
    error_budget_policy: ErrorBudgetPolicy
    budget_status: tuple[StatusLevel, ...] = Field(min_length=1)
    release_policy: ReleasePolicy = Field(default_factory=ReleasePolicy)
    alert_policies: tuple[AlertPolicy, ...] = ()
    slas: tuple[SLA, ...] = ()
    claims: tuple[Claim, ...] = ()

    def slo(self, slo_id: str) -> SLO:
        return _find(self.slos, slo_id, "SLO")

    def sli(self, sli_id: str) -> SLI:
        return _find(self.slis, sli_id, "SLI")

    def sla(self, sla_id: str) -> SLA:
        return _find(self.slas, sla_id, "SLA")

    def policy(self, name: str) -> AlertPolicy:
        for p in self.alert_policies:
            if p.name == name:
                return p
        raise KeyError(f"no alert policy {name!r} (have: {', '.join(p.name for p in self.alert_policies)})")

    def status_level(self, status: BudgetStatus) -> StatusLevel | None:
        return next((level for level in self.budget_status if level.status == status), None)

    @property
    def status_thresholds(self) -> tuple[StatusThreshold, ...]:
        return tuple(
            StatusThreshold(level.status, level.above, level.inclusive)
            for level in self.budget_status
            if level.above is not None
        )

    def reference_errors(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """(field location, reason) for every id that names nothing, and every duplicate id."""
        tiers = {t.id for t in self.tiers}
        services = {s.id for s in self.services}
        slis = {s.id for s in self.slis}
        sections: tuple[tuple[str, list[str]], ...] = (
            ("slis", [s.id for s in self.slis]),
            ("slos", [s.id for s in self.slos]),
            ("slas", [s.id for s in self.slas]),
        )
        for section, ids in sections:
            seen: set[str] = set()
            for i, item_id in enumerate(ids):
                if item_id in seen:
                    yield (section, i, "id"), f"duplicate id {item_id!r}"
                seen.add(item_id)
        for i, sli in enumerate(self.slis):
            if sli.service not in services:
                yield ("slis", i, "service"), f"unknown service {sli.service!r}"
        for i, slo in enumerate(self.slos):
            if slo.sli not in slis:
                yield ("slos", i, "sli"), f"unknown SLI {slo.sli!r}"
            if slo.tier not in tiers:
                yield ("slos", i, "tier"), f"unknown tier {slo.tier!r}"
        for i, sla in enumerate(self.slas):
            for j, c in enumerate(sla.commitments):
                if c.sli is not None and c.sli not in slis:
                    yield ("slas", i, "commitments", j, "sli"), f"unknown SLI {c.sli!r}"
        policies = {p.name: {r.name for r in p.rules} for p in self.alert_policies}
        for i, claim in enumerate(self.claims):
            if claim.policy is not None and claim.policy not in policies:
                yield ("claims", i, "policy"), f"unknown alert policy {claim.policy!r}"
            elif claim.policy is not None and claim.rule not in policies[claim.policy]:
                yield ("claims", i, "rule"), f"unknown rule {claim.rule!r} in policy {claim.policy!r}"


_Item = TypeVar("_Item", SLO, SLI, SLA)


def _find(items: tuple[_Item, ...], key: str, what: str) -> _Item:
    for item in items:
        if item.id == key:
            return item
    raise KeyError(f"no {what} {key!r} in the catalogue")
