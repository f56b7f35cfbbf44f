"""Reading a scenario file: validate its shape, check it against its catalogue, resolve it to a Plan.

Every problem becomes one :class:`ScenarioError` line, ``file:line: field: reason``, found with the
same YAML line map the catalogue loader uses, so scenario and catalogue errors read alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from sim.scenarios.incident_process import ProcessPlan
from sim.scenarios.inline_catalog import inline_catalog
from sim.scenarios.plan import (
    AlertPlan,
    AutomationPlan,
    DelayPlan,
    IncidentPlan,
    LatencyClass,
    LatencyModel,
    ObjectivePlan,
    OnCallPlan,
    Plan,
    SLABinding,
    SourcePlan,
)
from sim.scenarios.scenario import (
    ANY,
    DEFAULT_SOURCE,
    LATENCY_KINDS,
    Delay,
    Incident,
    IncidentProcess,
    InlinePolicy,
    Scenario,
    Source,
)
from slo.catalogs.catalog import Catalog, LatencyObjective
from slo.catalogs.catalog_file import CatalogError, load_catalog
from slo.foundation.durations import format_duration
from slo.foundation.input_errors import FieldPath, InputError, load_model, located, parse_yaml
from yamlsafe import read_text

_Problem = tuple[tuple[str | int, ...], str]


class ScenarioError(InputError):
    """A scenario file is unreadable or invalid; the message names file, line, field and reason."""


CatalogCache = dict[str, Catalog]


def load_scenario(path: Path | str, catalogs: CatalogCache | None = None) -> Plan:
    """The scenario at ``path`` resolved against its catalogue (the packaged one unless it names one).

    Pass the same ``catalogs`` dict to many calls to read each catalogue file once.
    """
    p = Path(path)
    try:
        text = read_text(p)
    except InputError as exc:
        raise ScenarioError(str(exc)) from None
    return parse_scenario(text, str(p), base_dir=p.parent, catalogs=catalogs)


def parse_scenario(
    text: str, source: str, base_dir: Path | None = None, catalogs: CatalogCache | None = None
) -> Plan:
    """Validate scenario YAML; ``source`` names it in messages, ``base_dir`` anchors its catalogue path."""
    try:
        scenario = load_model(text, source, Scenario)
    except InputError as exc:
        raise ScenarioError(str(exc)) from None
    _, lines = parse_yaml(text, source)
    catalog = _catalog(scenario, source, lines, base_dir, {} if catalogs is None else catalogs)
    problem = next(iter(_problems(scenario, catalog)), None)
    if problem is not None:
        raise ScenarioError(located(source, lines, *problem))
    plan = _plan(scenario, catalog, source)
    return replace(plan, warnings=_window_warnings(plan, source, lines))


def _window_warnings(plan: Plan, source: str, lines: Mapping[FieldPath, int]) -> tuple[str, ...]:
    """One line when the simulated window is not the window of an SLO in play."""
    others = [o for o in plan.objectives if abs(o.slo_window_seconds - plan.window_seconds) > 1e-9]
    if not others:
        return ()
    own = ", ".join(f"{o.slo_id} {format_duration(o.slo_window_seconds)}" for o in others)
    loc = ("window",) if ("window",) in lines else ("slos",)
    reason = (
        f"the scenario simulates {format_duration(plan.window_seconds)} but its SLOs' windows differ "
        f"({own}): budgets are relative to the simulated {format_duration(plan.window_seconds)}"
    )
    return (located(source, lines, loc, reason),)


def _catalog(
    scenario: Scenario,
    source: str,
    lines: Mapping[FieldPath, int],
    base_dir: Path | None,
    cache: CatalogCache,
) -> Catalog:
    if isinstance(scenario.catalog, dict):
        try:
            return inline_catalog(scenario.catalog, _catalog_file(None, source, lines, cache), source, lines)
        except InputError as exc:
            raise ScenarioError(str(exc)) from None
    path: Path | None = None
    if scenario.catalog is not None:
        path = Path(scenario.catalog)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
    return _catalog_file(path, source, lines, cache)


def _catalog_file(
    path: Path | None, source: str, lines: Mapping[FieldPath, int], cache: CatalogCache
) -> Catalog:
    key = "" if path is None else str(path.resolve())
    if key not in cache:
        try:
            cache[key] = load_catalog(path)
        except CatalogError as exc:
            raise ScenarioError(located(source, lines, ("catalog",), f"bad catalogue: {exc}")) from None
    return cache[key]


def _source(scenario: Scenario, key: str) -> Source | None:
    service, _, name = key.partition(".")
    return scenario.services.get(service, {}).get(name)


def _policy_names(scenario: Scenario) -> list[str]:
    return [p if isinstance(p, str) else p.name for p in scenario.policies]


def _incident_sources(scenario: Scenario, incident: Incident | IncidentProcess) -> tuple[str, ...]:
    sources = scenario.services.get(incident.service, {})
    name = incident.source or DEFAULT_SOURCE[incident.kind]
    if name is not None:
        return (f"{incident.service}.{name}",)
    if incident.kind in LATENCY_KINDS:
        return tuple(f"{incident.service}.{n}" for n, s in sources.items() if s.latency is not None)
    return tuple(f"{incident.service}.{n}" for n in sources)


def _problems(scenario: Scenario, catalog: Catalog) -> Iterator[_Problem]:
    """Every cross-reference the shapes alone cannot check, in file order."""
    for key, src in scenario.slos.items():
        try:
            slo = catalog.slo(key)
        except KeyError:
            yield ("slos", key), f"unknown SLO {key!r} in catalogue {catalog.name!r}"
            continue
        if slo.target is None or slo.window_seconds is None or slo.target >= 1:
            yield (
                ("slos", key),
                f"{key} ({slo.objective.kind}, window {slo.window}) has no error budget to simulate",
            )
            continue
        source = _source(scenario, src)
        if source is None:
            yield ("slos", key), f"no source {src!r} among the services"
        elif isinstance(slo.objective, LatencyObjective) and source.latency is None:
            yield ("slos", key), f"{key} is a latency objective but source {src!r} has no latency"
    known_policies = {p.name for p in catalog.alert_policies}
    for i, policy in enumerate(scenario.policies):
        if isinstance(policy, str) and policy not in known_policies:
            yield (
                ("policies", i),
                f"unknown alert policy {policy!r} (catalogue has: {', '.join(sorted(known_policies))})",
            )
    for i, incident in enumerate(scenario.incidents):
        if incident.start_seconds > scenario.window_seconds:
            yield ("incidents", i, "start"), "starts after the window ends"
            continue
        target_problem = _target_problem(scenario, incident, ("incidents", i))
        if target_problem is not None:
            yield target_problem
        if incident.service not in scenario.services:
            continue
        if incident.start_seconds >= scenario.window_seconds:
            yield ("incidents", i, "start"), "incident starts after the window ends"
        elif incident.duration_seconds is not None and (
            incident.start_seconds + incident.duration_seconds > scenario.window_seconds + 1e-9
        ):
            yield ("incidents", i, "duration"), "incident runs beyond the end of the window"
    for i, process in enumerate(scenario.incident_processes):
        target_problem = _target_problem(scenario, process, ("incident_processes", i))
        if target_problem is not None:
            yield target_problem
    for sla_id, bindings in scenario.slas.items():
        try:
            sla = catalog.sla(sla_id)
        except KeyError:
            yield ("slas", sla_id), f"unknown SLA {sla_id!r}"
            continue
        for commitment_id, src in bindings.items():
            try:
                commitment = sla.commitment(commitment_id)
            except KeyError:
                yield ("slas", sla_id, commitment_id), f"{sla_id} has no commitment {commitment_id!r}"
                continue
            source = _source(scenario, src)
            if source is None:
                yield ("slas", sla_id, commitment_id), f"no source {src!r} among the services"
            elif commitment.statistic == "p95" and source.latency is None:
                yield (
                    ("slas", sla_id, commitment_id),
                    f"a p95 commitment needs a source with latency, {src!r} has none",
                )
    yield from _expectation_problems(scenario, catalog)


def _target_problem(
    scenario: Scenario, incident: Incident | IncidentProcess, loc: tuple[str | int, ...]
) -> _Problem | None:
    """An incident (or process) that names an unknown service or a source it cannot hit."""
    if incident.service not in scenario.services:
        return (*loc, "service"), f"unknown service {incident.service!r}"
    sources = _incident_sources(scenario, incident)
    found = [s for s in (_source(scenario, k) for k in sources) if s is not None]
    missing = [k for k in sources if _source(scenario, k) is None]
    if missing or not sources:
        return (
            (*loc, "source"),
            f"service {incident.service!r} has no source {(missing or ['with latency'])[0]!r}",
        )
    if incident.kind in LATENCY_KINDS and any(s.latency is None for s in found):
        return (*loc, "source"), f"a {incident.kind} incident needs a source with latency"
    return None


def _expectation_problems(scenario: Scenario, catalog: Catalog) -> Iterator[_Problem]:
    policies = _policy_names(scenario)
    incident_ids = {i.id for i in scenario.incidents}
    for i, alert in enumerate(scenario.expect.alerts):
        loc: tuple[str | int, ...] = ("expect", "alerts", i)
        if alert.slo != ANY and alert.slo not in scenario.slos:
            yield (*loc, "slo"), f"SLO {alert.slo!r} is not in play (slos:)"
        if alert.policy is None and len(policies) != 1:
            yield (*loc, "policy"), "name the policy: the scenario has more than one"
        elif alert.policy is not None and alert.policy != ANY and alert.policy not in policies:
            yield (*loc, "policy"), f"policy {alert.policy!r} is not in play"
        elif ANY not in (alert.rule, alert.policy) and (
            alert.rule not in _rule_names(scenario, catalog, alert.policy or policies[0])
        ):
            yield (*loc, "rule"), f"no rule {alert.rule!r} in policy {alert.policy or policies[0]!r}"
        if alert.incident is not None and alert.incident not in incident_ids:
            yield (*loc, "incident"), f"unknown incident {alert.incident!r}"
    for i, budget in enumerate(scenario.expect.budgets):
        if budget.slo not in scenario.slos:
            yield ("expect", "budgets", i, "slo"), f"SLO {budget.slo!r} is not in play (slos:)"
    for i, expected in enumerate(scenario.expect.slas):
        if expected.commitment not in scenario.slas.get(expected.sla, {}):
            yield (
                ("expect", "slas", i, "commitment"),
                (f"{expected.sla}/{expected.commitment} is not measured (slas:)"),
            )


def _rule_names(scenario: Scenario, catalog: Catalog, policy_name: str) -> set[str]:
    for policy in scenario.policies:
        if isinstance(policy, InlinePolicy) and policy.name == policy_name:
            return {r.name for r in policy.rules}
    return {r.name for r in catalog.policy(policy_name).rules}


def _delay(delay: Delay) -> DelayPlan:
    if delay.fixed_seconds is not None:
        return DelayPlan(delay.fixed_seconds)
    assert delay.median_seconds is not None and delay.p95_seconds is not None
    shape = LatencyModel.from_percentiles(delay.median_seconds, delay.p95_seconds)
    return DelayPlan(None, shape.median_seconds, shape.sigma)


def _source_plan(service: str, name: str, source: Source, noise: bool) -> SourcePlan:
    classes: tuple[LatencyClass, ...] = ()
    if source.latency is not None:
        rest = 1.0 - sum(c.share for c in source.classes.values())
        default = LatencyClass(
            "default",
            rest,
            LatencyModel.from_percentiles(source.latency.median_seconds, source.latency.p95_seconds),
        )
        others = tuple(
            LatencyClass(
                n, c.share, LatencyModel.from_percentiles(c.latency.median_seconds, c.latency.p95_seconds)
            )
            for n, c in source.classes.items()
        )
        classes = (default, *others)
    diurnal = source.diurnal
    return SourcePlan(
        key=f"{service}.{name}",
        service=service,
        events_per_second=source.events_per_second,
        diurnal_amplitude=0.0 if diurnal is None else diurnal.amplitude,
        diurnal_peak_seconds=0.0 if diurnal is None else diurnal.peak_seconds,
        error_ratio=source.error_ratio,
        classes=classes,
        noise=noise if source.noise is None else source.noise,
    )


def _plan(scenario: Scenario, catalog: Catalog, file: str) -> Plan:
    objectives = [ObjectivePlan.from_slo(catalog.slo(slo_id), src) for slo_id, src in scenario.slos.items()]
    alerts: list[AlertPlan] = []
    for policy in scenario.policies:
        resolved = policy if isinstance(policy, InlinePolicy) else catalog.policy(policy)
        for objective in objectives:
            window = objective.slo_window_seconds
            alerts.extend(
                AlertPlan(objective.slo_id, resolved.name, spec.to_rule(window, resolved.comparison))
                for spec in resolved.rules
            )
    incidents = tuple(
        IncidentPlan(
            id=inc.id,
            kind=inc.kind,
            service=inc.service,
            sources=_incident_sources(scenario, inc),
            start_seconds=inc.start_seconds,
            planned_end_seconds=scenario.window_seconds
            if inc.duration_seconds is None
            else inc.start_seconds + inc.duration_seconds,
            until_resolved=inc.duration_seconds is None,
            error_ratio=inc.error_ratio,
            latency_multiplier=inc.latency_multiplier,
            cause=inc.cause,
        )
        for inc in scenario.incidents
    )
    responders = scenario.responders
    on_call = (
        None
        if responders.on_call is None
        else OnCallPlan(_delay(responders.on_call.acknowledge), _delay(responders.on_call.mitigate))
    )
    automation = (
        None
        if responders.automation is None
        else AutomationPlan(
            responders.automation.trigger,
            _delay(responders.automation.rollback),
            responders.automation.resolves,
        )
    )
    bindings = tuple(
        SLABinding(sla_id, catalog.sla(sla_id).commitment(cid), src)
        for sla_id, commitments in scenario.slas.items()
        for cid, src in commitments.items()
    )
    return Plan(
        name=scenario.name,
        description=scenario.description,
        file=file,
        seed=scenario.seed,
        window_seconds=scenario.window_seconds,
        step_seconds=scenario.step_seconds,
        evaluation_interval_seconds=scenario.evaluation_interval_seconds,
        catalog_name=catalog.name,
        sources=tuple(
            _source_plan(service, name, src, scenario.noise)
            for service, sources in scenario.services.items()
            for name, src in sources.items()
        ),
        objectives=tuple(objectives),
        incidents=incidents,
        alerts=tuple(alerts),
        on_call=on_call,
        automation=automation,
        sla_bindings=bindings,
        status_thresholds=catalog.status_thresholds,
        expectations=scenario.expect,
        compare_without_automation=scenario.compare_without_automation,
        incident_processes=tuple(
            ProcessPlan.from_model(p, _incident_sources(scenario, p)) for p in scenario.incident_processes
        ),
    )
