"""The project's one YAML reader, and the loading of YAML into pydantic models with one-line errors.

Every file or request body we read as YAML (catalogue, scenario, exporter config, testbed config,
fault API bodies) goes through :func:`parse_yaml`, which refuses duplicate keys, alias bombs,
recursive aliases, oversized documents and non-UTF-8 text before building anything (see
``yamlsafe.reader``). This package is a leaf: it imports nothing of ours (PyYAML and pydantic only),
so ``slo``, ``probes``, ``sim`` and ``testbed`` may all import it and no copy of it exists.
"""

from __future__ import annotations

from yamlsafe.models import load_model, located, validation_error_line
from yamlsafe.reader import (
    MAX_ALIAS_NODES,
    MAX_YAML_BYTES,
    FieldPath,
    InputError,
    decode,
    field_path,
    parse_yaml,
    parse_yaml_all,
    read_text,
)

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_YAML_BYTES",
    "FieldPath",
    "InputError",
    "decode",
    "field_path",
    "load_model",
    "located",
    "parse_yaml",
    "parse_yaml_all",
    "read_text",
    "validation_error_line",
]
