"""Reading a catalogue file: the one place in ``slo`` that touches the filesystem.

The packaged default, ``slo/catalogs/virtengine.yaml``, is the source document as data, so an
installed tool works from any directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from slo.catalogs.catalog import Catalog
from slo.catalogs.openslo import is_openslo, parse_openslo
from slo.foundation.input_errors import InputError, load_model, located, parse_yaml
from yamlsafe import read_text

DEFAULT_CATALOG = "virtengine.yaml"


class CatalogError(InputError):
    """A catalogue file is unreadable or invalid; the message names file, line, field and reason."""


def parse_catalog(text: str, source: str) -> Catalog:
    """Validate catalogue YAML text; ``source`` names it in error messages.

    OpenSLO v1 documents are read too (:mod:`slo.catalogs.openslo`), for the parts that map; the rest
    (tiers, budget status levels, the error-budget policy) comes from the packaged catalogue.
    """
    if is_openslo(text):
        try:
            return parse_openslo(text, source, load_catalog())
        except InputError as exc:
            raise CatalogError(str(exc)) from None
    try:
        catalog = load_model(text, source, Catalog)
    except InputError as exc:
        raise CatalogError(str(exc)) from None
    errors = list(catalog.reference_errors())
    if errors:
        _, lines = parse_yaml(text, source)
        loc, reason = errors[0]
        raise CatalogError(located(source, lines, loc, reason))
    return catalog


def load_catalog(path: Path | str | None = None) -> Catalog:
    """The catalogue at ``path``, or the packaged VirtEngine catalogue when ``path`` is None."""
    if path is None:
        text = resources.files("slo.catalogs").joinpath(DEFAULT_CATALOG).read_text(encoding="utf-8")
        return parse_catalog(text, f"slo/catalogs/{DEFAULT_CATALOG}")
    p = Path(path)
    try:
        text = read_text(p)
    except InputError as exc:
        raise CatalogError(str(exc)) from None
    return parse_catalog(text, str(p))
