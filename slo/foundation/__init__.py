"""What the rest of ``slo`` (and every other package) stands on: duration strings, JSON numbers,
one-line input errors, atomic writes, and the lazy public API of a package.

``durations`` reads and writes Prometheus duration strings; ``json_numbers`` rounds a float for
output JSON; ``input_errors`` names the one-line ``file:line: field: reason`` errors of ``yamlsafe``;
``atomic_write`` writes a file or a folder so that a reader never sees half of it; ``lazy_api`` gives
a package ``__init__`` names that load their module on first use. None imports anything else of ``slo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slo.foundation.lazy_api import lazy_api

if TYPE_CHECKING:
    from slo.foundation.atomic_write import (
        remove_stale_temporaries,
        staged_folder,
        write_bytes_atomic,
        write_text_atomic,
    )
    from slo.foundation.durations import format_duration, parse_duration, positive_duration
    from slo.foundation.input_errors import InputError
    from slo.foundation.json_numbers import json_number

__all__ = [
    "InputError",
    "format_duration",
    "json_number",
    "parse_duration",
    "positive_duration",
    "remove_stale_temporaries",
    "staged_folder",
    "write_bytes_atomic",
    "write_text_atomic",
]

__getattr__, __dir__ = lazy_api(
    __name__,
    {
        "atomic_write": (
            "remove_stale_temporaries",
            "staged_folder",
            "write_bytes_atomic",
            "write_text_atomic",
        ),
        "durations": ("format_duration", "parse_duration", "positive_duration"),
        "input_errors": ("InputError",),
        "json_numbers": ("json_number",),
    },
)
