"""The SLO catalogue: its models, reading it, checking it, and the catalogue this package ships.

``catalog`` holds the frozen pydantic models (services, SLIs, SLOs, alert policies, SLAs, claims) and
``quantities`` how percents and durations in a file become ratios and seconds; ``catalog_file`` reads
a catalogue file, or the packaged ``virtengine.yaml`` (the source document as data) when given none;
``openslo`` maps OpenSLO v1 documents to and from a catalogue; ``lint`` checks a catalogue's declared
figures against the formulas of ``slo.budgets``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from slo.catalogs.catalog import SLA, SLI, SLO, AlertPolicy, Catalog, Commitment
    from slo.catalogs.catalog_file import CatalogError, load_catalog, parse_catalog
    from slo.catalogs.lint import Finding, failures, lint_catalog
    from slo.catalogs.openslo import is_openslo, parse_openslo, to_openslo, unmapped

__all__ = [
    "SLA",
    "SLI",
    "SLO",
    "AlertPolicy",
    "Catalog",
    "CatalogError",
    "Commitment",
    "Finding",
    "failures",
    "is_openslo",
    "lint_catalog",
    "load_catalog",
    "parse_catalog",
    "parse_openslo",
    "to_openslo",
    "unmapped",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "catalog": ("SLA", "SLI", "SLO", "AlertPolicy", "Catalog", "Commitment"),
        "catalog_file": ("CatalogError", "load_catalog", "parse_catalog"),
        "lint": ("Finding", "failures", "lint_catalog"),
        "openslo": ("is_openslo", "parse_openslo", "to_openslo", "unmapped"),
    },
)
