"""One-line errors for bad input files: ``file:line: field: reason``, with the line found in the YAML.

Shared by every loader of a YAML file that becomes a pydantic model (catalogues here, scenarios and
probe modules elsewhere), so a user always sees the same kind of message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)
FieldPath = tuple[str | int, ...]


class InputError(ValueError):
    """A file a user gave us is wrong; the message is one line naming file, line, field and reason."""


def _node_lines(node: yaml.Node, path: FieldPath, out: dict[FieldPath, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            out[(*path, name)] = key.start_mark.line + 1
            _node_lines(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), out)


def field_path(loc: tuple[str | int, ...]) -> str:
    """``("slos", 3, "target")`` → ``slos[3].target``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def parse_yaml(text: str, source: str) -> tuple[Any, dict[FieldPath, int]]:
    """The document and a map from each key path to its 1-based line."""
    # One parse gives both the node tree (for line numbers) and the data; libyaml's parser when
    # PyYAML has it, since the pure-Python one takes most of the time of loading a catalogue.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}: not valid YAML: {problem}") from None
    finally:
        loader.dispose()
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _node_lines(node, (), lines)
    return data, lines


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
    text: str, source: str, model: type[ModelT], context: Mapping[str, Any] | None = None
) -> ModelT:
    """Parse YAML text into ``model``; any problem becomes one InputError line."""
    data, lines = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping at the top level")
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        raise InputError(validation_error_line(exc, source, lines)) from None
