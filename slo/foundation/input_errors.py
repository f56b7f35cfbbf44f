"""One-line errors for bad input files: ``file:line: field: reason``, with the line found in the YAML.

Every loader of a YAML file that becomes a pydantic model (catalogues here, scenarios and probe
modules elsewhere) uses these, so a user always sees the same kind of message. They live in the leaf
package ``yamlsafe``, the project's one YAML reader (duplicate keys, alias bombs, size and encoding
refused), which ``testbed`` uses too; this module names them for the code that imports them from
``slo``.
"""

from __future__ import annotations

from yamlsafe import (
    FieldPath,
    InputError,
    field_path,
    load_model,
    located,
    parse_yaml,
    parse_yaml_all,
    validation_error_line,
)

__all__ = [
    "FieldPath",
    "InputError",
    "field_path",
    "load_model",
    "located",
    "parse_yaml",
    "parse_yaml_all",
    "validation_error_line",
]
