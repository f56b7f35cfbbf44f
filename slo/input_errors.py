"""One-line errors for bad input files: ``file:line: field: reason``, with the line found in the YAML.

Shared by every loader of a YAML file that becomes a pydantic model (catalogues here, scenarios and
probe modules elsewhere), so a user always sees the same kind of message.
"""

from __future__ import annotations

import difflib
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
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}: not valid YAML: {problem}") from None
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _node_lines(node, (), lines)
    return data, lines


def located(source: str, lines: Mapping[FieldPath, int], loc: tuple[str | int, ...], reason: str) -> str:
    """``file:line: field: reason``, the line being that of the deepest part of ``loc`` in the file."""
    line = next((lines[loc[:cut]] for cut in range(len(loc), -1, -1) if loc[:cut] in lines), None)
    where = f"{source}:{line}" if line is not None else source
    return f"{where}: {field_path(loc)}: {reason}"


def _clean_loc(loc: tuple[str | int, ...], data: Any, error_type: str) -> tuple[str | int, ...]:
    """The error's location in the file: without validator names and union members' names.

    Pydantic puts the member of a union it tried into the location (``policies.0.InlinePolicy.rules``,
    ``policies.0.str``); a part that is not a key or index of the data there is such a name, except
    the last part of a missing field.
    """
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, str) and "[" in part:
            continue
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if present:
            node = node[part]
        elif not (i == len(loc) - 1 and error_type == "missing"):
            continue
        out.append(part)
    return tuple(out)


_Located = tuple[tuple[str | int, ...], Any]


def _causes(exc: ValidationError, data: Any) -> list[_Located]:
    """The errors that name a cause, most telling first.

    An error at a location that has deeper errors is their consequence (a union member that did not
    match a mapping, a list left empty by its bad item), and so is a type mismatch beside a real error
    at the same place: the user wrote the other form. Unknown keys come first and missing fields last,
    since a misspelt key is what makes the field it meant go missing.
    """
    errors = [(_clean_loc(tuple(e["loc"]), data, str(e["type"])), e) for e in exc.errors()]
    locs = [loc for loc, _ in errors]
    deepest = [
        (loc, e) for loc, e in errors if not any(len(o) > len(loc) and o[: len(loc)] == loc for o in locs)
    ]
    real = {loc for loc, e in deepest if not str(e["type"]).endswith("_type")}
    kept = [(loc, e) for loc, e in deepest if not (str(e["type"]).endswith("_type") and loc in real)]
    order = {"extra_forbidden": 0, "missing": 2}
    return sorted(kept, key=lambda item: order.get(str(item[1]["type"]), 1))


def validation_error_line(
    exc: ValidationError,
    source: str,
    lines: Mapping[FieldPath, int],
    data: Any = None,
    prefix: FieldPath = (),
) -> str:
    """The most telling error of a pydantic ValidationError as ``file:line: field: reason``.

    ``data`` (the validated input) lets the location skip the names pydantic gives union members;
    ``prefix`` is where ``data`` sits in the file, when it is part of a larger document.
    """
    causes = [((*prefix, *loc), err) for loc, err in _causes(exc, data)]
    loc, err = causes[0]
    message = str(err["msg"]).removeprefix("Value error, ")
    explained: set[tuple[str | int, ...]] = set()
    if err["type"] == "missing":
        message = "required field is missing"
    elif err["type"] == "extra_forbidden":
        missing = {str(m[-1]): m for m, e in causes if e["type"] == "missing" and m[:-1] == loc[:-1]}
        close = difflib.get_close_matches(str(loc[-1]), list(missing), n=1)
        message = "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")
        explained = {missing[c] for c in close}
    elif str(err["type"]).endswith("_type"):
        # No form matched a value of the wrong kind: say every form the field accepts.
        forms = [str(e["msg"]).removeprefix("Input should be ") for m, e in causes[1:] if m == loc]
        message = " or ".join([message, *forms])
        explained = {loc}
    more = len([c for c in causes[1:] if c[0] not in explained])
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
        raise InputError(validation_error_line(exc, source, lines, data)) from None
