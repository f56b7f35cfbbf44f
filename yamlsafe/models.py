"""Loading YAML into a frozen pydantic model, every problem one line ``file:line: field: reason``.

The line is found in the YAML for the field pydantic names, so a catalogue, a scenario, a probe
config and a testbed config all report errors the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from yamlsafe.reader import FieldPath, InputError, field_path, parse_yaml

__all__ = ["load_model", "located", "validation_error_line"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def located(source: str, lines: Mapping[FieldPath, int], loc: tuple[str | int, ...], reason: str) -> str:
    """``file:line: field: reason``, the line being that of the deepest part of ``loc`` in the file."""
    line = next((lines[loc[:cut]] for cut in range(len(loc), -1, -1) if loc[:cut] in lines), None)
    where = f"{source}:{line}" if line is not None else source
    return f"{where}: {field_path(loc)}: {reason}"


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # Validators add their own name to the location ("function-after[...]"); drop it.
    return tuple(p for p in loc if not (isinstance(p, str) and "[" in p))


def validation_error_line(exc: ValidationError, source: str, lines: Mapping[FieldPath, int]) -> str:
    """The first error of a pydantic ValidationError as ``file:line: field: reason``."""
    err = exc.errors()[0]
    loc = _clean_loc(tuple(err["loc"]))
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        message = "required field is missing"
    elif err["type"] == "extra_forbidden":
        message = "unknown field"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return located(source, lines, loc, message + suffix)


def load_model(
    text: str | bytes, source: str, model: type[ModelT], context: Mapping[str, Any] | None = None
) -> ModelT:
    """Parse YAML text into ``model``; any problem becomes one InputError line."""
    data, lines = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping at the top level")
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        raise InputError(validation_error_line(exc, source, lines)) from None
