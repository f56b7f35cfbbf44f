"""A catalogue inside a scenario (``catalog:`` as a mapping), so a scenario with its own SLO is one file.

The mapping holds entries in the catalogue file's format under ``slos``, ``slis``, ``alert_policies``
and ``slas`` (and optionally a ``name``); they are added to the packaged catalogue, an entry with the
id (or policy name) of a packaged one replacing it. An inline SLO may leave out what only documents
it: ``sli`` (an indicator is made for it), ``tier`` (the packaged catalogue's first), ``target_text``
and ``declared_budget``::

    catalog:
      slos:
        - {id: MY-API, name: API availability, objective: {kind: ratio, target: 99.9%}, window: 30d}

Each entry is validated on its own, so an error names the scenario's line and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from slo.catalogs.catalog import SLA, SLI, SLO, AlertPolicy, Catalog
from slo.foundation.input_errors import FieldPath, InputError, field_path, located, validation_error_line

# Section → (entry model, the key that identifies an entry).
SECTIONS: dict[str, tuple[type[BaseModel], str]] = {
    "slis": (SLI, "id"),
    "slos": (SLO, "id"),
    "alert_policies": (AlertPolicy, "name"),
    "slas": (SLA, "id"),
}
INLINE_NAME = "inline"


def _slo_defaults(entry: dict[str, Any], base: Catalog) -> tuple[dict[str, Any], SLI | None]:
    """The entry with what only documents an SLO filled in, and the indicator made for it (if any)."""
    out = dict(entry)
    made: SLI | None = None
    if "sli" not in out and isinstance(out.get("id"), str):
        objective = out.get("objective")
        kind = objective.get("kind") if isinstance(objective, dict) else None
        made = SLI(
            id=f"{out['id']}/sli",
            service=base.services[0].id,
            name=str(out.get("name", out["id"])),
            category="latency" if kind == "latency" else "availability",
            definition="defined inline in a scenario",
            measurement="simulated",
            collection="simulated",
        )
        out["sli"] = made.id
    out.setdefault("tier", base.tiers[0].id)
    out.setdefault("target_text", "inline")
    out.setdefault("declared_budget", "not declared")
    return out, made


def inline_catalog(
    mapping: Mapping[str, Any], base: Catalog, source: str, lines: Mapping[FieldPath, int]
) -> Catalog:
    """``base`` with the scenario's inline entries added; any problem is one InputError line."""
    where: FieldPath = ("catalog",)
    for key in mapping:
        if key != "name" and key not in SECTIONS:
            allowed = ", ".join(["name", *SECTIONS])
            reason = f"unknown field (inline catalogues hold {allowed})"
            raise InputError(located(source, lines, (*where, key), reason))
    name = mapping.get("name", INLINE_NAME)
    if not isinstance(name, str):
        raise InputError(located(source, lines, (*where, "name"), "Input should be a valid string"))
    update: dict[str, Any] = {"name": name}
    made: list[SLI] = []
    # Where each inline entry lands in the merged section, to map reference errors back to the file.
    positions: dict[tuple[str, int], int] = {}
    for section, (model, key) in SECTIONS.items():
        entries = mapping.get(section, [])
        if not isinstance(entries, list):
            raise InputError(located(source, lines, (*where, section), "Input should be a valid list"))
        parsed: list[Any] = []
        for i, entry in enumerate(entries):
            loc = (*where, section, i)
            if not isinstance(entry, dict):
                raise InputError(located(source, lines, loc, "Input should be a valid dictionary"))
            data = entry
            if section == "slos":
                data, sli = _slo_defaults(entry, base)
                made.extend([sli] if sli is not None else [])
            try:
                parsed.append(model.model_validate(data))
            except ValidationError as exc:
                raise InputError(validation_error_line(exc, source, lines, data, prefix=loc)) from None
        ids = {getattr(p, key) for p in parsed}
        kept = [e for e in getattr(base, section) if getattr(e, key) not in ids]
        for i in range(len(entries)):
            positions[(section, len(kept) + i)] = i
        update[section] = (*kept, *parsed)
    # SLOs were parsed after SLIs: add the indicators made for them now.
    if made:
        update["slis"] = (*update["slis"], *made)
    catalog = base.model_copy(update=update)
    for loc, reason in catalog.reference_errors():
        section, index = str(loc[0]), loc[1] if len(loc) > 1 else None
        if isinstance(index, int) and (section, index) in positions:
            inline_loc = (*where, section, positions[(section, index)], *loc[2:])
            raise InputError(located(source, lines, inline_loc, reason))
        raise InputError(located(source, lines, where, f"{field_path(loc)}: {reason}"))
    return catalog
