"""OpenSLO v1 documents as a catalogue, and a catalogue as OpenSLO: for the parts the two share.

OpenSLO (https://openslo.com, ``apiVersion: openslo/v1``) has ``Service``, ``SLI``, ``SLO``,
``AlertPolicy`` and ``AlertCondition`` kinds. They map onto the catalogue's services, indicators,
ratio and latency objectives over a rolling window, and burn-rate policies. What has no OpenSLO
field travels in ``metadata.annotations`` under ``slo-harness/…`` (the ids, an SLI's measurement,
a rule's short window and action), so a catalogue written as OpenSLO reads back the same. What does
not map at all is listed by :func:`unmapped`, one line each; reading OpenSLO, those parts (tiers,
budget status levels, the error-budget policy) come from the packaged catalogue.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from pydantic import ValidationError

from slo.catalogs.catalog import (
    SLI,
    SLO,
    AlertPolicy,
    AlertRuleSpec,
    Catalog,
    LatencyObjective,
    RatioObjective,
    Service,
)
from slo.foundation.durations import format_duration
from slo.foundation.input_errors import InputError, field_path, parse_yaml_all

API_VERSION = "openslo/v1"
PREFIX = "slo-harness/"
KINDS = ("Service", "SLI", "SLO", "AlertPolicy", "AlertCondition")


def is_openslo(text: str) -> bool:
    """Whether a YAML text holds OpenSLO documents rather than a catalogue."""
    return any(line.strip().startswith(f"apiVersion: {API_VERSION}") for line in text.splitlines())


def _name(identifier: str) -> str:
    """OpenSLO names are DNS labels: ``SLO-NODE-001`` → ``slo-node-001``."""
    return identifier.lower().replace("_", "-")


def _doc(kind: str, name: str, display: str, spec: dict[str, Any], notes: dict[str, str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "displayName": display}
    if notes:
        metadata["annotations"] = {f"{PREFIX}{k}": v for k, v in notes.items()}
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _mappable(slo: SLO) -> bool:
    return isinstance(slo.objective, RatioObjective | LatencyObjective) and slo.window_seconds is not None


def unmapped(catalog: Catalog) -> list[str]:
    """One line per part of ``catalog`` that OpenSLO cannot hold."""
    lines = [
        f"SLO {slo.id}: a {slo.objective.kind} objective over {slo.window} has no OpenSLO form"
        for slo in catalog.slos
        if not _mappable(slo)
    ]
    lines += [
        f"tiers ({', '.join(t.id for t in catalog.tiers)}): kept only as an SLO annotation",
        "budget_status levels and their actions: OpenSLO has no budget status",
        "error_budget_policy: OpenSLO has no error-budget policy",
        *(f"SLA {sla.id}: OpenSLO has no SLA or penalty ladder" for sla in catalog.slas),
        *(f"claim {claim.id}: OpenSLO has no checked statements" for claim in catalog.claims),
    ]
    return lines


def _percent(ratio: float) -> str:
    """A ratio as the percentage the catalogue reads (0.9995 → "99.95%"), exact where the source was."""
    return f"{round(ratio * 100, 9)!r}%"


def _extra(model: Any, *, exclude: set[str]) -> dict[str, str]:
    """The fields OpenSLO has no place for, as one JSON annotation (empty when all are defaults)."""
    rest = model.model_dump(mode="json", by_alias=True, exclude=exclude, exclude_defaults=True)
    if "budget_spent" in rest:  # a share reads back as a percentage
        rest["budget_spent"] = _percent(rest["budget_spent"])
    return {"fields": json.dumps(rest, ensure_ascii=False, sort_keys=True)} if rest else {}


def _condition(policy: AlertPolicy, rule: AlertRuleSpec) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "kind": "burnrate",
        "op": "gt" if policy.comparison == "gt" else "gte",
        "threshold": rule.factor,
        "lookbackWindow": format_duration(rule.long_window_seconds),
        "alertAfter": format_duration(rule.for_seconds),
    }
    notes = _extra(rule, exclude={"name", "factor", "long_window_seconds", "for_seconds", "severity"})
    spec = {"severity": rule.severity, "condition": condition}
    doc = _doc("AlertCondition", rule.name, rule.name, spec, notes)
    return {"kind": "AlertCondition", "metadata": doc["metadata"], "spec": doc["spec"]}


def _query(text: str) -> dict[str, Any]:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": text}}}


def to_openslo(catalog: Catalog) -> str:
    """The catalogue's services, SLIs, mappable SLOs and alert policies as OpenSLO v1 YAML documents.

    A comment line at the top names each part that does not map.
    """
    docs: list[dict[str, Any]] = []
    for service in catalog.services:
        docs.append(_doc("Service", service.id, service.name, {"description": service.description}, {}))
    for sli in catalog.slis:
        spec: dict[str, Any] = {"description": sli.definition}
        if sli.queries is not None:
            spec["ratioMetric"] = {
                "counter": False,
                "bad": _query(sli.queries.errors),
                "total": _query(sli.queries.total),
            }
        notes = {"id": sli.id, **_extra(sli, exclude={"id", "name", "definition", "queries"})}
        docs.append(_doc("SLI", _name(sli.id), sli.name, spec, notes))
    for policy in catalog.alert_policies:
        spec = {
            "description": policy.description,
            "alertWhenBreaching": True,
            "alertWhenResolved": False,
            "alertWhenNoData": False,
            "conditions": [_condition(policy, rule) for rule in policy.rules],
        }
        docs.append(_doc("AlertPolicy", policy.name, policy.name, spec, {"source": policy.source}))
    for slo in catalog.slos:
        if not _mappable(slo) or slo.target is None:
            continue
        objective: dict[str, Any] = {"displayName": slo.target_text, "target": slo.target}
        if isinstance(slo.objective, LatencyObjective):
            objective.update({"op": "lte", "value": slo.objective.threshold_seconds})
        spec = {
            "description": slo.name,
            "service": catalog.sli(slo.sli).service,
            "indicatorRef": _name(slo.sli),
            "timeWindow": [{"duration": slo.window, "isRolling": True}],
            "budgetingMethod": "Timeslices" if slo.budget_basis == "time" else "Occurrences",
            "objectives": [objective],
            "alertPolicies": [p.name for p in catalog.alert_policies],
        }
        mapped = {"id", "name", "sli", "target_text", "window", "budget_basis", "objective"}
        notes = {"id": slo.id, **_extra(slo, exclude=mapped)}
        docs.append(_doc("SLO", _name(slo.id), slo.name, spec, notes))
    header = "".join(f"# not mapped: {line}\n" for line in unmapped(catalog))
    return header + yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, width=120)


def _notes(metadata: dict[str, Any]) -> dict[str, Any]:
    """Our annotations, with the JSON ``fields`` one unpacked."""
    annotations = metadata.get("annotations") or {}
    notes = {k.removeprefix(PREFIX): v for k, v in annotations.items() if k.startswith(PREFIX)}
    fields = json.loads(notes.pop("fields", "{}"))
    return {**notes, **fields}


def _docs(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    docs: list[tuple[int, dict[str, Any]]] = []
    for doc, _lines, line in parse_yaml_all(text, source):
        if doc is None:
            continue
        if not isinstance(doc, dict) or doc.get("apiVersion") != API_VERSION:
            raise InputError(f"{source}:{line}: apiVersion: expected {API_VERSION}")
        if doc.get("kind") not in KINDS:
            kinds = ", ".join(KINDS)
            raise InputError(f"{source}:{line}: kind: expected one of {kinds}, got {doc.get('kind')!r}")
        if not isinstance(doc.get("metadata"), dict) or not isinstance(doc.get("spec"), dict):
            raise InputError(f"{source}:{line}: metadata and spec must be mappings")
        docs.append((line, doc))
    return docs


def _rule(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]
    cond = spec.get("condition") or {}
    if cond.get("kind") != "burnrate":
        raise ValueError(f"condition kind {cond.get('kind')!r}: only burnrate maps to a rule")
    notes = _notes(doc.get("metadata") or {})
    rule = {
        "name": doc["metadata"].get("name"),
        "long_window": cond.get("lookbackWindow"),
        "for": cond.get("alertAfter") or "0s",
        "severity": spec.get("severity"),
        "action": spec.get("severity"),
        **notes,
    }
    if cond.get("threshold") is not None:
        rule["factor"] = cond["threshold"]
    return rule


def _objective(spec: dict[str, Any]) -> dict[str, Any]:
    """OpenSLO's first objective: a target ratio, with ``op: lte`` and a ``value`` for a latency one."""
    objective = (spec.get("objectives") or [{}])[0]
    target = objective["target"]
    if "value" in objective:
        return {"kind": "latency", "percentile": round(target * 100, 9), "threshold": objective["value"]}
    return {"kind": "ratio", "target": _percent(target)}


def _service(doc: dict[str, Any]) -> Service:
    meta = doc["metadata"]
    description = doc["spec"].get("description", "")
    return Service(id=meta["name"], name=meta.get("displayName", meta["name"]), description=description)


def _sli(doc: dict[str, Any], service: str) -> SLI:
    meta, spec, notes = doc["metadata"], doc["spec"], _notes(doc["metadata"])
    ratio = spec.get("ratioMetric") or {}
    queries = None
    if "bad" in ratio and "total" in ratio:
        queries = {"errors": _query_text(ratio["bad"]), "total": _query_text(ratio["total"])}
    fields = {
        "name": meta.get("displayName", meta["name"]),
        "definition": spec.get("description", ""),
        "queries": queries,
        "category": "availability",
        "measurement": "",
        "collection": "",
        "id": meta["name"],
        "service": service,
        **notes,
    }
    return SLI.model_validate(fields)


def _query_text(metric: dict[str, Any]) -> str:
    return str(metric["metricSource"]["spec"]["query"])


def _policy(doc: dict[str, Any], conditions: dict[str, dict[str, Any]]) -> AlertPolicy:
    spec, notes = doc["spec"], _notes(doc["metadata"])
    refs = spec.get("conditions") or []
    conds = [conditions[c["conditionRef"]] if "conditionRef" in c else c for c in refs]
    ops = {((c.get("spec") or {}).get("condition") or {}).get("op") for c in conds}
    return AlertPolicy.model_validate(
        {
            "name": doc["metadata"]["name"],
            "description": spec.get("description", ""),
            "source": notes.get("source", "OpenSLO"),
            "comparison": "ge" if ops == {"gte"} else "gt",
            "rules": [_rule(c) for c in conds],
        }
    )


def _slo(doc: dict[str, Any], sli_ids: dict[str, str], base: Catalog) -> SLO:
    meta, spec, notes = doc["metadata"], doc["spec"], _notes(doc["metadata"])
    ref = spec.get("indicatorRef")
    fields = {
        "id": meta["name"],
        "name": meta.get("displayName", meta["name"]),
        "sli": sli_ids.get(ref, ref),
        "tier": base.tiers[0].id,
        "target_text": ((spec.get("objectives") or [{}])[0]).get("displayName", ""),
        "window": (spec.get("timeWindow") or [{}])[0].get("duration"),
        "budget_basis": "time" if spec.get("budgetingMethod") == "Timeslices" else "events",
        "declared_budget": "",
        **notes,
        "objective": _objective(spec),
    }
    return SLO.model_validate(fields)


def parse_openslo(text: str, source: str, base: Catalog) -> Catalog:
    """A catalogue from OpenSLO v1 documents; tiers, status levels and the budget policy come from ``base``.

    Any problem is one :class:`InputError` line naming the file, the line of its document and why.
    """
    docs = _docs(text, source)
    conditions = {d["metadata"].get("name"): d for _, d in docs if d["kind"] == "AlertCondition"}
    sli_ids = {
        d["metadata"].get("name"): _notes(d["metadata"]).get("id", d["metadata"].get("name"))
        for _, d in docs
        if d["kind"] == "SLI"
    }
    # OpenSLO names the service on the SLO; an SLI without our annotation takes its SLO's.
    service_of = {
        d["spec"].get("indicatorRef"): d["spec"].get("service", "") for _, d in docs if d["kind"] == "SLO"
    }
    services: list[Service] = []
    slis: list[SLI] = []
    policies: list[AlertPolicy] = []
    slos: list[SLO] = []
    for line, doc in docs:
        kind = doc["kind"]
        try:
            if kind == "Service":
                services.append(_service(doc))
            elif kind == "SLI":
                slis.append(_sli(doc, service_of.get(doc["metadata"].get("name"), "")))
            elif kind == "AlertPolicy":
                policies.append(_policy(doc, conditions))
            elif kind == "SLO":
                slos.append(_slo(doc, sli_ids, base))
        except (ValueError, KeyError, TypeError) as exc:
            name = doc["metadata"].get("name")
            raise InputError(f"{source}:{line}: {kind} {name}: {_reason(exc)}") from None
    catalog = Catalog(
        name=base.name,
        source=source,
        tiers=base.tiers,
        services=tuple(services),
        slis=tuple(slis),
        slos=tuple(slos),
        error_budget_policy=base.error_budget_policy,
        budget_status=base.budget_status,
        alert_policies=tuple(policies),
    )
    problem = next(iter(catalog.reference_errors()), None)
    if problem is not None:
        raise InputError(f"{source}: {field_path(problem[0])}: {problem[1]}")
    return catalog


def _reason(exc: Exception) -> str:
    """One line for a pydantic error (field: reason) or any other reading error."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{field_path(tuple(err['loc']))}: {str(err['msg']).removeprefix('Value error, ')}"
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc)
